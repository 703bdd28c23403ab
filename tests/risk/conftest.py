"""Registry rows shaped the way an import leaves them, for the risk tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, TypeVar

import pytest

from wraparound.registry.models import Condition, Encounter, Patient, StoredResource

SOURCE = "risk-test"
RECEIVED = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
AS_OF = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
Model = TypeVar("Model", bound=StoredResource)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


class Records:
    def __init__(self) -> None:
        self.count = 0

    def _stored(self, model: type[Model], resource: dict[str, Any] | None = None, **fields: Any) -> Model:
        self.count += 1
        source_id = f"{model.FHIR_TYPE.lower()}-{self.count}"
        return model._default_manager.create(
            id=model.identity(SOURCE, source_id),
            source=SOURCE,
            source_id=source_id,
            resource={"resourceType": model.FHIR_TYPE, "id": source_id, **(resource or {})},
            content_hash=hashlib.md5(source_id.encode(), usedforsecurity=False).hexdigest(),
            received_at=RECEIVED,
            updated_at=RECEIVED,
            **fields,
        )

    def patient(self, birth_date: dt.date = dt.date(1955, 3, 1), gender: str = "female") -> Patient:
        return self._stored(Patient, birth_date=birth_date, gender=gender)

    def icd10(self, patient: Patient, code: str, **fields: Any) -> Condition:
        fields.setdefault("status", "active")
        return self._stored(
            Condition, patient=patient, code_system=ICD10CM, code=code, icd10_code=code, **fields
        )

    def snomed(self, patient: Patient, code: str, **fields: Any) -> Condition:
        fields.setdefault("status", "active")
        return self._stored(
            Condition, patient=patient, code_system=SNOMED, code=code, snomed_code=code, **fields
        )

    def encounter(
        self,
        patient: Patient,
        kind: str,
        start: dt.datetime,
        end: dt.datetime | None = None,
        admit_source: str | None = None,
    ) -> Encounter:
        resource: dict[str, Any] = {}
        if admit_source:
            resource["hospitalization"] = {"admitSource": {"coding": [{"code": admit_source}]}}
        return self._stored(
            Encounter, resource, patient=patient, encounter_class=kind, start=start, end=end or start
        )

    def ed_visit(self, patient: Patient, start: dt.datetime) -> Encounter:
        return self.encounter(patient, Encounter.Kind.EMERGENCY, start, start + dt.timedelta(hours=4))

    def stay(
        self, patient: Patient, start: dt.datetime, days: int, admit_source: str | None = None
    ) -> Encounter:
        return self.encounter(
            patient, Encounter.Kind.INPATIENT, start, start + dt.timedelta(days=days), admit_source
        )


@pytest.fixture
def records(db: None) -> Records:
    return Records()
