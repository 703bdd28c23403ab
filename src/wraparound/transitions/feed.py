"""The ADT feed page's numbers: is the HL7 v2 interface healthy?

Counts come from the inbox (``hl7v2.InboxMessage``) and the quarantine in a few set-based queries:
one aggregate per table, one grouped count per hour, one per sender.  Nothing here reads a
message's bytes or a patient: the page is an interface view.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage
from wraparound.web.charts import SERIES_STYLES, count_ticks, svg_start, value_gridline
from wraparound.web.formatting import us_datetime, us_time

DAY = dt.timedelta(hours=24)
WEEK = dt.timedelta(days=7)
LAG_WARNING = dt.timedelta(minutes=5)  # a message waiting longer than this: the processor may be down
HOURS = 24

Status = InboxMessage.Status


@dataclass(frozen=True)
class FeedSummary:
    now: dt.datetime
    last_24_hours: int
    last_7_days: int
    waiting: int
    processed: int
    failed: int
    ignored: int
    quarantined: int
    quarantined_24_hours: int
    oldest_waiting_at: dt.datetime | None

    @property
    def lag(self) -> dt.timedelta | None:
        """How long the oldest message still waiting to be processed has waited."""
        return None if self.oldest_waiting_at is None else self.now - self.oldest_waiting_at

    @property
    def lagging(self) -> bool:
        return self.lag is not None and self.lag > LAG_WARNING


def summary(now: dt.datetime) -> FeedSummary:
    """The summary cards: two queries, one on the inbox and one on the quarantine."""
    recent = Q(received_at__gte=now - DAY)
    inbox = InboxMessage.objects.aggregate(
        last_24_hours=Count("id", filter=recent),
        last_7_days=Count("id", filter=Q(received_at__gte=now - WEEK)),
        waiting=Count("id", filter=Q(status=Status.RECEIVED)),
        processed=Count("id", filter=Q(status=Status.PROCESSED)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        ignored=Count("id", filter=Q(status=Status.IGNORED)),
        oldest_waiting_at=Min("received_at", filter=Q(status=Status.RECEIVED)),
    )
    quarantine = QuarantinedMessage.objects.aggregate(
        quarantined=Count("id"), quarantined_24_hours=Count("id", filter=recent)
    )
    return FeedSummary(now=now, **inbox, **quarantine)


@dataclass(frozen=True)
class HourCount:
    start: dt.datetime  # the hour's first instant
    count: int

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(hours=1)


def hourly_counts(now: dt.datetime) -> list[HourCount]:
    """Messages received in each of the last 24 hours of the organization's clock, the current
    (unfinished) hour last; one grouped query."""
    current = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    starts = [current - dt.timedelta(hours=back) for back in range(HOURS - 1, -1, -1)]
    grouped = (
        InboxMessage.objects.filter(received_at__gte=starts[0])
        .annotate(hour=TruncHour("received_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts = {row["hour"].astimezone(dt.UTC): row["count"] for row in grouped}
    return [HourCount(start, counts.get(start.astimezone(dt.UTC), 0)) for start in starts]


@dataclass(frozen=True)
class Sender:
    application: str
    facility: str
    last_received_at: dt.datetime
    last_24_hours: int


def senders(now: dt.datetime) -> list[Sender]:
    """Each sending application and facility with its last message and its count in the last 24
    hours; the one silent longest first.  One grouped query."""
    rows = (
        InboxMessage.objects.values("sending_application", "sending_facility")
        .annotate(last=Max("received_at"), recent=Count("id", filter=Q(received_at__gte=now - DAY)))
        .order_by("last", "sending_application", "sending_facility")
    )
    return [
        Sender(row["sending_application"], row["sending_facility"], row["last"], row["recent"])
        for row in rows
    ]


def failed_messages() -> QuerySet[InboxMessage]:
    """The failed inbox rows, newest first, without their bytes."""
    return (
        InboxMessage.objects.filter(status=Status.FAILED)
        .only(
            "received_at",
            "sending_application",
            "sending_facility",
            "message_type",
            "trigger_event",
            "control_id",
            "attempts",
            "error",
        )
        .order_by("-received_at", "-id")
    )


def quarantined_messages() -> QuerySet[QuarantinedMessage]:
    """The quarantine, newest first, without the bytes (they may carry a patient's data)."""
    return QuarantinedMessage.objects.only(
        "received_at", "peer", "control_id", "error_code", "reason"
    ).order_by("-received_at", "-id")


# --- the chart ----------------------------------------------------------------------------

MARGIN_LEFT = 52
MARGIN_RIGHT = 18
MARGIN_TOP = 16
MARGIN_BOTTOM = 44
LABEL_EVERY = 4  # hours between labels on the time axis


def hourly_chart(*, chart_id: str, hours: list[HourCount], width: int = 640, height: int = 220) -> SafeString:
    """An accessible SVG bar chart of messages per hour (``role="img"``, title, description naming
    the busiest hour and the hours with none), drawn like ``web.charts.line_chart``.  The page puts
    the same numbers in a table."""
    if not hours:
        return mark_safe("")
    ticks = count_ticks(max(hour.count for hour in hours))
    high = ticks[-1]
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    bottom = height - MARGIN_BOTTOM
    slot = plot_width / len(hours)
    color = SERIES_STYLES[0][0]

    def y(value: float) -> float:
        return bottom - (value / high) * plot_height

    total = sum(hour.count for hour in hours)
    busiest = max(hours, key=lambda hour: hour.count)
    silent = sum(1 for hour in hours if hour.count == 0)
    sentences = [
        ngettext(
            "%(total)d message from %(first)s to %(last)s.",
            "%(total)d messages from %(first)s to %(last)s.",
            total,
        )
        % {"total": total, "first": us_datetime(hours[0].start), "last": us_datetime(hours[-1].end)}
    ]
    if total:
        sentences.append(
            ngettext(
                "The busiest hour began at %(time)s, with %(count)d message.",
                "The busiest hour began at %(time)s, with %(count)d messages.",
                busiest.count,
            )
            % {"time": us_datetime(busiest.start), "count": busiest.count}
        )
    sentences.append(
        ngettext("%(silent)d hour had no message.", "%(silent)d hours had no message.", silent)
        % {"silent": silent}
    )
    description = " ".join(sentences)
    parts: list[SafeString] = [
        svg_start(
            chart_id=chart_id,
            width=width,
            height=height,
            title=_("Messages received per hour, last 24 hours"),
            description=description,
            css_class="chart chart--bars",
        )
    ]
    right = width - MARGIN_RIGHT
    parts.extend(value_gridline(MARGIN_LEFT, right, y(tick), tick) for tick in ticks)
    for index, hour in enumerate(hours):
        left = MARGIN_LEFT + index * slot
        if hour.count:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    f"{left + slot * 0.15:.1f}",
                    f"{y(hour.count):.1f}",
                    f"{slot * 0.7:.1f}",
                    f"{bottom - y(hour.count):.1f}",
                    color,
                )
            )
        if index % LABEL_EVERY == 0:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#5f6b76"/>'
                    '<text x="{}" y="{}" text-anchor="start" font-size="12" fill="#3d4449">{}</text>',
                    f"{left:.1f}",
                    f"{left:.1f}",
                    bottom,
                    bottom + 4,
                    f"{left:.1f}",
                    bottom + 17,
                    us_time(hour.start),
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#5f6b76"/>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#3d4449">{}</text>'
            '<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" font-size="13" '
            'fill="#3d4449">{}</text>',
            MARGIN_LEFT,
            right,
            bottom,
            bottom,
            f"{MARGIN_LEFT + plot_width / 2:.1f}",
            height - 8,
            _("Hour received"),
            f"{MARGIN_TOP + plot_height / 2:.1f}",
            _("Messages"),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
