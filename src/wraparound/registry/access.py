"""Who may see whom: the one place that decides, and audits, every read of a person's record.

A user may open a patient's record when (docs/security.md):

a. they are on the patient's active care team;
b. they supervise or administer (role) an organization that currently serves
   the patient: an enrollment in a serving state, or the care team's
   organization, or a member of the team from that organization;
c. a consent in force names them, or their organization (and role);
d. they broke the glass for this patient: a stated reason, a time limit;
e. community-organization staff: an open referral to their organization
   shares the record, and only the categories it names.

Analysts see aggregate, de-identified data only.  Organizations are tenants:
lists are filtered in the query (``patient_scope``), so nothing of another
agency's patients shows, not even a count.

Records that came from a 42 CFR Part 2 program and are coded as substance
use disorder (``is_sud``) are segmented: only users in that program, or
covered by a consent in force that includes SUD data, see them; everyone
else sees a neutral "some records are restricted" marker (``PatientAccess``).

Every decision writes an audit row: VIEW (one per patient a list shows) or
ACCESS_DENIED.  Views, APIs and exports take what they show from
``PatientAccess.records``, never from the models directly.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wraparound.accounts.models import BreakGlassGrant, Membership, Role
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.careplans.models import CareTeam, CareTeamMember
from wraparound.consent.models import Category, Consent, Part2Program
from wraparound.enrollment.models import Enrollment
from wraparound.referrals.models import Referral
from wraparound.registry.models import Patient, PatientResource

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

Record = TypeVar("Record", bound=PatientResource)

OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})
# Roles that never open an identifiable record through a relationship of their own.
NO_RECORD_ROLES = frozenset({Role.ANALYST, Role.SYSTEM_ADMINISTRATOR, Role.PRIVACY_OFFICER})
# Who may break the glass: the people who treat and coordinate care.
BREAK_GLASS_ROLES = frozenset(
    {
        Role.CARE_MANAGER,
        Role.CARE_COORDINATOR,
        Role.NURSE,
        Role.BEHAVIORAL_HEALTH,
        Role.PSYCHIATRIC_CONSULTANT,
        Role.PEER_SPECIALIST,
        Role.SOCIAL_WORKER,
        Role.PHARMACIST,
        Role.PRIMARY_CARE_PROVIDER,
        Role.SUPERVISOR,
    }
)
CARE_SCOPES = (Consent.Scope.TREATMENT, Consent.Scope.CARE_COORDINATION)
ALL_CATEGORIES = frozenset(c.value for c in Category if c != Category.SUD)
REFERRAL_BASE_CATEGORIES = frozenset({Category.DEMOGRAPHICS.value})


CATEGORY_OF_TYPE = {
    "Condition": Category.CONDITIONS,
    "Procedure": Category.CONDITIONS,
    "AllergyIntolerance": Category.CONDITIONS,
    "Encounter": Category.ENCOUNTERS,
    "Observation": Category.OBSERVATIONS,
    "MedicationRequest": Category.MEDICATIONS,
    "Immunization": Category.MEDICATIONS,
    "Coverage": Category.DEMOGRAPHICS,
}


def category_of(model: type[PatientResource]) -> str:
    """The consent category a kind of record belongs to (an unknown kind: its own name, never shared)."""
    return str(CATEGORY_OF_TYPE.get(getattr(model, "FHIR_TYPE", ""), model.__name__))


class Basis(enum.StrEnum):
    CARE_TEAM = "care_team"
    OVERSIGHT = "oversight"
    CONSENT = "consent"
    BREAK_GLASS = "break_glass"
    REFERRAL = "referral"
    UNRESTRICTED = "unrestricted"  # AUTHORIZATION_ENABLED off (benchmarks only)


@dataclass(frozen=True)
class Viewer:
    """Who reads: the user, the membership they act in, and how to audit them."""

    user: AbstractBaseUser | AnonymousUser
    acting: Membership | None
    actor: Actor

    @classmethod
    def from_request(cls, request: HttpRequest) -> Viewer:
        return cls(request.user, getattr(request, "acting", None), Actor.from_request(request))

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user.is_authenticated else None

    @property
    def role(self) -> str:
        return self.acting.role if self.acting is not None else ""

    @property
    def organization_id(self) -> int | None:
        return self.acting.organization_id if self.acting is not None else None


@dataclass(frozen=True)
class PatientAccess:
    """A granted look at one patient's record: what may be shown, and why it may."""

    patient: Patient
    viewer: Viewer
    basis: Basis
    categories: frozenset[str]
    sees_sud: bool
    break_glass: BreakGlassGrant | None = None
    _part2_sources: tuple[str, ...] = field(default=(), repr=False)

    def shows(self, category: Category | str) -> bool:
        return str(category) in self.categories

    def records(self, model: type[Record]) -> QuerySet[Record]:
        """The patient's records of one kind that this viewer may see.

        None when the access does not cover the kind's category (a referral shares only
        some); Part 2 records withheld unless the viewer may see them.
        """
        if not self.shows(category_of(model)):
            return model._default_manager.none()
        rows = model._default_manager.filter(patient=self.patient)
        if not self.sees_sud and self._part2_sources:
            rows = rows.exclude(is_sud=True, source__in=self._part2_sources)
        return rows

    def restricted(self, model: type[PatientResource]) -> bool:
        """Whether records of this kind exist that this viewer may not see (the neutral marker)."""
        if self.sees_sud or not self._part2_sources:
            return False
        return (
            model._default_manager.filter(patient=self.patient, is_sud=True, source__in=self._part2_sources)
            .only("pk")
            .exists()
        )


