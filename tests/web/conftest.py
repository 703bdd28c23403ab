"""Personas and a small builder of clinical records for the web screens' tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from wraparound.registry.models import (
    Condition,
    Encounter,
    Identifier,
    Observation,
    Organization,
    Patient,
    StoredResource,
)

SOURCE = "test"
RECEIVED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
Model = TypeVar("Model", bound=StoredResource)


def _stored(model: type[Model], source_id: str, **fields: Any) -> Model:
    resource = {"resourceType": model.FHIR_TYPE, "id": source_id}
    return model._default_manager.create(
        id=model.identity(SOURCE, source_id),
        source=SOURCE,
        source_id=source_id,
        resource=resource,
        content_hash=hashlib.md5(source_id.encode(), usedforsecurity=False).hexdigest(),
        received_at=RECEIVED,
        updated_at=RECEIVED,
        **fields,
    )


class ClinicalRecords:
    """Builds registry rows the way an import would leave them, one call per resource."""

    def patient(
        self, source_id: str, given: str, family: str, birth_date: dt.date | None = None, **fields: Any
    ) -> Patient:
        return _stored(
            Patient,
            source_id,
            given_names=given,
            family_name=family,
            search_name=f"{given} {family}".lower(),
            birth_date=birth_date,
            **fields,
        )

    def identifier(self, patient: Patient, type_code: str, value: str, system: str = "") -> Identifier:
        return Identifier.objects.create(
            resource_type="Patient", resource_id=patient.id, system=system, value=value, type_code=type_code
        )

    def organization(self, source_id: str, name: str) -> Organization:
        return _stored(Organization, source_id, name=name)

    def condition(self, patient: Patient, source_id: str, display: str, **fields: Any) -> Condition:
        fields.setdefault("status", "active")
        return _stored(Condition, source_id, patient=patient, display=display, **fields)

    def encounter(self, patient: Patient, source_id: str, start: dt.datetime, **fields: Any) -> Encounter:
        return _stored(Encounter, source_id, patient=patient, start=start, **fields)

    def observation(
        self, patient: Patient, source_id: str, code: str, effective: dt.datetime, **fields: Any
    ) -> Observation:
        return _stored(Observation, source_id, patient=patient, code=code, effective=effective, **fields)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Each test starts in English: a request's language stays active in the thread after it."""
    with translation.override("en"):
        yield


@pytest.fixture
def records(db: None) -> ClinicalRecords:
    return ClinicalRecords()


@pytest.fixture
def care_manager(db: None) -> User:
    """Alice, a care manager at a health home."""
    return User.objects.create_user(
        "alice", password="correct-horse-battery", first_name="Alice", last_name="Carter"
    )


@pytest.fixture
def alice_client(client: Client, care_manager: User) -> Client:
    client.force_login(care_manager)
    return client
