"""What a care manager works on next: open tasks and new alerts, ranked, filtered and paged.

The order (UI.md, "My worklist"): overdue tasks first, the oldest due first; then tasks due
today; then new (unacknowledged) alerts, newest first; then the rest by the patient's risk tier
(high to low) and due date.  Ties go to the higher priority, then the higher tier, then the id.

Cost is fixed whatever the number of rows: one query for the keys of the matching tasks, one
for the matching alerts (both small: ids, dates, priority, tier), the ranking in Python, then
one query for the page's tasks and one for the page's alerts, with everything a row shows
loaded alongside (patient, risk profile, assignee).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wraparound.careplans.models import CareTeam, CareTeamMember, LeadHandoff
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer, access_patients, visible_among
from wraparound.registry.models import Patient
from wraparound.worklists.models import Alert, Task

PAGE_SIZE = 50
HANDOFF_DAYS = 14
HANDOFF_LIMIT = 20
TIER_ORDER = {"high": 0, "rising": 1, "moderate": 2, "low": 3}
NO_TIER = "none"
FAR_FUTURE = dt.date.max.toordinal()
TASK_ROW_FIELDS = (
    "title",
    "status",
    "recurrence",
    "due_on",
    "priority",
    "assignee",
    "assignee_role",
    "patient",
)


class Bucket(enum.IntEnum):
    """Why a row sits where it does; the order of the worklist's sections."""

    OVERDUE = 0
    TODAY = 1
    ALERT = 2
    LATER = 3

    @property
    def label(self) -> str:
        return str(BUCKET_LABELS[self])

    @property
    def tone(self) -> str:
        """The badge's tone (the label says it in words; color is never alone)."""
        return BUCKET_TONES[self]


BUCKET_TONES = {0: "danger", 1: "warning", 2: "info", 3: "neutral"}
BUCKET_LABELS = {
    Bucket.OVERDUE: _("Overdue"),
    Bucket.TODAY: _("Due today"),
    Bucket.ALERT: _("New alert"),
    Bucket.LATER: _("Coming up"),
}


@dataclass(frozen=True)
class Filters:
    """What the worklist is narrowed to (the GET form, validated)."""

    kind: str = ""  # "tasks", "alerts" or "" for both
    priority: int | None = None
    tier: str = ""  # a Tier value, NO_TIER, or "" for any
    due: str = ""  # "overdue", "today", "week" or ""
    patient: str = ""  # part of the patient's name
    assignee: str = ""  # agency view: a user id, "unassigned", or "" for anyone

    @property
    def tasks_only(self) -> bool:
        """Filters that only tasks have (priority, due date) leave alerts out."""
        return self.kind == "tasks" or self.priority is not None or bool(self.due)


@dataclass(frozen=True, order=True)
class RankKey:
    sort: tuple[int, ...]
    kind: str = field(compare=False)
    pk: int = field(compare=False)
    bucket: Bucket = field(compare=False)


@dataclass(frozen=True)
class Item:
    """One row of the worklist: a task or an alert, and why it is where it is."""

    bucket: Bucket
    task: Task | None = None
    alert: Alert | None = None

    @property
    def patient(self) -> Patient:
        row = self.task if self.task is not None else self.alert
        assert row is not None
        return row.patient

    @property
    def kind(self) -> str:
        return "task" if self.task is not None else "alert"


@dataclass(frozen=True)
class Counts:
    overdue: int
    today: int
    alerts: int
    total: int


@dataclass(frozen=True)
class Worklist:
    page: Page[RankKey]
    items: list[Item]
    counts: Counts


def tier_rank(tier: str | None) -> int:
    return TIER_ORDER.get(tier or "", len(TIER_ORDER))


def task_key(pk: int, due_on: dt.date | None, priority: int, tier: str | None, today: dt.date) -> RankKey:
    tier_index = tier_rank(tier)
    if due_on is not None and due_on < today:
        return RankKey(
            (Bucket.OVERDUE, due_on.toordinal(), priority, tier_index, pk), "task", pk, Bucket.OVERDUE
        )
    if due_on == today:
        return RankKey((Bucket.TODAY, 0, priority, tier_index, pk), "task", pk, Bucket.TODAY)
    due = due_on.toordinal() if due_on is not None else FAR_FUTURE
    return RankKey((Bucket.LATER, tier_index, due, priority, pk), "task", pk, Bucket.LATER)


def alert_key(pk: int, occurred_at: dt.datetime, tier: str | None) -> RankKey:
    newest_first = -int(occurred_at.timestamp())
    return RankKey((Bucket.ALERT, newest_first, tier_rank(tier), 0, pk), "alert", pk, Bucket.ALERT)


