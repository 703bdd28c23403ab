"""Billing rule packs: TOML files in ``packs/``, validated on load (like the eligibility packs).

A pack has a name, a version and an effective-date range; it says which core services make an
enrolled month billable, which outreach modes make an outreach month billable and for how many
months of an episode, and (optionally) the rate of a member-month by risk tier.  The month's
pack is the one in effect on its first day; a lock records the pack's name and version.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from wraparound.core.packs import PackError, TableReader
from wraparound.enrollment.models import Enrollment, OutreachAttempt
from wraparound.worklists.models import CoreService

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PACK_KEYS = frozenset(
    {"name", "title", "version", "effective_from", "effective_to", "enrolled", "outreach", "rates"}
)
ENROLLED_KEYS = frozenset({"core_services"})
OUTREACH_KEYS = frozenset({"statuses", "qualifying_modes", "max_months_per_episode"})
RATES_KEYS = frozenset({"outreach", "enrolled"})
TIER_KEYS = frozenset({"high", "rising", "moderate", "low", "default"})
OUTREACH_STATUSES = frozenset({Enrollment.Status.ASSIGNED.value, Enrollment.Status.OUTREACH.value})


class NoPackInEffect(LookupError):
    """No billing pack covers the month asked for."""


@dataclass(frozen=True)
class Rates:
    outreach: Decimal | None
    enrolled: dict[str, Decimal] = field(default_factory=dict)

    def enrolled_rate(self, tier: str) -> Decimal | None:
        return self.enrolled.get(tier, self.enrolled.get("default"))


@dataclass(frozen=True)
class BillingPack:
    name: str
    title: str
    version: str
    effective_from: dt.date
    effective_to: dt.date
    core_services: tuple[str, ...]
    outreach_statuses: tuple[str, ...]
    qualifying_modes: tuple[str, ...]
    max_outreach_months: int
    rates: Rates | None = None

    def is_effective(self, day: dt.date) -> bool:
        return self.effective_from <= day <= self.effective_to


class _Reader(TableReader):
    """The shared pack reader, with the billing pack's own rules: name lists are never empty; amounts."""

    def names(
        self, name: str, known: frozenset[str], default: tuple[str, ...] | None = None
    ) -> tuple[str, ...]:
        if not self.get(name, list, list(default) if default is not None else None):
            raise PackError(self.path, self.key(name), "expected at least one name")
        return super().names(name, known, default)

    def amount(self, name: str) -> Decimal:
        value = self.table[name]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise PackError(self.path, self.key(name), f'expected an amount such as "135.00", got {value!r}')
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise PackError(self.path, self.key(name), f"not an amount: {value!r}") from None
        if amount < 0:
            raise PackError(self.path, self.key(name), "an amount cannot be negative")
        return amount.quantize(Decimal("0.01"))


def load_pack(path: Path) -> BillingPack:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PackError(path, "(file)", f"not valid TOML: {error}") from error
    top = _Reader(path, raw, "", PACK_KEYS)
    enrolled = _Reader(path, top.get("enrolled", dict), "enrolled", ENROLLED_KEYS)
    outreach = _Reader(path, top.get("outreach", dict), "outreach", OUTREACH_KEYS)
    limit: int = outreach.get("max_months_per_episode", int)
    if limit < 0:
        raise PackError(path, "outreach.max_months_per_episode", "expected 0 or more")
    pack = BillingPack(
        name=top.get("name", str),
        title=top.get("title", str, ""),
        version=top.get("version", str),
        effective_from=top.date("effective_from"),
        effective_to=top.date("effective_to"),
        core_services=enrolled.names("core_services", frozenset(CoreService.values)),
        outreach_statuses=outreach.names("statuses", OUTREACH_STATUSES),
        qualifying_modes=outreach.names("qualifying_modes", frozenset(OutreachAttempt.Mode.values)),
        max_outreach_months=limit,
        rates=_rates(path, top.table["rates"]) if "rates" in top.table else None,
    )
    if pack.effective_from > pack.effective_to:
        raise PackError(path, "effective_to", "is before effective_from")
    return pack


def _rates(path: Path, table: Any) -> Rates:
    reader = _Reader(path, table, "rates", RATES_KEYS)
    enrolled: dict[str, Decimal] = {}
    if "enrolled" in reader.table:
        tiers = _Reader(path, reader.table["enrolled"], "rates.enrolled", TIER_KEYS)
        enrolled = {tier: tiers.amount(tier) for tier in tiers.table}
    return Rates(
        outreach=reader.amount("outreach") if "outreach" in reader.table else None, enrolled=enrolled
    )


@functools.cache
def load_packs(folder: Path = PACKS_DIR) -> dict[str, BillingPack]:
    """Every pack of the folder by name; two files with one name are an error."""
    packs: dict[str, BillingPack] = {}
    for path in sorted(folder.glob("*.toml")):
        pack = load_pack(path)
        if pack.name in packs:
            raise PackError(path, "name", f"{pack.name!r} is also the name of another pack")
        packs[pack.name] = pack
    return packs


def pack_for(month: dt.date, folder: Path = PACKS_DIR) -> BillingPack:
    """The pack in effect on the month's first day (the latest to take effect, when several are)."""
    first = month.replace(day=1)
    effective = [pack for pack in load_packs(folder).values() if pack.is_effective(first)]
    if not effective:
        raise NoPackInEffect(f"No billing rule pack is in effect for {first:%B %Y}.")
    return max(effective, key=lambda pack: (pack.effective_from, pack.name))
