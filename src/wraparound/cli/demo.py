"""The demo: organizations, one user per role, and a synthetic population imported the normal way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wraparound.accounts.models import Membership, Role
from wraparound.cli.demo_totp import ensure_demo_totp_device
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
    Role.PRIVACY_OFFICER: "Riverbend Care Management",
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

if TYPE_CHECKING:
    from wraparound.cli.demo_transitions import Added


# Riverbend's other care managers: colleagues who appear in the assignment suggestions and
# lead some teams, but do not sign in (no password).  Username, first name, last name.
DEMO_COLLEAGUES: tuple[tuple[str, str, str], ...] = (
    ("hpark", "Hannah", "Park"),
    ("jwhitaker", "James", "Whitaker"),
)
# How many Riverbend teams each colleague leads, after the demo care manager's DEMO_CASELOAD.
DEMO_COLLEAGUE_CASELOADS: dict[str, int] = {"hpark": 30, "jwhitaker": 45}
# Where Riverbend's care managers work from and in which languages (enrollment.caseload).
DEMO_WORK_FACTS: dict[str, tuple[str, float, float]] = {
    "caremanager": ("en,es", 40.8448, -73.8648),  # Bronx
    "hpark": ("en,ko", 40.7675, -73.8331),  # Flushing, Queens
    "jwhitaker": ("en", 40.6782, -73.9442),  # Brooklyn
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
        ensure_demo_totp_device(user.pk, username)  # MFA is required: demo codes via `wraparound totp`
        users.append(DemoUser(username=username, role=str(label), organization=organization.name))
    _ensure_demo_colleagues(organizations[ROLE_HOMES[Role.CARE_MANAGER]])
    return users


def _ensure_demo_colleagues(agency: CareOrganization) -> None:
    """The agency's other care managers, and every care manager's languages and base; idempotent."""
    user_model = get_user_model()
    for username, first, last in DEMO_COLLEAGUES:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(user=user, organization=agency, role=Role.CARE_MANAGER)
    for username, (languages, latitude, longitude) in DEMO_WORK_FACTS.items():
        Membership.objects.filter(
            user__username=username, organization=agency, role=Role.CARE_MANAGER
        ).update(languages=languages, base_latitude=latitude, base_longitude=longitude)


def population_is_loaded() -> bool:
    return Patient.objects.exists()


def load_population(
    folder: Path, members: int, seed: int, as_of: dt.date, on_unit: Callable[[UnitResult], None] | None = None
) -> ImportReport:
    """Generate the synthetic population into ``folder`` and import it through the normal import path."""
    from wraparound.synth.writer import generate_population

    generate_population(folder, members=members, seed=seed, as_of=as_of, progress=on_unit is None)
    return Importer(source=DEMO_SOURCE, on_unit=on_unit).run([folder])


DEMO_CASELOAD = 80  # patients the demo care manager leads (UI.md: care managers carry 50-80)


@transaction.atomic
def ensure_demo_caseloads() -> int:
    """Give the demo users their patients: enrollments, care teams, a few referrals; idempotent.

    Patients in name order: seven in ten are enrolled with Riverbend, the rest with
    Northside.  The demo care manager leads Riverbend's first DEMO_CASELOAD teams, with the
    nurse, the coordinator and (every other patient) the behavioral health specialist and the
    psychiatric consultant; the PCP is on every Riverbend team; the colleagues
    (DEMO_COLLEAGUES) lead the next Riverbend teams, and one in ten of the rest waits,
    identified, for a supervisor to assign it (with suggestions); Northside's peer specialist
    and social worker share its teams; Good Harvest Food Bank has referrals for ten patients.
    Returns the number of patients newly linked.
    """
    from wraparound.careplans.actions import do_add_care_team_member
    from wraparound.careplans.models import CareTeam, CareTeamMember
    from wraparound.referrals.models import Referral

    users = {role: get_user_model().objects.get(username=demo_username(role)) for role, _ in Role.choices}
    colleagues = {
        user.username: user for user in get_user_model().objects.filter(username__in=DEMO_COLLEAGUE_CASELOADS)
    }
    organizations = {org.name: org for org in CareOrganization.objects.all()}
    riverbend = organizations["Riverbend Care Management"]
    northside = organizations["Northside Community Care Partners"]
    linked = {pk for pk in CareTeam.objects.values_list("patient_id", flat=True)}
    patients = list(Patient.objects.order_by("search_name", "pk").only("pk"))
    added = 0
    riverbend_count = 0
    for position, patient in enumerate(patients):
        if patient.pk in linked:
            continue
        agency = riverbend if position % 10 < 7 else northside
        lead = users[Role.CARE_MANAGER] if agency == riverbend and riverbend_count < DEMO_CASELOAD else None
        colleague = _demo_colleague(riverbend_count, colleagues) if agency == riverbend else None
        waiting = agency == riverbend and lead is None and colleague is None and riverbend_count % 10 == 0
        since = _demo_enrollment(
            patient,
            agency,
            lead or colleague,
            users[Role.SUPERVISOR],
            position,
            status="identified" if waiting else None,
        )
        if colleague is not None:
            do_add_care_team_member(
                patient=patient,
                organization=agency,
                user_id=colleague.pk,
                role=CareTeamMember.Role.LEAD_CARE_MANAGER,
                start=since,
            )
        roles: list[tuple[str, str]] = []
        if agency == riverbend:
            if riverbend_count < DEMO_CASELOAD:
                roles += [
                    (Role.CARE_MANAGER, CareTeamMember.Role.LEAD_CARE_MANAGER),
                    (Role.NURSE, CareTeamMember.Role.NURSE),
                    (Role.CARE_COORDINATOR, CareTeamMember.Role.COMMUNITY_HEALTH_WORKER),
                ]
                if riverbend_count % 2 == 0:
                    roles += [
                        (Role.BEHAVIORAL_HEALTH, CareTeamMember.Role.BEHAVIORAL_HEALTH),
                        (Role.PSYCHIATRIC_CONSULTANT, CareTeamMember.Role.PSYCHIATRIC_CONSULTANT),
                    ]
                if riverbend_count % 4 == 0:
                    roles.append((Role.PHARMACIST, CareTeamMember.Role.PHARMACIST))
            roles.append((Role.PRIMARY_CARE_PROVIDER, CareTeamMember.Role.PRIMARY_CARE_PROVIDER))
            riverbend_count += 1
        else:
            roles += [
                (Role.PEER_SPECIALIST, CareTeamMember.Role.PEER_SPECIALIST),
                (Role.SOCIAL_WORKER, CareTeamMember.Role.SOCIAL_WORKER),
            ]
        for user_role, team_role in roles:
            user = users[user_role]
            home = organizations[ROLE_HOMES[user_role]]
            do_add_care_team_member(
                patient=patient,
                organization=agency if team_role != CareTeamMember.Role.PRIMARY_CARE_PROVIDER else home,
                user_id=user.pk,
                role=team_role,
                start=since,
            )
        if position % 50 == 0:
            Referral.objects.create(
                patient=patient,
                referring_organization=agency,
                receiving_organization=organizations["Good Harvest Food Bank"],
                need="Food insecurity",
                shared_categories=["social_needs"],
            )
        added += 1
    return added


def _demo_colleague(riverbend_count: int, colleagues: dict[str, Any]) -> Any:
    """Which colleague leads the Riverbend team at this count (after the demo care manager's)."""
    start = DEMO_CASELOAD
    for username, caseload in DEMO_COLLEAGUE_CASELOADS.items():
        if start <= riverbend_count < start + caseload:
            return colleagues.get(username)
        start += caseload
    return None


# Where the demo's pipeline stands: most enrolled, some in outreach, a few just assigned.
DEMO_PIPELINE = ("enrolled",) * 14 + ("outreach",) * 4 + ("assigned",)
# Days from identification to each step: assigned, outreach starts the next day (billing counts an
# assigned member as in outreach, so a long wait would leave months without attempts), enrolled.
DEMO_STEP_DAYS = (0, 4, 5, 11)


def _demo_enrollment(
    patient: Patient,
    agency: CareOrganization,
    lead: Any,
    supervisor: Any,
    position: int,
    status: str | None = None,
) -> dt.date:
    """An enrollment with a believable history: identified weeks ago, then each step a few days apart.

    Returns the day the care team formed (the assignment, or the identification if not assigned yet).
    """
    from wraparound.enrollment.models import Enrollment, EnrollmentTransition

    status = status or DEMO_PIPELINE[position % len(DEMO_PIPELINE)]
    path = ["identified", "assigned", "outreach", "enrolled"]
    steps = path[: path.index(status) + 1]
    start = timezone.now() - dt.timedelta(days=20 + (position * 37) % 70)  # 70 different days
    moments = [start + dt.timedelta(days=DEMO_STEP_DAYS[n], hours=position % 9) for n in range(len(steps))]
    enrollment = Enrollment.objects.create(
        patient=patient,
        organization=agency,
        status=status,
        care_manager=lead,
        started_on=timezone.localdate(moments[-1]) if status == "enrolled" else None,
        status_changed_at=moments[-1],
    )
    EnrollmentTransition.objects.bulk_create(
        EnrollmentTransition(
            enrollment=enrollment,
            from_status=steps[n - 1] if n else "",
            to_status=step,
            at=moments[n],
            by=lead if lead is not None and step != "assigned" and n else supervisor,
        )
        for n, step in enumerate(steps)
    )
    return timezone.localdate(moments[min(1, len(moments) - 1)])


def ensure_demo_transitions() -> Added:
    """The demo hospital's ADT traffic about Riverbend's members (``cli.demo_transitions``); idempotent."""
    from wraparound.cli.demo_transitions import ensure_demo_transitions as send

    agency = CareOrganization.objects.get(name=ROLE_HOMES[Role.CARE_MANAGER])
    return send(agency, care_manager_username=demo_username(Role.CARE_MANAGER))


def ensure_demo_workspace() -> int:
    """Care plans, tasks, alerts, contacts and outreach attempts at Riverbend (``cli.demo_workspace``).

    Idempotent; returns how many things it added (0 on a second run).
    """
    from wraparound.cli.demo_workspace import ensure_demo_workspace as build

    agency = CareOrganization.objects.get(name=ROLE_HOMES[Role.CARE_MANAGER])
    coordinator = get_user_model().objects.get(username=demo_username(Role.CARE_COORDINATOR))
    return build(agency, coordinator=coordinator).total()
