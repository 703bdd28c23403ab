"""Idempotency, versions, conditional creates and archives: the import's rules, one behaviour per test."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from wraparound.ingest.pipeline import Importer
from wraparound.ingest.problems import Code
from wraparound.registry.counts import resource_counts
from wraparound.registry.models import Condition, Practitioner, ResourceVersion

pytestmark = pytest.mark.django_db

SYNTHEA = "ca-2025/fhir/ba45a621-380f-8c79-5920-5d22ad34eb39.json"
PRACTITIONERS = "ca-2025/fhir/practitionerInformation1753719443038.json"
HOSPITALS = "ca-2025/fhir/hospitalInformation1753719443038.json"


def _patient(condition_status: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:0d7e3c1a-0000-4000-8000-000000000001",
                "request": {"method": "POST", "url": "Patient"},
                "resource": {
                    "resourceType": "Patient",
                    "id": "0d7e3c1a-0000-4000-8000-000000000001",
                    "name": [{"family": "Okafor", "given": ["Ada"]}],
                    "gender": "female",
                },
            },
            {
                "fullUrl": "urn:uuid:0d7e3c1a-0000-4000-8000-000000000002",
                "request": {"method": "POST", "url": "Condition"},
                "resource": {
                    "resourceType": "Condition",
                    "id": "0d7e3c1a-0000-4000-8000-000000000002",
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                "code": condition_status,
                            }
                        ]
                    },
                    "code": {
                        "coding": [
                            {
                                "system": "http://snomed.info/sct",
                                "code": "44054006",
                                "display": "Diabetes mellitus type 2",
                            }
                        ]
                    },
                    "subject": {"reference": "urn:uuid:0d7e3c1a-0000-4000-8000-000000000001"},
                },
            },
        ],
    }


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_changed_resource_updates_in_place_and_keeps_its_prior_version(tmp_path: Path) -> None:
    Importer().run([_write(tmp_path / "v1.json", _patient("active"))])
    condition = Condition.objects.get()

    report = Importer().run([_write(tmp_path / "v2.json", _patient("resolved"))])

    assert report.outcomes[("Condition", "updated")] == 1 and report.outcomes[("Patient", "unchanged")] == 1
    updated = Condition.objects.get()
    assert (updated.pk, updated.status, updated.version) == (condition.pk, "resolved", 2)
    prior = ResourceVersion.objects.get(resource_id=condition.pk)
    assert prior.version == 1 and prior.content_hash == condition.content_hash
    assert prior.resource["clinicalStatus"]["coding"][0]["code"] == "active"


def test_an_older_copy_arriving_late_does_not_roll_back(tmp_path: Path) -> None:
    Importer().run([_write(tmp_path / "v1.json", _patient("active"))])
    Importer().run([_write(tmp_path / "v2.json", _patient("resolved"))])

    report = Importer().run([tmp_path / "v1.json"])

    assert report.count("updated") == 0
    assert Condition.objects.get().status == "resolved"
    assert ResourceVersion.objects.count() == 1


def test_sources_keep_their_own_records(tmp_path: Path) -> None:
    bundle = _write(tmp_path / "p.json", _patient("active"))
    Importer(source="clinic-a").run([bundle])
    Importer(source="clinic-b").run([bundle])

    assert resource_counts() == {"Condition": 2, "Patient": 2}


def test_if_none_exist_reuses_a_stored_practitioner_and_references_follow_it(shared_data: Path) -> None:
    Importer(source="directory").run(
        [shared_data / "synthea" / PRACTITIONERS, shared_data / "synthea" / HOSPITALS]
    )
    practitioners = Practitioner.objects.count()

    report = Importer(source="ehr").run(
        [shared_data / "synthea" / PRACTITIONERS, shared_data / "synthea" / SYNTHEA]
    )

    assert report.rejected == []
    assert Practitioner.objects.count() == practitioners  # every ifNoneExist matched the directory's copy
    assert report.outcomes[("Practitioner", "created")] == 0
    assert report.outcomes[("Practitioner", "unchanged")] == practitioners


def test_a_conditional_reference_matching_two_resources_is_ambiguous(tmp_path: Path) -> None:
    twins = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "resource": {
                    "resourceType": "Practitioner",
                    "id": f"twin-{n}",
                    "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567890"}],
                }
            }
            for n in (1, 2)
        ],
    }
    Importer().run([_write(tmp_path / "twins.json", twins)])
    bundle = _patient("active")
    bundle["entry"][1]["resource"]["asserter"] = {
        "reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567890"
    }

    report = Importer().run([_write(tmp_path / "p.json", bundle)])

    problem = report.rejected[0].problem
    assert problem is not None and problem.code == Code.AMBIGUOUS
    assert problem.element == "entry[1].resource.asserter.reference"
    assert resource_counts() == {"Practitioner": 2}


def test_a_delete_in_a_transaction_is_refused_by_name(tmp_path: Path) -> None:
    bundle = _patient("active")
    bundle["entry"][1]["request"] = {
        "method": "DELETE",
        "url": "Condition/0d7e3c1a-0000-4000-8000-000000000002",
    }

    report = Importer().run([_write(tmp_path / "delete.json", bundle)])

    problem = report.rejected[0].problem
    assert problem is not None and problem.code == Code.METHOD and problem.where == "entry[1]"
    assert resource_counts() == {}


def test_zip_archives_import_member_by_member(tmp_path: Path) -> None:
    good = _patient("active")
    bad = copy.deepcopy(good)
    bad["entry"][0]["resource"]["id"] = "other"
    bad["entry"][0]["resource"]["birthDate"] = "1970-13-01"
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("good.json", json.dumps(good))
        archive.writestr("nested/bad.json", json.dumps(bad))

    report = Importer().run([tmp_path / "export.zip"])

    assert sorted((unit.name.rsplit(":", 1)[1], unit.ok) for unit in report.units) == [
        ("good.json", True),
        ("nested/bad.json", False),
    ]
    problem = report.rejected[0].problem
    assert problem is not None and problem.file.endswith("export.zip:nested/bad.json")
    assert problem.element == "entry[0].resource.birthDate"
    assert resource_counts() == {"Condition": 1, "Patient": 1}


def test_ndjson_lines_are_named_in_errors(tmp_path: Path) -> None:
    patient, condition = (entry["resource"] for entry in _patient("active")["entry"])
    condition = {**condition, "subject": {"reference": f"Patient/{patient['id']}"}}
    (tmp_path / "Patient.ndjson").write_text(json.dumps(patient) + "\n", encoding="utf-8")
    broken = {**condition, "id": "c2", "onsetDateTime": "yesterday"}
    (tmp_path / "Condition.ndjson").write_text(
        json.dumps(condition) + "\n\n" + json.dumps(broken) + "\n", encoding="utf-8"
    )

    report = Importer().run([tmp_path])

    problem = report.rejected[0].problem
    assert problem is not None and problem.file.endswith("Condition.ndjson")
    assert problem.where == "line 3" and problem.element == "onsetDateTime"
    assert resource_counts() == {"Patient": 1}


@pytest.mark.parametrize("workers", [0, 2])
def test_the_same_result_with_or_without_worker_processes(shared_data: Path, workers: int) -> None:
    paths = [shared_data / "synthea" / name for name in (PRACTITIONERS, HOSPITALS, SYNTHEA)]

    report = Importer(workers=workers).run(paths)

    assert report.rejected == []
    assert resource_counts()["Observation"] == sum(
        1
        for e in json.loads(paths[2].read_text(encoding="utf-8"))["entry"]
        if e["resource"]["resourceType"] == "Observation"
    )
    assert report.count("created") == sum(resource_counts().values())


def test_the_progress_total_counts_units_without_opening_archives(shared_data: Path, tmp_path: Path) -> None:
    from wraparound.ingest.sources import count_units, discover

    folder = shared_data / "synthea" / "ca-2025" / "fhir"
    assert count_units([folder]) == sum(1 for _ in discover([folder])) == 88
    assert count_units([shared_data / "synthea" / "dbt-csv"]) == 1
    assert count_units([shared_data / "synthea" / "smart-2019"]) is None
