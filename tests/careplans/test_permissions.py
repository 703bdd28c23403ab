"""Who may change the team and the plan: a matrix, each refusal audited and without effect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from wraparound.accounts.models import Membership, Role
from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans import actions
from wraparound.careplans.models import CarePlan, CareTeamMember, LeadHandoff

from .conftest import World
from .helpers import goal, save, start_plan, team

EDITS: dict[str, Callable[[World, CarePlan, str], Any]] = {
    "add goal": lambda world, plan, person: save(world, person, plan, goal("Sleep through the night")),
    "hand off": lambda world, plan, person: actions.do_hand_off_lead(
        world.viewer(person), team(world), world.users["carl"], "Note"
    ),
    "add member": lambda world, plan, person: actions.do_join_care_team(
        world.viewer(person), team(world), role=CareTeamMember.Role.FAMILY_CAREGIVER, name="Rosa"
    ),
    "end membership": lambda world, plan, person: actions.do_end_membership(
        world.viewer(person), team(world).members.get(role=CareTeamMember.Role.NURSE)
    ),
}


def _state(plan: CarePlan) -> tuple[Any, ...]:
    plan.refresh_from_db()
    members = CareTeamMember.objects.filter(end__isnull=True).count()
    return (
        plan.version,
        plan.goals.count(),
        LeadHandoff.objects.count(),
        CareTeamMember.objects.count(),
        members,
    )


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("person", ["bob", "nina"])
def test_outsiders_and_non_care_roles_are_refused_audited_and_change_nothing(
    world: World, person: str, edit: str
) -> None:
    plan = start_plan(world)
    before = _state(plan)
    with pytest.raises(PermissionDenied):
        EDITS[edit](world, plan, person)
    assert _state(plan) == before
    assert AuditEvent.objects.filter(
        username=person, action=Action.ACCESS_DENIED, patient_id=world.patient.pk
    ).exists()


@pytest.mark.parametrize("person", ["alice", "carl", "sam"])
def test_the_team_s_care_managers_and_the_agency_s_supervisor_may_edit(world: World, person: str) -> None:
    plan = start_plan(world)
    save(world, person, plan, goal(f"Goal by {person}"))
    assert plan.goals.filter(text=f"Goal by {person}").exists()


def test_the_old_lead_stops_editing_after_the_handoff(world: World) -> None:
    plan = start_plan(world)
    actions.do_hand_off_lead(world.viewer("sam"), team(world), world.users["carl"], "Leave")
    assert not actions.may_edit(world.viewer("alice"), world.patient.pk, plan.organization_id)
    assert actions.may_edit(world.viewer("carl"), world.patient.pk, plan.organization_id)


def test_another_agency_s_supervisor_may_not_edit(world: World) -> None:
    sue = User.objects.create_user("sue")
    Membership.objects.create(user=sue, organization=world.other, role=Role.SUPERVISOR)
    world.users["sue"] = sue
    assert not actions.may_edit(world.viewer("sue"), world.patient.pk, world.agency.pk)
