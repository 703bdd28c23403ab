"""What a care manager's worklist holds, in which order, and how the filters narrow it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.worklists import actions, ranking
from wraparound.worklists.models import Task

from .test_worklist_world import NURSE, World, build_world, days


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _titles(world: World, name: str, filters: ranking.Filters | None = None) -> list[str]:
    viewer, today = world.viewer(name), timezone.localdate()
    filters = filters or ranking.Filters()
    worklist = ranking.build(
        ranking.filter_tasks(ranking.tasks_for(viewer, today), filters, today),
        ranking.filter_alerts(ranking.alerts_for(viewer, today), filters),
        None,
        today,
    )
    return [item.task.title if item.task else item.alert.title for item in worklist.items]  # type: ignore[union-attr]


def _caseload(world: World) -> None:
    low, high = world.patient("Lowe", tier="low"), world.patient("Hyde", tier="high")
    moderate = world.patient("Moss", tier="moderate")
    world.task(high, "later, high tier", due_on=days(10))
    world.task(low, "later, low tier, sooner", due_on=days(2), priority=Task.Priority.URGENT)
    world.task(high, "no due date, high tier")
    world.task(moderate, "due today", due_on=days(0))
    world.task(high, "overdue by a day", due_on=days(-1), priority=Task.Priority.URGENT)
    world.task(low, "overdue by five days", due_on=days(-5), priority=Task.Priority.LOW)
    world.alert(low, "alert: admitted")
    world.task(moderate, "in progress, overdue", due_on=days(-3))
    actions.do_start_task(world.viewer("alice"), Task.objects.get(title="in progress, overdue"))


def test_overdue_then_due_today_then_new_alerts_then_by_tier(world: World) -> None:
    _caseload(world)
    assert _titles(world, "alice") == [
        "overdue by five days",
        "in progress, overdue",
        "overdue by a day",
        "due today",
        "alert: admitted",
        "later, high tier",
        "no due date, high tier",
        "later, low tier, sooner",
    ]


def test_only_my_open_tasks_and_my_caseloads_new_alerts(world: World) -> None:
    mine = world.patient("Mine", on_team=(("nina", NURSE),))
    carols = world.patient("Carols", care_manager="carol")
    world.task(mine, "for me")
    world.task(mine, "for the team's nurse", assignee_id=None, assignee_role=NURSE)
    world.task(carols, "for Carol", assignee_id=world.users["carol"].pk)
    done = world.task(mine, "done already")
    actions.do_complete_task(world.viewer("alice"), done)
    world.alert(mine, "my patient's alert")
    world.alert(carols, "Carol's patient's alert")
    seen = world.alert(mine, "seen already")
    actions.do_acknowledge_alert(world.viewer("alice"), seen)
    assert sorted(_titles(world, "alice")) == ["for me", "my patient's alert"]
    assert sorted(_titles(world, "nina")) == ["for the team's nurse", "my patient's alert"]
    assert sorted(_titles(world, "carol")) == ["Carol's patient's alert", "for Carol"]
    assert _titles(world, "bob") == []


def test_a_role_task_shows_only_to_who_holds_the_role_on_that_patients_team(world: World) -> None:
    with_nina, without = world.patient("With", on_team=(("nina", NURSE),)), world.patient("Without")
    world.task(with_nina, "nurse here", assignee_id=None, assignee_role=NURSE)
    world.task(without, "nurse there", assignee_id=None, assignee_role=NURSE)
    assert _titles(world, "nina") == ["nurse here"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ranking.Filters(kind="alerts"), ["alert: admitted"]),
        (
            ranking.Filters(kind="tasks", tier="high"),
            ["overdue by a day", "later, high tier", "no due date, high tier"],
        ),
        (ranking.Filters(priority=1), ["overdue by a day", "later, low tier, sooner"]),
        (
            ranking.Filters(due="overdue"),
            ["overdue by five days", "in progress, overdue", "overdue by a day"],
        ),
        (ranking.Filters(due="today"), ["due today"]),
        (ranking.Filters(due="week"), ["due today", "later, low tier, sooner"]),
        (
            ranking.Filters(patient="LOWE"),
            ["overdue by five days", "alert: admitted", "later, low tier, sooner"],
        ),
        (ranking.Filters(tier=ranking.NO_TIER), []),
    ],
)
def test_filters(world: World, filters: ranking.Filters, expected: list[str]) -> None:
    _caseload(world)
    assert _titles(world, "alice", filters) == expected


def test_the_agency_list_filters_by_assignee(world: World) -> None:
    patient = world.patient("Garcia")
    world.task(patient, "Alice's")
    world.task(patient, "Carol's", assignee_id=world.users["carol"].pk)
    world.task(patient, "the nurse's", assignee_id=None, assignee_role=NURSE)
    viewer, today = world.viewer("sam"), timezone.localdate()

    def titles(assignee: str) -> list[str]:
        tasks = ranking.filter_tasks(ranking.agency_tasks(viewer), ranking.Filters(assignee=assignee), today)
        return sorted(item.task.title for item in ranking.build(tasks, None, None, today).items)  # type: ignore[union-attr]

    assert titles("") == ["Alice's", "Carol's", "the nurse's"]
    assert titles(str(world.users["carol"].pk)) == ["Carol's"]
    assert titles("unassigned") == ["the nurse's"]
    assert ranking.agency_tasks(world.viewer("sue")).count() == 0  # another agency sees none of them
