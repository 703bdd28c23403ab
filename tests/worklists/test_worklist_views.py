"""The worklist screens, driven like a care manager and a supervisor would, and what they cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.accounts.helpers import sign_in
from wraparound.audit.models import Action, AuditEvent
from wraparound.careplans.models import CareTeam, LeadHandoff
from wraparound.worklists.models import Alert, Task

from .test_worklist_world import World, build_world, days

WORKLIST = "/worklist/"
AGENCY = "/worklist/agency/"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _client(world: World, name: str) -> Client:
    client = Client()
    sign_in(client, world.users[name])
    return client


def test_a_care_manager_lands_on_the_worklist_and_others_do_not(world: World) -> None:
    assert reverse("worklists:my_worklist") == WORKLIST
    assert _client(world, "alice").get("/")["Location"] == WORKLIST
    assert _client(world, "sam").get("/")["Location"] != WORKLIST


def test_the_worklist_shows_overdue_before_due_today_and_audits_who_it_shows(world: World) -> None:
    garcia, lee = world.patient("Garcia", tier="high"), world.patient("Lee")
    world.task(garcia, "Call about the new medicine", due_on=days(0))
    world.task(lee, "Send the housing form", due_on=days(-3))
    world.alert(lee, "Discharged from Mercy")
    page = _client(world, "alice").get(WORKLIST)
    assert page.status_code == 200
    content = page.content.decode()
    assert content.index("Send the housing form") < content.index("Call about the new medicine")
    assert content.index("Call about the new medicine") < content.index("Discharged from Mercy")
    log_contact = reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk})
    assert f'href="{log_contact}?task={Task.objects.get(patient=garcia).pk}"' in content
    shown = AuditEvent.objects.filter(username="alice", action=Action.VIEW, resource_type="Patient")
    assert {row.patient_id for row in shown} == {garcia.pk, lee.pk}


def test_filters_come_from_the_query_string(world: World) -> None:
    garcia, lee = world.patient("Garcia", tier="high"), world.patient("Lee", tier="low")
    world.task(garcia, "High-tier task")
    world.task(lee, "Low-tier task")
    world.alert(lee, "An alert")
    content = _client(world, "alice").get(WORKLIST, {"tier": "high", "kind": "tasks"}).content.decode()
    assert "High-tier task" in content and "Low-tier task" not in content and "An alert" not in content
    content = _client(world, "alice").get(WORKLIST, {"patient": "lee"}).content.decode()
    assert "High-tier task" not in content and "Low-tier task" in content and "An alert" in content
    assert (
        _client(world, "alice").get(WORKLIST, {"priority": "9"}).status_code == 200
    )  # ignored, not an error


@pytest.mark.parametrize("url", [WORKLIST, AGENCY])
def test_the_filter_panel_is_closed_until_a_filter_is_in_use(world: World, url: str) -> None:
    client = _client(world, "sam" if url == AGENCY else "alice")
    closed = client.get(url).content.decode()
    assert '<details class="card filter-panel">' in closed and "in use" not in closed
    opened = client.get(url, {"tier": "high"}).content.decode()
    assert '<details class="card filter-panel" open>' in opened and ">in use<" in opened


def test_recent_handoffs_show_as_notices(world: World) -> None:
    patient = world.patient("Garcia")
    team = CareTeam.objects.get(patient=patient)
    sam, alice, carol = world.users["sam"], world.users["alice"], world.users["carol"]
    LeadHandoff.objects.create(
        care_team=team, from_user=carol, to_user=alice, note="Prefers mornings", at=timezone.now(), by=sam
    )
    LeadHandoff.objects.create(
        care_team=team,
        from_user=alice,
        to_user=carol,
        note="Old",
        at=timezone.now() - dt.timedelta(days=20),
        by=sam,
    )
    content = _client(world, "alice").get(WORKLIST).content.decode()
    assert "Prefers mornings" in content and "Old" not in content


def test_quick_actions_complete_start_reassign_acknowledge(world: World) -> None:
    patient = world.patient("Garcia")
    first, second, third = (
        world.task(patient, "First"),
        world.task(patient, "Second"),
        world.task(patient, "Third"),
    )
    alert = world.alert(patient)
    alice = _client(world, "alice")
    done = alice.post(
        reverse("worklists:task_step", args=[first.pk, "complete"]), {"next": WORKLIST + "?kind=tasks"}
    )
    assert done.status_code == 302 and done["Location"] == WORKLIST + "?kind=tasks"
    alice.post(reverse("worklists:task_step", args=[second.pk, "start"]))
    moved = alice.post(
        reverse("worklists:task_reassign", args=[third.pk]), {"assignee": str(world.users["carol"].pk)}
    )
    assert moved["Location"] == WORKLIST
    alice.post(reverse("worklists:task_reassign", args=[second.pk]), {"assignee": "role:nurse"})
    alice.post(
        reverse("worklists:alert_acknowledge", args=[alert.pk]), {"next": "https://elsewhere.example/"}
    )
    statuses = dict(Task.objects.values_list("title", "status"))
    assert statuses == {"First": "done", "Second": "in_progress", "Third": "open"}
    assert Task.objects.get(pk=third.pk).assignee_id == world.users["carol"].pk
    assert Task.objects.get(pk=second.pk).assignee_role == "nurse"
    assert Alert.objects.get(pk=alert.pk).acknowledged_by_id == world.users["alice"].pk
    again = alice.post(reverse("worklists:task_step", args=[first.pk, "complete"]), follow=True)
    assert "already done" in again.content.decode()


def test_quick_actions_are_refused_to_others(world: World) -> None:
    patient = world.patient("Garcia")
    task, alert = world.task(patient), world.alert(patient)
    bob = _client(world, "bob")
    assert bob.post(reverse("worklists:task_step", args=[task.pk, "complete"])).status_code == 403
    assert bob.post(reverse("worklists:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert bob.get(reverse("worklists:task_step", args=[task.pk, "complete"])).status_code == 405
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None
    assert "Garcia" not in bob.get(WORKLIST).content.decode()


def test_the_agency_list_and_bulk_reassign_are_for_supervisors(world: World) -> None:
    garcia, lee = world.patient("Garcia"), world.patient("Lee", care_manager="carol")
    tasks = [
        world.task(garcia, "Task for Alice"),
        world.task(lee, "Task for Carol", assignee_id=world.users["carol"].pk),
    ]
    sam = _client(world, "sam")
    content = sam.get(AGENCY).content.decode()
    assert "Task for Alice" in content and "Task for Carol" in content
    content = sam.get(AGENCY, {"assignee": str(world.users["carol"].pk)}).content.decode()
    assert "Task for Alice" not in content and "Task for Carol" in content
    response = sam.post(
        reverse("worklists:bulk_reassign"),
        {"task": [str(t.pk) for t in tasks], "care_manager": str(world.users["carol"].pk), "next": AGENCY},
    )
    assert response["Location"] == AGENCY
    assert set(Task.objects.values_list("assignee_id", flat=True)) == {world.users["carol"].pk}
    alice = _client(world, "alice")
    assert alice.get(AGENCY).status_code == 403
    refused = alice.post(
        reverse("worklists:bulk_reassign"),
        {"task": [str(tasks[0].pk)], "care_manager": str(world.users["alice"].pk)},
    )
    assert refused.status_code == 403
    assert Task.objects.get(pk=tasks[0].pk).assignee_id == world.users["carol"].pk
    assert AuditEvent.objects.filter(username="alice", action=Action.ACCESS_DENIED).count() == 2


def _worklist_of(world: World, count: int) -> None:
    for number in range(count):
        patient = world.patient(f"Member{number}", tier=("high", "low", None)[number % 3])
        world.task(patient, f"Task {number}", due_on=days(number % 5 - 2), priority=1 + number % 4)
        if number % 2:
            world.alert(patient, f"Alert {number}")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("steady_session_clock")
@pytest.mark.parametrize("url", [WORKLIST, AGENCY])
def test_the_lists_cost_the_same_for_3_or_30_rows(
    world: World, url: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = _client(world, "sam" if url == AGENCY else "alice")
    _worklist_of(world, 3)
    few = _queries(client, url)
    _worklist_of(world, 27)
    with django_assert_num_queries(few):
        page = client.get(url)
    assert page.content.decode().count('class="worklist-row') == (
        30 if url == AGENCY else 30 + 14
    )  # 14 alerts


def test_the_reassign_form_is_a_page_of_its_own(world: World) -> None:
    """Rows stay light: each links to its task's reassign form, which lists the agency's care managers."""
    task = world.task(world.patient("Rosa"), "Call", due_on=days(0))
    alice = _client(world, "alice")
    page = alice.get(reverse("worklists:my_worklist")).content.decode()
    assert f'href="{reverse("worklists:task_reassign", args=[task.pk])}?next=' in page
    assert "<select" not in page.split("<tbody>")[1]
    form = alice.get(reverse("worklists:task_reassign", args=[task.pk]) + "?next=/worklist/")
    assert form.status_code == 200
    content = form.content.decode()
    assert 'name="assignee"' in content and "Carol" in content and 'value="/worklist/"' in content
