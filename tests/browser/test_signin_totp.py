"""Signing in through the browser: the password, the authenticator code, first-time enrollment.

Every step is checked with axe-core, and the Content-Security-Policy must not have to block anything.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.oath import hotp  # type: ignore[import-untyped]
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.accounts.helpers import totp_code
from wraparound.accounts.models import Membership, Role
from wraparound.audit.models import Action, AuditEvent
from wraparound.core.models import CareOrganization

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page under the site's real Content-Security-Policy (the shared fixture bypasses it for axe)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors while the test runs (a CSP violation shows as one)."""
    errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", collect)
    return errors


def blocking_violations(page: Page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}); run `npm install` at the repository root.", pytrace=False)
    # Through the DevTools protocol, which the page's Content-Security-Policy does not govern
    # (add_script_tag would be an inline script, and is refused).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{violation['impact']}: {violation['id']} at {violation['nodes'][0]['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def nurse(transactional_db: None) -> User:
    """Priya Natarajan, a nurse signing in for the first time: no authenticator yet."""
    priya = User.objects.create_user("priya", password=PASSWORD, first_name="Priya", last_name="Natarajan")
    agency = CareOrganization.objects.create(
        name="Northside Community Care Partners", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    Membership.objects.create(user=priya, organization=agency, role=Role.NURSE)
    return priya


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the base32 secret typed in by hand."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return str(hotp(key, int(time.time()) // 30)).zfill(6)


def test_password_then_code(
    page: Page, live_server: LiveServer, care_manager: User, console_errors: list[str]
) -> None:
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=(%2F|/)patients(%2F|/)$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert blocking_violations(page) == []

    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code did not work")).to_be_visible()
    assert blocking_violations(page) == []
    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code

    from tests.accounts.helpers import TEST_DEVICE_NAME
    from wraparound.accounts.otp import totp_device_named

    device = totp_device_named(care_manager.pk, TEST_DEVICE_NAME)
    page.get_by_label("Code", exact=True).fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    assert console_errors == []
    actions = list(AuditEvent.objects.filter(username="alice").values_list("action", flat=True))
    assert actions[-2:] == [Action.SIGN_IN_FAILED, Action.SIGN_IN]


def test_first_sign_in_enrolls_an_authenticator(
    page: Page, live_server: LiveServer, nurse: User, console_errors: list[str]
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to add Wraparound to an authenticator app")).to_be_visible()
    assert blocking_violations(page) == []

    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4}){7}", secret)
    page.get_by_label("Code from the app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert blocking_violations(page) == []
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.wait_for_url(f"{live_server.url}/patients/")

    # Next time: the password, then a recovery code in place of the app's code.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code", exact=True).fill(codes[3])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/patients/")
    expect(page.get_by_role("status").filter(has_text="recovery code")).to_contain_text("9 codes are left")
    assert console_errors == []


def test_the_helper_signs_in_twice_in_one_time_step(
    page: Page, live_server: LiveServer, care_manager: User
) -> None:
    sign_in(page, live_server.url)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    sign_in(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")


def test_locked_out_after_five_wrong_passwords(
    page: Page, live_server: LiveServer, care_manager: User
) -> None:
    page.goto(f"{live_server.url}/login/")
    for attempt in range(5):
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(f"wrong password {attempt}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("signing in is paused until")
    assert blocking_violations(page) == []
