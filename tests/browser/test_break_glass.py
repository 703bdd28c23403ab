"""Breaking the glass: a nurse from another agency needs a record now, states why, and sees it under a banner."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from wraparound.accounts.models import BreakGlassGrant, Membership, Role
from wraparound.audit.models import Action, AuditEvent
from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def eve(transactional_db: None) -> User:
    """Eve Nakamura, a nurse at another agency: Maria is not her patient."""
    eve = User.objects.create_user("eve", password=PASSWORD, first_name="Eve", last_name="Nakamura")
    agency = CareOrganization.objects.create(
        name="Northside Community Care", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    Membership.objects.create(user=eve, organization=agency, role=Role.NURSE)
    give_authenticator(eve)
    return eve


def test_break_the_glass_with_a_reason_then_a_banner_that_stays(
    page: Page,
    live_server: LiveServer,
    care_manager: User,
    demo_records: Patient,
    eve: User,
    axe_script: Path,
) -> None:
    maria = demo_records
    sign_in(page, live_server.url, username="eve", lands_on="/patients/")  # a nurse starts from the patients
    page.goto(f"{live_server.url}/patients/{maria.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this record")
    expect(page.get_by_text("Garcia")).to_have_count(0)
    assert blocking_violations(page, axe_script) == []

    page.get_by_role("link", name="Break the glass").click()
    page.get_by_role("button", name="Open the record").click()  # nothing filled in: the browser refuses
    expect(page).to_have_url(f"{live_server.url}/patients/{maria.pk}/break-glass/")
    assert page.get_by_label("Reason for emergency access").evaluate("field => !field.validity.valid")
    assert not BreakGlassGrant.objects.exists()

    page.get_by_label("Reason for emergency access").fill(
        "Brought to the ED unresponsive; need her medication list and allergies"
    )
    page.get_by_label("I understand that this access is recorded").check()
    assert blocking_violations(page, axe_script) == []
    page.get_by_role("button", name="Open the record").click()

    banner = page.get_by_role("alert").filter(has_text="Emergency access")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("button")).to_have_count(0)  # nothing dismisses it
    expect(page.get_by_role("heading", level=1)).to_contain_text("Garcia")
    expect(page.get_by_role("region", name="Medications")).to_be_visible()
    page.reload()
    expect(page.get_by_role("alert").filter(has_text="Emergency access")).to_be_visible()

    grant = BreakGlassGrant.objects.get()
    assert grant.user == eve and grant.reviewed_at is None
    row = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert row.username == "eve" and "unresponsive" in row.reason and row.patient_id == maria.pk
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, username="eve").count() == 1
