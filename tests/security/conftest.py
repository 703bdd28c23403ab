"""Personas of the security tests (CONVENTIONS.md: alice on the team, bob from another agency...)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.personas import RECEIVED, put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.careplans.models import CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Condition, Encounter, Patient


def sign_in(client: Client, user: User) -> Client:
    """A signed-in session that has passed the second factor (tests/accounts/helpers.py)."""
    from tests.accounts.helpers import sign_in as verified_sign_in

    verified_sign_in(client, user)
    return client


@dataclass
class World:
    riverbend: CareOrganization
    northside: CareOrganization
    food_bank: CareOrganization
    patient: Patient
    other_patient: Patient
    users: dict[str, User]

    def client(self, name: str) -> Client:
        return sign_in(Client(), self.users[name])


def _user(name: str, organization: CareOrganization, role: str) -> User:
    user = User.objects.create_user(
        name, first_name=name.title()
    )  # no password: no hashing, tests sign in directly
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    riverbend = CareOrganization.objects.create(
        name="Riverbend Care Management", kind="care_management_agency"
    )
    northside = CareOrganization.objects.create(
        name="Northside Community Care", kind="care_management_agency"
    )
    food_bank = CareOrganization.objects.create(name="Good Harvest Food Bank", kind="community_organization")
    users = {
        "alice": _user("alice", riverbend, Role.CARE_MANAGER),  # the lead care manager
        "nina": _user("nina", riverbend, Role.NURSE),  # the covering nurse, on the team
        "rita": _user("rita", riverbend, Role.NURSE),  # a nurse of the same agency, not on the team
        "bob": _user("bob", northside, Role.CARE_MANAGER),  # a care manager from another agency
        "sam": _user("sam", riverbend, Role.SUPERVISOR),  # supervisor of the serving agency
        "sue": _user("sue", northside, Role.SUPERVISOR),  # supervisor of another agency
        "grace": _user("grace", food_bank, Role.COMMUNITY_ORGANIZATION_STAFF),
        "andy": _user("andy", riverbend, Role.ANALYST),
        "eve": _user("eve", northside, Role.NURSE),  # will break the glass
    }
    patient = stored(
        Patient,
        "test",
        "maria",
        given_names="Maria",
        family_name="Garcia",
        search_name="maria garcia",
        birth_date=dt.date(1968, 3, 14),
        medicaid_id="MA100234567",
    )
    other = stored(
        Patient,
        "test",
        "oscar",
        given_names="Oscar",
        family_name="Lindqvist",
        search_name="oscar lindqvist",
        birth_date=dt.date(1950, 1, 2),
        medicaid_id="MA555000111",
    )
    Enrollment.objects.create(patient=patient, organization=riverbend, status=Enrollment.Status.ENROLLED)
    Enrollment.objects.create(patient=other, organization=northside, status=Enrollment.Status.ENROLLED)
    put_on_care_team(users["alice"], patient)
    put_on_care_team(users["nina"], patient, CareTeamMember.Role.NURSE)
    put_on_care_team(users["bob"], other)
    stored(
        Condition,
        "test",
        "maria-diabetes",
        patient=patient,
        display="Diabetes mellitus type 2",
        status="active",
    )
    stored(Encounter, "test", "maria-visit", patient=patient, display="General examination", start=RECEIVED)
    return World(riverbend, northside, food_bank, patient, other, users)
