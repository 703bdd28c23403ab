"""The care manager's workspace, end to end: Alice signs in to her worklist, opens Rosa from a task, adds
a goal and an intervention to her care plan, logs a care-coordination phone call that completes the task;
her program administrator then finds Rosa billable for the month, with that call as the evidence."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.careplans.models import CarePlan
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment, EnrollmentTransition
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.models import Contact, Task

from .conftest import PASSWORD, sign_in
from .test_accessibility import blocking_violations

pytestmark = pytest.mark.browser

TASK_TITLE = "Check in about the new diabetes medicine"


@pytest.fixture
def rosa_task(care_manager: User) -> Task:
    """Rosa Delgado, enrolled since well before this month, on the team Alice leads; her task due today."""
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    rosa: Patient = stored(
        Patient,
        "browser-test",
        "rosa",
        given_names="Rosa",
        family_name="Delgado",
        search_name="rosa delgado",
        birth_date=dt.date(1961, 7, 2),
        gender="female",
        medicaid_id="MA200300400",
    )
    put_on_care_team(care_manager, rosa)
    RiskProfile.objects.create(patient=rosa, tier="high", computed_at=timezone.now())
    now = timezone.now()
    enrollment = Enrollment.objects.create(
        patient=rosa,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=care_manager,
        started_on=timezone.localdate(now - dt.timedelta(days=40)),
        status_changed_at=now - dt.timedelta(days=40),
    )
    for status, days_ago in (("outreach", 60), ("enrolled", 40)):
        EnrollmentTransition.objects.create(
            enrollment=enrollment, to_status=status, at=now - dt.timedelta(days=days_ago), by=care_manager
        )
    return do_create_task(
        Actor.system("test"),
        patient=rosa,
        organization=agency,
        title=TASK_TITLE,
        due_on=timezone.localdate(),
        assignee_id=care_manager.pk,
    )


def _program_administrator() -> User:
    priya = User.objects.create_user("priya", password=PASSWORD, first_name="Priya", last_name="Shah")
    agency = CareOrganization.objects.get(name="Riverbend Care Management")
    Membership.objects.create(user=priya, organization=agency, role=Role.PROGRAM_ADMINISTRATOR)
    give_authenticator(priya)
    return priya


def test_a_day_in_the_workspace_ends_in_a_billable_month(
    browser: Browser, page: Page, live_server: LiveServer, rosa_task: Task, axe_script: Path
) -> None:
    patient_id = rosa_task.patient_id

    # Alice signs in and lands on her worklist: Rosa's task is due today.
    sign_in(page, live_server.url, lands_on=reverse("worklists:my_worklist"))
    expect(page.get_by_role("heading", name="My worklist", level=1)).to_be_visible()
    row = page.locator("tbody tr.worklist-row").filter(has_text=TASK_TITLE)
    expect(row).to_contain_text("Due today")
    expect(row).to_contain_text("Delgado")
    assert blocking_violations(page, axe_script) == []

    # She opens Rosa from the task's row: the patient summary.
    row.get_by_role("rowheader").get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/patients/{patient_id}/")
    expect(page.get_by_role("link", name="Care plan", exact=True)).to_be_visible()
    assert blocking_violations(page, axe_script) == []

    # The care plan (her first look starts it): a goal in Rosa's words, then an intervention for it.
    page.get_by_role("link", name="Care plan", exact=True).click()
    page.wait_for_url(f"{live_server.url}{reverse('careplans:care_plan', kwargs={'patient_id': patient_id})}")
    expect(page.get_by_role("heading", name=re.compile(r"^Goals and interventions"))).to_be_visible()
    assert blocking_violations(page, axe_script) == []
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Goal, in the patient's words").fill("Quiero caminar con mi nieta")
    page.get_by_label("Target", exact=True).fill("30 minutes, 3 days a week")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="“Quiero caminar con mi nieta”")).to_be_visible()
    page.get_by_role("link", name="Add an intervention").click()
    page.get_by_label("Description", exact=True).fill("Walk with Rosa around the park on Tuesdays")
    page.get_by_label("Goal", exact=True).select_option(label="Quiero caminar con mi nieta")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("rowheader", name="Walk with Rosa around the park on Tuesdays")).to_be_visible()
    assert blocking_violations(page, axe_script) == []
    plan = CarePlan.objects.get(patient_id=patient_id)
    assert [goal.text for goal in plan.goals.all()] == ["Quiero caminar con mi nieta"]
    assert [
        (item.description, item.goal.text if item.goal else None) for item in plan.interventions.all()
    ] == [("Walk with Rosa around the park on Tuesdays", "Quiero caminar con mi nieta")]

    # Back on the worklist, the task's quick action logs the call and completes the task.
    page.goto(f"{live_server.url}{reverse('worklists:my_worklist')}")
    page.locator("tbody tr.worklist-row").filter(has_text=TASK_TITLE).get_by_role(
        "link", name=re.compile(r"^Log contact")
    ).click()
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()
    expect(page.get_by_text(TASK_TITLE)).to_be_visible()
    page.get_by_label("How", exact=True).select_option(label="Phone")
    page.get_by_label("Duration (minutes)").fill("25")
    page.get_by_label("Care coordination and health promotion").check()
    expect(page.get_by_label("Complete the task")).to_be_checked()
    page.get_by_role("button", name="Log contact").click()
    expect(page.get_by_text("Contact logged.")).to_be_visible()
    contact = Contact.objects.get(patient_id=patient_id)
    assert (contact.mode, contact.successful) == (Contact.Mode.PHONE, True)
    assert Task.objects.get(pk=rosa_task.pk).status == Task.Status.DONE

    page.goto(f"{live_server.url}{reverse('worklists:my_worklist')}")
    expect(page.get_by_role("heading", name="My worklist", level=1)).to_be_visible()
    expect(page.get_by_text(TASK_TITLE)).to_have_count(0)

    # The program administrator opens this month's billing report: Rosa is billable, the call is the evidence.
    _program_administrator()
    admin = browser.new_context(bypass_csp=True).new_page()  # axe-core is injected inline
    sign_in(admin, live_server.url, username="priya", lands_on="/patients/")
    month = timezone.localdate().strftime("%Y-%m")
    admin.goto(f"{live_server.url}{reverse('billing:report')}?month={month}")
    expect(admin.get_by_role("heading", name=re.compile(r"^Billing: "))).to_be_visible()
    member = admin.get_by_role("row").filter(has_text="Delgado, Rosa")
    expect(member).to_contain_text("Billable")
    expect(member).to_contain_text("MA200300400")
    at = timezone.localtime(contact.at)
    expect(member).to_contain_text(f"{at:%b} {at.day} · phone · care coordination and health promotion")
    assert blocking_violations(admin, axe_script) == []
    admin.context.close()
