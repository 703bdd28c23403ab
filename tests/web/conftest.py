"""Personas and a small builder of clinical records for the web screens' tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from tests.accounts.helpers import sign_in
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
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
Model = TypeVar("Model", bound=StoredResource)


def _stored(model: type[Model], source_id: str, **fields: Any) -> Model:
    stored_row: Model = stored(model, SOURCE, source_id, **fields)
    alice = User.objects.filter(username="alice").first()
    if isinstance(stored_row, Patient) and alice is not None:
        put_on_care_team(alice, stored_row)  # the patients of these tests are on Alice's caseload
    return stored_row


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
    """Alice, a care manager at a care management agency; the patients built here are on her caseload."""
    alice = User.objects.create_user(
        "alice", password="correct-horse-battery", first_name="Alice", last_name="Carter"
    )
    agency = CareOrganization.objects.create(
        name="Summit Care Partners", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    Membership.objects.create(user=alice, organization=agency, role=Role.CARE_MANAGER)
    return alice


@pytest.fixture
def alice_client(client: Client, care_manager: User) -> Client:
    sign_in(client, care_manager)  # past the second factor
    return client
