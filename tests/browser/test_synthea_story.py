"""The acceptance story on real data: a demo user finds a Synthea patient and sees their record.

The patient, a condition and an encounter are read from the Synthea bundle itself (plain json),
imported through the normal import path, then looked for on the screen.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from wraparound.accounts.models import Role
from wraparound.cli.demo import (
    DEMO_PASSWORD,
    demo_username,
    ensure_demo_caseloads,
    ensure_demo_organizations_and_users,
)
from wraparound.ingest.pipeline import Importer

from .conftest import sign_in

pytestmark = pytest.mark.browser

BUNDLE = "ca-2025/fhir/ba45a621-380f-8c79-5920-5d22ad34eb39.json"
REFERENCE_DATA = (
    "ca-2025/fhir/hospitalInformation1753719443038.json",
    "ca-2025/fhir/practitionerInformation1753719443038.json",
)


def _of_type(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


def test_demo_user_finds_a_synthea_patient_and_sees_a_condition_and_an_encounter(
    page: Page, live_server: LiveServer, transactional_db: None, shared_data: Path, tmp_path: Path
) -> None:
    for name in (*REFERENCE_DATA, BUNDLE):
        shutil.copy(shared_data / "synthea" / name, tmp_path / Path(name).name)
    assert Importer(source="synthea").run([tmp_path]).rejected == []
    ensure_demo_organizations_and_users()
    assert ensure_demo_caseloads() == 1  # the one Synthea patient joins the demo care manager's caseload
    bundle = json.loads((shared_data / "synthea" / BUNDLE).read_text(encoding="utf-8"))
    patient = _of_type(bundle, "Patient")[0]
    family = patient["name"][0]["family"]
    given = patient["name"][0]["given"][0]
    condition = next(
        c for c in _of_type(bundle, "Condition") if c["clinicalStatus"]["coding"][0]["code"] == "active"
    )
    condition_text = condition["code"]["coding"][0]["display"]
    encounter = max(_of_type(bundle, "Encounter"), key=lambda e: e["period"]["start"])
    encounter_text = encounter["type"][0]["coding"][0]["display"]

    sign_in(page, live_server.url, username=demo_username(Role.CARE_MANAGER), password=DEMO_PASSWORD)
    search = page.get_by_role("search", name="Quick patient search")
    search.get_by_label("Search patients").fill(f"{given} {family}")
    search.get_by_label("Search patients").press("Enter")
    page.locator("#patient-results").get_by_role("link", name=f"{family}, {given}").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(family)
    expect(page.get_by_role("region", name="Problems")).to_contain_text(condition_text)
    expect(page.get_by_role("region", name="Encounters")).to_contain_text(encounter_text)
