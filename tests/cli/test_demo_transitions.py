"""The demo's hospital feed: ADT messages through the listener's intake and the processor, so that
the transitions screens and the follow-up rates have something true to show, and nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.personas import viewer_of
from wraparound.cli.demo import ensure_demo_transitions, ensure_demo_workspace
from wraparound.cli.demo_transitions import FACILITY
from wraparound.core.models import CareOrganization
from wraparound.hl7v2.models import InboxMessage
from wraparound.registry.access import access_patients
from wraparound.transitions import dashboard
from wraparound.transitions.models import MatchReview, Stay, Step
from wraparound.worklists.models import Alert, Task


@pytest.mark.django_db
def test_the_demo_feed_is_received_processed_and_tells_every_transition_story(
    demo_world: CareOrganization,
) -> None:
    ensure_demo_workspace()  # the demo builds the workspace first; its alerted members are left alone
    added = ensure_demo_transitions()
    now, today = timezone.now(), timezone.localdate()

    inbox = InboxMessage.objects.filter(sending_facility=FACILITY)
    assert inbox.count() == added.messages > 0
    assert set(inbox.values_list("status", flat=True)) == {InboxMessage.Status.PROCESSED}
    assert (
        MatchReview.objects.filter(
            status=MatchReview.Status.OPEN, reason=MatchReview.Reason.NOT_FOUND, message__in=inbox
        ).count()
        == 1
    )

    caremanager = User.objects.get(username="caremanager")
    stays = dashboard.hospital_stays(access_patients(viewer_of(caremanager)))
    in_hospital = list(dashboard.in_hospital(stays))
    assert len(in_hospital) == 4
    assert {stay.kind for stay in in_hospital} == {Stay.Kind.INPATIENT, Stay.Kind.EMERGENCY}
    readmission = next(stay for stay in in_hospital if stay.is_readmission)
    assert readmission.index_stay is not None
    assert readmission.admitted_at is not None and readmission.index_stay.discharged_at is not None
    assert (readmission.admitted_at - readmission.index_stay.discharged_at).days == 12
    assert list(dashboard.discharged_with_open_steps(stays))
    assert dashboard.overdue_steps(stays, today).exists()
    assert stays.filter(mental_illness=True, steps__kind=Step.Kind.FOLLOW_UP_30).exists()

    # Her older discharges: steps done, most on time, some late, so her rate is neither 0 nor 100.
    _by_agency, by_care_manager, trend = dashboard.follow_up_rates(stays, today)
    hers = next(rate for rate in by_care_manager if "Reyes" in rate.label or rate.label == "caremanager")
    assert 0 < hers.met_7 < hers.due_7
    assert any(series.points for series in trend)

    # History is dated as it happened: nothing done in the future, nothing done before it was due to exist.
    done = [
        step.task
        for step in Step.objects.filter(
            stay__facility=FACILITY, task__status=Task.Status.DONE
        ).select_related("task")
    ]
    assert len(done) == added.history_steps > 0
    for task in done:
        assert task.completed_at is not None and task.completed_at <= now
        assert task.created_at < task.completed_at
    assert not Alert.objects.filter(
        patient__stays__facility=FACILITY,
        occurred_at__lt=now - dt.timedelta(days=16),
        acknowledged_at__isnull=True,
    ).exists()

    # A second run sends nothing and changes nothing.
    counts = (InboxMessage.objects.count(), Stay.objects.count(), Task.objects.count(), Alert.objects.count())
    again = ensure_demo_transitions()
    assert again.messages == again.stays == again.history_steps == 0
    assert counts == (
        InboxMessage.objects.count(),
        Stay.objects.count(),
        Task.objects.count(),
        Alert.objects.count(),
    )
