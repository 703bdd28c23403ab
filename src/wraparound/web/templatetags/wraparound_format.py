"""Template filters for the house style of dates, times and ages (see ``wraparound.web.formatting``),
and the page links' query string."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], parameter: str, number: int) -> str:
    """The current query string with ``parameter`` set to ``number`` (like ``{% querystring %}``, whose
    keyword is fixed in the template): for a page with two paged lists."""
    query = context["request"].GET.copy()
    query[parameter] = str(number)
    return f"?{query.urlencode()}"
