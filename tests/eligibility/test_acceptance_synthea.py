"""Acceptance: the federal pack's decisions on the California Synthea set equal an independent reading.

The set is imported through the normal path once for the module.  The expected table is computed
here from the raw bundle JSON and the VSAC expansion files named in the category data (Synthea codes
conditions in SNOMED CT only, so the ICD-10-CM sources do not matter), without the project's
eligibility code: active conditions at the decision date, the latest BMI within two years, and the
§1945 rule as the pack states it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from wraparound.eligibility.actions import do_decide
from wraparound.eligibility.models import EligibilityDecision
from wraparound.ingest.pipeline import Importer

AS_OF = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
BMI_WINDOW = dt.timedelta(days=730)
SNOMED = "http://snomed.info/sct"
CATEGORY_DATA = (
    Path(__file__).resolve().parents[2] / "src/wraparound/eligibility/data/condition-categories.json"
)
VSAC = Path("valuesets/ecqm-vsac-expansions-2024/input/vocabulary/valueset/external")
CHRONIC = {
    "mental_health",
    "substance_use_disorder",
    "asthma",
    "diabetes",
    "heart_disease",
    "hypertension",
    "copd",
    "chronic_kidney_disease",
    "hiv_aids",
    "overweight",
}
AT_RISK = {"cardiometabolic_risk", "tobacco_use"}

Expected = dict[str, tuple[bool, frozenset[str], frozenset[str]]]


@pytest.fixture(scope="module")
def federal_decisions(
    django_db_setup: None, django_db_blocker: Any, shared_data: Path
) -> Iterator[dict[str, EligibilityDecision]]:
    with django_db_blocker.unblock():
        report = Importer(source="synthea").run([shared_data / "synthea" / "ca-2025" / "fhir"])
        assert report.rejected == []
        do_decide(None, "federal-1945", as_of=AS_OF)
        decisions = EligibilityDecision.objects.filter(pack="federal-1945").select_related("patient")
        yield {decision.patient.source_id: decision for decision in decisions}
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_federal_eligibility_equals_an_independent_reading_of_the_bundles(
    federal_decisions: dict[str, EligibilityDecision], shared_data: Path
) -> None:
    expected = expected_table(shared_data)
    actual: Expected = {
        patient_id: (
            decision.eligible,
            frozenset(decision.criteria["met"]),
            frozenset(_qualifying(decision)),
        )
        for patient_id, decision in federal_decisions.items()
    }

    assert len(expected) == 86
    assert sum(eligible for eligible, _, _ in expected.values()) > 10
    assert actual == expected


@pytest.mark.django_db
def test_every_eligible_decision_explains_itself(federal_decisions: dict[str, EligibilityDecision]) -> None:
    for decision in federal_decisions.values():
        assert decision.explanation.startswith("Eligible: " if decision.eligible else "Not eligible")
        for items in decision.evidence["criteria"].values():
            assert all(item["id"] and item["code"] and item["source"] == "synthea" for item in items)


def _qualifying(decision: EligibilityDecision) -> set[str]:
    return {item["category"] for items in decision.evidence["criteria"].values() for item in items}


# The independent reading ---------------------------------------------------------------------


def expected_table(shared_data: Path) -> Expected:
    categories_of = _snomed_categories(shared_data)
    table: Expected = {}
    for path in sorted((shared_data / "synthea" / "ca-2025" / "fhir").glob("*.json")):
        resources = [entry["resource"] for entry in json.loads(path.read_text(encoding="utf-8"))["entry"]]
        for patient in (r for r in resources if r["resourceType"] == "Patient"):
            found = _categories(resources, categories_of)
            if _latest_bmi_over_25(resources):
                found.add("overweight")
            criteria = _federal_criteria(found)
            relevant = (CHRONIC if criteria - {"serious_mental_illness"} else set()) | (
                AT_RISK if "one_chronic_and_at_risk" in criteria else set()
            )
            if "serious_mental_illness" in criteria:
                relevant.add("serious_mental_illness")
            table[patient["id"]] = (bool(criteria), frozenset(criteria), frozenset(found & relevant))
    return table


def _federal_criteria(found: set[str]) -> set[str]:
    chronic = len(found & CHRONIC)
    criteria = set()
    if chronic >= 2:
        criteria.add("two_or_more_chronic")
    if chronic >= 1 and found & AT_RISK:
        criteria.add("one_chronic_and_at_risk")
    if "serious_mental_illness" in found:
        criteria.add("serious_mental_illness")
    return criteria


def _categories(resources: list[dict[str, Any]], categories_of: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    for condition in (r for r in resources if r["resourceType"] == "Condition"):
        if _active(condition):
            for coding in condition["code"]["coding"]:
                if coding["system"] == SNOMED:
                    found |= categories_of.get(coding["code"], set())
    return found


def _active(condition: dict[str, Any]) -> bool:
    clinical = condition.get("clinicalStatus", {}).get("coding", [{}])[0].get("code")
    verification = condition.get("verificationStatus", {}).get("coding", [{}])[0].get("code")
    onset = condition.get("onsetDateTime")
    abatement = condition.get("abatementDateTime")
    return (
        clinical in {"active", "recurrence", "relapse"}
        and verification not in {"refuted", "entered-in-error"}
        and (onset is None or dt.datetime.fromisoformat(onset) <= AS_OF)
        and (abatement is None or dt.datetime.fromisoformat(abatement) > AS_OF)
    )


def _latest_bmi_over_25(resources: list[dict[str, Any]]) -> bool:
    readings = [
        (dt.datetime.fromisoformat(r["effectiveDateTime"]), r["valueQuantity"]["value"])
        for r in resources
        if r["resourceType"] == "Observation"
        and any(c.get("code") == "39156-5" for c in r["code"]["coding"])
        and r.get("status") not in {"entered-in-error", "cancelled"}
        and "valueQuantity" in r
    ]
    in_window = [reading for reading in readings if AS_OF - BMI_WINDOW <= reading[0] <= AS_OF]
    return bool(in_window) and max(in_window)[1] > 25


def _snomed_categories(shared_data: Path) -> dict[str, set[str]]:
    """SNOMED code -> categories, from the VSAC files and reviewed additions the category data names."""
    data = json.loads(CATEGORY_DATA.read_text(encoding="utf-8"))["categories"]
    codes: dict[str, set[str]] = {}
    for name, entry in data.items():
        codes[name] = set(entry["additions"].get(SNOMED, {}))
        for value_set in entry["value_sets"]:
            expansion = json.loads((shared_data / VSAC / f"valueset-{value_set['oid']}.json").read_text())
            codes[name] |= {c["code"] for c in expansion["expansion"]["contains"] if c["system"] == SNOMED}
        codes[name] -= set(entry["removals"].get(SNOMED, {}))
    for name, entry in data.items():
        for excluded in entry["excluded_categories"]:
            codes[name] -= codes[excluded]
    index: dict[str, set[str]] = {}
    for name, members in codes.items():
        for code in members:
            index.setdefault(code, set()).add(name)
    return index
