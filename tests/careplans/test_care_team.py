"""The care team: members join and leave; the lead passes only by a handoff with a note."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans import actions
from wraparound.careplans.models import CareTeam, CareTeamMember, LeadHandoff

from .conftest import World

Role = CareTeamMember.Role


def _team(world: World) -> CareTeam:
    team = actions.active_team(world.patient.pk)
    assert team is not None
    return team


def _leads(team: CareTeam) -> list[int | None]:
    return list(
        team.members.filter(role=Role.LEAD_CARE_MANAGER, end__isnull=True).values_list("user_id", flat=True)
    )


def test_hand_off_needs_a_note_and_changes_nothing_without_one(world: World) -> None:
    team = _team(world)
    with pytest.raises(actions.CarePlanRefused, match="handoff note"):
        actions.do_hand_off_lead(world.viewer("alice"), team, world.users["carl"], "   ")
    assert _leads(team) == [world.users["alice"].pk]
    assert not LeadHandoff.objects.exists()


def test_hand_off_moves_the_lead_the_enrollment_and_keeps_the_history(world: World) -> None:
    team, alice, carl = _team(world), world.users["alice"], world.users["carl"]
    handoff = actions.do_hand_off_lead(
        world.viewer("alice"), team, carl, "Spanish-speaking; prefers calls after 5 pm. A1c due in May."
    )
    today = timezone.localdate()
    assert _leads(team) == [carl.pk]
    old = team.members.get(user=alice, role=Role.LEAD_CARE_MANAGER)
    assert old.end == today
    # Carl's care-manager membership became the lead one: he holds one current role, not two.
    assert list(team.members.filter(user=carl, end__isnull=True).values_list("role", flat=True)) == [
        Role.LEAD_CARE_MANAGER
    ]
    assert (handoff.from_user_id, handoff.to_user_id, handoff.by_id) == (alice.pk, carl.pk, alice.pk)
    world.enrollment.refresh_from_db()
    assert world.enrollment.care_manager_id == carl.pk
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, resource_type="CareTeam", patient_id=world.patient.pk, username="alice"
    ).exists()
    # and back again: two handoffs in order, still one lead
    actions.do_hand_off_lead(world.viewer("sam"), team, alice, "Back from leave.")
    assert _leads(team) == [alice.pk]
    assert list(team.handoffs.values_list("to_user__username", flat=True)) == ["carl", "alice"]


def test_the_lead_goes_only_to_a_care_manager_of_the_agency(world: World) -> None:
    team = _team(world)
    for person in ("nina", "bob"):
        with pytest.raises(actions.CarePlanRefused):
            actions.do_hand_off_lead(world.viewer("sam"), team, world.users[person], "Note")
    with pytest.raises(actions.CarePlanRefused, match="already leads"):
        actions.do_hand_off_lead(world.viewer("sam"), team, world.users["alice"], "Note")
    assert _leads(team) == [world.users["alice"].pk]


def test_the_database_allows_one_current_lead(world: World) -> None:
    team = _team(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.create(
            care_team=team, user=world.users["carl"], role=Role.LEAD_CARE_MANAGER, start=timezone.localdate()
        )


def test_add_a_user_and_a_contact_then_end_a_membership(world: World) -> None:
    team, sam = _team(world), world.viewer("sam")
    social = actions.do_join_care_team(sam, team, role=Role.SOCIAL_WORKER, user_id=world.users["nina"].pk)
    aunt = actions.do_join_care_team(sam, team, role=Role.FAMILY_CAREGIVER, name="  Rosa Garcia (aunt) ")
    assert aunt.name == "Rosa Garcia (aunt)" and aunt.user_id is None
    assert social.organization_id == world.agency.pk
    actions.do_end_membership(world.viewer("alice"), aunt)
    aunt.refresh_from_db()
    assert aunt.end == timezone.localdate()
    assert AuditEvent.objects.filter(resource_type="CareTeamMember", resource_id=str(aunt.pk)).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": Role.FAMILY_CAREGIVER, "name": ""}, "by name"),
        ({"role": Role.NURSE, "name": "Someone"}, "by name"),
        ({"role": Role.LEAD_CARE_MANAGER, "name": "Someone"}, "hand the lead"),
        ({"role": Role.NURSE, "user_id": "bob"}, "user of this agency"),
    ],
)
def test_who_may_join_and_how(world: World, fields: dict[str, str], message: str) -> None:
    team = _team(world)
    before = team.members.count()
    user = fields.pop("user_id", None)
    kwargs: dict[str, object] = {**fields, "user_id": world.users[user].pk if user else None}
    with pytest.raises(actions.CarePlanRefused, match=f"(?i){message}"):
        actions.do_join_care_team(world.viewer("sam"), team, **kwargs)  # type: ignore[arg-type]
    assert team.members.count() == before


def test_the_lead_leaves_only_by_a_handoff(world: World) -> None:
    team = _team(world)
    lead = team.members.get(role=Role.LEAD_CARE_MANAGER)
    with pytest.raises(actions.CarePlanRefused, match="Hand the lead over"):
        actions.do_end_membership(world.viewer("sam"), lead)
    lead.refresh_from_db()
    assert lead.end is None
