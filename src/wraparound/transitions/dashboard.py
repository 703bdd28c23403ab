"""The numbers of the transitions dashboard: open transitions, overdue steps, follow-up rates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wraparound.registry.models import Patient
from wraparound.transitions.models import Stay, Step
from wraparound.web.charts import ChartPoint, ChartSeries
from wraparound.worklists.models import Task

RATE_WINDOW_DAYS = 182
TREND_WEEKS = 12
LIST_LIMIT = 100
FOLLOW_UP_KINDS = (Step.Kind.FOLLOW_UP_7, Step.Kind.FOLLOW_UP_30)


@dataclass(frozen=True)
class Rate:
    label: str
    met_7: int
    due_7: int
    met_30: int
    due_30: int

    @staticmethod
    def percent(met: int, due: int) -> float | None:
        return round(100 * met / due, 1) if due else None

    @property
    def rate_7(self) -> float | None:
        return self.percent(self.met_7, self.due_7)

    @property
    def rate_30(self) -> float | None:
        return self.percent(self.met_30, self.due_30)


def hospital_stays(patients: QuerySet[Patient]) -> QuerySet[Stay]:
    return Stay.objects.filter(patient__in=patients, kind__in=Stay.HOSPITAL_KINDS)


def in_hospital(stays: QuerySet[Stay]) -> QuerySet[Stay]:
    return (
        stays.filter(status=Stay.Status.ACTIVE)
        .select_related("patient")
        .order_by("-admitted_at")[:LIST_LIMIT]
    )


def discharged_with_open_steps(stays: QuerySet[Stay]) -> QuerySet[Stay]:
    open_steps = Q(steps__task__status__in=Task.OPEN_STATUSES)
    return (
        stays.filter(status=Stay.Status.DISCHARGED)
        .annotate(
            open_steps=Count("steps", filter=open_steps),
            next_due=Min("steps__task__due_on", filter=open_steps),
        )
        .filter(open_steps__gt=0)
        .select_related("patient", "index_stay")
        .order_by("next_due", "-discharged_at")[:LIST_LIMIT]
    )


def overdue_steps(stays: QuerySet[Stay], today: dt.date) -> QuerySet[Step]:
    return (
        Step.objects.filter(stay__in=stays, task__status__in=Task.OPEN_STATUSES, task__due_on__lt=today)
        .select_related("stay__patient", "task__assignee")
        .order_by("task__due_on", "id")[:LIST_LIMIT]
    )


def _met(status: str, completed_at: dt.datetime | None, due_on: dt.date | None) -> bool:
    if status != Task.Status.DONE or completed_at is None or due_on is None:
        return False
    return timezone.localtime(completed_at).date() <= due_on


def _follow_up_rows(stays: QuerySet[Stay], today: dt.date) -> list[tuple[str, str, str, bool, dt.date]]:
    """(kind, agency, care manager, met, discharge day) of each follow-up step that is due or done."""
    since = timezone.now() - dt.timedelta(days=RATE_WINDOW_DAYS)
    rows = (
        Step.objects.filter(stay__in=stays, kind__in=FOLLOW_UP_KINDS, stay__discharged_at__gte=since)
        .exclude(task__status=Task.Status.CANCELLED)
        .values_list(
            "kind",
            "task__organization__name",
            "task__assignee__first_name",
            "task__assignee__last_name",
            "task__assignee__username",
            "task__status",
            "task__completed_at",
            "task__due_on",
            "stay__discharged_at",
        )
    )
    found = []
    for kind, agency, first, last, username, status, completed_at, due_on, discharged_at in rows:
        met = _met(status, completed_at, due_on)
        if not met and (due_on is None or due_on >= today):
            continue  # still open and not yet due: neither met nor missed
        person = " ".join(part for part in (first, last) if part) or username or _("Not assigned")
        found.append((kind, agency, person, met, timezone.localtime(discharged_at).date()))
    return found


def _rates(rows: Iterable[tuple[str, str, str, bool, dt.date]], column: int) -> list[Rate]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        bucket = counts[str(row[column])]
        offset = 0 if row[0] == Step.Kind.FOLLOW_UP_7 else 2
        bucket[offset] += int(row[3])
        bucket[offset + 1] += 1
    return [Rate(label, *numbers) for label, numbers in sorted(counts.items())]


def follow_up_rates(
    stays: QuerySet[Stay], today: dt.date
) -> tuple[list[Rate], list[Rate], list[ChartSeries]]:
    """Rates per agency and per care manager, and the weekly trend by week of discharge."""
    rows = _follow_up_rows(stays, today)
    week_end = today + dt.timedelta(days=(6 - today.weekday()) % 7)
    first_week = week_end - dt.timedelta(weeks=TREND_WEEKS - 1)
    weekly: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for kind, _agency, _person, met, day in rows:
        ends = day + dt.timedelta(days=(6 - day.weekday()) % 7)
        if ends >= first_week:
            weekly[(kind, ends)][0] += int(met)
            weekly[(kind, ends)][1] += 1
    series = [
        ChartSeries(
            label,
            [
                ChartPoint(ends, round(100 * met / due, 1))
                for (step_kind, ends), (met, due) in sorted(weekly.items(), key=lambda item: item[0][1])
                if step_kind == kind and due
            ],
        )
        for kind, label in (
            (Step.Kind.FOLLOW_UP_7, _("Follow-up within 7 days")),
            (Step.Kind.FOLLOW_UP_30, _("Follow-up within 30 days")),
        )
    ]
    return _rates(rows, 1), _rates(rows, 2), [one for one in series if one.points]
