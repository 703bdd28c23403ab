"""The audit tests' helpers: a chain to tamper with, an attacker who drops the triggers, personas."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import translation

from tests.accounts.helpers import sign_in as verified_sign_in
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action, AuditEvent
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient

RECEIVED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


# ---- The chain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What ``wraparound audit verify`` said, and its exit code."""

    returncode: int
    output: str


def verify(batch_size: int = 4) -> Outcome:
    """Run ``wraparound audit verify`` (small batches, so that tampering lands at a batch edge too)."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--batch-size", str(batch_size), stdout=out)
    except CommandError as error:
        return Outcome(error.returncode, str(error))
    return Outcome(0, out.getvalue())


def drop_triggers() -> None:
    """An attacker with the table owner's rights removes the append-only triggers (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_refuse_update")
            cursor.execute("DROP TRIGGER audit_event_refuse_delete")


def write_rows(count: int) -> list[AuditEvent]:
    """``count`` rows from a care manager viewing a patient, one ``record`` each."""
    actor = Actor(
        user_id=7,
        username="alice",
        organization_id=3,
        role="care_manager",
        ip_address="10.0.0.7",
        user_agent="Firefox",
        request_id="req-0001",
    )
    events: list[AuditEvent] = []
    for number in range(count):
        events += record(
            actor,
            Action.VIEW,
            patient_ids=[Patient.identity("test", f"p{number}")],
            resource_type="Patient",
            resource_id=f"p{number}",
            detail={"number": number},
        )
    return events


def stored_values(row_id: int) -> dict[str, Any]:
    values = AuditEvent.objects.filter(pk=row_id).values().first()
    assert values is not None
    return values


# ---- Personas for the screens ----------------------------------------------------------------


def stored_patient(source_id: str, given: str, family: str, medicaid_id: str) -> Patient:
    return Patient.objects.create(
        id=Patient.identity("test", source_id),
        source="test",
        source_id=source_id,
        resource={"resourceType": "Patient", "id": source_id},
        content_hash=hashlib.md5(source_id.encode(), usedforsecurity=False).hexdigest(),
        received_at=RECEIVED,
        updated_at=RECEIVED,
        given_names=given,
        family_name=family,
        search_name=f"{given} {family}".lower(),
        medicaid_id=medicaid_id,
    )


def sign_in(client: Client, user: User) -> Client:
    """A signed-in session past the second factor."""
    verified_sign_in(client, user)
    return client


@dataclass
class Agencies:
    riverbend: CareOrganization
    northside: CareOrganization
    maria: Patient  # enrolled with Riverbend
    oscar: Patient  # enrolled with Northside
    users: dict[str, User]
    memberships: dict[str, Membership]

    def actor(self, name: str) -> Actor:
        membership = self.memberships[name]
        return Actor(
            user_id=membership.user_id,
            username=name,
            organization_id=membership.organization_id,
            role=membership.role,
            ip_address="192.0.2.10",
        )

    def client(self, name: str) -> Client:
        return sign_in(Client(), self.users[name])


@pytest.fixture
def agencies(db: None) -> Agencies:
    """Pat, Riverbend's privacy officer; Alice, a Riverbend care manager; Bob and Paula at Northside."""
    riverbend = CareOrganization.objects.create(
        name="Riverbend Care Management", kind="care_management_agency"
    )
    northside = CareOrganization.objects.create(
        name="Northside Community Care", kind="care_management_agency"
    )
    people = {
        "pat": (riverbend, Role.PRIVACY_OFFICER),
        "alice": (riverbend, Role.CARE_MANAGER),
        "sysadmin": (riverbend, Role.SYSTEM_ADMINISTRATOR),
        "bob": (northside, Role.CARE_MANAGER),
        "paula": (northside, Role.PRIVACY_OFFICER),
    }
    users: dict[str, User] = {}
    memberships: dict[str, Membership] = {}
    for name, (organization, role) in people.items():
        users[name] = User.objects.create_user(name, first_name=name.title())  # signed in without a password
        memberships[name] = Membership.objects.create(user=users[name], organization=organization, role=role)
    maria = stored_patient("maria", "Maria", "Garcia", "MA100234567")
    oscar = stored_patient("oscar", "Oscar", "Lindqvist", "MA555000111")
    Enrollment.objects.create(patient=maria, organization=riverbend, status=Enrollment.Status.ENROLLED)
    Enrollment.objects.create(patient=oscar, organization=northside, status=Enrollment.Status.ENROLLED)
    return Agencies(riverbend, northside, maria, oscar, users, memberships)
