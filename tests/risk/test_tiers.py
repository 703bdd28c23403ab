"""Tiers follow the configured cut points, and change when the cut points change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.risk.conftest import AS_OF, Records, at
from wraparound.risk.actions import do_compute_risk
from wraparound.risk.models import RiskProfile
from wraparound.risk.tiers import TIERS_PATH, CutPoints, load_cut_points, tier_for


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TIERS_PATH.read_text(encoding="utf-8"))
    return data


def with_cut_point(tier: str, component: str, value: float, *more: tuple[str, str, float]) -> CutPoints:
    data = shipped()
    for name, key, threshold in ((tier, component, value), *more):
        for rule in data["tiers"]:
            if rule["tier"] == name:
                rule["cut_points"][key] = threshold
    data["version"] = "test"
    return CutPoints.from_dict(data)


@pytest.mark.parametrize(
    ("components", "tier"),
    [
        ({"high_utilizer": True}, "high"),
        ({"lace_recent": 10}, "high"),
        ({"hcc_v24": 2.4}, "high"),
        ({"lace_recent": 9, "hcc_v24": 1.2}, "rising"),
        ({"ed_visits_6m": 2}, "rising"),
        ({"hcc_v24": 0.6}, "moderate"),
        ({"hcc_v24": 0.3, "ed_visits_12m": 0, "high_utilizer": False, "lace_recent": None}, "low"),
        ({}, "low"),
    ],
)
def test_shipped_cut_points(components: dict[str, Any], tier: str) -> None:
    assert tier_for(components).tier == tier


def test_the_decision_names_the_version_and_the_reasons() -> None:
    decision = tier_for({"hcc_v24": 2.5, "ed_visits_6m": 5})
    assert decision.version == load_cut_points().version
    assert decision.reasons == ("hcc_v24 2.5 ≥ 2", "ed_visits_6m 5 ≥ 4")


def test_raising_a_cut_point_lowers_the_tier() -> None:
    components = {"hcc_v24": 2.4}
    assert tier_for(components).tier == "high"
    assert tier_for(components, with_cut_point("high", "hcc_v24", 3.0)).tier == "rising"
    both = with_cut_point("high", "hcc_v24", 3.0, ("rising", "hcc_v24", 2.5))
    assert tier_for(components, both).tier == "moderate"


def test_lowering_a_cut_point_raises_the_tier() -> None:
    components = {"ed_visits_12m": 1}
    assert tier_for(components).tier == "moderate"
    assert tier_for(components, with_cut_point("high", "ed_visits_12m", 1)).tier == "high"


def test_unknown_tier_names_are_refused() -> None:
    data = shipped()
    data["otherwise"] = "very-low"
    with pytest.raises(ValueError, match="very-low"):
        CutPoints.from_dict(data)


def test_stored_tiers_follow_new_cut_points(records: Records) -> None:
    nora = records.patient()
    records.ed_visit(nora, at("2025-05-01"))
    records.ed_visit(nora, at("2025-06-01"))

    do_compute_risk(as_of=AS_OF)
    assert RiskProfile.objects.get(patient=nora).tier == "rising"

    do_compute_risk(as_of=AS_OF, cut_points=with_cut_point("high", "ed_visits_6m", 2))
    profile = RiskProfile.objects.get(patient=nora)
    assert profile.tier == "high"
    assert profile.components["tier"] == {
        "tier": "high",
        "version": "test",
        "reasons": ["ed_visits_6m 2 ≥ 2"],
    }
