"""The condition categories are what the public code lists give, and cover every Synthea condition code."""

from __future__ import annotations

import csv
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wraparound.eligibility.categories import CATEGORIES_FILE, SNOMED, build_categories, categories_of


def test_shipped_file_equals_a_fresh_build_from_the_shared_lists(shared_data: Path) -> None:
    assert json.loads(CATEGORIES_FILE.read_text(encoding="utf-8")) == build_categories(shared_data)


def test_every_snomed_condition_code_in_the_synthea_sets_is_in_a_category_or_reviewed(
    shared_data: Path,
) -> None:
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    categorized = {code for entry in data["categories"].values() for code in entry["codes"][SNOMED]}
    reviewed = data["not_in_a_category"][SNOMED]

    seen = dict(_synthea_condition_codes(shared_data / "synthea"))
    unaccounted = {code: display for code, display in seen.items() if code not in categorized | set(reviewed)}

    assert len(seen) > 200
    assert unaccounted == {}
    assert set(reviewed) & categorized == set()
    assert all(entry["reason"] for entry in reviewed.values())


def test_codes_fall_in_the_categories_a_clinician_expects() -> None:
    assert categories_of("44054006", "") == {"diabetes"}  # type 2 diabetes
    assert categories_of("59621000", "") == {"hypertension"}
    assert categories_of("", "F20.9") == {"mental_health", "serious_mental_illness"}  # schizophrenia
    assert categories_of("", "F1120") == {"substance_use_disorder"}  # opioid dependence, undotted
    assert "mental_health" not in categories_of("", "F11.20")  # one disorder never counts twice
    assert categories_of("", "B20") == {"hiv_aids"}
    assert categories_of("714628002", "") == {"cardiometabolic_risk"}  # prediabetes: a risk, not chronic
    assert categories_of("398254007", "") == frozenset()  # pre-eclampsia is not chronic hypertension
    assert categories_of("105531004", "") == {"housing_instability"}


def _synthea_condition_codes(synthea: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((synthea / "ca-2025" / "fhir").glob("*.json")):
        yield from _bundle_codes(json.loads(path.read_text(encoding="utf-8")))
    for path in (
        synthea / "ca-2025" / "csv" / "conditions.csv",
        synthea / "dbt-csv" / "seeds" / "synthea" / "conditions.csv",
    ):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("SYSTEM", SNOMED) == SNOMED:
                    yield row["CODE"], row["DESCRIPTION"]
    with tarfile.open(synthea / "smart-2019" / "smart_R4_SYNTHEA_2019.tar.gz") as archive:
        for member in archive:
            bundle = archive.extractfile(member) if member.name.endswith(".json") else None
            if bundle is not None:
                yield from _bundle_codes(json.load(bundle))


def _bundle_codes(bundle: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "Condition":
            for coding in resource.get("code", {}).get("coding", []):
                if coding.get("system") == SNOMED:
                    yield coding["code"], coding.get("display", "")
