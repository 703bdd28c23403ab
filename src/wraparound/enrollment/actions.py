"""Every change to an enrollment: validated, timestamped, attributed, audited.

The path is identified → assigned → outreach → enrolled → discharged, with
declined and unreachable as the other ends of outreach; a closed enrollment
(discharged, declined, unreachable) may return to outreach, and so to
enrolled again, keeping its history.  Nothing skips a step, and nobody is
enrolled without a consent to enroll obtained in the current episode.

Authorization comes first and outside the transaction, so that a refusal's
audit row stands; an invalid transition raises ``TransitionRefused`` and
changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import record
from wraparound.audit.models import Action
from wraparound.careplans.actions import do_add_care_team_member
from wraparound.careplans.models import CareTeamMember
from wraparound.consent.evidence import evidence_problem
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment, EnrollmentConsent, EnrollmentTransition, OutreachAttempt
from wraparound.registry.access import Viewer, deny
from wraparound.registry.models import Patient
from wraparound.worklists.billing.locks import refuse_if_locked

Status = Enrollment.Status

ALLOWED: dict[str, frozenset[str]] = {
    Status.IDENTIFIED: frozenset({Status.ASSIGNED}),
    Status.ASSIGNED: frozenset({Status.OUTREACH}),
    Status.OUTREACH: frozenset({Status.ENROLLED, Status.DECLINED, Status.UNREACHABLE}),
    Status.ENROLLED: frozenset({Status.DISCHARGED}),
    Status.DISCHARGED: frozenset({Status.OUTREACH}),
    Status.DECLINED: frozenset({Status.OUTREACH}),
    Status.UNREACHABLE: frozenset({Status.OUTREACH}),
}
MANAGING_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})
OUTREACH_ROLES = MANAGING_ROLES | {Role.CARE_MANAGER, Role.CARE_COORDINATOR}


class TransitionRefused(Exception):
    """A change the pipeline does not allow; the message says why, in words for the screen."""


def _may_manage(viewer: Viewer, organization_id: int) -> bool:
    return viewer.organization_id == organization_id and viewer.role in MANAGING_ROLES


def may_manage(viewer: Viewer, enrollment: Enrollment) -> bool:
    """The agency's supervisors and program administrators (who assign care managers)."""
    return _may_manage(viewer, enrollment.organization_id)


def may_work(viewer: Viewer, enrollment: Enrollment) -> bool:
    """Managers of the agency, and its care managers and coordinators on this enrollment."""
    if _may_manage(viewer, enrollment.organization_id):
        return True
    return (
        viewer.organization_id == enrollment.organization_id
        and viewer.role in OUTREACH_ROLES
        and (enrollment.care_manager_id in (None, viewer.user_id))
    )


def _require(allowed: bool, viewer: Viewer, enrollment_patient_id: object) -> None:
    if not allowed:
        raise deny(viewer, what="Enrollment", patient_id=enrollment_patient_id)  # type: ignore[arg-type]


def _move(viewer: Viewer, enrollment: Enrollment, to: str, note: str = "", **changes: object) -> Enrollment:
    """Change state inside a transaction, with its history row and audit row; refuse what skips."""
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if to not in ALLOWED.get(locked.status, frozenset()):
            raise TransitionRefused(
                f"An enrollment that is {locked.get_status_display().lower()} cannot become "
                f"{Status(to).label.lower()}; the next steps are: "
                + ", ".join(str(Status(s).label).lower() for s in sorted(ALLOWED[locked.status]))
                + "."
            )
        now = timezone.now()
        previous = locked.status
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.status = to
        locked.status_changed_at = now
        locked.save()
        assert viewer.user_id is not None
        EnrollmentTransition.objects.create(
            enrollment=locked, from_status=previous, to_status=to, at=now, by_id=viewer.user_id, note=note
        )
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[locked.patient_id],
            resource_type="Enrollment",
            resource_id=str(locked.pk),
            detail={"from": previous, "to": to},
        )
    enrollment.refresh_from_db()
    return locked


def do_identify(
    viewer: Viewer, patient: Patient, organization: CareOrganization, program: str = "health_home"
) -> Enrollment:
    """A patient found eligible enters the agency's pipeline."""
    _require(_may_manage(viewer, organization.pk), viewer, patient.pk)
    with transaction.atomic():
        if (
            Enrollment.objects.filter(patient=patient, program=program)
            .exclude(status__in=Enrollment.CLOSED)
            .exists()
        ):
            raise TransitionRefused("This patient already has an open enrollment in this program.")
        now = timezone.now()
        enrollment = Enrollment.objects.create(
            patient=patient,
            organization=organization,
            program=program,
            status=Status.IDENTIFIED,
            status_changed_at=now,
        )
        assert viewer.user_id is not None
        EnrollmentTransition.objects.create(
            enrollment=enrollment,
            to_status=Status.IDENTIFIED,
            at=now,
            by_id=viewer.user_id,
        )
        record(
            viewer.actor,
            Action.CREATE,
            patient_ids=[patient.pk],
            resource_type="Enrollment",
            resource_id=str(enrollment.pk),
            detail={"to": Status.IDENTIFIED, "program": program},
        )
    return enrollment


