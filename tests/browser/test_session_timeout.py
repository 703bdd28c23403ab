"""After inactivity the browser lands on sign-in; signing in again returns to the page, with what was typed.

The idle limit is shortened to 10 seconds (the warning shows at half of it).  The form page is
this module's own (it serves as the URLconf: the project's URLs plus /draft-test/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import include, path
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from .conftest import sign_in
from .test_signin_totp import blocking_violations

pytestmark = pytest.mark.browser

IDLE_SECONDS = 10
NOTE = "Called Maria's daughter: the pharmacy will deliver on Thursday."

DRAFT_PAGE = """{% extends "web/base.html" %}
{% block title %}Progress note{% endblock %}
{% block content %}
<h1>Progress note</h1>
<form id="progress-note" method="post">
  {% csrf_token %}
  <label for="subject">Subject</label> <input id="subject" name="subject" type="text">
  <label for="note">Note</label> <textarea id="note" name="note"></textarea>
  <button type="submit">Save note</button>
</form>
{% endblock %}
"""


def draft_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return redirect("/draft-test/?saved=1")
    return HttpResponse(engines["django"].from_string(DRAFT_PAGE).render({}, request))


urlpatterns = [
    path("draft-test/", draft_page),
    path("", include("wraparound.config.urls")),
]


@pytest.fixture
def short_sessions(settings: Settings) -> None:
    settings.SESSION_IDLE_SECONDS = IDLE_SECONDS
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page under the site's real Content-Security-Policy; console errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error" and "401" not in message.text:  # the status check's answer once signed out
            errors.append(message.text)

    opened.on("console", collect)
    yield opened
    context.close()
    assert errors == []


def open_note(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/draft-test/")
    expect(page.get_by_role("heading", name="Progress note")).to_be_visible()


def test_idle_sign_out_and_back_with_the_typed_note(
    page: Page, live_server: LiveServer, care_manager: User, short_sessions: None
) -> None:
    sign_in(page, live_server.url)
    open_note(page, live_server.url)
    page.get_by_label("Subject").fill("Pharmacy")
    page.get_by_label("Note").fill(NOTE)

    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_visible()
    expect(warning).to_contain_text(re.compile(r"signed out in 0:0\d"))
    assert blocking_violations(page) == []

    page.wait_for_url(re.compile(r"/login/\?next=(%2F|/)draft-test(%2F|/)$"), timeout=IDLE_SECONDS * 2000)
    expect(page.get_by_role("status").filter(has_text="signed out")).to_contain_text(
        f"You were signed out after {IDLE_SECONDS} seconds without activity."
    )

    sign_in(page, live_server.url, lands_on="/draft-test/")
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    expect(page.get_by_label("Subject")).to_have_value("Pharmacy")
    expect(page.get_by_role("status").filter(has_text="restored")).to_be_visible()

    # Saving the note clears the draft: the next visit starts empty.
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url(re.compile(r"saved=1"))
    open_note(page, live_server.url)
    expect(page.get_by_label("Note")).to_have_value("")
    expect(page.get_by_role("status").filter(has_text="restored")).to_have_count(0)


def test_stay_signed_in_keeps_the_session(
    page: Page, live_server: LiveServer, care_manager: User, short_sessions: None
) -> None:
    sign_in(page, live_server.url)
    open_note(page, live_server.url)
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(6_000)  # past the moment the first session would have ended
    assert page.url == f"{live_server.url}/draft-test/"
    status = page.evaluate("fetch('/accounts/session/').then((response) => response.status)")
    assert status == 200


def test_signing_out_forgets_every_draft(
    page: Page, live_server: LiveServer, care_manager: User, short_sessions: None, settings: Settings
) -> None:
    settings.SESSION_IDLE_SECONDS = 900
    sign_in(page, live_server.url)
    open_note(page, live_server.url)
    page.get_by_label("Note").fill(NOTE)
    assert page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('wraparound-draft:'))")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))
    assert (
        page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('wraparound-draft'))") == []
    )
