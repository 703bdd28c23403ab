"""A supervisor assigns a patient; the care manager logs two outreach attempts and enrolls with consent;
the patient page explains eligibility and tier.

Rosa Delgado has diabetes and hypertension, prefers Spanish and lives in the Bronx; Alice speaks
Spanish, Ben (busier, English only) works from Brooklyn: the supervisor is shown Alice first.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.personas import stored
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.core.models import CareOrganization
from wraparound.eligibility.actions import do_decide
from wraparound.eligibility.categories import SNOMED
from wraparound.enrollment.actions import do_identify
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer
from wraparound.registry.models import Condition, Patient
from wraparound.risk.actions import do_compute_risk
from wraparound.risk.models import RiskProfile

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


@pytest.fixture
def colleague(care_manager: User) -> User:
    """Ben Okoro, another care manager of the agency: English only, from Brooklyn, a busier caseload."""
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    ben = User.objects.create_user("ben", first_name="Ben", last_name="Okoro")
    Membership.objects.create(
        user=ben,
        organization=agency,
        role=Role.CARE_MANAGER,
        languages="en",
        base_latitude=40.6782,
        base_longitude=-73.9442,
    )
    Membership.objects.filter(user=care_manager).update(
        languages="en,es", base_latitude=40.8116, base_longitude=-73.9465
    )
    other = stored(Patient, "test", "ben-patient", given_names="Walter", family_name="Ames")
    Enrollment.objects.create(patient=other, organization=agency, status="enrolled", care_manager=ben)
    return ben


def _give_conditions(patient: Patient) -> None:
    """Diabetes since 2019 and hypertension since 2021, as an import would store them."""
    for number, (snomed, display, year) in enumerate(
        (("44054006", "Diabetes mellitus type 2", 2019), ("59621000", "Essential hypertension", 2021))
    ):
        stored(
            Condition,
            "test",
            f"rosa-c{number}",
            patient=patient,
            code_system=SNOMED,
            code=snomed,
            snomed_code=snomed,
            display=display,
            status="active",
            verification_status="confirmed",
            onset=dt.datetime(year, 3, 1, tzinfo=dt.UTC),
        )


def test_assign_reach_out_twice_and_enroll_with_consent(
    browser: Browser,
    page: Page,
    live_server: LiveServer,
    supervisor: User,
    colleague: User,
    care_manager: User,
    axe_script: object,
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
        birth_date=dt.date(1966, 4, 2),
        gender="female",
        language_code="es",
        language="Spanish",
        latitude=40.8448,
        longitude=-73.8648,
    )
    _give_conditions(patient)
    do_decide([patient.id], "federal-1945")  # found eligible, then identified for the agency
    do_compute_risk([patient.id])
    acting = Membership.objects.get(user=supervisor)
    viewer = Viewer(supervisor, acting, Actor(user_id=supervisor.pk, username="angela"))
    do_identify(viewer, patient, agency)

    sign_in(page, live_server.url, username="angela", lands_on="/patients/")
    page.get_by_role("link", name="Enrollment").first.click()
    page.get_by_role("link", name="Identified").click()
    page.get_by_role("link", name="Delgado, Rosa").or_(
        page.get_by_role("link", name="Rosa Delgado")
    ).first.click()
    suggestions = page.get_by_role("table", name="Suggested care managers, best first")
    expect(suggestions.get_by_role("row").nth(1)).to_contain_text("Alice Carter")
    expect(suggestions.get_by_role("row").nth(1)).to_contain_text("Speaks Spanish")
    expect(suggestions.get_by_role("row").nth(2)).to_contain_text("Ben Okoro")
    expect(suggestions.get_by_role("row").nth(2)).to_contain_text("1 patient")
    expect(page.get_by_label("Care manager")).to_have_value(str(care_manager.pk))  # the top one, preselected
    assert blocking_violations(page, axe_script) == []  # type: ignore[arg-type]
    page.get_by_label("Care manager").select_option(label="Alice Carter")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Identified → Assigned")).to_be_visible()

    alice = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(alice, live_server.url, username="alice", lands_on="/worklist/")  # a care manager's home
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

    # The patient page explains why Rosa is eligible, and her risk tier with what it rests on.
    alice.goto(f"{live_server.url}/patients/{patient.pk}/")
    card = alice.locator("#eligibility")
    expect(card).to_contain_text("Eligible")
    expect(card).to_contain_text("Eligible: diabetes (since 2019) and hypertension (since 2021)")
    risk = RiskProfile.objects.get(patient=patient)
    assert risk.hcc_v24 is not None and risk.hcc_v28 is not None
    expect(card.get_by_text("Risk tier")).to_be_visible()
    expect(card).to_contain_text(str(risk.get_tier_display()))
    expect(card).to_contain_text(f"{risk.hcc_v24:.3f} / {risk.hcc_v28:.3f}")
    for component in ("ED visits (6 / 12 months)", "Admissions (6 / 12 months)", "High utilizer"):
        expect(card).to_contain_text(component)
    alice.context.close()
