"""Rule packs load from TOML, and a broken pack is refused with the file and the key named."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from wraparound.eligibility.rulepacks import PACKS_DIR, PackError, get_pack, load_pack, load_packs

GOOD = """
name = "test-pack"
version = "1"
effective_from = 2020-01-01
effective_to = 2030-12-31

[bmi]
threshold = 25
window_days = 365

[[criteria]]
id = "two"
description = "two chronic conditions"
[[criteria.requires]]
categories = ["diabetes", "hypertension"]
at_least = 2
"""


def test_the_shipped_packs_load_with_name_version_and_dates() -> None:
    packs = load_packs(PACKS_DIR)
    assert set(packs) == {"federal-1945", "new-york"}
    federal = get_pack("federal-1945")
    assert [criterion.id for criterion in federal.criteria] == [
        "two_or_more_chronic",
        "one_chronic_and_at_risk",
        "serious_mental_illness",
    ]
    assert federal.bmi.threshold == 25.0
    assert federal.is_effective(datetime.date(2025, 1, 1))
    assert {flag.id for flag in get_pack("new-york").flags} >= {
        "housing_instability",
        "emergency_department_use",
    }


def test_an_unknown_pack_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="federal-1945"):
        get_pack("atlantis")


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (('version = "1"', ""), "version", "missing"),
        (('version = "1"', "version = 1"), "version", "expected a string"),
        (("2030-12-31", "2019-12-31"), "effective_to", "before effective_from"),
        (
            ('"hypertension"]', '"hypertensoin"]'),
            "criteria[0].requires[0].categories",
            "unknown name 'hypertensoin'",
        ),
        (("at_least = 2", "at_least = 0"), "criteria[0].requires[0].at_least", "positive integer"),
        (("at_least = 2", "at_least = 3"), "criteria[0].requires[0].at_least", "more than the 2"),
        (("window_days = 365", "window_days = 365\ncolour = 1"), "bmi.colour", "unknown key"),
        (("[bmi]", "[bmi"), "(file)", "not valid TOML"),
    ],
)
def test_a_broken_pack_names_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")

    with pytest.raises(PackError) as raised:
        load_pack(path)

    assert str(raised.value).startswith(f"broken.toml: {key}: ")
    assert problem in str(raised.value)


def test_a_flag_needs_conditions_or_encounters(tmp_path: Path) -> None:
    path = tmp_path / "flags.toml"
    path.write_text(GOOD + '\n[[flags]]\nid = "x"\ndescription = "nothing to look at"\n', encoding="utf-8")

    with pytest.raises(PackError, match=r"flags.toml: flags\[0\]: a flag needs"):
        load_pack(path)
