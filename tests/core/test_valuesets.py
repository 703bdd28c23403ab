"""The project's SUD value set is what the public VSAC expansions give, plus its reviewed additions."""

from __future__ import annotations

import json
from pathlib import Path

from wraparound.core.valuesets import SUD_VALUESET_FILE, build_sud_valueset, is_sud_coding

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def test_shipped_file_equals_a_fresh_build_from_the_shared_expansions(shared_data: Path) -> None:
    folder = (
        shared_data
        / "valuesets"
        / "ecqm-vsac-expansions-2024"
        / "input"
        / "vocabulary"
        / "valueset"
        / "external"
    )
    assert json.loads(SUD_VALUESET_FILE.read_text(encoding="utf-8")) == build_sud_valueset(folder)


def test_sud_codings_are_recognized_in_concepts_and_lists() -> None:
    assert is_sud_coding({"coding": [{"system": SNOMED, "code": "6525002"}]})  # dependent drug abuse
    assert is_sud_coding([None, [{"coding": [{"system": ICD10, "code": "F10.20"}]}]])  # alcohol dependence
    assert not is_sud_coding({"coding": [{"system": SNOMED, "code": "44054006"}]})  # diabetes
    assert not is_sud_coding({"coding": [{"system": ICD10, "code": "6525002"}]})  # right code, wrong system
    assert not is_sud_coding(None)
