"""Locked billing months: once an agency's month is submitted, its contacts and outreach stand still.

``refuse_if_locked(organization_id, at)`` is the one check every write of a contact or an
outreach attempt makes (``worklists.contacts``, ``enrollment.actions.do_log_outreach``); it
raises the caller's own refusal type, so that each screen shows the message it already shows
for its other refusals.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from wraparound.worklists.models import BillingMonthLock


class MonthLocked(Exception):
    """A change to a month submitted for billing; the message says which month and since when."""


def month_of(at: dt.datetime | dt.date) -> dt.date:
    """The first day of the month ``at`` falls in, in the organization's time zone."""
    day = timezone.localtime(at).date() if isinstance(at, dt.datetime) else at
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as a half-open range of aware datetimes, midnight to midnight in local time."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(month.replace(day=1), dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(next_month(month), dt.time.min, tzinfo=zone)
    return start, end


def parse_month(raw: str | None) -> dt.date | None:
    """``2026-03`` → 2026-03-01; anything else → None."""
    try:
        return dt.datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return None


def month_label(month: dt.date) -> str:
    """``March 2026``, in the language of the request."""
    return date_format(month, "F Y")


def lock_for(organization_id: int | None, month: dt.date) -> BillingMonthLock | None:
    if organization_id is None:
        return None
    return BillingMonthLock.objects.filter(
        organization_id=organization_id, month=month.replace(day=1)
    ).first()


def locked_message(lock: BillingMonthLock) -> str:
    return gettext(
        "%(month)s was submitted for billing on %(date)s and is locked; "
        "changes to its contacts and outreach attempts are refused."
    ) % {"month": month_label(lock.month), "date": timezone.localtime(lock.locked_at).strftime("%m/%d/%Y")}


def refuse_if_locked(
    organization_id: int | None,
    at: dt.datetime | dt.date,
    error: type[Exception] = MonthLocked,
) -> None:
    """Raise ``error`` (with the message for the screen) when ``at``'s month is locked for the agency."""
    lock = lock_for(organization_id, month_of(at))
    if lock is not None:
        raise error(locked_message(lock))
