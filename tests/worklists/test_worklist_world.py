"""The worklist tests' world (builders only, no tests here).

Riverbend Care Management: Sam (supervisor), Alice and Carol (care managers), Nina (nurse).
Northside Community Care: Bob (care manager) and Sue (supervisor).  Patients are built on
demand, on Alice's caseload unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from tests.personas import put_on_care_team, stored, viewer_of
from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor
from wraparound.careplans.models import CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.models import Alert, Task

PEOPLE = (
    ("sam", "Sam", "Stone", "agency", Role.SUPERVISOR),
    ("alice", "Alice", "Carter", "agency", Role.CARE_MANAGER),
    ("carol", "Carol", "Diaz", "agency", Role.CARE_MANAGER),
    ("nina", "Nina", "Park", "agency", Role.NURSE),
    ("bob", "Bob", "Olsen", "other", Role.CARE_MANAGER),
    ("sue", "Sue", "Vance", "other", Role.SUPERVISOR),
)


@dataclass
class World:
    agency: CareOrganization
    other: CareOrganization
    users: dict[str, User]
    counter: list[int] = field(default_factory=lambda: [0])

    def viewer(self, name: str) -> Viewer:
        return viewer_of(self.users[name])

    def patient(
        self,
        family: str,
        *,
        tier: str | None = None,
        care_manager: str | None = "alice",
        on_team: tuple[tuple[str, str], ...] = (),
        enrollment_status: str = Enrollment.Status.ENROLLED,
    ) -> Patient:
        """A patient of Riverbend; ``care_manager`` leads the team and carries the enrollment."""
        self.counter[0] += 1
        patient: Patient = stored(
            Patient,
            "worklist-test",
            f"p{self.counter[0]}-{family.lower()}",
            given_names="Pat",
            family_name=family,
            search_name=f"pat {family.lower()}",
        )
        if tier is not None:
            RiskProfile.objects.create(patient=patient, tier=tier, computed_at=timezone.now())
        if care_manager is not None:
            Enrollment.objects.create(
                patient=patient,
                organization=self.agency,
                status=enrollment_status,
                care_manager=self.users[care_manager],
                status_changed_at=timezone.now(),
            )
            put_on_care_team(self.users[care_manager], patient)
        for name, role in on_team:
            put_on_care_team(self.users[name], patient, role)
        return patient

    def task(self, patient: Patient, title: str = "Call", **fields: Any) -> Task:
        fields.setdefault("assignee_id", self.users["alice"].pk)
        return do_create_task(
            Actor.system("test"), patient=patient, organization=self.agency, title=title, **fields
        )

    def alert(self, patient: Patient, title: str = "Admitted", *, hours_ago: int = 1) -> Alert:
        now = timezone.now()
        return Alert.objects.create(
            patient=patient,
            organization=self.agency,
            kind=Alert.Kind.ADMISSION,
            title=title,
            occurred_at=now - dt.timedelta(hours=hours_ago),
            created_at=now,
        )


def build_world() -> World:
    agency = CareOrganization.objects.create(
        name="Riverbend Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    other = CareOrganization.objects.create(
        name="Northside Community Care", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    users = {}
    for username, first, last, where, role in PEOPLE:
        users[username] = User.objects.create_user(username, first_name=first, last_name=last)
        Membership.objects.create(
            user=users[username], organization=agency if where == "agency" else other, role=role
        )
    return World(agency, other, users)


def days(count: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=count)


NURSE = CareTeamMember.Role.NURSE