def do_assign(viewer: Viewer, enrollment: Enrollment, care_manager: AbstractBaseUser) -> Enrollment:
    """A supervisor assigns the agency and care manager; the care manager leads the care team."""
    _require(_may_manage(viewer, enrollment.organization_id), viewer, enrollment.patient_id)
    if not Membership.objects.filter(
        user_id=care_manager.pk,
        organization_id=enrollment.organization_id,
        role=Role.CARE_MANAGER,
        is_active=True,
    ).exists():
        raise TransitionRefused("Assign a care manager of this agency.")
    with transaction.atomic():
        moved = _move(viewer, enrollment, Status.ASSIGNED, care_manager_id=care_manager.pk)
        do_add_care_team_member(
            patient=enrollment.patient,
            organization=enrollment.organization,
            user_id=care_manager.pk,
            role=CareTeamMember.Role.LEAD_CARE_MANAGER,
        )
    return moved


def do_start_outreach(viewer: Viewer, enrollment: Enrollment, note: str = "") -> Enrollment:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    return _move(viewer, enrollment, Status.OUTREACH, note)


def do_log_outreach(
    viewer: Viewer,
    enrollment: Enrollment,
    *,
    at: dt.datetime,
    mode: str,
    outcome: str,
    note: str = "",
) -> OutreachAttempt:
    """One attempt to reach the patient, exactly as it happened (billing counts these)."""
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    if enrollment.status != Status.OUTREACH:
        raise TransitionRefused("Outreach attempts are logged while the enrollment is in outreach.")
    if at > timezone.now():
        raise TransitionRefused("An outreach attempt cannot be in the future.")
    refuse_if_locked(enrollment.organization_id, at, TransitionRefused)  # a month submitted for billing
    assert viewer.user_id is not None
    with transaction.atomic():
        attempt = OutreachAttempt.objects.create(
            enrollment=enrollment,
            at=at,
            mode=OutreachAttempt.Mode(mode),
            outcome=OutreachAttempt.Outcome(outcome),
            by_id=viewer.user_id,
            note=note,
            recorded_at=timezone.now(),
        )
        record(
            viewer.actor,
            Action.CREATE,
            patient_ids=[enrollment.patient_id],
            resource_type="OutreachAttempt",
            resource_id=str(attempt.pk),
            detail={"mode": mode, "outcome": outcome},
        )
    return attempt


def do_record_consent_to_enroll(
    viewer: Viewer,
    enrollment: Enrollment,
    *,
    obtained_on: dt.date,
    evidence: str,
    document_name: str = "",
    document_sha256: str = "",
    attestation: str = "",
) -> EnrollmentConsent:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    problem = evidence_problem(evidence, document_sha256, attestation)
    if problem:
        raise TransitionRefused(problem)
    if obtained_on > timezone.localdate():
        raise TransitionRefused("A consent cannot be obtained in the future.")
    assert viewer.user_id is not None
    with transaction.atomic():
        consent = EnrollmentConsent.objects.create(
            enrollment=enrollment,
            obtained_on=obtained_on,
            obtained_by_id=viewer.user_id,
            evidence=EnrollmentConsent.Evidence(evidence),
            document_name=document_name,
            document_sha256=document_sha256,
            attestation=attestation,
            recorded_at=timezone.now(),
        )
        record(
            viewer.actor,
            Action.CONSENT_CHANGE,
            patient_ids=[enrollment.patient_id],
            resource_type="EnrollmentConsent",
            resource_id=str(consent.pk),
            detail={"evidence": evidence},
        )
    return consent


def _episode_start(enrollment: Enrollment) -> dt.datetime | None:
    """When the current outreach episode began: the consent must be recorded in it, not before."""
    return (
        enrollment.transitions.filter(to_status=Status.OUTREACH)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )


def do_enroll(viewer: Viewer, enrollment: Enrollment, on: dt.date | None = None) -> Enrollment:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    began = _episode_start(enrollment)
    consents = (
        enrollment.consents.all() if began is None else enrollment.consents.filter(recorded_at__gte=began)
    )
    if not consents.exists():
        raise TransitionRefused(
            "Record the patient's consent to enroll first (date, who obtained it, evidence)."
        )
    return _move(
        viewer,
        enrollment,
        Status.ENROLLED,
        started_on=on or timezone.localdate(),
        ended_on=None,
        discharge_reason="",
    )


def do_decline(viewer: Viewer, enrollment: Enrollment, note: str = "") -> Enrollment:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    return _move(viewer, enrollment, Status.DECLINED, note)


def do_mark_unreachable(viewer: Viewer, enrollment: Enrollment, note: str = "") -> Enrollment:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    if not enrollment.outreach_attempts.filter(recorded_at__gte=enrollment.status_changed_at).exists():
        raise TransitionRefused("Log the outreach attempts before marking the patient unreachable.")
    return _move(viewer, enrollment, Status.UNREACHABLE, note)


def do_discharge(
    viewer: Viewer, enrollment: Enrollment, reason: str, on: dt.date | None = None, note: str = ""
) -> Enrollment:
    _require(may_work(viewer, enrollment), viewer, enrollment.patient_id)
    if reason not in Enrollment.DischargeReason.values:
        raise TransitionRefused("Choose a discharge reason.")
    return _move(
        viewer,
        enrollment,
        Status.DISCHARGED,
        note,
        discharge_reason=reason,
        ended_on=on or timezone.localdate(),
    )
