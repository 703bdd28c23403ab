"""The SNOMED CT → ICD-10-CM crosswalk covers every Condition code in the shared Synthea sets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wraparound.risk.crosswalk import (
    CROSSWALK_PATH,
    Coding,
    crosswalk_text,
    load_crosswalk,
    read_conditions,
    snomed_codes_in,
)
from wraparound.synth import codes as synth_codes

ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


@pytest.fixture(scope="module")
def synthea_conditions(shared_data: Path) -> list[list[Coding]]:
    synthea = shared_data / "synthea"
    return read_conditions(
        [
            synthea / "ca-2025" / "fhir",
            synthea / "ca-2025" / "csv",
            synthea / "smart-2019",
            synthea / "dbt-csv",
        ]
    )


def test_every_snomed_condition_code_is_mapped_or_reviewed(synthea_conditions: list[list[Coding]]) -> None:
    crosswalk = load_crosswalk()
    seen = snomed_codes_in(synthea_conditions)
    assert len(seen) > 200
    unreviewed = {
        code: display
        for code, display in seen.items()
        if code not in crosswalk.mappings and code not in crosswalk.not_mapped
    }
    assert unreviewed == {}


def test_the_shipped_table_is_what_the_builder_makes(synthea_conditions: list[list[Coding]]) -> None:
    assert CROSSWALK_PATH.read_text(encoding="utf-8") == crosswalk_text(synthea_conditions)


def test_no_code_is_both_mapped_and_excluded() -> None:
    crosswalk = load_crosswalk()
    assert set(crosswalk.mappings) & crosswalk.not_mapped == set()


def test_every_target_looks_like_an_icd10cm_code() -> None:
    targets = {code for codes in load_crosswalk().mappings.values() for code in codes}
    assert {code for code in targets if not ICD10CM_SHAPE.match(code)} == set()


def test_the_generator_pairs_are_kept() -> None:
    crosswalk = load_crosswalk()
    assert crosswalk.icd10_for(synth_codes.OBESITY.snomed.code) == ("E66.9",)
    assert crosswalk.icd10_for("38341003") == ("I10",)  # hypertension, from the generator
    assert crosswalk.icd10_for("44054006") == ("E11.9",)  # type 2 diabetes: its usual variant


def test_a_reviewed_override_wins_and_says_why() -> None:
    entry = json.loads(CROSSWALK_PATH.read_text(encoding="utf-8"))["mappings"]["80394007"]
    assert entry["icd10"] == ["R73.9"]
    assert "does not establish diabetes" in entry["review"]
