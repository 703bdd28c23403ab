"""US dates with the year, times in the organization's time zone, units as people write them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from wraparound.web import formatting


def test_us_dates() -> None:
    assert formatting.us_date(dt.date(1970, 3, 4)) == "03/04/1970"
    assert formatting.us_date(None) == ""


def test_datetimes_are_shown_in_new_york_time() -> None:
    late_evening_utc = dt.datetime(2024, 1, 2, 3, 30, tzinfo=dt.UTC)  # 10:30 PM the day before in New York
    assert formatting.us_date(late_evening_utc) == "01/01/2024"
    assert formatting.us_datetime(late_evening_utc) == "01/01/2024 10:30 PM"
    assert formatting.us_time(dt.datetime(2024, 7, 1, 16, 5, tzinfo=dt.UTC)) == "12:05 PM"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (132.0, "mm[Hg]", "132 mmHg"),
        (7.1, "%", "7.1%"),
        (33.14, "kg/m2", "33.14 kg/m²"),
        (11, "{score}", "11"),
        (71, "mL/min/{1.73_m2}", "mL/min/1.73 m²"),
        (0.87, "mg/dL", "0.87 mg/dL"),
    ],
)
def test_quantities(value: float, unit: str, text: str) -> None:
    assert formatting.format_quantity(value, unit).endswith(text)


def test_language_names_follow_the_reader() -> None:
    assert formatting.language_label("es", "Spanish") == "Spanish"
    with translation.override("es"):
        assert formatting.language_label("es-US", "Spanish") == "Español"
    assert formatting.language_label("xx", "Klingon") == "Klingon"


def test_years() -> None:
    assert formatting.years_label(1) == "1 year"
    assert formatting.years_label(54) == "54 years"
