"""The supervisor's view of an agency's care managers: caseloads weighted by tier, overdue work.

Per active care manager of the agency: the caseload (serving enrollments), the same weighted
by the patients' risk tiers (the weights of ``enrollment/data/caseload.toml``, read through
``enrollment.caseload.load_rules``, so that assignment suggestions and this view agree), the
overdue open tasks assigned to them, their enrolled members without a successful contact in
the last 30 days, and the care plans due for review within a week.

Cost: five queries whatever the number of care managers (the memberships, then one aggregate
each for caseloads by tier, overdue tasks, members without contact, reviews due).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wraparound.accounts.models import Membership, Role
from wraparound.careplans.models import CarePlan
from wraparound.enrollment.caseload import NO_TIER, TIER_KEYS, format_load, load_rules
from wraparound.enrollment.models import Enrollment
from wraparound.risk.models import Tier
from wraparound.web.charts import SERIES_STYLES, svg_start, value_ticks
from wraparound.web.formatting import format_number
from wraparound.worklists.models import Contact, Task

CONTACT_DAYS = 30
REVIEW_AHEAD_DAYS = 7


def tier_weights() -> Mapping[str, float]:
    """What one serving patient weighs, by risk tier (high 3, rising 2, moderate 1.5, low or none 1)."""
    return load_rules().tier_weights


@dataclass(frozen=True)
class CareManagerLoad:
    care_manager: User
    caseload: int
    weighted: float
    tier_counts: Mapping[str, int]
    overdue_tasks: int
    without_contact: int
    reviews_due: int

    @property
    def name(self) -> str:
        return str(self.care_manager.get_full_name() or self.care_manager.get_username())

    @property
    def weighted_text(self) -> str:
        return format_load(self.weighted)

    @property
    def tier_list(self) -> list[int]:
        """Patients per tier, in the order of ``tier_labels``."""
        return [self.tier_counts.get(tier, 0) for tier in TIER_KEYS]


def tier_labels() -> list[str]:
    """The tiers' names, high first, then "No tier"."""
    return [str(Tier(tier).label) if tier in Tier.values else _("No tier") for tier in TIER_KEYS]


def weight_list() -> list[tuple[str, str]]:
    """Each tier's name and weight, for the screen ("High", "3")."""
    weights = tier_weights()
    return [(label, format_load(weights[tier])) for label, tier in zip(tier_labels(), TIER_KEYS, strict=True)]


def _grouped(rows: Iterable[Mapping[str, Any]], key: str) -> dict[int, int]:
    return {int(row[key]): int(row["n"]) for row in rows if row[key] is not None}


