"""The dashboard, the patient's encounters tab and the match-review queue, as each persona sees them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import sign_in
from wraparound.accounts.models import Membership, Role
from wraparound.transitions.models import MatchReview, Stay, Step
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Task

from .conftest import World, adt, make_patient, send

DASHBOARD = "transitions:transition_list"


def _client(world: World, name: str) -> Client:
    client = Client()
    sign_in(client, world.users[name])
    return client


def _admit_and_discharge(world: World) -> None:
    send(
        adt("A01", visit="V1", when="20260302081500", admitted="20260302080000"),
        adt("A03", visit="V1", when="20260306143000", admitted="20260302080000", discharged="20260306140000"),
        adt("A01", visit="V2", when="20260318100000", admitted="20260318094500"),
    )
    process_inbox()


def test_the_care_manager_sees_her_patients_transitions(world: World) -> None:
    _admit_and_discharge(world)
    page = _client(world, "alice").get(reverse(DASHBOARD)).content.decode()
    assert "Transitions of care" in page
    assert "Maria Garcia" in page
    assert "Readmission" in page
    assert "Overdue steps" in page and "Follow-up visit within 7 days" in page  # due in March 2026


def test_another_agency_sees_none_of_them(world: World) -> None:
    _admit_and_discharge(world)
    response = _client(world, "bob").get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert "Maria Garcia" not in response.content.decode()


def test_an_analyst_may_not_open_the_dashboard(world: World) -> None:
    analyst = User.objects.create_user("ann")
    Membership.objects.create(user=analyst, organization=world.agency, role=Role.ANALYST)
    world.users["ann"] = analyst
    assert _client(world, "ann").get(reverse(DASHBOARD)).status_code == 403


def _days_ago(days: int) -> str:
    return (timezone.localtime() - dt.timedelta(days=days)).strftime("%Y%m%d%H%M%S")


def test_follow_up_rates_count_tasks_done_in_time(world: World) -> None:
    admitted, discharged = _days_ago(20), _days_ago(15)
    send(adt("A03", visit="V1", when=discharged, admitted=admitted, discharged=discharged))
    process_inbox()
    follow_up = Step.objects.get(stay__visit_number="V1", kind=Step.Kind.FOLLOW_UP_7).task
    assert follow_up.due_on is not None
    Task.objects.filter(pk=follow_up.pk).update(
        status=Task.Status.DONE,
        completed_at=timezone.make_aware(dt.datetime.combine(follow_up.due_on, dt.time(9))),
    )
    page = _client(world, "sam").get(reverse(DASHBOARD)).content.decode()
    assert "Riverbend Care Management" in page and "Alice Carter" in page
    assert "100.0%" in page


def test_the_patient_tab_lists_the_stays(world: World) -> None:
    _admit_and_discharge(world)
    url = reverse("transitions:patient_encounters", kwargs={"patient_id": world.maria.pk})
    page = _client(world, "alice").get(url).content.decode()
    assert page.count('<article class="stay"') == 2
    assert "Contact within 2 business days" in page
    assert _client(world, "bob").get(url).status_code == 403


def test_a_supervisor_resolves_an_ambiguous_match(world: World) -> None:
    twin = make_patient("twin")
    send(adt("A01", when="20260302081500", pid3="9^^^GHH^MR", admitted="20260302080000"))
    process_inbox()
    review = MatchReview.objects.get()
    queue = reverse("transitions:match_review")
    decide = reverse("transitions:match_review_decide", kwargs={"review_id": review.pk})
    assert _client(world, "alice").get(queue).status_code == 403
    assert _client(world, "alice").post(decide, {"patient_id": str(world.maria.pk)}).status_code == 403
    sam = _client(world, "sam")
    page = sam.get(queue).content.decode()
    assert "More than one patient matches" in page and "This is Maria Garcia" in page
    assert "A patient you do not follow" in page  # the twin is not Riverbend's
    assert sam.post(decide, {"patient_id": str(twin.pk)}).status_code == 403  # not visible to Sam
    assert not Stay.objects.exists()
    assert sam.post(decide, {"patient_id": str(world.maria.pk)}).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.resolved_patient_id) == (MatchReview.Status.RESOLVED, world.maria.pk)
    assert Stay.objects.get().patient_id == world.maria.pk
    assert Task.objects.filter(patient=world.maria).exists()  # the workflow ran for her


def test_a_supervisor_dismisses_a_message(world: World) -> None:
    send(adt("A01", when="20260302081500", pid3="9^^^GHH^MR", name="NOBODY^KNOWN"))
    process_inbox()
    review = MatchReview.objects.get()
    decide = reverse("transitions:match_review_decide", kwargs={"review_id": review.pk})
    assert _client(world, "sam").post(decide, {"decision": "dismiss"}).status_code == 302
    review.refresh_from_db()
    assert review.status == MatchReview.Status.DISMISSED


def test_a_merge_cannot_be_resolved_and_a_decision_is_made_once(world: World) -> None:
    send(adt("A40", when="20260302081500", merged_from="100999^^^GHH^MR"))
    process_inbox()
    review = MatchReview.objects.get()
    decide = reverse("transitions:match_review_decide", kwargs={"review_id": review.pk})
    sam = _client(world, "sam")
    page = sam.post(decide, {"patient_id": str(world.maria.pk)}, follow=True).content.decode()
    assert "registry records are not merged here" in page
    review.refresh_from_db()
    assert review.status == MatchReview.Status.OPEN and not Stay.objects.exists()
    sam.post(decide, {"decision": "dismiss"})
    page = sam.post(decide, {"decision": "dismiss"}, follow=True).content.decode()
    assert "already decided" in page


def test_the_discharge_disposition_is_in_words_with_its_code(world: World) -> None:
    send(
        adt("A01", visit="V7", when="20260302081500", admitted="20260302080000"),
        adt(
            "A03",
            visit="V7",
            when="20260306143000",
            admitted="20260302080000",
            discharged="20260306140000",
            disposition="03",
        ),
    )
    process_inbox()
    page = _client(world, "alice").get(reverse("transitions:patient_encounters", args=[world.maria.pk]))
    assert "Skilled nursing facility (03)" in page.content.decode()
    assert Stay(discharge_disposition="1").discharge_disposition_label == "Home or self care (1)"
    assert Stay(discharge_disposition="snf").discharge_disposition_label == "Skilled nursing facility (snf)"
    assert Stay(discharge_disposition="ZZ").discharge_disposition_label == "ZZ"  # unknown: as sent
