"""How dates, quantities, codes and people's attributes read on screen.

One place for the house style: US dates with the year (MM/DD/YYYY), times in
the organization's time zone (``settings.TIME_ZONE``), ages in whole years.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language_info, ngettext, pgettext
from django.utils.translation import gettext as _

US_DATE = "%m/%d/%Y"

UNIT_LABELS: dict[str, str] = {
    "mm[Hg]": "mmHg",
    "kg/m2": "kg/m²",
    "Cel": "°C",
    "[degF]": "°F",
    "[in_i]": "in",
    "[lb_av]": "lb",
    "/min": "/min",
    "{score}": "",
    "{nominal}": "",
    "1": "",
    "mL/min/{1.73_m2}": "mL/min/1.73 m²",
}
UCUM_ANNOTATION = re.compile(r"\{[^}]*\}")


def local_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    """The calendar day of ``value`` where the organization is (datetimes are converted first)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def us_date(value: dt.date | dt.datetime | None) -> str:
    day = local_date(value)
    return day.strftime(US_DATE) if day else ""


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def us_time(value: dt.datetime | None) -> str:
    """``2:30 PM`` in the organization's time zone."""
    if value is None:
        return ""
    moment = _local(value)
    meridiem = pgettext("time of day", "AM") if moment.hour < 12 else pgettext("time of day", "PM")
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {meridiem}"


def us_datetime(value: dt.datetime | None) -> str:
    """``03/05/2024 2:30 PM`` in the organization's time zone."""
    if value is None:
        return ""
    return f"{_local(value).strftime(US_DATE)} {us_time(value)}"


def format_number(value: float | None) -> str:
    """At most two decimals, no trailing zeros: 132.0 → 132, 7.10 → 7.1."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def unit_label(unit: str) -> str:
    """UCUM units as people write them (mm[Hg] → mmHg); annotations such as {score} dropped."""
    if unit in UNIT_LABELS:
        return UNIT_LABELS[unit]
    return UCUM_ANNOTATION.sub("", unit).strip()


def format_quantity(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    label = unit_label(unit)
    number = format_number(value)
    if not label:
        return number
    return f"{number}{label}" if label in ("%", "°C", "°F", "/min") else f"{number} {label}"


def sex_label(gender: str) -> str:
    labels = {
        "male": _("Male"),
        "female": _("Female"),
        "other": _("Other"),
        "unknown": _("Unknown"),
    }
    return labels.get(gender.lower(), gender) if gender else _("Unknown")


def language_label(code: str, name: str) -> str:
    """The patient's language in the reader's language where Django knows it, else as recorded."""
    for candidate in (code.lower(), code.lower().split("-")[0]):
        if not candidate:
            continue
        try:
            return capfirst(str(get_language_info(candidate)["name_translated"]))
        except KeyError:
            continue
    return name or code


def years_label(years: int | None) -> str:
    if years is None:
        return ""
    return ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
