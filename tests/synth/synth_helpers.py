"""Helpers shared by the synthetic-population tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from wraparound.synth.writer import GenerationStats

SEED = 20_261_101
MEMBERS = 2_000
AS_OF = date(2026, 11, 1)
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@dataclass(frozen=True)
class Population:
    path: Path
    stats: GenerationStats
    _ndjson: dict[str, list[dict[str, Any]]] = field(default_factory=dict, compare=False, repr=False)

    def bundles(self, limit: int | None = None) -> Iterator[dict[str, Any]]:
        paths = sorted((self.path / "members").glob("*/member-*.json"))
        for path in paths[:limit]:
            yield orjson.loads(path.read_bytes())

    def reference(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads((self.path / "reference.json").read_bytes())
        return data

    def ndjson(self, resource_type: str) -> list[dict[str, Any]]:
        if resource_type not in self._ndjson:
            path = self.path / f"{resource_type}.ndjson"
            lines = path.read_bytes().splitlines() if path.exists() else []
            self._ndjson[resource_type] = [orjson.loads(line) for line in lines if line]
        return self._ndjson[resource_type]


def tree_digest(root: Path) -> str:
    """One hash over every file's relative path and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
