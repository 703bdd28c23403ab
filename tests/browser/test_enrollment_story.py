"""A supervisor assigns a patient; the care manager logs two outreach attempts and enrolls with consent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.core.models import CareOrganization
from wraparound.enrollment.actions import do_identify
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def supervisor(care_manager: User) -> User:
    """Angela Price, who supervises Alice's agency."""
    angela = User.objects.create_user("angela", password=PASSWORD, first_name="Angela", last_name="Price")
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    Membership.objects.create(user=angela, organization=agency, role=Role.SUPERVISOR)
    give_authenticator(angela)
    return angela


def test_assign_reach_out_twice_and_enroll_with_consent(
    browser: Browser, page: Page, live_server: LiveServer, supervisor: User, axe_script: object
) -> None:
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    patient = Patient.objects.create(
        id=Patient.identity("test", "rosa"),
        source="test",
        source_id="rosa",
        resource={"resourceType": "Patient", "id": "rosa"},
        content_hash="0" * 32,
        received_at="2024-06-01T12:00:00Z",
        updated_at="2024-06-01T12:00:00Z",
        given_names="Rosa",
        family_name="Delgado",
        search_name="rosa delgado",
        medicaid_id="MA200300400",
    )
    acting = Membership.objects.get(user=supervisor)
    viewer = Viewer(supervisor, acting, Actor(user_id=supervisor.pk, username="angela"))
    do_identify(viewer, patient, agency)

    sign_in(page, live_server.url, username="angela", lands_on="/patients/")
    page.get_by_role("link", name="Enrollment").first.click()
    page.get_by_role("link", name="Identified").click()
    page.get_by_role("link", name="Delgado, Rosa").or_(
        page.get_by_role("link", name="Rosa Delgado")
    ).first.click()
    page.get_by_label("Care manager").select_option(label="Alice Carter")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Identified → Assigned")).to_be_visible()

    alice = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(alice, live_server.url, username="alice", lands_on="/patients/")
    alice.goto(page.url)
    alice.get_by_role("button", name="Start outreach").click()
    for mode, outcome in (("Phone", "Left a message"), ("In person", "Reached")):
        alice.get_by_label("How").select_option(label=mode)
        alice.get_by_label("Outcome").select_option(label=outcome)
        alice.get_by_role("button", name="Log attempt").click()
        expect(alice.get_by_role("cell", name=outcome)).to_be_visible()
    alice.get_by_role("button", name="Enroll", exact=True).click()
    expect(alice.get_by_role("alert")).to_contain_text("consent to enroll")
    alice.get_by_label("Evidence").select_option(label="Verbal consent, attested")
    alice.get_by_label("Attestation of verbal consent").fill(
        "In person at the clinic; read back and confirmed"
    )
    alice.get_by_role("button", name="Record consent to enroll").click()
    alice.get_by_role("button", name="Enroll", exact=True).click()
    expect(alice.get_by_text("Outreach → Enrolled")).to_be_visible()
    assert blocking_violations(alice, axe_script) == []  # type: ignore[arg-type]

    enrollment = Enrollment.objects.get(patient=patient)
    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.outreach_attempts.count() == 2
    assert enrollment.consents.count() == 1
    alice.context.close()
