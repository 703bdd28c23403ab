"""Eligibility rule packs: TOML files in ``packs/``, validated on load.

A pack has a name, a version and an effective-date range; its criteria are alternatives (any one
met makes a member eligible), each a list of requirements that must all hold: "at least N of these
categories".  Flags (appropriateness needs) are recorded with their evidence, never required.
A problem is a ``PackError`` naming the file and the key.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wraparound.core.packs import PackError, TableReader
from wraparound.eligibility.categories import load_categories

PACKS_DIR = Path(__file__).resolve().parent / "packs"
ENCOUNTER_CLASSES = frozenset(
    {"inpatient", "emergency", "ambulatory", "home_health", "virtual", "observation"}
)
PACK_KEYS = frozenset(
    {"name", "title", "version", "effective_from", "effective_to", "bmi", "criteria", "flags"}
)
CRITERION_KEYS = frozenset({"id", "description", "requires"})
REQUIREMENT_KEYS = frozenset({"categories", "at_least"})
FLAG_KEYS = frozenset(
    {
        "id",
        "description",
        "encounter_classes",
        "reason_categories",
        "within_days",
        "at_least",
        "condition_categories",
    }
)


@dataclass(frozen=True)
class Requirement:
    categories: tuple[str, ...]
    at_least: int


@dataclass(frozen=True)
class Criterion:
    id: str
    description: str
    requires: tuple[Requirement, ...]


@dataclass(frozen=True)
class Flag:
    id: str
    description: str
    condition_categories: tuple[str, ...] = ()
    encounter_classes: tuple[str, ...] = ()
    reason_categories: tuple[str, ...] = ()
    within_days: int = 365
    at_least: int = 1


@dataclass(frozen=True)
class BmiRule:
    threshold: float
    window_days: int


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    version: str
    effective_from: datetime.date
    effective_to: datetime.date
    bmi: BmiRule
    criteria: tuple[Criterion, ...]
    flags: tuple[Flag, ...]

    def is_effective(self, day: datetime.date) -> bool:
        return self.effective_from <= day <= self.effective_to


def load_pack(path: Path) -> Pack:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PackError(path, "(file)", f"not valid TOML: {error}") from error
    top = TableReader(path, raw, "", PACK_KEYS)
    pack = Pack(
        name=top.get("name", str),
        title=top.get("title", str, ""),
        version=top.get("version", str),
        effective_from=top.date("effective_from"),
        effective_to=top.date("effective_to"),
        bmi=_bmi(path, top.get("bmi", dict)),
        criteria=tuple(
            _criterion(path, item, f"criteria[{n}]") for n, item in enumerate(_tables(top, "criteria"))
        ),
        flags=tuple(_flag(path, item, f"flags[{n}]") for n, item in enumerate(_tables(top, "flags", []))),
    )
    if pack.effective_from > pack.effective_to:
        raise PackError(path, "effective_to", "is before effective_from")
    if not pack.criteria:
        raise PackError(path, "criteria", "a pack needs at least one criterion")
    _check_unique(path, "criteria", [criterion.id for criterion in pack.criteria])
    _check_unique(path, "flags", [flag.id for flag in pack.flags])
    return pack


def _tables(reader: TableReader, name: str, default: list[Any] | None = None) -> list[Any]:
    value: list[Any] = reader.get(name, list, default)
    return value


def _bmi(path: Path, table: Any) -> BmiRule:
    reader = TableReader(path, table, "bmi", frozenset({"threshold", "window_days"}))
    return BmiRule(
        threshold=float(reader.get("threshold", (int, float))), window_days=reader.positive_int("window_days")
    )


def _criterion(path: Path, table: Any, prefix: str) -> Criterion:
    reader = TableReader(path, table, prefix, CRITERION_KEYS)
    requires = tuple(
        _requirement(path, item, f"{prefix}.requires[{n}]")
        for n, item in enumerate(_tables(reader, "requires"))
    )
    if not requires:
        raise PackError(path, f"{prefix}.requires", "a criterion needs at least one requirement")
    return Criterion(id=reader.get("id", str), description=reader.get("description", str), requires=requires)


def _requirement(path: Path, table: Any, prefix: str) -> Requirement:
    reader = TableReader(path, table, prefix, REQUIREMENT_KEYS)
    categories = reader.names("categories", frozenset(load_categories()))
    at_least = reader.positive_int("at_least")
    if at_least > len(categories):
        raise PackError(
            path, f"{prefix}.at_least", f"{at_least} is more than the {len(categories)} categories listed"
        )
    return Requirement(categories=categories, at_least=at_least)


def _flag(path: Path, table: Any, prefix: str) -> Flag:
    reader = TableReader(path, table, prefix, FLAG_KEYS)
    categories = frozenset(load_categories())
    flag = Flag(
        id=reader.get("id", str),
        description=reader.get("description", str),
        condition_categories=reader.names("condition_categories", categories, ()),
        encounter_classes=reader.names("encounter_classes", ENCOUNTER_CLASSES, ()),
        reason_categories=reader.names("reason_categories", categories, ()),
        within_days=reader.positive_int("within_days", 365),
        at_least=reader.positive_int("at_least", 1),
    )
    if bool(flag.condition_categories) == bool(flag.encounter_classes):
        raise PackError(
            path, prefix, "a flag needs either condition_categories or encounter_classes, not both"
        )
    return flag


def _check_unique(path: Path, key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise PackError(path, key, f"id {identifier!r} is used twice")
        seen.add(identifier)


@functools.cache
def load_packs(folder: Path = PACKS_DIR) -> dict[str, Pack]:
    """Every pack of the folder by name; two files with one name are an error."""
    packs: dict[str, Pack] = {}
    for path in sorted(folder.glob("*.toml")):
        pack = load_pack(path)
        if pack.name in packs:
            raise PackError(path, "name", f"{pack.name!r} is also the name of another pack")
        packs[pack.name] = pack
    return packs


def get_pack(name: str) -> Pack:
    packs = load_packs()
    if name not in packs:
        raise KeyError(f"no eligibility pack named {name!r} (known: {', '.join(sorted(packs))})")
    return packs[name]