def _require_signed_in(user: AbstractBaseUser | AnonymousUser) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to see patient records.")


def _today() -> dt.date:
    return timezone.localdate()


# --- relationships, as query filters over Patient ------------------------------------


def _current_members(today: dt.date, **who: Any) -> QuerySet[CareTeamMember]:
    """Current members of active care teams matching ``who``."""
    return CareTeamMember.objects.filter(
        care_team__status=CareTeam.Status.ACTIVE, start__lte=today, **who
    ).filter(Q(end__isnull=True) | Q(end__gte=today))


def _current_team_members(today: dt.date, **who: int) -> Q:
    """Patients with a current member of their active care team matching ``who``."""
    return Q(Exists(_current_members(today, care_team__patient=OuterRef("pk"), **who)))


def _on_care_team(user_id: int, today: dt.date) -> Q:
    return _current_team_members(today, user_id=user_id)


def _served_by(organization_id: int, today: dt.date) -> Q:
    enrolled = Enrollment.objects.filter(
        patient=OuterRef("pk"), organization_id=organization_id, status__in=Enrollment.SERVING
    )
    team = CareTeam.objects.filter(
        patient=OuterRef("pk"), status=CareTeam.Status.ACTIVE, organization_id=organization_id
    )
    return (
        Q(Exists(enrolled)) | Q(Exists(team)) | _current_team_members(today, organization_id=organization_id)
    )


def _consents_for(viewer: Viewer, today: dt.date) -> QuerySet[Consent]:
    """Consents in force whose grantee is this viewer (person, or organization and role)."""
    grantee = Q(grantee_user_id=viewer.user_id)
    if viewer.acting is not None:
        grantee |= Q(grantee_organization_id=viewer.organization_id, grantee_user__isnull=True) & (
            Q(grantee_role="") | Q(grantee_role=viewer.role)
        )
    return Consent.objects.filter(
        grantee, status=Consent.Status.ACTIVE, period_start__lte=today, scope__in=CARE_SCOPES
    ).filter(Q(period_end__isnull=True) | Q(period_end__gte=today))


def _consented(viewer: Viewer, today: dt.date) -> Q:
    return Q(Exists(_consents_for(viewer, today).filter(patient=OuterRef("pk"))))


def _broke_glass(user_id: int) -> Q:
    grants = BreakGlassGrant.objects.filter(
        patient=OuterRef("pk"), user_id=user_id, expires_at__gt=timezone.now()
    )
    return Q(Exists(grants))


def _referred_to(organization_id: int) -> Q:
    referrals = Referral.objects.filter(
        patient=OuterRef("pk"), receiving_organization_id=organization_id, status__in=Referral.OPEN
    )
    return Q(Exists(referrals))


def _granted_analyst(viewer: Viewer) -> bool:
    """An analyst whose membership an administrator granted identifiable access."""
    acting = viewer.acting
    return acting is not None and acting.role == Role.ANALYST and acting.grants_identifiable_access


def _teams_count(viewer: Viewer) -> bool:
    """Whether being on a patient's current care team lets this viewer see the patient
    (``patient_scope``'s last branch)."""
    return (
        settings.AUTHORIZATION_ENABLED
        and viewer.user_id is not None
        and viewer.acting is not None
        and not _granted_analyst(viewer)
        and viewer.role not in NO_RECORD_ROLES
        and viewer.role != Role.COMMUNITY_ORGANIZATION_STAFF
    )


