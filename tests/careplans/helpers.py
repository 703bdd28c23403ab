"""Small steps the care-plan tests share."""

from __future__ import annotations

from typing import Any

from wraparound.careplans import actions
from wraparound.careplans.actions import Edit
from wraparound.careplans.models import CarePlan, CarePlanVersion, CareTeam

from .conftest import World


def start_plan(world: World, by: str = "alice") -> CarePlan:
    return actions.do_start_care_plan(world.viewer(by), world.enrollment)


def save(world: World, by: str, plan: CarePlan, edit: Edit, **versions: int) -> CarePlanVersion:
    plan.refresh_from_db()
    base = versions.pop("base_version", plan.version)
    return actions.do_save_care_plan(world.viewer(by), plan, edit, base_version=base, **versions)


def goal(text: str, **fields: Any) -> Edit:
    values: dict[str, Any] = {
        "text": text,
        "measure": "",
        "target": "",
        "target_date": None,
        "status": "active",
        "problem_id": None,
        **fields,
    }
    return Edit("goal", values)


def problem(description: str, **fields: Any) -> Edit:
    return Edit(
        "problem",
        {"kind": "medical", "description": description, "condition_id": None, "status": "active", **fields},
    )


def narrative(strengths: str = "", preferences: str = "", family_role: str = "") -> Edit:
    return Edit("narrative", {"strengths": strengths, "preferences": preferences, "family_role": family_role})


def team(world: World) -> CareTeam:
    found = actions.active_team(world.patient.pk)
    assert found is not None
    return found
