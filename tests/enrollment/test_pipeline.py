"""The enrollment pipeline: every step validated, recorded with history, audited; nothing skips."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from wraparound.audit.models import Action, AuditEvent
from wraparound.enrollment import actions
from wraparound.enrollment.actions import TransitionRefused
from wraparound.enrollment.models import Enrollment, EnrollmentConsent, EnrollmentTransition, OutreachAttempt

from .conftest import Pipeline

Status = Enrollment.Status


def _snapshot(enrollment: Enrollment) -> tuple[object, ...]:
    enrollment.refresh_from_db()
    return (
        enrollment.status,
        enrollment.care_manager_id,
        enrollment.started_on,
        enrollment.ended_on,
        enrollment.transitions.count(),
        enrollment.outreach_attempts.count(),
    )


def _identified(pipeline: Pipeline) -> Enrollment:
    return actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)


def _consent(pipeline: Pipeline, enrollment: Enrollment) -> EnrollmentConsent:
    return actions.do_record_consent_to_enroll(
        pipeline.viewer("alice"),
        enrollment,
        obtained_on=timezone.localdate(),
        evidence=EnrollmentConsent.Evidence.VERBAL,
        attestation="Heard by phone by Alice Carter; read back and confirmed",
    )


def test_the_whole_path_and_back_is_recorded_with_history_and_audited(pipeline: Pipeline) -> None:
    sam, alice = pipeline.viewer("sam"), pipeline.viewer("alice")
    enrollment = _identified(pipeline)
    actions.do_assign(sam, enrollment, pipeline.users["alice"])
    actions.do_start_outreach(alice, enrollment)
    now = timezone.now()
    actions.do_log_outreach(
        alice, enrollment, at=now - dt.timedelta(days=2), mode="phone", outcome="left_message"
    )
    actions.do_log_outreach(
        alice, enrollment, at=now - dt.timedelta(hours=1), mode="phone", outcome="reached"
    )
    _consent(pipeline, enrollment)
    actions.do_enroll(alice, enrollment)
    actions.do_discharge(alice, enrollment, Enrollment.DischargeReason.MOVED)
    actions.do_start_outreach(alice, enrollment, note="Moved back to the area")
    with pytest.raises(
        TransitionRefused, match="consent to enroll"
    ):  # the old consent belongs to the old episode
        actions.do_enroll(alice, enrollment)
    _consent(pipeline, enrollment)  # a new consent, in the new episode
    actions.do_enroll(alice, enrollment)

    enrollment.refresh_from_db()
    assert (
        enrollment.status == Status.ENROLLED
        and enrollment.ended_on is None
        and enrollment.discharge_reason == ""
    )
    steps = list(enrollment.transitions.values_list("from_status", "to_status"))
    assert steps == [
        ("", Status.IDENTIFIED),
        (Status.IDENTIFIED, Status.ASSIGNED),
        (Status.ASSIGNED, Status.OUTREACH),
        (Status.OUTREACH, Status.ENROLLED),
        (Status.ENROLLED, Status.DISCHARGED),
        (Status.DISCHARGED, Status.OUTREACH),
        (Status.OUTREACH, Status.ENROLLED),
    ]
    assert list(enrollment.transitions.values_list("by__username", flat=True)) == [
        "sam",
        "sam",
        *["alice"] * 5,
    ]
    assert OutreachAttempt.objects.filter(enrollment=enrollment).count() == 2
    audited = AuditEvent.objects.filter(patient_id=pipeline.patient.pk, resource_type="Enrollment")
    assert audited.filter(action=Action.CREATE).count() == 1
    assert audited.filter(action=Action.UPDATE).count() == 6
    assert AuditEvent.objects.filter(resource_type="OutreachAttempt", action=Action.CREATE).count() == 2
    # the care manager was put on the care team, so she can open the record
    assert enrollment.patient.care_teams.get().members.filter(user__username="alice").exists()


@pytest.mark.parametrize(
    "step",
    [
        "enroll_from_identified",
        "outreach_from_identified",
        "discharge_from_outreach",
        "enroll_without_consent",
        "assign_twice",
    ],
)
def test_invalid_steps_are_refused_with_a_reason_and_change_nothing(pipeline: Pipeline, step: str) -> None:
    sam, alice = pipeline.viewer("sam"), pipeline.viewer("alice")
    enrollment = _identified(pipeline)
    if step in ("discharge_from_outreach", "enroll_without_consent", "assign_twice"):
        actions.do_assign(sam, enrollment, pipeline.users["alice"])
    if step in ("discharge_from_outreach", "enroll_without_consent"):
        actions.do_start_outreach(alice, enrollment)
    if step == "enroll_from_identified":
        actions.do_record_consent_to_enroll(
            sam,
            enrollment,
            obtained_on=timezone.localdate(),
            evidence="verbal",
            attestation="Heard in person",
        )
    attempts = {
        "enroll_from_identified": lambda: actions.do_enroll(alice, enrollment),
        "outreach_from_identified": lambda: actions.do_start_outreach(alice, enrollment),
        "discharge_from_outreach": lambda: actions.do_discharge(alice, enrollment, "goals_met"),
        "enroll_without_consent": lambda: actions.do_enroll(alice, enrollment),
        "assign_twice": lambda: actions.do_assign(sam, enrollment, pipeline.users["alice"]),
    }
    before = _snapshot(enrollment)
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        attempts[step]()
    assert str(refused.value)  # a reason in words
    assert _snapshot(enrollment) == before
    assert AuditEvent.objects.count() == audit_rows


def test_other_agencies_cannot_touch_the_enrollment_and_are_audited(pipeline: Pipeline) -> None:
    enrollment = _identified(pipeline)
    before = _snapshot(enrollment)
    for name in ("bob", "sue"):
        with pytest.raises(PermissionDenied):
            actions.do_assign(pipeline.viewer(name), enrollment, pipeline.users["bob"])
    with pytest.raises(PermissionDenied):
        actions.do_identify(
            pipeline.viewer("alice"), pipeline.patient, pipeline.agency
        )  # care managers do not
    assert _snapshot(enrollment) == before
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, resource_type="Enrollment").count() == 3


def test_outreach_rules(pipeline: Pipeline) -> None:
    sam, alice = pipeline.viewer("sam"), pipeline.viewer("alice")
    enrollment = _identified(pipeline)
    with pytest.raises(TransitionRefused, match="this agency"):
        actions.do_assign(sam, enrollment, pipeline.users["bob"])  # bob works elsewhere
    actions.do_assign(sam, enrollment, pipeline.users["alice"])
    with pytest.raises(TransitionRefused, match="open enrollment"):
        actions.do_identify(sam, pipeline.patient, pipeline.agency)  # one open enrollment per program
    with pytest.raises(TransitionRefused, match="in outreach"):
        actions.do_log_outreach(alice, enrollment, at=timezone.now(), mode="phone", outcome="no_answer")
    actions.do_start_outreach(alice, enrollment)
    with pytest.raises(TransitionRefused, match="future"):
        actions.do_log_outreach(
            alice, enrollment, at=timezone.now() + dt.timedelta(days=1), mode="mail", outcome="returned_mail"
        )
    with pytest.raises(TransitionRefused, match="attempts"):
        actions.do_mark_unreachable(alice, enrollment)
    actions.do_log_outreach(alice, enrollment, at=timezone.now(), mode="mail", outcome="returned_mail")
    actions.do_mark_unreachable(alice, enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).status == Status.UNREACHABLE
    assert EnrollmentTransition.objects.filter(enrollment=enrollment).count() == 4
