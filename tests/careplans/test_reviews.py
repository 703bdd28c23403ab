"""Review cadence: a review task when the plan is made and after each review; a review after a discharge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from wraparound.audit.actions import Actor
from wraparound.careplans import actions
from wraparound.careplans.actions import Edit
from wraparound.careplans.models import CarePlan
from wraparound.enrollment.models import Enrollment
from wraparound.worklists.models import Task

from .conftest import World
from .helpers import save, start_plan, team


def _review_tasks(plan: CarePlan) -> list[tuple[dt.date | None, int | None, str]]:
    return list(
        Task.objects.filter(care_plan=plan, source=Task.Source.CARE_PLAN_REVIEW)
        .order_by("due_on", "id")
        .values_list("due_on", "assignee_id", "dedupe_key")
    )


def test_a_new_plan_is_due_for_review_after_the_cadence(world: World) -> None:
    today = timezone.localdate()
    plan = start_plan(world)
    due = today + dt.timedelta(days=90)
    assert plan.next_review_due == due
    assert _review_tasks(plan) == [
        (due, world.users["alice"].pk, f"careplan-review:{plan.pk}:{due.isoformat()}")
    ]
    assert Task.objects.get(care_plan=plan).title == "Review the care plan"


@override_settings(CARE_PLAN_REVIEW_DAYS=30)
def test_recording_a_review_sets_the_next_due_date_and_a_task_for_the_lead(world: World) -> None:
    today = timezone.localdate()
    plan = start_plan(world)
    actions.do_hand_off_lead(world.viewer("alice"), team(world), world.users["carl"], "Leave")
    reviewed = today - dt.timedelta(days=2)
    version = save(world, "carl", plan, Edit("review", {"reviewed_on": reviewed, "note": "Goals still fit"}))
    plan.refresh_from_db()
    assert (plan.last_reviewed_on, plan.next_review_due) == (reviewed, reviewed + dt.timedelta(days=30))
    assert version.summary == "Recorded a review: Goals still fit"
    due = reviewed + dt.timedelta(days=30)
    assert Task.objects.get(care_plan=plan, due_on=due).assignee_id == world.users["carl"].pk
    # the same review again makes no second task for the same date
    save(world, "carl", plan, Edit("review", {"reviewed_on": reviewed, "note": ""}))
    assert len(_review_tasks(plan)) == 2


def test_a_review_cannot_be_in_the_future(world: World) -> None:
    plan = start_plan(world)
    with pytest.raises(actions.CarePlanRefused):
        save(
            world, "alice", plan, Edit("review", {"reviewed_on": timezone.localdate() + dt.timedelta(days=1)})
        )


def test_a_discharge_asks_for_a_review_within_seven_days(world: World) -> None:
    plan = start_plan(world)
    discharged = dt.date(2025, 3, 3)
    task = actions.do_request_review_after_discharge(Actor.system("adt"), world.patient.pk, discharged)
    assert task is not None
    assert (task.due_on, task.assignee_id, task.care_plan_id) == (
        dt.date(2025, 3, 10),
        world.users["alice"].pk,
        plan.pk,
    )
    again = actions.do_request_review_after_discharge(Actor.system("adt"), world.patient.pk, discharged)
    assert again is not None and again.pk == task.pk


def test_no_review_after_discharge_without_an_enrolled_care_plan(world: World) -> None:
    assert (
        actions.do_request_review_after_discharge(Actor.system(), world.patient.pk, dt.date(2025, 3, 3))
        is None
    )
    start_plan(world)
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=Enrollment.Status.DISCHARGED)
    assert (
        actions.do_request_review_after_discharge(Actor.system(), world.patient.pk, dt.date(2025, 3, 3))
        is None
    )


def test_a_plan_is_made_only_for_an_enrolled_patient(world: World) -> None:
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=Enrollment.Status.OUTREACH)
    world.enrollment.refresh_from_db()
    with pytest.raises(actions.CarePlanRefused):
        start_plan(world)
    assert not CarePlan.objects.exists()
