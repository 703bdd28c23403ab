"""What the pipeline board shows: counts and aging per state, the rows of one state, the trend."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from wraparound.enrollment.models import Enrollment, EnrollmentTransition
from wraparound.web.charts import ChartPoint, ChartSeries

Status = Enrollment.Status
BOARD_STATES = (
    Status.IDENTIFIED,
    Status.ASSIGNED,
    Status.OUTREACH,
    Status.ENROLLED,
    Status.DISCHARGED,
    Status.DECLINED,
    Status.UNREACHABLE,
)
TREND_WEEKS = 12


@dataclass(frozen=True)
class StateColumn:
    status: str
    label: str
    count: int
    oldest_days: int | None  # days the longest-waiting enrollment has been in this state


def columns(enrollments: QuerySet[Enrollment]) -> list[StateColumn]:
    """One query: how many are in each state, and how long the oldest has waited there."""
    now = timezone.now()
    rows = {
        row["status"]: row
        for row in enrollments.values("status").annotate(count=Count("id"), since=Min("status_changed_at"))
    }
    result = []
    for status in BOARD_STATES:
        row = rows.get(status)
        since = row["since"] if row else None
        result.append(
            StateColumn(
                status=status,
                label=str(Status(status).label),
                count=row["count"] if row else 0,
                oldest_days=(now - since).days if since else None,
            )
        )
    return result


def weekly_trend(enrollments: QuerySet[Enrollment], weeks: int = TREND_WEEKS) -> list[ChartSeries]:
    """Enrollments in outreach and enrolled at the end of each of the last ``weeks`` weeks."""
    today = timezone.localdate()
    ends = [today - dt.timedelta(weeks=weeks - 1 - n) for n in range(weeks)]
    history = EnrollmentTransition.objects.filter(enrollment__in=enrollments).order_by("at", "id")
    state: dict[int, str] = {}
    counts: list[Counter[str]] = []
    transitions = iter(history.values_list("enrollment_id", "to_status", "at"))
    pending = next(transitions, None)
    for end in ends:
        while pending is not None and timezone.localdate(pending[2]) <= end:
            state[pending[0]] = pending[1]
            pending = next(transitions, None)
        counts.append(Counter(state.values()))
    return [
        ChartSeries(
            str(Status(status).label),
            [ChartPoint(end, float(c[status])) for end, c in zip(ends, counts, strict=True)],
        )
        for status in (Status.OUTREACH, Status.ENROLLED)
    ]
