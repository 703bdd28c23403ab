"""The supervisor's view: caseloads weighted by tier, overdue work, members without contact, reviews due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.accounts.helpers import sign_in
from wraparound.accounts.models import Membership, Role
from wraparound.careplans.models import CarePlan
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.worklists import actions, supervisor
from wraparound.worklists.models import Contact, Task

from .test_worklist_world import World, build_world, days

URL = "/worklist/supervisor/"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _contact(world: World, patient: Patient, *, days_ago: int, successful: bool = True) -> None:
    at = timezone.now() - dt.timedelta(days=days_ago)
    Contact.objects.create(
        patient=patient,
        organization=world.agency,
        at=at,
        mode=Contact.Mode.PHONE,
        with_whom=Contact.With.PATIENT,
        duration_minutes=10,
        successful=successful,
        by=world.users["alice"],
        recorded_at=at,
    )


def _care_plan(patient: Patient, review_due: dt.date) -> None:
    now = timezone.now()
    enrollment = Enrollment.objects.get(patient=patient)
    CarePlan.objects.create(
        enrollment=enrollment,
        patient=patient,
        organization=enrollment.organization,
        status=CarePlan.Status.ACTIVE,
        next_review_due=review_due,
        created_at=now,
        updated_at=now,
    )


def _load(world: World, name: str) -> supervisor.CareManagerLoad:
    loads = supervisor.agency_loads(world.agency.pk, timezone.localdate(), timezone.now())
    return next(load for load in loads if load.care_manager == world.users[name])


def test_weighted_caseloads_overdue_work_contacts_and_reviews(world: World) -> None:
    high, rising = world.patient("High", tier="high"), world.patient("Rising", tier="rising")
    moderate, low = world.patient("Moderate", tier="moderate"), world.patient("Low", tier="low")
    untiered = world.patient("Untiered")
    world.patient("Reaching", tier="high", enrollment_status=Enrollment.Status.OUTREACH)
    world.patient("Carols", tier="high", care_manager="carol")
    world.task(high, due_on=days(-2))
    world.task(low, due_on=days(-1))
    world.task(low, due_on=days(0))
    actions.do_complete_task(world.viewer("alice"), world.task(low, due_on=days(-9)))
    _contact(world, high, days_ago=3)
    _contact(world, rising, days_ago=3, successful=False)
    _contact(world, moderate, days_ago=40)
    _care_plan(high, days(3))
    _care_plan(low, days(-10))
    _care_plan(untiered, days(30))

    alice = _load(world, "alice")
    assert alice.caseload == 6
    assert alice.weighted == 3 + 2 + 1.5 + 1 + 1 + 3
    assert alice.weighted_text == "11.5"
    assert alice.tier_list == [2, 1, 1, 1, 1]
    assert alice.overdue_tasks == 2
    assert alice.without_contact == 4  # enrolled, and no successful contact in 30 days
    assert alice.reviews_due == 2
    carol = _load(world, "carol")
    assert (carol.caseload, carol.weighted, carol.overdue_tasks, carol.without_contact) == (1, 3, 0, 1)


def test_the_tier_weights_are_the_caseload_rules(world: World) -> None:
    assert dict(supervisor.tier_weights()) == {"high": 3, "rising": 2, "moderate": 1.5, "low": 1, "none": 1}


def test_the_page_has_a_chart_and_a_table_and_is_for_supervisors(world: World) -> None:
    world.patient("High", tier="high")
    sam = Client()
    sign_in(sam, world.users["sam"])
    content = sam.get(URL).content.decode()
    assert 'role="img"' in content and "Weighted caseload by care manager" in content
    assert "Alice Carter" in content and "Carol Diaz" in content and "Bob" not in content
    alice = Client()
    sign_in(alice, world.users["alice"])
    assert alice.get(URL).status_code == 403


@pytest.mark.usefixtures("steady_session_clock")
def test_the_view_costs_the_same_for_2_or_8_care_managers(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    sam = Client()
    sign_in(sam, world.users["sam"])
    world.patient("First", tier="high")
    with CaptureQueriesContext(connection) as captured:
        sam.get(URL)
    for number in range(6):
        user = User.objects.create_user(f"cm{number}", first_name="Case", last_name=f"Manager {number}")
        Membership.objects.create(user=user, organization=world.agency, role=Role.CARE_MANAGER)
        world.users[user.username] = user
        patient = world.patient(f"Of{number}", tier="low", care_manager=user.username)
        world.task(patient, due_on=days(-1), assignee_id=user.pk)
        _care_plan(patient, days(1))
    with django_assert_num_queries(len(captured)):
        content = sam.get(URL).content.decode()
    assert content.count("Case Manager") == 12  # in the chart and in the table
    assert Task.objects.count() == 6