def agency_loads(organization_id: int, today: dt.date, now: dt.datetime) -> list[CareManagerLoad]:
    """Every active care manager of the agency, heaviest weighted caseload first."""
    memberships = list(
        Membership.objects.filter(
            organization_id=organization_id, role=Role.CARE_MANAGER, is_active=True, user__is_active=True
        ).select_related("user")
    )
    user_ids = [m.user_id for m in memberships]
    tiers: dict[int, dict[str, int]] = {user_id: dict.fromkeys(TIER_KEYS, 0) for user_id in user_ids}
    serving = Enrollment.objects.filter(
        organization_id=organization_id, status__in=Enrollment.SERVING, care_manager_id__in=user_ids
    )
    for row in (
        serving.values("care_manager_id", "patient__risk_profile__tier")
        .annotate(n=Count("patient_id", distinct=True))
        .order_by()
    ):
        tier = row["patient__risk_profile__tier"] or NO_TIER
        tiers[row["care_manager_id"]][tier if tier in TIER_KEYS else NO_TIER] += row["n"]
    overdue = _grouped(
        Task.objects.filter(
            organization_id=organization_id,
            status__in=Task.OPEN_STATUSES,
            due_on__lt=today,
            assignee_id__in=user_ids,
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "assignee_id",
    )
    recent_contact = Contact.objects.filter(
        patient=OuterRef("patient"),
        organization_id=organization_id,
        successful=True,
        at__gte=now - dt.timedelta(days=CONTACT_DAYS),
    )
    without_contact = _grouped(
        serving.filter(status=Enrollment.Status.ENROLLED)
        .filter(~Exists(recent_contact))
        .values("care_manager_id")
        .annotate(n=Count("patient_id", distinct=True))
        .order_by(),
        "care_manager_id",
    )
    reviews = _grouped(
        CarePlan.objects.filter(
            organization_id=organization_id,
            enrollment__status__in=Enrollment.SERVING,
            enrollment__care_manager_id__in=user_ids,
            next_review_due__lte=today + dt.timedelta(days=REVIEW_AHEAD_DAYS),
        )
        .exclude(status=CarePlan.Status.COMPLETED)
        .values("enrollment__care_manager_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "enrollment__care_manager_id",
    )
    weights = tier_weights()
    loads = [
        CareManagerLoad(
            care_manager=m.user,
            caseload=sum(tiers[m.user_id].values()),
            weighted=sum(weights[tier] * count for tier, count in tiers[m.user_id].items()),
            tier_counts=tiers[m.user_id],
            overdue_tasks=overdue.get(m.user_id, 0),
            without_contact=without_contact.get(m.user_id, 0),
            reviews_due=reviews.get(m.user_id, 0),
        )
        for m in memberships
    ]
    loads.sort(key=lambda load: (-load.weighted, load.care_manager.last_name, load.name))
    return loads


# --- the chart ----------------------------------------------------------------------------

BAR_HEIGHT = 18
ROW_HEIGHT = 28
LABEL_WIDTH = 170
MARGIN_TOP = 12
MARGIN_RIGHT = 48
MARGIN_BOTTOM = 44


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[tuple[str, float]], width: int = 640
) -> SafeString:
    """An accessible horizontal bar chart (``role="img"``, title, description, values written at
    each bar's end), drawn like ``web.charts.line_chart``; empty when there is nothing to draw."""
    if not bars:
        return mark_safe("")
    ticks = value_ticks(0.0, max(max(value for _, value in bars), 1.0))
    high = ticks[-1]
    plot_width = width - LABEL_WIDTH - MARGIN_RIGHT
    height = MARGIN_TOP + ROW_HEIGHT * len(bars) + MARGIN_BOTTOM
    bottom = height - MARGIN_BOTTOM
    color = SERIES_STYLES[0][0]

    def x(value: float) -> float:
        return LABEL_WIDTH + (value / high) * plot_width

    parts: list[SafeString] = [
        svg_start(
            chart_id=chart_id,
            width=width,
            height=height,
            title=title,
            description=description,
            css_class="chart chart--bars",
        )
    ]
    for tick in ticks:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dde1e6"/>'
                '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#3d4449">{}</text>',
                f"{x(tick):.1f}",
                f"{x(tick):.1f}",
                MARGIN_TOP,
                bottom,
                f"{x(tick):.1f}",
                bottom + 17,
                format_number(tick),
            )
        )
    for index, (label, value) in enumerate(bars):
        top = MARGIN_TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        middle = top + BAR_HEIGHT / 2 + 4.5
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#1b1f23">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="13" fill="#1b1f23">{}</text>',
                LABEL_WIDTH - 8,
                f"{middle:.1f}",
                label,
                LABEL_WIDTH,
                f"{top:.1f}",
                f"{max(x(value) - LABEL_WIDTH, 0):.1f}",
                BAR_HEIGHT,
                color,
                f"{x(value) + 5:.1f}",
                f"{middle:.1f}",
                format_load(value),
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#5f6b76"/>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#3d4449">{}</text>',
            LABEL_WIDTH,
            LABEL_WIDTH,
            MARGIN_TOP,
            bottom,
            f"{LABEL_WIDTH + plot_width / 2:.1f}",
            height - 8,
            _("Weighted caseload"),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
