"""Local wall-clock times for the synthetic population, formatted as FHIR dateTimes.

The generator works in integer *local seconds* (seconds since 1970-01-01 00:00 New York wall
time, ignoring offsets) because integer arithmetic is fast and stable.  Formatting adds the
UTC offset that New York observes on that calendar day under the US daylight-saving rule in
force since 2007 (second Sunday in March to first Sunday in November), computed here rather
than read from the system's time-zone database so that output never depends on the machine.
"""

from __future__ import annotations

from datetime import date, timedelta

DAY = 86_400
HOUR = 3_600
MINUTE = 60
YEAR_DAYS = 365.25

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_PREFIX: dict[int, tuple[str, str]] = {}
_MINUTES = tuple(f"T{minute // 60:02d}:{minute % 60:02d}:00" for minute in range(24 * 60))
_DST_BOUNDS: dict[int, tuple[int, int]] = {}


def day_number(value: date) -> int:
    """Days since 1970-01-01 for a calendar date."""
    return value.toordinal() - _EPOCH_ORDINAL


def to_date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def start_of(value: date) -> int:
    """Local seconds at 00:00 on ``value``."""
    return day_number(value) * DAY


def years_before(value: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for 29 February)."""
    try:
        return value.replace(year=value.year - years)
    except ValueError:
        return value.replace(year=value.year - years, day=28)


def weekday(day: int) -> int:
    """Monday is 0, as in ``date.weekday``; 1970-01-01 was a Thursday."""
    return (day + 3) % 7


def _nth_sunday(year: int, month: int, nth: int) -> int:
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return day_number(first_sunday) + 7 * (nth - 1)


def _daylight_saving_days(year: int) -> tuple[int, int]:
    bounds = _DST_BOUNDS.get(year)
    if bounds is None:
        bounds = (_nth_sunday(year, 3, 2), _nth_sunday(year, 11, 1))
        _DST_BOUNDS[year] = bounds
    return bounds


def _prefix(day: int) -> tuple[str, str]:
    cached = _DAY_PREFIX.get(day)
    if cached is None:
        calendar_day = to_date(day)
        start, end = _daylight_saving_days(calendar_day.year)
        offset = "-04:00" if start <= day < end else "-05:00"
        cached = (calendar_day.isoformat(), offset)
        _DAY_PREFIX[day] = cached
    return cached


def format_datetime(local_seconds: int) -> str:
    """``2025-03-04T09:15:00-05:00`` for a local time."""
    day, seconds = divmod(local_seconds, DAY)
    iso_day, offset = _DAY_PREFIX.get(day) or _prefix(day)
    minutes, seconds = divmod(seconds, MINUTE)
    if seconds:
        return f"{iso_day}T{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}{offset}"
    return f"{iso_day}{_MINUTES[minutes]}{offset}"


def format_date(local_seconds: int) -> str:
    return _prefix(local_seconds // DAY)[0]
