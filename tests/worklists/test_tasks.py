"""Working on tasks and alerts: completing (and recurring), starting, cancelling, reassigning, acknowledging."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from wraparound.audit.models import Action, AuditEvent
from wraparound.worklists import actions
from wraparound.worklists.models import Task

from .test_worklist_world import NURSE, World, build_world, days


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_completing_records_who_and_when_and_is_audited(world: World) -> None:
    patient = world.patient("Garcia")
    task = world.task(patient, due_on=days(0))
    actions.do_complete_task(world.viewer("alice"), task)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.completed_by_id == world.users["alice"].pk and task.completed_at is not None
    audit = AuditEvent.objects.filter(action=Action.UPDATE, resource_type="Task", resource_id=str(task.pk))
    assert audit.filter(username="alice", patient_id=patient.pk).count() == 1
    with pytest.raises(actions.TaskRefused):
        actions.do_complete_task(world.viewer("alice"), task)  # once is enough


def test_a_weekly_task_comes_back_a_week_later_once(world: World) -> None:
    patient = world.patient("Garcia")
    first = world.task(patient, title="Weekly check-in", due_on=days(-2), recurrence=Task.Recurrence.WEEKLY)
    actions.do_complete_task(world.viewer("alice"), first)
    second = Task.objects.get(patient=patient, status=Task.Status.OPEN)
    assert second.due_on == days(5) and second.recurrence == Task.Recurrence.WEEKLY
    assert second.title == "Weekly check-in" and second.assignee_id == world.users["alice"].pk
    assert second.source == Task.Source.RECURRING
    # The same occurrence is never made twice (a second rule run, a retried request).
    again = world.task(patient, title="Weekly check-in", due_on=days(5), dedupe_key=second.dedupe_key)
    assert again.pk == second.pk
    actions.do_complete_task(world.viewer("alice"), second)
    third = Task.objects.get(patient=patient, status=Task.Status.OPEN)
    assert third.due_on == days(12)
    assert third.dedupe_key.split(":")[1] == second.dedupe_key.split(":")[1]  # one series


def test_a_monthly_task_keeps_its_day_clamped_to_the_month(world: World) -> None:
    assert actions.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert actions.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert actions.add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)
    patient = world.patient("Garcia")
    task = world.task(patient, due_on=dt.date(2025, 1, 31), recurrence=Task.Recurrence.MONTHLY)
    actions.do_complete_task(world.viewer("alice"), task)
    assert Task.objects.get(patient=patient, status=Task.Status.OPEN).due_on == dt.date(2025, 2, 28)


def test_a_task_without_a_due_date_recurs_from_the_day_it_was_done(world: World) -> None:
    patient = world.patient("Garcia")
    task = world.task(patient, recurrence=Task.Recurrence.WEEKLY)
    actions.do_complete_task(world.viewer("alice"), task)
    assert Task.objects.get(patient=patient, status=Task.Status.OPEN).due_on == days(7)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("alice", True),  # the assignee
        ("nina", True),  # on the patient's care team
        ("sam", True),  # the agency's supervisor
        ("carol", False),  # a colleague who is not on the team
        ("bob", False),  # another agency's care manager
        ("sue", False),  # another agency's supervisor
    ],
)
def test_who_may_work_on_a_task(world: World, name: str, allowed: bool) -> None:
    patient = world.patient("Garcia", on_team=(("nina", NURSE),))
    task = world.task(patient, due_on=days(1))
    if allowed:
        actions.do_start_task(world.viewer(name), task)
        assert Task.objects.get(pk=task.pk).status == Task.Status.IN_PROGRESS
        return
    for change in (actions.do_start_task, actions.do_complete_task, actions.do_cancel_task):
        with pytest.raises(PermissionDenied):
            change(world.viewer(name), task)
    with pytest.raises(PermissionDenied):
        actions.do_reassign_task(world.viewer(name), task, assignee_id=world.users[name].pk)
    task.refresh_from_db()
    assert (task.status, task.assignee_id) == (Task.Status.OPEN, world.users["alice"].pk)
    assert (
        AuditEvent.objects.filter(username=name, action=Action.ACCESS_DENIED, patient_id=patient.pk).count()
        == 4
    )
    assert not AuditEvent.objects.filter(username=name, action=Action.UPDATE).exists()


def test_start_then_cancel(world: World) -> None:
    task = world.task(world.patient("Garcia"))
    actions.do_start_task(world.viewer("alice"), task)
    actions.do_start_task(world.viewer("alice"), task)  # already started: nothing more happens
    actions.do_cancel_task(world.viewer("alice"), task)
    task.refresh_from_db()
    # A cancelled task says when and by whom, like a done one (the workflow's own closes name nobody).
    assert task.status == Task.Status.CANCELLED and task.completed_at is not None
    assert task.completed_by == world.users["alice"]
    with pytest.raises(actions.TaskRefused):
        actions.do_start_task(world.viewer("alice"), task)


def test_reassign_to_a_colleague_or_to_a_care_team_role(world: World) -> None:
    patient = world.patient("Garcia")
    task = world.task(patient)
    actions.do_reassign_task(world.viewer("alice"), task, assignee_id=world.users["carol"].pk)
    task.refresh_from_db()
    assert task.assignee_id == world.users["carol"].pk
    actions.do_reassign_task(world.viewer("sam"), task, assignee_role=NURSE)
    task.refresh_from_db()
    assert (task.assignee_id, task.assignee_role) == (None, NURSE)
    with pytest.raises(actions.TaskRefused):  # someone of another agency
        actions.do_reassign_task(world.viewer("sam"), task, assignee_id=world.users["bob"].pk)
    with pytest.raises(actions.TaskRefused):  # neither, or both
        actions.do_reassign_task(world.viewer("sam"), task)
    task.refresh_from_db()
    assert task.assignee_role == NURSE
    assert (
        AuditEvent.objects.filter(
            action=Action.UPDATE, resource_type="Task", resource_id=str(task.pk)
        ).count()
        == 2
    )


def test_a_supervisor_reassigns_many_tasks_at_once_audited_per_patient(world: World) -> None:
    garcia, lee = world.patient("Garcia"), world.patient("Lee")
    tasks = [world.task(garcia), world.task(garcia, title="Visit"), world.task(lee)]
    moved = actions.do_bulk_reassign(world.viewer("sam"), [t.pk for t in tasks], world.users["carol"].pk)
    assert moved == 3
    assert set(Task.objects.values_list("assignee_id", flat=True)) == {world.users["carol"].pk}
    rows = AuditEvent.objects.filter(username="sam", action=Action.UPDATE, resource_type="Task")
    assert sorted(str(row.patient_id) for row in rows) == sorted([str(garcia.pk), str(lee.pk)])


@pytest.mark.parametrize("name", ["alice", "nina"])
def test_only_supervisors_reassign_in_bulk(world: World, name: str) -> None:
    task = world.task(world.patient("Garcia"))
    with pytest.raises(PermissionDenied):
        actions.do_bulk_reassign(world.viewer(name), [task.pk], world.users["carol"].pk)
    assert Task.objects.get(pk=task.pk).assignee_id == world.users["alice"].pk
    assert AuditEvent.objects.filter(username=name, action=Action.ACCESS_DENIED).exists()


def test_bulk_reassign_is_all_or_nothing(world: World) -> None:
    patient = world.patient("Garcia")
    open_task, done = world.task(patient), world.task(patient, title="Done already")
    actions.do_complete_task(world.viewer("alice"), done)
    for viewer, ids, to in (
        (world.viewer("sam"), [open_task.pk, done.pk], world.users["carol"].pk),  # one is closed
        (world.viewer("sue"), [open_task.pk], world.users["bob"].pk),  # another agency's task
        (world.viewer("sam"), [open_task.pk], world.users["nina"].pk),  # not a care manager
        (world.viewer("sam"), [], world.users["carol"].pk),  # nothing chosen
    ):
        with pytest.raises(actions.TaskRefused):
            actions.do_bulk_reassign(viewer, ids, to)
    assert Task.objects.get(pk=open_task.pk).assignee_id == world.users["alice"].pk
    assert not AuditEvent.objects.filter(username__in=["sam", "sue"], action=Action.UPDATE).exists()


def test_acknowledging_an_alert(world: World) -> None:
    patient = world.patient("Garcia")
    alert = world.alert(patient)
    with pytest.raises(PermissionDenied):
        actions.do_acknowledge_alert(world.viewer("bob"), alert)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    actions.do_acknowledge_alert(world.viewer("alice"), alert)
    actions.do_acknowledge_alert(world.viewer("sam"), alert)  # already seen: kept as it was
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == world.users["alice"].pk
    assert AuditEvent.objects.filter(resource_type="Alert", action=Action.UPDATE).count() == 1
