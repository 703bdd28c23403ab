"""Business days skip weekends and the observed US federal holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from wraparound.transitions.business_days import add_business_days, federal_holidays, is_business_day


def test_the_federal_holidays_of_2026() -> None:
    assert sorted(federal_holidays(2026)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 19),  # Martin Luther King, Jr.
        dt.date(2026, 2, 16),  # Washington's Birthday
        dt.date(2026, 5, 25),  # Memorial Day
        dt.date(2026, 6, 19),  # Juneteenth
        dt.date(2026, 7, 3),  # Independence Day falls on a Saturday: observed Friday
        dt.date(2026, 9, 7),  # Labor Day
        dt.date(2026, 10, 12),  # Columbus Day
        dt.date(2026, 11, 11),
        dt.date(2026, 11, 26),  # Thanksgiving
        dt.date(2026, 12, 25),
    ]


def test_new_years_day_on_a_saturday_is_observed_the_year_before() -> None:
    assert dt.date(2021, 12, 31) in federal_holidays(2021)  # 1 January 2022 was a Saturday
    assert dt.date(2022, 1, 1) not in federal_holidays(2022)


def test_a_sunday_holiday_is_observed_on_monday() -> None:
    assert dt.date(2023, 1, 2) in federal_holidays(2023)  # New Year's Day 2023 was a Sunday
    assert not is_business_day(dt.date(2023, 1, 2))


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (dt.date(2026, 3, 6), 2, dt.date(2026, 3, 10)),  # Friday -> Tuesday
        (dt.date(2026, 3, 2), 2, dt.date(2026, 3, 4)),  # Monday -> Wednesday
        (dt.date(2026, 3, 7), 2, dt.date(2026, 3, 10)),  # Saturday -> Tuesday
        (dt.date(2026, 5, 22), 2, dt.date(2026, 5, 27)),  # Friday before Memorial Day -> Wednesday
        (dt.date(2026, 12, 24), 2, dt.date(2026, 12, 29)),  # Christmas Eve -> Tuesday
        (dt.date(2026, 11, 25), 1, dt.date(2026, 11, 27)),  # the day before Thanksgiving
    ],
)
def test_adding_business_days(start: dt.date, count: int, expected: dt.date) -> None:
    assert add_business_days(start, count) == expected
