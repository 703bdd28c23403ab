"""Reading rule packs (eligibility, billing): typed access to TOML tables, errors that name the key.

A problem is a ``PackError`` naming the file and the dotted key (``criteria.requires.at_least``),
so that whoever edits a pack is told exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


class PackError(ValueError):
    """A rule pack that cannot be used: the message names the file and the key."""

    def __init__(self, path: Path, key: str, problem: str) -> None:
        super().__init__(f"{path.name}: {key}: {problem}")
        self.path = path
        self.key = key


def kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        {"str": "a string", "int": "an integer", "list": "a list", "float": "a number"}.get(
            k.__name__, k.__name__
        )
        for k in kinds
    )


class TableReader:
    """Typed access to one TOML table, raising ``PackError`` with the dotted key."""

    def __init__(self, path: Path, table: Any, prefix: str, allowed: frozenset[str]) -> None:
        self.path, self.prefix = path, prefix
        if not isinstance(table, dict):
            raise PackError(path, prefix or "(top level)", "expected a table")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise PackError(
                path, self.key(unknown[0]), f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )
        self.table: dict[str, Any] = table

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if name not in self.table:
            if default is None:
                raise PackError(self.path, self.key(name), "missing")
            return default
        value = self.table[name]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise PackError(self.path, self.key(name), f"expected {kind_name(kind)}, got {value!r}")
        return value

    def positive_int(self, name: str, default: int | None = None) -> int:
        value: int = self.get(name, int, default)
        if value < 1:
            raise PackError(self.path, self.key(name), f"expected a positive integer, got {value}")
        return value

    def names(
        self, name: str, known: frozenset[str], default: tuple[str, ...] | None = None
    ) -> tuple[str, ...]:
        values = self.get(name, list, list(default) if default is not None else None)
        for value in values:
            if value not in known:
                raise PackError(
                    self.path, self.key(name), f"unknown name {value!r} (known: {', '.join(sorted(known))})"
                )
        return tuple(values)

    def date(self, name: str) -> dt.date:
        value = self.get(name, dt.date)
        if isinstance(value, dt.datetime):
            raise PackError(self.path, self.key(name), "expected a date (YYYY-MM-DD), not a date and time")
        return value  # type: ignore[no-any-return]
