"""Two people save from the same version: the second is refused as a conflict, and nothing is lost."""

from __future__ import annotations

import pytest

from wraparound.careplans import actions
from wraparound.careplans.actions import Edit

from .conftest import World
from .helpers import goal, narrative, save, start_plan


def test_the_second_save_from_the_same_base_is_a_conflict_until_re_applied(world: World) -> None:
    plan = start_plan(world)
    base = plan.version
    save(world, "alice", plan, narrative(strengths="Her faith; her daughter Ana"), base_version=base)
    with pytest.raises(actions.CarePlanConflict) as raised:
        save(world, "carl", plan, narrative(preferences="Calls in Spanish, after 5 pm"), base_version=base)
    assert raised.value.plan.version == base + 1
    plan.refresh_from_db()
    assert plan.version == base + 1 and plan.preferences == ""  # nothing of Carl's was written
    assert plan.strengths == "Her faith; her daughter Ana"  # and Alice's stands

    # Carl re-applies on top of the latest version: his form still holds the empty strengths it showed
    save(
        world,
        "carl",
        plan,
        narrative(preferences="Calls in Spanish, after 5 pm"),
        base_version=plan.version,
        origin_version=base,
    )
    plan.refresh_from_db()
    assert plan.strengths == "Her faith; her daughter Ana"
    assert plan.preferences == "Calls in Spanish, after 5 pm"
    history = list(plan.versions.order_by("number").values_list("number", "author__username", "summary"))
    assert history == [
        (1, "alice", "Care plan created"),
        (2, "alice", "Changed strengths"),
        (3, "carl", "Changed preferences"),
    ]
    assert plan.versions.get(number=2).snapshot["strengths"] == "Her faith; her daughter Ana"


def test_two_people_adding_goals_at_once_both_end_up_in_the_plan(world: World) -> None:
    plan = start_plan(world)
    base = plan.version
    save(world, "alice", plan, goal("Bajar mi azúcar"), base_version=base)
    with pytest.raises(actions.CarePlanConflict):
        save(world, "carl", plan, goal("Walk to church on Sundays"), base_version=base)
    assert plan.goals.count() == 1
    save(world, "carl", plan, goal("Walk to church on Sundays"), base_version=base + 1, origin_version=base)
    assert sorted(plan.goals.values_list("text", flat=True)) == [
        "Bajar mi azúcar",
        "Walk to church on Sundays",
    ]


def test_re_applying_an_edit_of_the_same_goal_keeps_both_fields(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, goal("Walk every day", measure="Minutes", target="20 minutes"))
    item = plan.goals.get()
    plan.refresh_from_db()
    base = plan.version
    alice_edit = goal("Walk every day", measure="Minutes", target="30 minutes")
    carl_edit = goal("Walk every day", measure="Steps a day", target="20 minutes")
    save(world, "alice", plan, Edit("goal", alice_edit.values, item.pk), base_version=base)
    with pytest.raises(actions.CarePlanConflict):
        save(world, "carl", plan, Edit("goal", carl_edit.values, item.pk), base_version=base)
    save(
        world,
        "carl",
        plan,
        Edit("goal", carl_edit.values, item.pk),
        base_version=base + 1,
        origin_version=base,
    )
    item.refresh_from_db()
    assert (item.measure, item.target) == ("Steps a day", "30 minutes")