# --- what a person's worklist holds, as query filters ----------------------------------------


def _current(members: QuerySet[CareTeamMember], today: dt.date) -> QuerySet[CareTeamMember]:
    return members.filter(care_team__status=CareTeam.Status.ACTIVE, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )


def _signed_in(viewer: Viewer) -> int:
    user_id = viewer.user_id
    if user_id is None:
        raise PermissionDenied("Sign in to see a worklist.")
    return user_id


@dataclass(frozen=True)
class Caseload:
    """Whom a worklist is about: the patients whose team the viewer is on (with her roles there),
    and those she is care manager of record for.  Two small queries by user, whatever the registry's size."""

    roles: dict[str, set[uuid.UUID]]  # team role → patients on whose current team she holds it
    managed: set[uuid.UUID]  # serving enrollments where she is the care manager

    @property
    def patients(self) -> set[uuid.UUID]:
        return set().union(self.managed, *self.roles.values())


def caseload_of(user_id: int, today: dt.date) -> Caseload:
    roles: dict[str, set[uuid.UUID]] = {}
    for patient_id, role in _current(CareTeamMember.objects.filter(user_id=user_id), today).values_list(
        "care_team__patient_id", "role"
    ):
        roles.setdefault(role, set()).add(patient_id)
    managed = set(
        Enrollment.objects.filter(care_manager_id=user_id, status__in=Enrollment.SERVING).values_list(
            "patient_id", flat=True
        )
    )
    return Caseload(roles=roles, managed=managed)


def worklist_sources(viewer: Viewer, today: dt.date) -> tuple[QuerySet[Task], QuerySet[Alert]]:
    """The viewer's worklist, before filters: open tasks of the acting agency assigned to her or to a
    role she holds on the patient's team; new alerts for her caseload (care manager of record, or
    care team).

    Found by searches on indexes (her teams, her enrollments, her tasks, the unassigned tasks of
    her teams' patients), never by a pass over the agency's open tasks; access is checked once, for
    the worklist's own patients, not over the whole registry.  Both results are queries by key,
    to filter and rank."""
    user_id = _signed_in(viewer)
    caseload = caseload_of(user_id, today)
    # The agency and the unassigned state are checked here, not in SQL: left out of the WHERE clause,
    # they cannot lead either database's planner to the agency-wide index.
    open_tasks = Task.objects.filter(status__in=Task.OPEN_STATUSES)
    found: dict[int, uuid.UUID] = {
        pk: patient_id
        for pk, patient_id, organization_id in open_tasks.filter(assignee_id=user_id).values_list(
            "pk", "patient_id", "organization_id"
        )
        if organization_id == viewer.organization_id
    }
    team_patients = set().union(*caseload.roles.values())
    for pk, patient_id, organization_id, assignee_id, role in open_tasks.filter(
        patient_id__in=sorted(team_patients)
    ).values_list("pk", "patient_id", "organization_id", "assignee_id", "assignee_role"):
        mine = assignee_id is None and patient_id in caseload.roles.get(role, ())
        if mine and organization_id == viewer.organization_id:
            found[pk] = patient_id
    visible = set(visible_among(viewer, {*found.values(), *caseload.patients}))
    tasks = Task.objects.filter(
        pk__in=sorted(pk for pk, patient_id in found.items() if patient_id in visible)
    )
    alerts = Alert.objects.filter(
        patient_id__in=sorted(visible & caseload.patients),
        organization_id=viewer.organization_id,
        acknowledged_at__isnull=True,
    )
    return tasks, alerts


def tasks_for(viewer: Viewer, today: dt.date) -> QuerySet[Task]:
    return worklist_sources(viewer, today)[0]


def alerts_for(viewer: Viewer, today: dt.date) -> QuerySet[Alert]:
    return worklist_sources(viewer, today)[1]


def agency_tasks(viewer: Viewer) -> QuerySet[Task]:
    """Every open task of the acting agency (the supervisor's view), within what the viewer may see."""
    return Task.objects.filter(
        organization_id=viewer.organization_id,
        status__in=Task.OPEN_STATUSES,
        patient__in=access_patients(viewer),
    )


def handoffs_for(viewer: Viewer) -> list[LeadHandoff]:
    """Lead care-manager handoffs to or from the viewer in the last two weeks, newest first
    (found by user, then checked for access: a handful of rows, never the registry)."""
    since = timezone.now() - dt.timedelta(days=HANDOFF_DAYS)
    recent = list(
        LeadHandoff.objects.filter(
            Q(from_user_id=viewer.user_id) | Q(to_user_id=viewer.user_id), at__gte=since
        )
        .select_related("care_team__patient", "from_user", "to_user")
        .order_by("-at", "-id")[: HANDOFF_LIMIT * 2]
    )
    visible = set(visible_among(viewer, (handoff.care_team.patient_id for handoff in recent)))
    return [handoff for handoff in recent if handoff.care_team.patient_id in visible][:HANDOFF_LIMIT]


