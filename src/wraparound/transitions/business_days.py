"""Business days: weekdays that are not US federal holidays (5 U.S.C. 6103), observed dates included.

A holiday on a Saturday is observed the Friday before, one on a Sunday the Monday after.  The
``holidays`` package is not a dependency; the eleven federal holidays are computed here.
"""

from __future__ import annotations

import datetime as dt
import functools

MONDAY, THURSDAY = 0, 3


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1-based) ``weekday`` of the month; nth=-1 is the last one."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@functools.cache
def federal_holidays(year: int) -> frozenset[dt.date]:
    """The observed US federal holidays falling in ``year`` (Juneteenth from 2021)."""
    fixed = [dt.date(year, 1, 1), dt.date(year, 7, 4), dt.date(year, 11, 11), dt.date(year, 12, 25)]
    if year >= 2021:
        fixed.append(dt.date(year, 6, 19))
    floating = [
        _nth_weekday(year, 1, MONDAY, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, MONDAY, 3),  # Washington's Birthday
        _nth_weekday(year, 5, MONDAY, -1),  # Memorial Day
        _nth_weekday(year, 9, MONDAY, 1),  # Labor Day
        _nth_weekday(year, 10, MONDAY, 2),  # Columbus Day
        _nth_weekday(year, 11, THURSDAY, 4),  # Thanksgiving Day
    ]
    observed = {_observed(day) for day in fixed} | set(floating)
    # New Year's Day of the next year on a Saturday is observed on 31 December of this one.
    if dt.date(year + 1, 1, 1).weekday() == 5:
        observed.add(dt.date(year, 12, 31))
    return frozenset(day for day in observed if day.year == year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th business day after ``day`` (``day`` itself is not counted)."""
    current = day
    remaining = count
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current
