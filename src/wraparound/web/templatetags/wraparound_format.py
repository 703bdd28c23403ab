"""Template filters for the house style of dates, times and ages (see ``wraparound.web.formatting``)."""

from __future__ import annotations

import datetime as dt

from django import template

from wraparound.web import formatting

register = template.Library()


@register.filter
def us_date(value: dt.date | dt.datetime | None) -> str:
    """``{{ patient.birth_date|us_date }}`` → 03/14/1970."""
    return formatting.us_date(value)


@register.filter
def us_datetime(value: dt.datetime | None) -> str:
    """``{{ encounter.start|us_datetime }}`` → 03/05/2024 2:30 PM, in the organization's time zone."""
    return formatting.us_datetime(value)


@register.filter
def years(value: int | None) -> str:
    """``{{ age|years }}`` → 54 years."""
    return formatting.years_label(value)
