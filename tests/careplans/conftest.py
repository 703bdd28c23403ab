"""The care-plan tests' world: Riverbend (a supervisor, two care managers, a nurse), Northside, an enrolled patient.

Alice leads Maria Garcia's care team; Carl, a care manager of the same agency, is on
the team too; Nina, a nurse, is on the team in a role that does not edit; Bob works
for another agency.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.personas import stored, viewer_of
from wraparound.accounts.models import Membership, Role
from wraparound.careplans.actions import do_add_care_team_member
from wraparound.careplans.models import CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient


@dataclass
class World:
    agency: CareOrganization
    other: CareOrganization
    patient: Patient
    enrollment: Enrollment
    users: dict[str, User]

    def viewer(self, name: str) -> Viewer:
        return viewer_of(self.users[name])


@pytest.fixture
def world(db: None) -> World:
    agency = CareOrganization.objects.create(name="Riverbend Care Management", kind="care_management_agency")
    other = CareOrganization.objects.create(name="Northside Community Care", kind="care_management_agency")
    users: dict[str, User] = {}
    for name, first, last, organization, role in (
        ("sam", "Sam", "Ortiz", agency, Role.SUPERVISOR),
        ("alice", "Alice", "Carter", agency, Role.CARE_MANAGER),
        ("carl", "Carl", "Nguyen", agency, Role.CARE_MANAGER),
        ("nina", "Nina", "Park", agency, Role.NURSE),
        ("bob", "Bob", "Stone", other, Role.CARE_MANAGER),
    ):
        users[name] = User.objects.create_user(name, first_name=first, last_name=last)
        Membership.objects.create(user=users[name], organization=organization, role=role)
    patient = stored(
        Patient,
        "test",
        "maria",
        given_names="Maria",
        family_name="Garcia",
        search_name="maria garcia",
        language_code="es",
        language="Spanish",
    )
    enrollment = Enrollment.objects.create(
        patient=patient,
        organization=agency,
        status=Enrollment.Status.ENROLLED,
        care_manager=users["alice"],
        started_on=timezone.localdate(),
        status_changed_at=timezone.now(),
    )
    for name, role in (
        ("alice", CareTeamMember.Role.LEAD_CARE_MANAGER),
        ("carl", CareTeamMember.Role.CARE_MANAGER),
        ("nina", CareTeamMember.Role.NURSE),
    ):
        do_add_care_team_member(patient=patient, organization=agency, user_id=users[name].pk, role=role)
    return World(agency, other, patient, enrollment, users)
