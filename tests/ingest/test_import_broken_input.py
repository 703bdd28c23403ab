"""Broken input, each beside a good bundle: a clear error naming file and element; nothing of it is written."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.sourcecount import distinct_counts
from wraparound.ingest.pipeline import Importer, ImportReport
from wraparound.ingest.problems import Code
from wraparound.registry.counts import resource_counts

pytestmark = pytest.mark.django_db

GOOD = "ca-2025/fhir/ba45a621-380f-8c79-5920-5d22ad34eb39.json"
REFERENCE_DATA = (
    "ca-2025/fhir/hospitalInformation1753719443038.json",
    "ca-2025/fhir/practitionerInformation1753719443038.json",
)


@pytest.fixture
def good_bundle(shared_data: Path) -> dict[str, Any]:
    return json.loads((shared_data / "synthea" / GOOD).read_text(encoding="utf-8"))


def _folder_with_good_bundle(tmp_path: Path, shared_data: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in (GOOD, *REFERENCE_DATA):
        shutil.copy(shared_data / "synthea" / name, folder / Path(name).name)
    return folder


def _expected_good(folder: Path, broken: str) -> dict[str, int]:
    documents = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json")) if p.name != broken
    ]
    return dict(distinct_counts(documents))


def _only_problem(report: ImportReport) -> Any:
    assert len(report.rejected) == 1, [str(u.problem) for u in report.rejected]
    problem = report.rejected[0].problem
    assert problem is not None
    return problem


def _entry_index(bundle: dict[str, Any], resource_type: str) -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == resource_type)


def test_truncated_json(tmp_path: Path, shared_data: Path) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    data = (shared_data / "synthea" / GOOD).read_bytes()
    (folder / "truncated.json").write_bytes(data[: len(data) // 2])

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.BAD_JSON and problem.file.endswith("truncated.json")
    assert "line" in problem.message
    assert resource_counts() == _expected_good(folder, "truncated.json")


def test_empty_file(tmp_path: Path, shared_data: Path) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    (folder / "empty.json").write_bytes(b"")

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.EMPTY and problem.file.endswith("empty.json")
    assert resource_counts() == _expected_good(folder, "empty.json")


def test_non_utf8_file(tmp_path: Path, shared_data: Path, good_bundle: dict[str, Any]) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    bundle = copy.deepcopy(good_bundle)
    text = json.dumps(bundle, ensure_ascii=False)
    (folder / "latin1.json").write_bytes(
        text.replace('"family": "', '"family": "Pe\u00f1a', 1).encode("latin-1", "replace")
    )

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.NOT_UTF8 and problem.file.endswith("latin1.json")
    assert "byte" in problem.message
    assert resource_counts() == _expected_good(folder, "latin1.json")


def test_invalid_date_in_one_encounter(
    tmp_path: Path, shared_data: Path, good_bundle: dict[str, Any]
) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    bundle = copy.deepcopy(good_bundle)
    for entry in bundle["entry"]:  # new identities, so nothing of it could be mistaken for the good bundle
        entry["resource"]["id"] = "x" + entry["resource"]["id"][1:]
        entry["fullUrl"] = "urn:uuid:" + entry["resource"]["id"]
    index = _entry_index(bundle, "Encounter")
    encounter = bundle["entry"][index]["resource"]
    encounter["period"]["start"] = "2023-02-30T10:00:00-05:00"
    (folder / "bad-date.json").write_text(json.dumps(bundle), encoding="utf-8")

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.INVALID
    assert problem.file.endswith("bad-date.json")
    assert problem.element == f"entry[{index}].resource.period.start"
    assert problem.resource_type == "Encounter" and problem.resource_id == encounter["id"]
    assert "calendar date" in problem.message
    assert f"entry[{index}]" in str(problem) and "bad-date.json" in str(problem)
    assert resource_counts() == _expected_good(folder, "bad-date.json")


def test_wrong_resource_type(tmp_path: Path, shared_data: Path, good_bundle: dict[str, Any]) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    bundle = copy.deepcopy(good_bundle)
    index = _entry_index(bundle, "Condition")
    bundle["entry"][index]["resource"]["resourceType"] = "Conditoin"
    (folder / "wrong-type.json").write_text(json.dumps(bundle), encoding="utf-8")

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.UNKNOWN_TYPE
    assert problem.element == f"entry[{index}].resource.resourceType"
    assert "Conditoin" in problem.message
    assert resource_counts() == _expected_good(folder, "wrong-type.json")


def test_reference_to_a_resource_that_does_not_exist(
    tmp_path: Path, shared_data: Path, good_bundle: dict[str, Any]
) -> None:
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    bundle = copy.deepcopy(good_bundle)
    for entry in bundle["entry"]:
        entry["resource"]["id"] = "y" + entry["resource"]["id"][1:]
    index = _entry_index(bundle, "Observation")
    bundle["entry"][index]["resource"]["subject"]["reference"] = (
        "urn:uuid:00000000-0000-4000-8000-000000000000"
    )
    (folder / "dangling.json").write_text(json.dumps(bundle), encoding="utf-8")

    problem = _only_problem(Importer().run([folder]))

    assert problem.code == Code.UNRESOLVED
    assert problem.element == f"entry[{index}].resource.subject.reference"
    assert "00000000-0000-4000-8000-000000000000" in problem.message
    assert resource_counts() == _expected_good(folder, "dangling.json")


def test_a_rejected_unit_leaves_no_trace_and_the_good_one_still_imports(
    tmp_path: Path, shared_data: Path, good_bundle: dict[str, Any]
) -> None:
    """The broken bundle shares the good bundle's Patient: rolling it back must not touch what the good one wrote."""
    folder = _folder_with_good_bundle(tmp_path, shared_data)
    bundle = copy.deepcopy(good_bundle)
    last = max(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Observation")
    bundle["entry"][last]["resource"]["status"] = 17
    (folder / "zz-late-error.json").write_text(json.dumps(bundle), encoding="utf-8")

    report = Importer().run([folder])

    problem = _only_problem(report)
    assert problem.code == Code.INVALID and problem.element == f"entry[{last}].resource.status"
    assert resource_counts() == _expected_good(folder, "zz-late-error.json")
