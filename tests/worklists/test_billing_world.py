"""The contact and billing tests' world (builders only, no tests here).

Riverbend Care Management: Pat (program administrator), Sam (supervisor), Alice (care manager),
Nina (nurse).  Northside Community Care: Bob (care manager), Paula (program administrator).
Members are built with their enrollment history (``EnrollmentTransition`` rows at given times),
on Alice's care team; contacts and outreach attempts are written as they happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.accounts.helpers import sign_in
from tests.personas import put_on_care_team, stored, viewer_of
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment, EnrollmentTransition, OutreachAttempt
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile
from wraparound.worklists.models import Contact, ContactService

PEOPLE = (
    ("pat", "Pat", "Quinn", "agency", Role.PROGRAM_ADMINISTRATOR),
    ("sam", "Sam", "Stone", "agency", Role.SUPERVISOR),
    ("alice", "Alice", "Carter", "agency", Role.CARE_MANAGER),
    ("nina", "Nina", "Park", "agency", Role.NURSE),
    ("bob", "Bob", "Olsen", "other", Role.CARE_MANAGER),
    ("paula", "Paula", "Reyes", "other", Role.PROGRAM_ADMINISTRATOR),
)
MARCH = dt.date(2026, 3, 1)


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A time in the organization's time zone (months are counted there)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


@dataclass
class World:
    agency: CareOrganization
    other: CareOrganization
    users: dict[str, User]
    counter: list[int] = field(default_factory=lambda: [0])

    def viewer(self, name: str) -> Viewer:
        return viewer_of(self.users[name])

    def client(self, name: str) -> Client:
        client = Client()
        sign_in(client, self.users[name])
        return client

    def member(
        self,
        family: str,
        history: list[tuple[str, dt.datetime]],
        *,
        tier: str | None = None,
        agency: CareOrganization | None = None,
        medicaid_id: str = "",
    ) -> Patient:
        """A patient whose enrollment with the agency went through ``history`` (status, since when)."""
        self.counter[0] += 1
        patient: Patient = stored(
            Patient,
            "billing-test",
            f"m{self.counter[0]}-{family.lower()}",
            given_names="Pat",
            family_name=family,
            search_name=f"pat {family.lower()}",
            medicaid_id=medicaid_id or f"MA{self.counter[0]:09d}",
        )
        if tier is not None:
            RiskProfile.objects.create(patient=patient, tier=tier, computed_at=timezone.now())
        organization = agency or self.agency
        enrollment = Enrollment.objects.create(
            patient=patient,
            organization=organization,
            status=history[-1][0],
            care_manager=self.users["alice"] if organization == self.agency else self.users["bob"],
            status_changed_at=history[-1][1],
        )
        previous = ""
        for status, at in history:
            EnrollmentTransition.objects.create(
                enrollment=enrollment, from_status=previous, to_status=status, at=at, by=self.users["sam"]
            )
            previous = status
        put_on_care_team(self.users["alice"] if organization == self.agency else self.users["bob"], patient)
        return patient

    def contact(
        self,
        patient: Patient,
        at: dt.datetime,
        services: tuple[str, ...] = ("care_management",),
        *,
        successful: bool = True,
        mode: str = "phone",
        agency: CareOrganization | None = None,
    ) -> Contact:
        """A contact as it was logged at the time (months locked later do not apply)."""
        contact = Contact.objects.create(
            patient=patient,
            organization=agency or self.agency,
            at=at,
            mode=mode,
            with_whom=Contact.With.PATIENT,
            duration_minutes=20,
            successful=successful,
            by=self.users["alice"],
            recorded_at=at,
        )
        ContactService.objects.bulk_create(ContactService(contact=contact, service=s) for s in services)
        return contact

    def attempt(
        self, patient: Patient, at: dt.datetime, mode: str, outcome: str = "left_message"
    ) -> OutreachAttempt:
        enrollment = Enrollment.objects.get(patient=patient)
        return OutreachAttempt.objects.create(
            enrollment=enrollment, at=at, mode=mode, outcome=outcome, by=self.users["alice"], recorded_at=at
        )


def build_world() -> World:
    agency = CareOrganization.objects.create(
        name="Riverbend Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    other = CareOrganization.objects.create(
        name="Northside Community Care", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    users: dict[str, User] = {}
    for username, first, last, where, role in PEOPLE:
        users[username] = User.objects.create_user(username, first_name=first, last_name=last)
        Membership.objects.create(
            user=users[username], organization=agency if where == "agency" else other, role=role
        )
    return World(agency, other, users)
