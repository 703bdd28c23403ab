"""No serious or critical axe-core violations on the sign-in page, the patient list and the summary.

axe-core comes from the npm registry (``npm install`` at the repository root installs the version
package.json pins into node_modules/); the test fails, never skips, when it is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from wraparound.registry.models import Patient

from .conftest import sign_in

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
