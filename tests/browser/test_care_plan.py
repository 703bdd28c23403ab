"""Two care managers edit the same care plan at once: the second sees both edits, re-applies, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.careplans.actions import do_start_care_plan
from wraparound.careplans.models import CarePlan, CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


def _care_manager_home() -> str:
    """Where a care manager lands after signing in: the worklist once it exists, else the patient list."""
    try:
        return reverse("worklists:my_worklist")
    except NoReverseMatch:
        return "/patients/"


@pytest.fixture
def rosa(care_manager: User) -> Patient:
    """Rosa Delgado, enrolled, on the team Alice leads; Carl, a second care manager, is on it too."""
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    carl = User.objects.create_user("carl", password=PASSWORD, first_name="Carl", last_name="Nguyen")
    Membership.objects.create(user=carl, organization=agency, role=Role.CARE_MANAGER)
    give_authenticator(carl)
    patient = stored(
        Patient,
        "browser-test",
        "rosa",
        given_names="Rosa",
        family_name="Delgado",
        search_name="rosa delgado",
        language_code="es",
        language="Spanish",
    )
    put_on_care_team(care_manager, patient)
    put_on_care_team(carl, patient, CareTeamMember.Role.CARE_MANAGER)
    enrollment = Enrollment.objects.create(
        patient=patient,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=care_manager,
        started_on=timezone.localdate(),
        status_changed_at=timezone.now(),
    )
    acting = Membership.objects.get(user=care_manager)
    do_start_care_plan(
        Viewer(
            care_manager,
            acting,
            Actor(user_id=care_manager.pk, username="alice"),
        ),
        enrollment,
    )
    return patient


def test_the_second_save_sees_the_conflict_re_applies_and_both_edits_stay(
    browser: Browser, page: Page, live_server: LiveServer, rosa: Patient, axe_script: Path
) -> None:
    plan_url = f"{live_server.url}/patients/{rosa.pk}/care-plan/"
    sign_in(page, live_server.url, username="alice", lands_on=_care_manager_home())
    carl = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(carl, live_server.url, username="carl", lands_on=_care_manager_home())

    for person in (page, carl):
        person.goto(plan_url)
        person.get_by_role("link", name="Edit strengths, preferences and the family's role").click()
        expect(person.get_by_text("Editing version 1 of the care plan.")).to_be_visible()

    page.get_by_label("Strengths", exact=True).fill("Her faith; her daughter Ana")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()

    carl.get_by_label("Preferences", exact=True).fill("Calls in Spanish, after 5 pm")
    carl.get_by_role("button", name="Save").click()
    expect(carl.get_by_role("heading", name="Someone else saved the care plan")).to_be_visible()
    expect(carl.get_by_text("Her faith; her daughter Ana")).to_be_visible()  # theirs
    expect(carl.get_by_text("Calls in Spanish, after 5 pm")).to_be_visible()  # yours
    assert blocking_violations(carl, axe_script) == []
    carl.get_by_role("button", name="Re-apply my change on the latest version").click()
    expect(carl.get_by_text("Saved as version 3.")).to_be_visible()
    expect(carl.get_by_text("Her faith; her daughter Ana")).to_be_visible()
    expect(carl.get_by_text("Calls in Spanish, after 5 pm")).to_be_visible()
    assert blocking_violations(carl, axe_script) == []

    carl.get_by_role("link", name="Version history").click()
    expect(carl.get_by_text("Changed strengths")).to_be_visible()
    expect(carl.get_by_text("Changed preferences")).to_be_visible()
    assert blocking_violations(carl, axe_script) == []
    carl.context.close()

    plan = CarePlan.objects.get(patient=rosa)
    assert (plan.version, plan.strengths, plan.preferences) == (
        3,
        "Her faith; her daughter Ana",
        "Calls in Spanish, after 5 pm",
    )


def test_the_care_plan_and_team_pages_are_accessible(
    page: Page, live_server: LiveServer, rosa: Patient, axe_script: Path
) -> None:
    sign_in(page, live_server.url, username="alice", lands_on=_care_manager_home())
    page.goto(f"{live_server.url}/patients/{rosa.pk}/care-plan/")
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Goal, in the patient's words").fill("Quiero caminar con mi nieta")
    page.get_by_label("Target", exact=True).fill("30 minutes, 3 days a week")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="“Quiero caminar con mi nieta”")).to_be_visible()
    assert blocking_violations(page, axe_script) == []
    page.get_by_role("link", name="Care team").click()
    expect(page.get_by_role("heading", name="Lead handoffs")).to_be_visible()
    assert blocking_violations(page, axe_script) == []
