"""Builders for eligibility tests: a member with coded conditions, BMI readings and encounters."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from tests.personas import stored
from wraparound.eligibility.categories import ICD10, LOINC, SNOMED
from wraparound.registry.models import Condition, Encounter, Observation, Patient

AS_OF = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
SOURCE = "eligibility-test"
_serial = itertools.count()


def _next_id(kind: str) -> str:
    return f"{kind}-{next(_serial)}"


def member(name: str = "Rivera") -> Patient:
    patient: Patient = stored(Patient, SOURCE, _next_id("patient"), family_name=name, given_names="Dana")
    return patient


def condition(
    patient: Patient, snomed: str = "", *, icd10: str = "", onset: int = 2019, **fields: Any
) -> Condition:
    system, code = (SNOMED, snomed) if snomed else (ICD10, icd10)
    display = fields.pop("display", f"{system} {code}")
    values: dict[str, Any] = {"status": "active", "verification_status": "confirmed"} | fields
    made: Condition = stored(
        Condition,
        SOURCE,
        _next_id("condition"),
        patient=patient,
        code_system=system,
        code=code,
        display=display,
        snomed_code=snomed,
        icd10_code=icd10,
        onset=dt.datetime(onset, 3, 1, tzinfo=dt.UTC),
        **values,
    )
    return made


def bmi(patient: Patient, value: float, when: dt.datetime) -> Observation:
    made: Observation = stored(
        Observation,
        SOURCE,
        _next_id("bmi"),
        patient=patient,
        status="final",
        code_system=LOINC,
        code="39156-5",
        display="Body mass index",
        value_quantity=value,
        value_unit="kg/m2",
        effective=when,
    )
    return made


def encounter(patient: Patient, kind: str, when: dt.datetime, reason: str = "") -> Encounter:
    made: Encounter = stored(
        Encounter,
        SOURCE,
        _next_id("encounter"),
        patient=patient,
        status="finished",
        encounter_class=kind,
        start=when - dt.timedelta(days=2),
        end=when,
        reason_code=reason,
    )
    return made
