"""The care team and care plan screens, driven through the web like a care manager would."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.helpers import sign_in
from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans.actions import Edit
from wraparound.careplans.models import CarePlan, CareTeamMember, LeadHandoff

from .conftest import World
from .helpers import goal, save, start_plan


def _client(world: World, name: str) -> Client:
    client = Client()
    sign_in(client, world.users[name])
    return client


def _url(name: str, world: World, **kwargs: Any) -> str:
    return reverse(f"careplans:{name}", kwargs={"patient_id": world.patient.pk, **kwargs})


def test_the_team_page_lists_members_and_hands_off_the_lead(world: World) -> None:
    alice = _client(world, "alice")
    page = alice.get(_url("care_team", world)).content.decode()
    assert "Alice Carter" in page and "Carl Nguyen" in page and "Lead care manager" in page
    assert "Hand off the lead" in page
    response = alice.post(_url("care_team_handoff", world), {"to_user": world.users["carl"].pk, "note": ""})
    assert response.status_code == 302 and not LeadHandoff.objects.exists()
    alice.post(
        _url("care_team_handoff", world), {"to_user": world.users["carl"].pk, "note": "Prefers mornings."}
    )
    assert LeadHandoff.objects.get().note == "Prefers mornings."
    assert "Hand off the lead" not in alice.get(_url("care_team", world)).content.decode()  # no longer edits
    carl = _client(world, "carl")
    carl.post(
        _url("care_team_add", world, kind="contact"), {"name": "Rosa Garcia", "role": "family_caregiver"}
    )
    page = carl.get(_url("care_team", world)).content.decode()
    assert "Prefers mornings." in page and "Rosa Garcia" in page and "Past members" in page


def test_an_outsider_is_refused_the_team_and_the_plan(world: World) -> None:
    start_plan(world)
    bob = _client(world, "bob")
    for name in ("care_team", "care_plan", "care_plan_history", "care_plan_pdf"):
        assert bob.get(_url(name, world)).status_code == 403, name
    response = bob.post(
        _url("care_team_add", world, kind="contact"), {"name": "X", "role": "family_caregiver"}
    )
    assert response.status_code == 403
    assert not CareTeamMember.objects.filter(name="X").exists()
    assert AuditEvent.objects.filter(username="bob", action=Action.ACCESS_DENIED).count() == 5


def test_a_team_member_who_does_not_edit_sees_the_plan_without_forms(world: World) -> None:
    plan = start_plan(world)
    save(world, "alice", plan, goal("Bajar mi azúcar"))
    nina = _client(world, "nina")
    page = nina.get(_url("care_plan", world)).content.decode()
    assert "Bajar mi azúcar" in page and "Add a goal" not in page
    assert nina.get(_url("care_plan_edit", world, kind="goal")).status_code == 403


def test_the_care_manager_s_first_look_starts_the_plan(world: World) -> None:
    sam = _client(world, "sam")
    assert "Start the care plan" in sam.get(_url("care_plan", world)).content.decode()
    assert not CarePlan.objects.exists()
    page = _client(world, "alice").get(_url("care_plan", world)).content.decode()
    assert CarePlan.objects.get().version == 1
    assert "Add a goal" in page and "Version history" in page


def test_edit_conflict_re_apply_and_history_through_the_screens(world: World) -> None:
    plan = start_plan(world)
    alice, carl = _client(world, "alice"), _client(world, "carl")
    url = _url("care_plan_edit", world, kind="narrative")
    form = alice.get(url).content.decode()
    assert 'name="base_version" value="1"' in form
    carl.get(url)
    response = alice.post(url, {"base_version": "1", "origin_version": "1", "strengths": "Her faith"})
    assert response.status_code == 302
    response = carl.post(url, {"base_version": "1", "origin_version": "1", "preferences": "Calls after 5 pm"})
    assert response.status_code == 409
    conflict = response.content.decode()
    assert "Someone else saved the care plan" in conflict
    assert "Her faith" in conflict and "Calls after 5 pm" in conflict and "Alice Carter" in conflict
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', conflict))
    assert hidden["base_version"] == "2" and hidden["origin_version"] == "1"
    assert carl.post(url, hidden).status_code == 302
    plan.refresh_from_db()
    assert (plan.version, plan.strengths, plan.preferences) == (3, "Her faith", "Calls after 5 pm")
    history = carl.get(_url("care_plan_history", world)).content.decode()
    assert "Changed strengths" in history and "Changed preferences" in history
    compared = carl.get(_url("care_plan_history", world), {"from": 1, "to": 3}).content.decode()
    assert "From version 1 to version 3" in compared and "Calls after 5 pm" in compared


def test_add_and_edit_a_goal_through_the_form(world: World) -> None:
    plan = start_plan(world)
    alice = _client(world, "alice")
    data = {"base_version": "1", "origin_version": "1", "text": "Caminar", "status": "active"}
    assert alice.post(_url("care_plan_edit", world, kind="goal"), data).status_code == 302
    item = plan.goals.get()
    url = _url("care_plan_edit_item", world, kind="goal", item_id=item.pk)
    assert "Caminar" in alice.get(url).content.decode()
    edit = {"base_version": "2", "origin_version": "2", "text": "Caminar", "status": "achieved"}
    assert alice.post(url, edit).status_code == 302
    item.refresh_from_db()
    assert item.status == "achieved"
    bad = {"base_version": "3", "origin_version": "3", "text": "", "status": "active"}
    assert alice.post(_url("care_plan_edit", world, kind="goal"), bad).status_code == 400


def _add_goals(world: World, plan: CarePlan, numbers: range) -> None:
    for number in numbers:
        version = save(world, "alice", plan, goal(f"Goal number {number}"))
        goal_id = plan.goals.get(text=f"Goal number {number}").pk
        owner = CareTeamMember.objects.get(user=world.users["carl"]).pk
        save(
            world,
            "alice",
            plan,
            Edit("intervention", {"description": f"Call {number}", "owner_id": owner, "goal_id": goal_id}),
            base_version=version.number,
        )


@pytest.mark.usefixtures("steady_session_clock")
def test_the_plan_page_s_query_count_does_not_grow_with_the_goals(
    world: World, django_assert_max_num_queries: Any
) -> None:
    plan = start_plan(world)
    alice = _client(world, "alice")
    _add_goals(world, plan, range(2))
    alice.get(_url("care_plan", world))  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert alice.get(_url("care_plan", world)).status_code == 200
    _add_goals(world, plan, range(2, 20))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = alice.get(_url("care_plan", world)).content.decode()
    assert "Goal number 17" in page and "Call 17" in page
