"""Billing rule packs: the shipped pack, the choice by effective date, and packs that cannot be used."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from wraparound.worklists.billing.rulepacks import NoPackInEffect, PackError, load_pack, pack_for

PACK = """
name = "{name}"
version = "{version}"
effective_from = {start}
effective_to = {end}

[enrolled]
core_services = ["care_management"]

[outreach]
statuses = ["outreach"]
qualifying_modes = ["phone", "in_person"]
max_months_per_episode = {limit}
{extra}
"""


def _write(
    folder: Path, name: str, start: str, end: str, *, version: str = "1", limit: int = 3, extra: str = ""
) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        PACK.format(name=name, version=version, start=start, end=end, limit=limit, extra=extra),
        encoding="utf-8",
    )
    return path


def test_the_shipped_pack() -> None:
    pack = pack_for(dt.date(2026, 3, 1))
    assert (pack.name, pack.version) == ("health-home-2025", "2025.1")
    assert len(pack.core_services) == 6
    assert "mail" not in pack.qualifying_modes
    assert set(pack.qualifying_modes) == {"phone", "text", "in_person", "video"}
    assert pack.max_outreach_months == 3
    assert pack.rates is None


def test_the_pack_in_effect_on_the_first_of_the_month_is_chosen(tmp_path: Path) -> None:
    _write(tmp_path, "old", "2024-01-01", "2025-06-30", version="2024.1")
    _write(tmp_path, "new", "2025-07-01", "9999-12-31", version="2025.2", limit=6)
    assert pack_for(dt.date(2025, 6, 1), tmp_path).name == "old"
    assert pack_for(dt.date(2025, 7, 1), tmp_path).version == "2025.2"
    assert pack_for(dt.date(2026, 3, 17), tmp_path).max_outreach_months == 6
    with pytest.raises(NoPackInEffect, match="December 2023"):
        pack_for(dt.date(2023, 12, 1), tmp_path)


def test_rates_by_tier(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "rated",
        "2025-01-01",
        "2025-12-31",
        extra='[rates]\noutreach = "135"\n[rates.enrolled]\nhigh = 300.5\ndefault = "150.00"\n',
    )
    rates = load_pack(path).rates
    assert rates is not None and rates.outreach == Decimal("135.00")
    assert rates.enrolled_rate("high") == Decimal("300.50")
    assert rates.enrolled_rate("low") == Decimal("150.00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("care_management", "cooking"), "enrolled.core_services: unknown name 'cooking'"),
        (('"phone", "in_person"', '"pigeon"'), "outreach.qualifying_modes: unknown name 'pigeon'"),
        (("max_months_per_episode = 3", "max_months_per_episode = -1"), "expected 0 or more"),
        (
            ("effective_to = 2025-12-31", "effective_to = 2024-12-31"),
            "effective_to: is before effective_from",
        ),
        (('version = "1"', 'version = "1"\ncolour = "red"'), "colour: unknown key"),
    ],
)
def test_a_pack_that_cannot_be_used_says_where(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = _write(tmp_path, "broken", "2025-01-01", "2025-12-31")
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(PackError, match=message):
        load_pack(path)
