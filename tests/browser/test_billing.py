"""A program administrator reviews March's billing, sees the evidence, and locks the month; a supervisor
then finds March closed to new contacts and logs one for today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment, EnrollmentTransition
from wraparound.registry.models import Patient
from wraparound.worklists.models import BillingMonthLock, Contact, ContactService

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


def _colleague(username: str, first: str, last: str, role: Role) -> User:
    user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    Membership.objects.create(user=user, organization=agency, role=role)
    give_authenticator(user)
    return user


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 11, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def rosa(care_manager: User) -> tuple[Patient, Contact]:
    """Rosa Delgado, enrolled since January, and the care-management call Alice made her in March."""
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    rosa: Patient = stored(
        Patient,
        "browser-test",
        "rosa",
        given_names="Rosa",
        family_name="Delgado",
        search_name="rosa delgado",
        medicaid_id="MA200300400",
    )
    put_on_care_team(care_manager, rosa)
    enrollment = Enrollment.objects.create(
        patient=rosa, organization=agency, status=Enrollment.Status.ENROLLED, care_manager=care_manager
    )
    for status, day in (("outreach", _at(1, 5)), ("enrolled", _at(1, 20))):
        EnrollmentTransition.objects.create(enrollment=enrollment, to_status=status, at=day, by=care_manager)
    contact = Contact.objects.create(
        patient=rosa,
        organization=agency,
        enrollment=enrollment,
        at=_at(3, 12),
        mode=Contact.Mode.PHONE,
        with_whom=Contact.With.PATIENT,
        duration_minutes=30,
        successful=True,
        by=care_manager,
        recorded_at=_at(3, 12),
    )
    ContactService.objects.create(contact=contact, service="care_management")
    return rosa, contact


def test_review_lock_and_find_the_month_closed(
    browser: Browser, page: Page, live_server: LiveServer, rosa: tuple[Patient, Contact], axe_script: Path
) -> None:
    patient, contact = rosa
    _colleague("priya", "Priya", "Shah", Role.PROGRAM_ADMINISTRATOR)
    _colleague("angela", "Angela", "Price", Role.SUPERVISOR)

    sign_in(page, live_server.url, username="priya", lands_on="/patients/")
    page.goto(f"{live_server.url}/billing/")
    page.get_by_label("Month", exact=True).fill("2026-03")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Billing: March 2026")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Delgado, Rosa")
    expect(row).to_contain_text("Billable")
    expect(row).to_contain_text("Mar 12 · phone · comprehensive care management")  # in words
    expect(row).not_to_contain_text(f"contact {contact.pk}")  # no database ids on the screen
    assert blocking_violations(page, axe_script) == []

    page.get_by_role("button", name="Lock month").click()
    expect(page.get_by_text("March 2026 is locked and submitted for billing.")).to_be_visible()
    expect(page.get_by_text("March 2026 was submitted for billing on")).to_be_visible()
    expect(page.get_by_role("button", name="Lock month")).to_have_count(0)
    assert blocking_violations(page, axe_script) == []
    lock = BillingMonthLock.objects.get()
    assert (lock.pack, lock.report["billable"]) == ("health-home-2025", 1)

    supervisor = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(supervisor, live_server.url, username="angela", lands_on="/patients/")
    supervisor.goto(f"{live_server.url}/patients/{patient.pk}/contacts/new/")
    expect(supervisor.get_by_role("group", name="Core services delivered")).to_be_visible()
    assert blocking_violations(supervisor, axe_script) == []
    supervisor.get_by_label("When").fill("2026-03-20T09:30")
    supervisor.get_by_label("Duration (minutes)").fill("15")
    supervisor.get_by_label("Care coordination and health promotion").check()
    supervisor.get_by_role("button", name="Log contact").click()
    expect(supervisor.get_by_role("alert")).to_contain_text("March 2026 was submitted for billing on")
    assert blocking_violations(supervisor, axe_script) == []
    assert Contact.objects.count() == 1

    supervisor.get_by_label("When").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    supervisor.get_by_role("button", name="Log contact").click()
    expect(supervisor.get_by_text("Contact logged.")).to_be_visible()
    expect(supervisor.get_by_role("cell", name="Care coordination and health promotion")).to_be_visible()
    assert Contact.objects.count() == 2
    supervisor.context.close()
