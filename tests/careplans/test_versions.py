"""Every save is a version: its number, author, summary and the whole plan; the history shows what changed."""

from __future__ import annotations

import pytest

from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans import actions, snapshot
from wraparound.careplans.actions import Edit

from .conftest import World
from .helpers import goal, narrative, problem, save, start_plan


def test_a_new_plan_is_version_one(world: World) -> None:
    plan = start_plan(world)
    assert plan.version == 1
    first = plan.versions.get()
    assert (first.number, first.author_id, first.summary) == (1, world.users["alice"].pk, "Care plan created")
    assert first.snapshot["problems"] == [] and first.snapshot["goals"] == []
    assert start_plan(world).pk == plan.pk  # one plan per enrollment


def test_each_save_writes_a_version_with_a_summary_and_the_whole_plan(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, problem("Blood sugar is often high"))
    problem_id = plan.problems.get().pk
    version = save(
        world, "carl", plan, goal("Quiero bajar mi azúcar", target="A1c below 8%", problem_id=problem_id)
    )
    plan.refresh_from_db()
    assert plan.version == version.number == 3
    assert version.summary == "Added goal: Quiero bajar mi azúcar"
    assert version.author_id == world.users["carl"].pk
    assert [g["text"] for g in version.snapshot["goals"]] == ["Quiero bajar mi azúcar"]
    assert version.snapshot["goals"][0]["problem"] == "Blood sugar is often high"
    assert plan.updated_by_id == world.users["carl"].pk
    assert (
        AuditEvent.objects.filter(
            action=Action.UPDATE, resource_type="CarePlan", resource_id=str(plan.pk)
        ).count()
        == 2
    )


def test_an_edit_applies_only_the_changed_fields(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, goal("Walk every day", measure="Minutes walked"))
    goal_id = plan.goals.get().pk
    edit = goal("Walk every day", measure="Minutes walked", status="achieved")
    version = save(world, "alice", plan, Edit("goal", edit.values, goal_id))
    assert version.summary == "Changed goal: Walk every day"
    changes = snapshot.diff(plan.versions.get(number=2).snapshot, version.snapshot)
    assert [(d.section, d.change, [f.name for f in d.fields]) for d in changes] == [
        ("goals", "changed", ["status"])
    ]


def test_saving_nothing_is_refused(world: World) -> None:
    plan = start_plan(world)
    with pytest.raises(actions.CarePlanRefused, match="Nothing to save"):
        save(world, "alice", plan, narrative())
    plan.refresh_from_db()
    assert plan.version == 1


def test_links_stay_inside_the_plan(world: World) -> None:
    plan = start_plan(world)
    with pytest.raises(actions.CarePlanRefused):
        save(world, "alice", plan, goal("Sleep better", problem_id=999_999))


# --- the diff function, over plain snapshots ------------------------------------------------


def _snap(**overrides: object) -> snapshot.Snapshot:
    base: snapshot.Snapshot = {name: "" for name in snapshot.PLAN_FIELDS}
    base.update(
        {"status": "draft", "acknowledged_on": None, "last_reviewed_on": None, "next_review_due": None}
    )
    base.update({"problems": [], "goals": [], "interventions": []})
    base.update(overrides)
    return base


GOAL = {
    "id": 7,
    "text": "Walk to church",
    "measure": "",
    "target": "3 times a week",
    "target_date": None,
    "status": "active",
    "problem_id": None,
    "problem": "",
}


def test_diff_finds_added_removed_and_changed_items_field_by_field() -> None:
    old = _snap(
        goals=[GOAL],
        interventions=[
            {
                "id": 1,
                "description": "Call weekly",
                "owner_id": None,
                "owner": "",
                "due_on": None,
                "status": "planned",
                "goal_id": 7,
                "goal": "Walk",
            }
        ],
    )
    new = _snap(
        strengths="Loves her grandchildren",
        goals=[{**GOAL, "status": "achieved", "target_date": "2025-01-31"}],
        problems=[
            {
                "id": 3,
                "kind": "social",
                "description": "No ride to appointments",
                "condition_id": None,
                "condition": "",
                "status": "active",
            }
        ],
    )
    changes = snapshot.diff(old, new)
    summary = [
        (d.section, d.change, d.title, [(f.name, f.before, f.after) for f in d.fields]) for d in changes
    ]
    assert summary == [
        ("plan", "changed", "", [("strengths", "", "Loves her grandchildren")]),
        (
            "problems",
            "added",
            "No ride to appointments",
            [
                ("kind", None, "social"),
                ("description", None, "No ride to appointments"),
                ("status", None, "active"),
            ],
        ),
        (
            "goals",
            "changed",
            "Walk to church",
            [("target_date", None, "2025-01-31"), ("status", "active", "achieved")],
        ),
        ("interventions", "removed", "Call weekly", []),
    ]


def test_diff_of_the_same_snapshot_is_empty_and_the_first_version_shows_what_it_holds() -> None:
    snap = _snap(goals=[GOAL])
    assert snapshot.diff(snap, snap) == []
    first = snapshot.diff(None, snap)
    assert [(d.section, d.change) for d in first] == [("plan", "changed"), ("goals", "added")]
    assert [f.name for f in first[0].fields] == ["status"]


def test_readable_values_use_choice_labels_and_us_dates() -> None:
    assert snapshot.readable("goals", "status", "not_achieved") == "Not achieved"
    assert snapshot.readable("goals", "target_date", "2025-01-31") == "01/31/2025"
    assert snapshot.readable("goals", "measure", "") == "—"


def test_a_problem_linked_to_a_condition_is_saved_with_the_condition_named(world: World) -> None:
    from tests.personas import stored
    from wraparound.registry.models import Condition

    condition = stored(
        Condition,
        "test",
        "dm2",
        patient=world.patient,
        display="Diabetes mellitus type 2",
        snomed_code="44054006",
        status="active",
    )
    plan = start_plan(world)
    version = save(world, "alice", plan, problem("Blood sugar", condition_id=condition.pk))
    [saved] = version.snapshot["problems"]
    assert saved["condition"] == "Diabetes mellitus type 2"
    assert saved["condition_id"] == str(condition.pk)
