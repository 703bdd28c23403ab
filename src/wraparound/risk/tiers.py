"""Risk tiers (high / rising / moderate / low) from configurable cut points (``data/tiers.json``)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

TIERS_PATH: Final = Path(__file__).parent / "data" / "tiers.json"
TIER_NAMES: Final = ("high", "rising", "moderate", "low")

ComponentValue = float | int | bool | None


@dataclass(frozen=True, slots=True)
class CutPoints:
    version: str
    tiers: tuple[tuple[str, dict[str, float]], ...]
    otherwise: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CutPoints:
        tiers = tuple(
            (rule["tier"], {k: float(v) for k, v in rule["cut_points"].items()}) for rule in data["tiers"]
        )
        names = [name for name, _ in tiers] + [data["otherwise"]]
        unknown = set(names) - set(TIER_NAMES)
        if unknown:
            raise ValueError(f"unknown tier names in cut points: {sorted(unknown)}")
        return cls(str(data["version"]), tiers, data["otherwise"])


@dataclass(frozen=True, slots=True)
class TierDecision:
    tier: str
    version: str
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "version": self.version, "reasons": list(self.reasons)}


@functools.cache
def load_cut_points(path: Path = TIERS_PATH) -> CutPoints:
    return CutPoints.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _reasons(components: Mapping[str, ComponentValue], cut_points: Mapping[str, float]) -> list[str]:
    reasons = []
    for name, threshold in cut_points.items():
        value = components.get(name)
        if value is not None and float(value) >= threshold:
            reasons.append(f"{name} {value:g} ≥ {threshold:g}" if not isinstance(value, bool) else name)
    return reasons


def tier_for(components: Mapping[str, ComponentValue], cut_points: CutPoints | None = None) -> TierDecision:
    cut_points = cut_points or load_cut_points()
    for tier, thresholds in cut_points.tiers:
        reasons = _reasons(components, thresholds)
        if reasons:
            return TierDecision(tier, cut_points.version, tuple(reasons))
    return TierDecision(cut_points.otherwise, cut_points.version, ())
