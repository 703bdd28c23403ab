"""FHIR date and dateTime strings to Python values (UTC-aware datetimes)."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def parse_datetime(value: str | None) -> dt.datetime | None:
    """A FHIR date, partial date or dateTime as an aware datetime (the start of its precision, UTC)."""
    if not value:
        return None
    length = len(value)
    try:
        if length == 4:
            return dt.datetime(int(value), 1, 1, tzinfo=UTC)
        if length == 7:
            return dt.datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=UTC)
        if length == 10:
            return dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), tzinfo=UTC)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: str | None) -> dt.date | None:
    """A FHIR date (or the date part of a dateTime); partial dates give the first day."""
    moment = parse_datetime(value[:10] if value and len(value) > 10 else value)
    return moment.date() if moment else None
