"""The demo: organizations, one user per role, and a synthetic population imported the normal way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.ingest.pipeline import Importer, ImportReport, UnitResult
from wraparound.registry.models import Patient

DEMO_PASSWORD = "wraparound-demo"
DEMO_SOURCE = "synth"

Kind = CareOrganization.Kind
DEMO_ORGANIZATIONS: tuple[tuple[str, str, str | None], ...] = (
    ("Hudson Valley Health Home", Kind.HEALTH_HOME_LEAD, None),
    ("Riverbend Care Management", Kind.CARE_MANAGEMENT_AGENCY, "Hudson Valley Health Home"),
    ("Northside Community Care Partners", Kind.CARE_MANAGEMENT_AGENCY, "Hudson Valley Health Home"),
    ("Maple Street Family Medicine", Kind.PRIMARY_CARE, None),
    ("St. Brigid Regional Hospital", Kind.HOSPITAL, None),
    ("Good Harvest Food Bank", Kind.COMMUNITY_BASED, None),
    ("Safe Harbor Housing Coalition", Kind.COMMUNITY_BASED, None),
)

# Which demo organization each role works for.
ROLE_HOMES: dict[str, str] = {
    Role.CARE_MANAGER: "Riverbend Care Management",
    Role.CARE_COORDINATOR: "Riverbend Care Management",
    Role.NURSE: "Riverbend Care Management",
    Role.BEHAVIORAL_HEALTH: "Riverbend Care Management",
    Role.PSYCHIATRIC_CONSULTANT: "Hudson Valley Health Home",
    Role.PEER_SPECIALIST: "Northside Community Care Partners",
    Role.SOCIAL_WORKER: "Northside Community Care Partners",
    Role.PHARMACIST: "Hudson Valley Health Home",
    Role.PRIMARY_CARE_PROVIDER: "Maple Street Family Medicine",
    Role.SUPERVISOR: "Riverbend Care Management",
    Role.PROGRAM_ADMINISTRATOR: "Hudson Valley Health Home",
    Role.PRIVACY_OFFICER: "Hudson Valley Health Home",
    Role.ANALYST: "Hudson Valley Health Home",
    Role.COMMUNITY_ORGANIZATION_STAFF: "Good Harvest Food Bank",
    Role.SYSTEM_ADMINISTRATOR: "Hudson Valley Health Home",
}

DEMO_NAMES: dict[str, tuple[str, str]] = {
    Role.CARE_MANAGER: ("Carmen", "Reyes"),
    Role.CARE_COORDINATOR: ("Darnell", "Brooks"),
    Role.NURSE: ("Priya", "Natarajan"),
    Role.BEHAVIORAL_HEALTH: ("Elena", "Morales"),
    Role.PSYCHIATRIC_CONSULTANT: ("Samuel", "Okafor"),
    Role.PEER_SPECIALIST: ("Tasha", "Green"),
    Role.SOCIAL_WORKER: ("Miguel", "Herrera"),
    Role.PHARMACIST: ("Linh", "Tran"),
    Role.PRIMARY_CARE_PROVIDER: ("Rebecca", "Stein"),
    Role.SUPERVISOR: ("Angela", "Price"),
    Role.PROGRAM_ADMINISTRATOR: ("Kevin", "O'Brien"),
    Role.PRIVACY_OFFICER: ("Ruth", "Adler"),
    Role.ANALYST: ("Jamal", "Carter"),
    Role.COMMUNITY_ORGANIZATION_STAFF: ("Grace", "Kim"),
    Role.SYSTEM_ADMINISTRATOR: ("Omar", "Haddad"),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organization: str


DEMO_USERNAMES: dict[str, str] = {
    Role.CARE_MANAGER: "caremanager",
    Role.CARE_COORDINATOR: "coordinator",
    Role.NURSE: "nurse",
    Role.BEHAVIORAL_HEALTH: "behavioral",
    Role.PSYCHIATRIC_CONSULTANT: "psychiatrist",
    Role.PEER_SPECIALIST: "peer",
    Role.SOCIAL_WORKER: "socialworker",
    Role.PHARMACIST: "pharmacist",
    Role.PRIMARY_CARE_PROVIDER: "pcp",
    Role.SUPERVISOR: "supervisor",
    Role.PROGRAM_ADMINISTRATOR: "programadmin",
    Role.PRIVACY_OFFICER: "privacy",
    Role.ANALYST: "analyst",
    Role.COMMUNITY_ORGANIZATION_STAFF: "cbo",
    Role.SYSTEM_ADMINISTRATOR: "sysadmin",
}


def demo_username(role: str) -> str:
    return DEMO_USERNAMES[role]


@transaction.atomic
def ensure_demo_organizations_and_users() -> list[DemoUser]:
    """Create (or keep) the demo organizations and one user per role; idempotent."""
    organizations: dict[str, CareOrganization] = {}
    for name, kind, parent in DEMO_ORGANIZATIONS:
        organizations[name], _ = CareOrganization.objects.update_or_create(
            name=name, defaults={"kind": kind, "parent": organizations.get(parent) if parent else None}
        )
    user_model = get_user_model()
    users = []
    for role, label in Role.choices:
        username = demo_username(role)
        first, last = DEMO_NAMES[role]
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.SYSTEM_ADMINISTRATOR
            user.save()
        organization = organizations[ROLE_HOMES[role]]
        Membership.objects.get_or_create(user=user, organization=organization, role=role)
        users.append(DemoUser(username=username, role=str(label), organization=organization.name))
    return users


def population_is_loaded() -> bool:
    return Patient.objects.exists()


def load_population(
    folder: Path, members: int, seed: int, as_of: dt.date, on_unit: Callable[[UnitResult], None] | None = None
) -> ImportReport:
    """Generate the synthetic population into ``folder`` and import it through the normal import path."""
    from wraparound.synth.writer import generate_population

    generate_population(folder, members=members, seed=seed, as_of=as_of, progress=on_unit is None)
    return Importer(source=DEMO_SOURCE, on_unit=on_unit).run([folder])
