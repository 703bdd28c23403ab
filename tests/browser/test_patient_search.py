"""A care manager signs in, finds a patient from the top-bar search and opens the summary."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from wraparound.registry.models import Patient

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_find_a_patient_and_open_the_summary(
    page: Page, live_server: LiveServer, care_manager: User, demo_records: Patient
) -> None:
    base_url = live_server.url
    sign_in(page, base_url)  # a care manager lands on her worklist
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients")
    ).to_have_attribute("aria-current", "page")

    search = page.get_by_role("search", name="Quick patient search")
    search.get_by_label("Search patients").fill("garcia maria")
    search.get_by_label("Search patients").press("Enter")
    page.wait_for_url(re.compile(r"/patients/\?q=garcia\+maria"))
    results = page.locator("#patient-results")
    expect(results.get_by_role("row")).to_have_count(2)  # the header row and Maria
    results.get_by_role("link", name="Garcia, Maria Elena").click()

    page.wait_for_url(f"{base_url}/patients/{demo_records.id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Elena Garcia")
    banner = page.locator(".patient-banner")
    expect(banner).to_contain_text("03/14/1968")
    expect(banner).to_contain_text("Interpreter needed")
    problems = page.get_by_role("region", name="Problems")
    expect(problems).to_contain_text("Diabetes mellitus type 2 (disorder)")
    expect(problems).to_contain_text("E11.9")
    encounters = page.get_by_role("region", name="Encounters")
    expect(encounters.locator(".timeline__item").first).to_contain_text("Telehealth follow-up")
    admission = encounters.locator(".timeline__item").filter(has_text="Hospital admission")
    expect(admission).to_contain_text("Inpatient")
    expect(admission).to_contain_text("Springfield General Hospital")
    expect(admission).to_contain_text("4-day stay")
    expect(admission).to_contain_text("Home with home health services")


def test_live_search_on_the_patient_list(
    page: Page, live_server: LiveServer, care_manager: User, demo_records: Patient
) -> None:
    sign_in(page, live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_label("Find a patient").fill("MA100234567")
    expect(page.locator("#patient-results").get_by_role("link", name="Garcia, Maria Elena")).to_be_visible()
    expect(page.locator("#patient-count")).to_contain_text("1 patient")
    expect(page).to_have_url(re.compile(r"q=MA100234567"))


def test_sign_in_errors_are_announced(page: Page, live_server: LiveServer, care_manager: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")


def test_switch_to_spanish(
    page: Page, live_server: LiveServer, care_manager: User, demo_records: Patient
) -> None:
    sign_in(page, live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pacientes")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