def patient_scope(viewer: Viewer) -> Q:
    """The patients this viewer may find in lists and searches, as one filter (tenancy in the query)."""
    if not settings.AUTHORIZATION_ENABLED:
        return Q()
    user_id = viewer.user_id
    if user_id is None or viewer.acting is None:
        return Q(pk__in=[])
    today = _today()
    if _granted_analyst(viewer):
        return _served_by(viewer.acting.organization_id, today)
    if viewer.role in NO_RECORD_ROLES:
        return Q(pk__in=[])
    if viewer.role == Role.COMMUNITY_ORGANIZATION_STAFF:
        return _referred_to(viewer.acting.organization_id)
    assert _teams_count(viewer)
    scope = _on_care_team(user_id, today) | _consented(viewer, today) | _broke_glass(user_id)
    if viewer.role in OVERSIGHT_ROLES:
        scope |= _served_by(viewer.acting.organization_id, today)
    return scope


# --- decisions about one patient ----------------------------------------------------------


def _basis(viewer: Viewer, patient: Patient) -> tuple[Basis, frozenset[str], BreakGlassGrant | None] | None:
    if not settings.AUTHORIZATION_ENABLED:
        return Basis.UNRESTRICTED, ALL_CATEGORIES, None
    user_id = viewer.user_id
    if user_id is None or viewer.acting is None:
        return None
    today = _today()
    one = Patient.objects.filter(pk=patient.pk)
    if _granted_analyst(viewer):
        if one.filter(_served_by(viewer.acting.organization_id, today)).exists():
            return Basis.OVERSIGHT, ALL_CATEGORIES, None
        return None
    if viewer.role in NO_RECORD_ROLES:
        return None
    if viewer.role == Role.COMMUNITY_ORGANIZATION_STAFF:
        referrals = list(
            Referral.objects.filter(
                patient=patient, receiving_organization_id=viewer.organization_id, status__in=Referral.OPEN
            ).values_list("shared_categories", flat=True)
        )
        if not referrals:
            return None
        shared = set(REFERRAL_BASE_CATEGORIES)
        for categories in referrals:
            shared.update(str(c) for c in categories or () if c != Category.SUD)
        return Basis.REFERRAL, frozenset(shared), None
    # The common case first, as a plain lookup (the list filters' correlated form costs more to build).
    if (
        CareTeamMember.objects.filter(
            care_team__patient_id=patient.pk,
            care_team__status=CareTeam.Status.ACTIVE,
            user_id=user_id,
            start__lte=today,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .exists()
    ):
        return Basis.CARE_TEAM, ALL_CATEGORIES, None
    if (
        viewer.role in OVERSIGHT_ROLES
        and one.filter(_served_by(viewer.acting.organization_id, today)).exists()
    ):
        return Basis.OVERSIGHT, ALL_CATEGORIES, None
    if _consents_for(viewer, today).filter(patient=patient).exists():
        return Basis.CONSENT, ALL_CATEGORIES, None
    grant = (
        BreakGlassGrant.objects.filter(patient=patient, user_id=user_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )
    if grant is not None:
        return Basis.BREAK_GLASS, ALL_CATEGORIES, grant
    return None


def part2_programs() -> list[tuple[str, int | None]]:
    """(source, organization id) of every designated Part 2 program: one small query."""
    return list(Part2Program.objects.order_by("source").values_list("source", "organization_id"))


def sees_sud(viewer: Viewer, patient: Patient, basis: Basis, programs: list[tuple[str, int | None]]) -> bool:
    """Whether Part 2 records are shown: inside the program, or a consent in force covers SUD data."""
    if basis == Basis.UNRESTRICTED or not programs:
        return True  # nothing is segmented
    if basis == Basis.REFERRAL or viewer.acting is None:
        return False
    if any(organization_id == viewer.organization_id for _, organization_id in programs):
        return True
    return any(
        Category.SUD in (categories or ())
        for categories in _consents_for(viewer, _today())
        .filter(patient=patient)
        .values_list("categories", flat=True)
    )


def _lookup(patient_id: uuid.UUID | str) -> Patient:
    try:
        return Patient.objects.get(pk=patient_id)
    except (Patient.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("No such patient.") from None


def access_patient(
    viewer: Viewer,
    patient_id: uuid.UUID | str,
    *,
    action: Action = Action.VIEW,
    resource_type: str = "Patient",
    resource_id: str = "",
    detail: dict[str, Any] | None = None,
) -> PatientAccess:
    """The patient's record as this viewer may see it, audited; raises PermissionDenied or Http404.

    A denial writes an ACCESS_DENIED row naming what was asked for.  ``action``
    is what the caller is about to do with the record (view, export, print...).
    """
    _require_signed_in(viewer.user)
    patient = _lookup(patient_id)
    decided = _basis(viewer, patient)
    if decided is None:
        record(
            viewer.actor,
            Action.ACCESS_DENIED,
            patient_ids=[patient.pk],
            resource_type=resource_type,
            resource_id=resource_id or str(patient.pk),
            detail={"wanted": str(action), **(detail or {})},
        )
        raise PermissionDenied(
            "You are not on this patient's care team, and no consent or referral covers you."
        )
    basis, categories, grant = decided
    programs = part2_programs()
    access = PatientAccess(
        patient=patient,
        viewer=viewer,
        basis=basis,
        categories=categories,
        sees_sud=sees_sud(viewer, patient, basis, programs),
        break_glass=grant,
        _part2_sources=tuple(source for source, _ in programs),
    )
    record(
        viewer.actor,
        action,
        patient_ids=[patient.pk],
        resource_type=resource_type,
        resource_id=resource_id or str(patient.pk),
        reason=grant.reason if grant is not None else "",
        detail={"basis": str(basis), **(detail or {})},
    )
    return access


def access_patients(viewer: Viewer) -> QuerySet[Patient]:
    """The patients this viewer may see in lists and searches, filtered in the query.

    The caller audits what it shows with ``record_shown``.
    """
    _require_signed_in(viewer.user)
    return Patient.objects.filter(patient_scope(viewer))


def visible_among(viewer: Viewer, patient_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Which of these patients the viewer may see: the same rule as ``access_patients``, checked
    for a known, small set of candidates (a worklist's patients) instead of the whole registry.

    Where the viewer's own care teams count (``patient_scope``'s last branch), those are looked up
    first, by user: on a worklist they are nearly every candidate, and only the rest goes through
    the full rule."""
    candidates = set(patient_ids)
    if not candidates:
        return []
    shown: set[uuid.UUID] = set()
    if _teams_count(viewer):
        assert viewer.user_id is not None
        shown = set(
            _current_members(
                _today(), user_id=viewer.user_id, care_team__patient_id__in=sorted(candidates)
            ).values_list("care_team__patient_id", flat=True)
        )
    rest = candidates - shown
    if rest:
        shown.update(access_patients(viewer).filter(pk__in=sorted(rest)).values_list("pk", flat=True))
    return sorted(shown)


def record_shown(viewer: Viewer, patients: Iterable[Patient], *, action: Action = Action.VIEW) -> None:
    """One audit row per patient a list, search or export showed."""
    ids = [patient.pk for patient in patients]
    if ids:
        record(viewer.actor, action, patient_ids=ids, resource_type="Patient", detail={"list": True})


def deny(viewer: Viewer, *, what: str, patient_id: uuid.UUID | None = None) -> PermissionDenied:
    """Audit a refused action (not about reading a record) and return the exception to raise."""
    record(viewer.actor, Action.ACCESS_DENIED, patient_ids=[patient_id], resource_type=what)
    return PermissionDenied(f"Your role may not use {what}.")


def may_break_glass(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.role in BREAK_GLASS_ROLES


def do_break_glass(viewer: Viewer, patient: Patient, reason: str) -> BreakGlassGrant:
    """Emergency access for BREAK_GLASS_HOURS: recorded, audited, queued for the privacy officer."""
    reason = reason.strip()
    if not may_break_glass(viewer):
        raise deny(viewer, what="BreakGlass", patient_id=patient.pk)
    if len(reason) < 10:
        raise ValueError("State the reason for emergency access (at least 10 characters).")
    assert viewer.acting is not None and viewer.user_id is not None
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user_id=viewer.user_id,
        organization_id=viewer.organization_id,
        role=viewer.role,
        patient=patient,
        reason=reason,
        started_at=now,
        expires_at=now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    record(
        viewer.actor,
        Action.BREAK_GLASS,
        patient_ids=[patient.pk],
        resource_type="Patient",
        resource_id=str(patient.pk),
        reason=reason,
        detail={"expires_at": grant.expires_at.isoformat()},
    )
    return grant
