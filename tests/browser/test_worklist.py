"""A care manager signs in to her worklist, works it with the keyboard; her supervisor sees the caseloads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.models import Alert, Task

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser


def _patient(alice: User, agency: CareOrganization, key: str, given: str, family: str, tier: str) -> Patient:
    patient: Patient = stored(
        Patient,
        "browser-worklist",
        key,
        given_names=given,
        family_name=family,
        search_name=f"{given} {family}".lower(),
    )
    RiskProfile.objects.create(patient=patient, tier=tier, computed_at=timezone.now())
    Enrollment.objects.create(
        patient=patient,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=alice,
        status_changed_at=timezone.now(),
    )
    put_on_care_team(alice, patient)
    return patient


@pytest.fixture
def caseload(care_manager: User) -> dict[str, Task]:
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    rosa = _patient(care_manager, agency, "rosa", "Rosa", "Delgado", "high")
    james = _patient(care_manager, agency, "james", "James", "Okafor", "low")
    today = timezone.localdate()
    system = Actor.system("test")
    due_today = do_create_task(
        system,
        patient=rosa,
        organization=agency,
        title="Call about the new medicine",
        due_on=today,
        assignee_id=care_manager.pk,
    )
    overdue = do_create_task(
        system,
        patient=james,
        organization=agency,
        title="Send the housing form",
        due_on=today - dt.timedelta(days=3),
        assignee_id=care_manager.pk,
    )
    now = timezone.now()
    Alert.objects.create(
        patient=rosa,
        organization=agency,
        kind=Alert.Kind.DISCHARGE,
        title="Discharged from Springfield General",
        occurred_at=now - dt.timedelta(hours=5),
        created_at=now,
    )
    angela = User.objects.create_user("angela", password=PASSWORD, first_name="Angela", last_name="Price")
    Membership.objects.create(user=angela, organization=agency, role=Role.SUPERVISOR)
    give_authenticator(angela)
    return {"today": due_today, "overdue": overdue}


def test_work_the_worklist_with_the_keyboard(
    browser: Browser, page: Page, live_server: LiveServer, caseload: dict[str, Task], axe_script: Path
) -> None:
    sign_in(page, live_server.url, lands_on="/worklist/")
    expect(page.get_by_role("heading", name="My worklist", level=1)).to_be_visible()
    rows = page.locator("tbody tr.worklist-row")
    expect(rows.nth(0)).to_contain_text("Send the housing form")
    expect(rows.nth(0)).to_contain_text("Overdue")
    expect(rows.nth(1)).to_contain_text("Call about the new medicine")
    expect(rows.nth(1)).to_contain_text("Due today")
    expect(rows.nth(2)).to_contain_text("Discharged from Springfield General")
    assert blocking_violations(page, axe_script) == []

    complete = page.get_by_role("button", name=re.compile(r"^Complete\W+Send the housing form"))
    complete.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Task completed.")).to_be_visible()
    expect(page.get_by_text("Send the housing form")).to_have_count(1)  # in the message only
    expect(page.locator("tbody tr.worklist-row").nth(0)).to_contain_text("Call about the new medicine")
    assert Task.objects.get(pk=caseload["overdue"].pk).status == Task.Status.DONE
    assert Task.objects.get(pk=caseload["today"].pk).status == Task.Status.OPEN

    angela = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(angela, live_server.url, username="angela", lands_on="/patients/")
    angela.goto(f"{live_server.url}/worklist/supervisor/")
    expect(angela.get_by_role("heading", name="Caseloads by care manager", level=1)).to_be_visible()
    expect(angela.get_by_role("img", name="Weighted caseload by care manager")).to_be_visible()
    expect(angela.get_by_role("row", name="Alice Carter")).to_contain_text("4")  # high 3 + low 1
    assert blocking_violations(angela, axe_script) == []
    angela.goto(f"{live_server.url}/worklist/agency/")
    expect(angela.get_by_role("checkbox", name="Choose “Call about the new medicine” for")).to_be_visible()
    assert blocking_violations(angela, axe_script) == []
    angela.context.close()
