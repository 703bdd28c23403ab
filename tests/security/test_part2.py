"""42 CFR Part 2: SUD records from a Part 2 program are shown only where a consent (or the program) covers them.

Two real Synthea patients (ca-2025) are imported from a source designated as a
Part 2 program: one with dependent drug abuse (conditions and encounters), one
with alcoholism.  The expected records are counted from the bundles here,
independently of the importer's own value-set code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.personas import put_on_care_team
from wraparound.consent.actions import do_designate_part2_program, do_revoke_consent
from wraparound.consent.models import Consent
from wraparound.ingest.pipeline import Importer
from wraparound.registry.models import Encounter, Patient

from .conftest import World

SOURCE = "valley-recovery"
REFERENCE_DATA = ("hospitalInformation1753719443038.json", "practitionerInformation1753719443038.json")
DRUG = "79434de7-6672-fcc0-3111-ce2dfab200a3.json"  # dependent drug abuse
ALCOHOL = "641c9ca3-58fc-6634-614a-b211f91f429d.json"  # alcoholism
SUD_SNOMED = {"6525002": "Dependent drug abuse", "7200002": "Alcoholism"}


def _bundle(shared_data: Path, name: str) -> list[dict[str, Any]]:
    data = json.loads((shared_data / "synthea" / "ca-2025" / "fhir" / name).read_text(encoding="utf-8"))
    return [entry["resource"] for entry in data["entry"]]


def _mentions_sud(resource: dict[str, Any]) -> bool:
    text = json.dumps([resource.get("code"), resource.get("type"), resource.get("reasonCode")])
    return any(f'"{code}"' in text for code in SUD_SNOMED)


@pytest.fixture
def imported(world: World, shared_data: Path, tmp_path: Path) -> dict[str, Patient]:
    for name in (*REFERENCE_DATA, DRUG, ALCOHOL):
        shutil.copy(shared_data / "synthea" / "ca-2025" / "fhir" / name, tmp_path / name)
    assert Importer(source=SOURCE).run([tmp_path]).rejected == []
    do_designate_part2_program(source=SOURCE, name="Valley Recovery Services")
    patients = {}
    for label, name in (("drug", DRUG), ("alcohol", ALCOHOL)):
        source_id = next(r["id"] for r in _bundle(shared_data, name) if r["resourceType"] == "Patient")
        patients[label] = Patient.objects.get(source=SOURCE, source_id=source_id)
        put_on_care_team(world.users["alice"], patients[label])
    return patients


def _chart(client: Client, patient: Patient) -> str:
    response = client.get(reverse("web:patient_detail", kwargs={"patient_id": patient.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _export(client: Client, patient: Patient) -> list[dict[str, str]]:
    response = client.get(reverse("web:patient_export", kwargs={"patient_id": patient.pk}))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _consent(world: World, patient: Patient, categories: list[str]) -> Consent:
    return Consent.objects.create(
        patient=patient,
        scope=Consent.Scope.CARE_COORDINATION,
        grantee_organization=world.riverbend,
        categories=categories,
        period_start=dt.date(2020, 1, 1),
        evidence=Consent.Evidence.VERBAL,
        attestation="Heard in person by the care manager",
        recorded_by=world.users["alice"],
        recorded_at=patient.received_at,
    )


def test_without_consent_sud_records_are_absent_everywhere(
    world: World, imported: dict[str, Patient], shared_data: Path
) -> None:
    client = world.client("alice")
    for label, name, display in (("drug", DRUG, "Dependent drug abuse"), ("alcohol", ALCOHOL, "Alcoholism")):
        patient = imported[label]
        resources = _bundle(shared_data, name)
        chart = _chart(client, patient)
        assert display not in chart
        assert "Some records are restricted" in chart
        exported = _export(client, patient)
        assert not any(display in row["display"] for row in exported)
        # counts: the export holds every condition and encounter except the SUD ones
        for kind, resource_type in (("condition", "Condition"), ("encounter", "Encounter")):
            expected = sum(
                1 for r in resources if r["resourceType"] == resource_type and not _mentions_sud(r)
            )
            assert sum(1 for row in exported if row["kind"] == kind) == expected, (label, kind)
    # the list and its export still show the patients, with nothing that says why they are restricted
    listing = client.get(reverse("web:patient_list"), {"q": imported["drug"].family_name}).content.decode()
    assert imported["drug"].family_name in listing and "Dependent drug abuse" not in listing


def test_a_consent_that_includes_sud_shows_them_and_revocation_hides_them_at_once(
    world: World, imported: dict[str, Patient], shared_data: Path
) -> None:
    client = world.client("alice")
    patient = imported["drug"]
    resources = _bundle(shared_data, DRUG)
    without_sud = _consent(world, patient, ["conditions", "encounters"])
    assert "Dependent drug abuse" not in _chart(
        client, patient
    )  # a consent without SUD data does not cover it
    with_sud = _consent(world, patient, ["conditions", "encounters", "sud"])
    chart = _chart(client, patient)
    assert "Dependent drug abuse" in chart
    assert "Some records are restricted" not in chart
    exported = _export(client, patient)
    expected = sum(1 for r in resources if r["resourceType"] == "Encounter")
    assert sum(1 for row in exported if row["kind"] == "encounter") == expected
    assert Encounter.objects.filter(patient=patient, is_sud=True).count() == sum(
        1 for r in resources if r["resourceType"] == "Encounter" and _mentions_sud(r)
    )
    from wraparound.registry.access import Viewer as AccessViewer

    request = client.get(reverse("web:patient_list")).wsgi_request
    do_revoke_consent(AccessViewer.from_request(request), with_sud)
    assert "Dependent drug abuse" not in _chart(client, patient)  # the very next request
    assert without_sud.status == Consent.Status.ACTIVE


def test_other_sources_sud_records_are_not_segmented(world: World, shared_data: Path, tmp_path: Path) -> None:
    """Part 2 covers records from Part 2 programs; the same diagnosis from a general hospital shows."""
    for name in (*REFERENCE_DATA, DRUG):
        shutil.copy(shared_data / "synthea" / "ca-2025" / "fhir" / name, tmp_path / name)
    assert Importer(source="general-hospital").run([tmp_path]).rejected == []
    do_designate_part2_program(source=SOURCE, name="Valley Recovery Services")
    patient = Patient.objects.get(source="general-hospital")
    put_on_care_team(world.users["alice"], patient)
    chart = _chart(world.client("alice"), patient)
    assert "Dependent drug abuse" in chart
    assert "Some records are restricted" not in chart
