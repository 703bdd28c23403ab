"""The supervisor sees who to assign, best first, with the top suggestion preselected; others do not."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import sign_in
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.enrollment import actions
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile

from .conftest import Pipeline


def _page(pipeline: Pipeline, name: str) -> str:
    client = Client()
    sign_in(client, pipeline.users[name])
    url = reverse("enrollment:patient_enrollment", kwargs={"patient_id": pipeline.patient.pk})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _spanish_speaking_colleague(pipeline: Pipeline) -> User:
    lucia = User.objects.create_user("lucia", first_name="Lucia", last_name="Ramos")
    Membership.objects.create(
        user=lucia, organization=pipeline.agency, role=Role.CARE_MANAGER, languages="en,es"
    )
    return lucia


def test_the_supervisor_sees_ranked_suggestions_with_the_best_preselected(pipeline: Pipeline) -> None:
    Patient.objects.filter(pk=pipeline.patient.pk).update(language_code="es", language="Spanish")
    lucia = _spanish_speaking_colleague(pipeline)
    busy = stored(Patient, "test", "busy", given_names="Busy", family_name="Tester")
    RiskProfile.objects.create(patient=busy, tier="high", computed_at=timezone.now())
    Enrollment.objects.create(
        patient=busy, organization=pipeline.agency, status="enrolled", care_manager=pipeline.users["alice"]
    )
    actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)

    page = _page(pipeline, "sam")

    assert "Suggested care managers" in page
    assert page.index("Suggested care managers") < page.index(">Assign</button>")
    assert page.index("Lucia Ramos") < page.index("Speaks Spanish") < page.index("alice")
    assert "1 patient: High 1" in page  # alice's caseload, by tier
    assert "Lightest weighted caseload (0)" in page
    selected = re.search(r'<option value="(\d+)" selected>', page)
    assert selected is not None and selected.group(1) == str(lucia.pk)


def test_a_care_manager_on_the_team_does_not_see_suggestions(pipeline: Pipeline) -> None:
    _spanish_speaking_colleague(pipeline)
    actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)
    put_on_care_team(pipeline.users["alice"], pipeline.patient)  # so that she may open the record

    assert "Suggested care managers" not in _page(pipeline, "alice")


def test_no_suggestions_once_assigned(pipeline: Pipeline) -> None:
    enrollment = actions.do_identify(pipeline.viewer("sam"), pipeline.patient, pipeline.agency)
    actions.do_assign(pipeline.viewer("sam"), enrollment, pipeline.users["alice"])

    assert "Suggested care managers" not in _page(pipeline, "sam")
