"""No serious or critical axe-core violations on the sign-in page, the patient list, the summary and the
ADT feed.

axe-core comes from the npm registry (``npm install`` at the repository root installs the version
package.json pins into node_modules/); the test fails, never skips, when it is missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import give_authenticator
from tests.transitions.conftest import adt
from wraparound.accounts.models import Membership, Role
from wraparound.hl7v2.intake import receive_frame
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.store import write_rows
from wraparound.registry.models import Patient

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


def blocking_violations(page: Page, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def test_sign_in_page(page: Page, live_server: LiveServer, axe_script: Path, care_manager: User) -> None:
    page.goto(f"{live_server.url}/login/")
    assert blocking_violations(page, axe_script) == []
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    assert blocking_violations(page, axe_script) == []


def test_patient_list(
    page: Page, live_server: LiveServer, axe_script: Path, care_manager: User, demo_records: Patient
) -> None:
    sign_in(page, live_server.url)
    assert blocking_violations(page, axe_script) == []
    page.goto(f"{live_server.url}/patients/?q=nobody")
    assert blocking_violations(page, axe_script) == []


def test_patient_summary_with_every_section_open(
    page: Page, live_server: LiveServer, axe_script: Path, care_manager: User, demo_records: Patient
) -> None:
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/patients/{demo_records.id}/")
    page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
    assert blocking_violations(page, axe_script) == []


def test_spanish_patient_summary(
    page: Page, live_server: LiveServer, axe_script: Path, care_manager: User, demo_records: Patient
) -> None:
    sign_in(page, live_server.url)
    page.get_by_role("button", name="Español").click()
    page.goto(f"{live_server.url}/patients/{demo_records.id}/")
    assert blocking_violations(page, axe_script) == []


def test_adt_feed(page: Page, live_server: LiveServer, axe_script: Path, care_manager: User) -> None:
    """The ADT feed with something in every section: the lag warning, a failed message, the quarantine."""
    supervisor = User.objects.create_user("angela", password=PASSWORD, first_name="Angela", last_name="Price")
    give_authenticator(supervisor)
    Membership.objects.create(
        user=supervisor,
        organization=Membership.objects.get(user=care_manager).organization,
        role=Role.SUPERVISOR,
    )
    now = timezone.now()
    broken = b"MSH|^~\\&|EPIC|GHH|||20260301||ADT^A01||P|2.5\rPID|1||123\r"
    for number, minutes in enumerate((9, 50, 130, 600)):
        frame = receive_frame(
            adt("A01", when="20260302081500", visit=f"A11Y{number}"),
            peer="10.0.0.5:40112",
            received_at=now - dt.timedelta(minutes=minutes),
        )
        write_rows(frame.rows)
    write_rows(receive_frame(broken, peer="10.0.0.9:5511", received_at=now).rows)
    InboxMessage.objects.filter(trigger_event="A01").exclude(
        received_at__gte=now - dt.timedelta(minutes=10)
    ).update(status=InboxMessage.Status.FAILED, error="KeyError: 'PV1'", attempts=1)
    sign_in(page, live_server.url, username="angela", lands_on="/patients/")
    page.goto(f"{live_server.url}/transitions/feed/")
    page.get_by_role("heading", name="ADT feed", level=1).wait_for()
    page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
    assert blocking_violations(page, axe_script) == []