# --- filters -------------------------------------------------------------------------------


def _by_patient(filters: Filters) -> Q:
    query = Q()
    if filters.tier == NO_TIER:
        query &= Q(patient__risk_profile__isnull=True)
    elif filters.tier:
        query &= Q(patient__risk_profile__tier=filters.tier)
    if filters.patient:
        query &= Q(patient__search_name__icontains=filters.patient.strip().lower())
    return query


def filter_tasks(tasks: QuerySet[Task], filters: Filters, today: dt.date) -> QuerySet[Task]:
    if filters.kind == "alerts":
        return tasks.none()
    tasks = tasks.filter(_by_patient(filters))
    if filters.priority is not None:
        tasks = tasks.filter(priority=filters.priority)
    if filters.due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif filters.due == "today":
        tasks = tasks.filter(due_on=today)
    elif filters.due == "week":
        tasks = tasks.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))
    if filters.assignee == "unassigned":
        tasks = tasks.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        tasks = tasks.filter(assignee_id=int(filters.assignee))
    return tasks


def filter_alerts(alerts: QuerySet[Alert], filters: Filters) -> QuerySet[Alert]:
    if filters.tasks_only:
        return alerts.none()
    return alerts.filter(_by_patient(filters))


# --- ranking and paging ----------------------------------------------------------------------


def rank(tasks: QuerySet[Task], alerts: QuerySet[Alert] | None, today: dt.date) -> list[RankKey]:
    """Every matching row's key, in worklist order (two small queries)."""
    keys = [
        task_key(pk, due_on, priority, tier, today)
        for pk, due_on, priority, tier in tasks.values_list(
            "pk", "due_on", "priority", "patient__risk_profile__tier"
        )
    ]
    if alerts is not None:
        keys.extend(
            alert_key(pk, occurred_at, tier)
            for pk, occurred_at, tier in alerts.values_list(
                "pk", "occurred_at", "patient__risk_profile__tier"
            )
        )
    keys.sort()
    return keys


def _load(keys: Sequence[RankKey]) -> list[Item]:
    """The page's rows, with what they show, in two queries at most."""
    task_ids = [key.pk for key in keys if key.kind == "task"]
    alert_ids = [key.pk for key in keys if key.kind == "alert"]
    tasks: dict[int, Task] = {}
    alerts: dict[int, Alert] = {}
    # Only what a row shows (worklists.rows): a patient's or a risk profile's other fields (the
    # tier's evidence, a JSON document) would be read and decoded fifty times for nothing.
    shown = (
        "patient__given_names",
        "patient__family_name",
        "patient__source_id",
        "patient__risk_profile__tier",
    )
    if task_ids:
        tasks = (
            Task.objects.select_related("patient", "patient__risk_profile", "assignee")
            .only(
                *TASK_ROW_FIELDS, *shown, "assignee__first_name", "assignee__last_name", "assignee__username"
            )
            .in_bulk(task_ids)
        )
    if alert_ids:
        alerts = (
            Alert.objects.select_related("patient", "patient__risk_profile")
            .only("title", "kind", "occurred_at", "patient", *shown)
            .in_bulk(alert_ids)
        )
    items = []
    for key in keys:
        if key.kind == "task" and key.pk in tasks:
            items.append(Item(key.bucket, task=tasks[key.pk]))
        elif key.kind == "alert" and key.pk in alerts:
            items.append(Item(key.bucket, alert=alerts[key.pk]))
    return items


def build(
    tasks: QuerySet[Task], alerts: QuerySet[Alert] | None, page_number: str | None, today: dt.date
) -> Worklist:
    keys = rank(tasks, alerts, today)
    page = Paginator(keys, PAGE_SIZE).get_page(page_number)
    counts = Counts(
        overdue=sum(1 for key in keys if key.bucket == Bucket.OVERDUE),
        today=sum(1 for key in keys if key.bucket == Bucket.TODAY),
        alerts=sum(1 for key in keys if key.bucket == Bucket.ALERT),
        total=len(keys),
    )
    return Worklist(page=page, items=_load(list(page.object_list)), counts=counts)


def patient_ids(items: Sequence[Item]) -> list[uuid.UUID]:
    return list(dict.fromkeys(item.patient.pk for item in items))
