"""Making and closing tasks: the one write path for ``Task`` rows, audited.

Rules and workflows (care-plan reviews, hospital events, recurring contacts)
call ``do_create_task`` with a ``dedupe_key``, so running the same rule twice
makes one task.  Callers of ``do_create_task`` authorize (a rule run by the
system passes ``Actor.system(...)``); these functions record what was done.

People work on tasks and alerts through the ``do_*`` functions below, which
authorize first (``may_work_on``: the assignee, the patient's care team, the
agency's supervisors and program administrators), outside their transaction,
so that a refusal's audit row stands.  A change the task's state does not
allow raises ``TaskRefused`` and changes nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Collection
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.careplans.models import CarePlan, CareTeam, CareTeamMember, Goal, Intervention
from wraparound.core.models import CareOrganization
from wraparound.registry.access import Viewer, deny
from wraparound.registry.models import Patient
from wraparound.worklists.models import Alert, Task


def do_create_task(
    actor: Actor,
    *,
    patient: Patient | uuid.UUID | str,
    organization: CareOrganization | int,
    title: str,
    source: str = Task.Source.MANUAL,
    due_on: dt.date | None = None,
    assignee_id: int | None = None,
    assignee_role: str = "",
    priority: int = Task.Priority.NORMAL,
    detail: str = "",
    recurrence: str = "",
    care_plan: CarePlan | None = None,
    goal: Goal | None = None,
    intervention: Intervention | None = None,
    dedupe_key: str = "",
) -> Task:
    """Create a task (or, with a ``dedupe_key`` already used for this patient, return that one)."""
    return create_once(
        actor,
        Task,
        patient_id=patient.pk if isinstance(patient, Patient) else patient,
        dedupe_key=dedupe_key,
        audit={"source": source, "due_on": due_on.isoformat() if due_on else None},
        organization_id=organization.pk if isinstance(organization, CareOrganization) else organization,
        title=title,
        detail=detail,
        source=source,
        due_on=due_on,
        assignee_id=assignee_id,
        assignee_role=assignee_role,
        priority=priority,
        recurrence=recurrence,
        care_plan=care_plan,
        goal=goal,
        intervention=intervention,
        created_by_id=actor.user_id,
    )


Made = TypeVar("Made", Task, Alert)


def create_once(
    actor: Actor,
    model: type[Made],
    *,
    patient_id: uuid.UUID | str,
    dedupe_key: str,
    audit: dict[str, object],
    **fields: object,
) -> Made:
    """Create a patient's task or alert, audited in the same transaction; with a ``dedupe_key``
    already used for this patient, the row that has it (also when a concurrent run made it first:
    the unique constraint decides, and the loser reads the winner's row)."""
    rows = model._default_manager
    if dedupe_key:
        existing = rows.filter(patient_id=patient_id, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            made = rows.create(
                patient_id=patient_id, dedupe_key=dedupe_key, created_at=timezone.now(), **fields
            )
            record(
                actor,
                Action.CREATE,
                patient_ids=[made.patient_id],
                resource_type=model.__name__,
                resource_id=str(made.pk),
                detail=audit,
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return rows.get(patient_id=patient_id, dedupe_key=dedupe_key)
    return made


# --- working on tasks and alerts ---------------------------------------------------------------

MANAGING_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})
REASSIGN_TO_ROLES = frozenset({Role.CARE_MANAGER})


class TaskRefused(Exception):
    """A change the task's state does not allow; the message says why, in words for the screen."""


def _on_care_team(user_id: int, patient_id: uuid.UUID | str) -> bool:
    today = timezone.localdate()
    return (
        CareTeamMember.objects.filter(
            care_team__patient_id=patient_id,
            care_team__status=CareTeam.Status.ACTIVE,
            user_id=user_id,
            start__lte=today,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .exists()
    )


def manages(viewer: Viewer, organization_id: int) -> bool:
    """The agency's supervisors and program administrators."""
    return viewer.organization_id == organization_id and viewer.role in MANAGING_ROLES


def may_work_on(
    viewer: Viewer, *, organization_id: int, patient_id: uuid.UUID | str, assignee_id: int | None
) -> bool:
    """Who may change a task or an alert: its assignee, the patient's care team, the agency's managers."""
    user_id = viewer.user_id
    if user_id is None:
        return False
    if assignee_id is not None and assignee_id == user_id:
        return True
    if manages(viewer, organization_id):
        return True
    return _on_care_team(user_id, patient_id)


def _require_task(viewer: Viewer, task: Task) -> None:
    if not may_work_on(
        viewer, organization_id=task.organization_id, patient_id=task.patient_id, assignee_id=task.assignee_id
    ):
        raise deny(viewer, what="Task", patient_id=task.patient_id)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (Jan 31 + 1 month: Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_due(task: Task, completed_on: dt.date) -> dt.date | None:
    """When the next occurrence of a recurring task falls due (None: it does not repeat)."""
    base = task.due_on or completed_on
    if task.recurrence == Task.Recurrence.WEEKLY:
        return base + dt.timedelta(days=7)
    if task.recurrence == Task.Recurrence.MONTHLY:
        return add_months(base, 1)
    return None


def _series_key(task: Task, due_on: dt.date) -> str:
    """The dedupe key of a recurring task's next occurrence: the series (first task) and the date."""
    series = task.dedupe_key.split(":")[1] if task.dedupe_key.startswith("recur:") else str(task.pk)
    return f"recur:{series}:{due_on.isoformat()}"


def _locked(task: Task) -> Task:
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status not in Task.OPEN_STATUSES:
        raise TaskRefused(
            gettext("This task is already %(status)s.") % {"status": locked.get_status_display().lower()}
        )
    return locked


def _audit_task(viewer: Viewer, task: Task, detail: dict[str, object]) -> None:
    record(
        viewer.actor,
        Action.UPDATE,
        patient_ids=[task.patient_id],
        resource_type="Task",
        resource_id=str(task.pk),
        detail=detail,
    )


def _close(viewer: Viewer, task: Task, status: str) -> Task:
    with transaction.atomic():
        locked = _locked(task)
        previous = locked.status
        locked.status = status
        # Done or cancelled: when, and by whom (a task the workflow closes itself has nobody here).
        locked.completed_at = timezone.now()
        locked.completed_by_id = viewer.user_id
        locked.save(update_fields=["status", "completed_at", "completed_by"])
        _audit_task(viewer, locked, {"from": previous, "to": status})
    return locked


def do_complete_task(viewer: Viewer, task: Task) -> Task:
    """Mark the task done; a recurring task makes its next occurrence (once, whoever completes it)."""
    _require_task(viewer, task)
    with transaction.atomic():
        done = _close(viewer, task, Task.Status.DONE)
        assert done.completed_at is not None
        due_on = next_due(done, timezone.localdate(done.completed_at))
        if due_on is not None:
            do_create_task(
                viewer.actor,
                patient=done.patient_id,
                organization=done.organization_id,
                title=done.title,
                detail=done.detail,
                source=Task.Source.RECURRING,
                due_on=due_on,
                assignee_id=done.assignee_id,
                assignee_role=done.assignee_role,
                priority=done.priority,
                recurrence=done.recurrence,
                care_plan=done.care_plan,
                goal=done.goal,
                intervention=done.intervention,
                dedupe_key=_series_key(done, due_on),
            )
    task.refresh_from_db()
    return done


def do_cancel_task(viewer: Viewer, task: Task) -> Task:
    _require_task(viewer, task)
    cancelled = _close(viewer, task, Task.Status.CANCELLED)
    task.refresh_from_db()
    return cancelled


def do_start_task(viewer: Viewer, task: Task) -> Task:
    _require_task(viewer, task)
    with transaction.atomic():
        locked = _locked(task)
        if locked.status == Task.Status.IN_PROGRESS:
            return locked
        locked.status = Task.Status.IN_PROGRESS
        locked.save(update_fields=["status"])
        _audit_task(viewer, locked, {"from": Task.Status.OPEN, "to": Task.Status.IN_PROGRESS})
    task.refresh_from_db()
    return locked


def _is_agency_user(user_id: int, organization_id: int, roles: frozenset[Role] | None = None) -> bool:
    memberships = Membership.objects.filter(
        user_id=user_id, organization_id=organization_id, is_active=True, user__is_active=True
    )
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def do_reassign_task(
    viewer: Viewer, task: Task, *, assignee_id: int | None = None, assignee_role: str = ""
) -> Task:
    """Give the task to a person of the agency, or to a role on the patient's care team."""
    _require_task(viewer, task)
    if (assignee_id is None) == (not assignee_role):
        raise TaskRefused(gettext("Choose either a person or a care-team role."))
    if assignee_role and assignee_role not in CareTeamMember.Role.values:
        raise TaskRefused(gettext("Choose a care-team role."))
    if assignee_id is not None and not _is_agency_user(assignee_id, task.organization_id):
        raise TaskRefused(gettext("Choose someone who works for this agency."))
    with transaction.atomic():
        locked = _locked(task)
        before = {"assignee": locked.assignee_id, "assignee_role": locked.assignee_role}
        locked.assignee_id = assignee_id
        locked.assignee_role = assignee_role
        locked.save(update_fields=["assignee", "assignee_role"])
        _audit_task(
            viewer, locked, {"from": before, "to": {"assignee": assignee_id, "assignee_role": assignee_role}}
        )
    task.refresh_from_db()
    return locked


def do_bulk_reassign(viewer: Viewer, task_ids: Collection[int], care_manager_id: int) -> int:
    """A supervisor gives many open tasks of the agency to one care manager, all or nothing.

    Returns how many tasks moved; one audit row per patient, naming that patient's tasks.
    """
    organization_id = viewer.organization_id
    if organization_id is None or not manages(viewer, organization_id):
        raise deny(viewer, what="TaskBulkReassign")
    if not task_ids:
        raise TaskRefused(gettext("Choose at least one task."))
    if not _is_agency_user(care_manager_id, organization_id, REASSIGN_TO_ROLES):
        raise TaskRefused(gettext("Choose a care manager of this agency."))
    with transaction.atomic():
        tasks = list(
            Task.objects.select_for_update()
            .filter(pk__in=task_ids, organization_id=organization_id, status__in=Task.OPEN_STATUSES)
            .order_by("pk")
        )
        if len(tasks) != len(set(task_ids)):
            raise TaskRefused(gettext("Some of the chosen tasks are closed or belong to another agency."))
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
            assignee_id=care_manager_id, assignee_role=""
        )
        by_patient: dict[uuid.UUID, list[Task]] = {}
        for task in tasks:
            by_patient.setdefault(task.patient_id, []).append(task)
        for patient_id, patient_tasks in by_patient.items():
            record(
                viewer.actor,
                Action.UPDATE,
                patient_ids=[patient_id],
                resource_type="Task",
                resource_id=",".join(str(t.pk) for t in patient_tasks),
                detail={
                    "bulk_reassign": True,
                    "to": {"assignee": care_manager_id},
                    "from": {str(t.pk): t.assignee_id for t in patient_tasks},
                },
            )
    return len(tasks)


def do_acknowledge_alert(viewer: Viewer, alert: Alert) -> Alert:
    """Someone on the care team (or a manager of the agency) has seen the alert."""
    if not may_work_on(
        viewer, organization_id=alert.organization_id, patient_id=alert.patient_id, assignee_id=None
    ):
        raise deny(viewer, what="Alert", patient_id=alert.patient_id)
    with transaction.atomic():
        moved = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by_id=viewer.user_id
        )
        if moved:
            record(
                viewer.actor,
                Action.UPDATE,
                patient_ids=[alert.patient_id],
                resource_type="Alert",
                resource_id=str(alert.pk),
                detail={"acknowledged": True},
            )
    alert.refresh_from_db()
    return alert
