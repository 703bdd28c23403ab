"""The screens fit a laptop (1280x800) and a phone (390 wide): nothing wider than the window.

With WRAPAROUND_SCREENSHOTS set to a folder (docs/screenshots for the documentation), each
screen is also saved there as a PNG.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from wraparound.registry.models import Patient

from .conftest import sign_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 390, "height": 844}}


def check_and_capture(page: Page, name: str, viewport: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    folder = os.environ.get("WRAPAROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{viewport}.png"))
        if os.environ.get("WRAPAROUND_SCREENSHOTS_FULL_PAGE"):
            page.screenshot(path=str(Path(folder) / f"{name}-{viewport}-full.png"), full_page=True)
    assert overflow <= 0, f"{name} is {overflow}px wider than the {viewport} window"


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_screens_fit_the_window(
    browser: Browser, live_server: LiveServer, care_manager: User, demo_records: Patient, viewport: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US")  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        check_and_capture(page, "login", viewport)
        sign_in(page, live_server.url)
        check_and_capture(page, "patient-list", viewport)
        page.goto(f"{live_server.url}/patients/{demo_records.id}/")
        check_and_capture(page, "patient-summary", viewport)
        page.evaluate("window.scrollTo(0, document.getElementById('encounters').offsetTop - 16)")
        check_and_capture(page, "patient-summary-history", viewport)
    finally:
        context.close()
