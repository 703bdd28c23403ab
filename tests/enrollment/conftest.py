"""The enrollment tests' world: an agency with a supervisor and a care manager, another agency, a patient."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from tests.personas import stored, viewer_of
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient


@dataclass
class Pipeline:
    agency: CareOrganization
    other: CareOrganization
    patient: Patient
    users: dict[str, User]

    def viewer(self, name: str) -> Viewer:
        return viewer_of(self.users[name])


@pytest.fixture
def pipeline(db: None) -> Pipeline:
    agency = CareOrganization.objects.create(name="Riverbend Care Management", kind="care_management_agency")
    other = CareOrganization.objects.create(name="Northside Community Care", kind="care_management_agency")
    users = {}
    for name, organization, role in (
        ("sam", agency, Role.SUPERVISOR),
        ("alice", agency, Role.CARE_MANAGER),
        ("bob", other, Role.CARE_MANAGER),
        ("sue", other, Role.SUPERVISOR),
    ):
        users[name] = User.objects.create_user(name)
        Membership.objects.create(user=users[name], organization=organization, role=role)
    patient = stored(
        Patient, "test", "maria", given_names="Maria", family_name="Garcia", search_name="maria garcia"
    )
    return Pipeline(agency, other, patient, users)
