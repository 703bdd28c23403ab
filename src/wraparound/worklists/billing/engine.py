"""Which of an agency's members are billable for a month, why, and on what evidence.

Set-based: a handful of queries for the whole agency-month (the enrollment history, the month's
contacts and their services, the outreach attempts, the patients with their risk tier), never
one per member.  The enrollment history (``EnrollmentTransition``) says which states a member
held on which days; enrollment on any day of the month overrides outreach (the pack's rules).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from wraparound.enrollment.models import Enrollment, EnrollmentTransition, OutreachAttempt
from wraparound.registry.models import Patient
from wraparound.worklists.billing.locks import month_bounds, next_month
from wraparound.worklists.billing.rulepacks import BillingPack
from wraparound.worklists.models import Contact, ContactService, CoreService

Status = Enrollment.Status
SERVING = frozenset(str(status) for status in Enrollment.SERVING)


class Basis(enum.StrEnum):
    ENROLLED = "enrolled"
    OUTREACH = "outreach"
    NONE = "none"


class Reason(enum.StrEnum):
    """Stable codes of why a member-month is (not) billable; ``reason_text`` words them."""

    ENROLLED_CORE_SERVICE = "enrolled_core_service"
    ENROLLED_NO_CONTACT = "enrolled_no_contact"
    ENROLLED_NO_SUCCESSFUL_CONTACT = "enrolled_no_successful_contact"
    ENROLLED_NO_CORE_SERVICE = "enrolled_no_core_service"
    OUTREACH_ATTEMPT = "outreach_attempt"
    OUTREACH_NO_ATTEMPT = "outreach_no_attempt"
    OUTREACH_MAIL_ONLY = "outreach_mail_only"
    OUTREACH_NO_QUALIFYING_ATTEMPT = "outreach_no_qualifying_attempt"
    OUTREACH_LIMIT = "outreach_limit"
    NOT_IN_OUTREACH = "not_in_outreach"


def _day(value: str) -> str:
    return dt.date.fromisoformat(value).strftime("%m/%d/%Y") if value else ""


def _services(codes: Iterable[str]) -> str:
    return ", ".join(str(CoreService(code).label) for code in codes)


def _modes(codes: Iterable[str]) -> str:
    return ", ".join(str(OutreachAttempt.Mode(code).label).lower() for code in codes)


def reason_text(code: str, params: dict[str, Any]) -> str:
    """The reason in words, in the language of the request (the lock keeps code and parameters)."""
    texts = {
        Reason.ENROLLED_CORE_SERVICE: lambda: (
            gettext("Enrolled; %(services)s delivered on %(date)s.")
            % {"services": _services(params.get("services", ())), "date": _day(params.get("date", ""))}
        ),
        Reason.ENROLLED_NO_CONTACT: lambda: gettext("Enrolled, but no contact was recorded this month."),
        Reason.ENROLLED_NO_SUCCESSFUL_CONTACT: lambda: gettext(
            "Enrolled, but no contact this month was successful."
        ),
        Reason.ENROLLED_NO_CORE_SERVICE: lambda: gettext(
            "Enrolled, but no successful contact this month recorded a core service."
        ),
        Reason.OUTREACH_ATTEMPT: lambda: (
            gettext(
                "In outreach; qualifying attempt (%(mode)s) on %(date)s (outreach month %(number)s of at most %(limit)s)."
            )
            % {
                "mode": _modes([params.get("mode", "phone")]),
                "date": _day(params.get("date", "")),
                "number": params.get("number", 1),
                "limit": params.get("limit", 0),
            }
        ),
        Reason.OUTREACH_NO_ATTEMPT: lambda: gettext(
            "In outreach, but no outreach attempt was logged this month."
        ),
        Reason.OUTREACH_MAIL_ONLY: lambda: gettext(
            "In outreach, but the only attempts this month were by mail, which never qualifies."
        ),
        Reason.OUTREACH_NO_QUALIFYING_ATTEMPT: lambda: (
            gettext("In outreach, but no attempt this month was by a qualifying mode (%(modes)s).")
            % {"modes": _modes(params.get("modes", ()))}
        ),
        Reason.OUTREACH_LIMIT: lambda: (
            gettext(
                "In outreach, but this episode has already billed %(limit)s outreach months, the most the rules allow."
            )
            % {"limit": params.get("limit", 0)}
        ),
        Reason.NOT_IN_OUTREACH: lambda: gettext(
            "Identified only: not yet assigned for outreach or enrolled."
        ),
    }
    try:
        return texts[Reason(code)]()
    except ValueError:
        return code


@dataclass(frozen=True)
class Evidence:
    """A contact (with its services) or an outreach attempt of the month, and whether it qualifies."""

    kind: str  # "contact" or "outreach_attempt"
    id: int
    at: dt.datetime
    mode: str
    qualifies: bool
    services: tuple[str, ...] = ()
    successful: bool = True
    outcome: str = ""

    @property
    def mode_label(self) -> str:
        choices = Contact.Mode if self.kind == "contact" else OutreachAttempt.Mode
        return str(choices(self.mode).label) if self.mode in choices.values else self.mode

    @property
    def service_labels(self) -> list[str]:
        return [str(CoreService(code).label) for code in self.services if code in CoreService.values]


@dataclass(frozen=True)
class MemberMonth:
    patient: Patient
    basis: Basis
    billable: bool
    reason_code: Reason
    reason_params: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    tier: str = ""
    rate: Decimal | None = None

    @property
    def reason(self) -> str:
        return reason_text(self.reason_code, self.reason_params)

    @property
    def amount(self) -> Decimal | None:
        return self.rate if self.billable else None


@dataclass(frozen=True)
class Span:
    """A state held from ``start`` until ``end`` (None: still held)."""

    status: str
    start: dt.datetime
    end: dt.datetime | None

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and (self.end is None or self.end > start)


def _spans(rows: Iterable[tuple[int, uuid.UUID, str, dt.datetime]]) -> dict[uuid.UUID, list[Span]]:
    """Each patient's states, from the history of the agency's enrollments (rows ordered by enrollment, time)."""
    spans: dict[uuid.UUID, list[Span]] = defaultdict(list)
    previous: tuple[int, uuid.UUID, str, dt.datetime] | None = None
    for row in rows:
        if previous is not None and previous[0] == row[0]:
            spans[previous[1]].append(Span(previous[2], previous[3], row[3]))
        elif previous is not None:
            spans[previous[1]].append(Span(previous[2], previous[3], None))
        previous = row
    if previous is not None:
        spans[previous[1]].append(Span(previous[2], previous[3], None))
    for held in spans.values():
        held.sort(key=lambda span: span.start)
    return spans


def _basis(spans: list[Span], start: dt.datetime, end: dt.datetime, pack: BillingPack) -> Basis | None:
    held = {span.status for span in spans if span.overlaps(start, end)}
    if Status.ENROLLED in held:
        return Basis.ENROLLED
    if held & set(pack.outreach_statuses):
        return Basis.OUTREACH
    if held & SERVING:
        return Basis.NONE
    return None


def _episode_start(spans: list[Span], end: dt.datetime, pack: BillingPack) -> dt.datetime | None:
    """When the outreach episode that reaches into the month began (consecutive outreach states)."""
    began: dt.datetime | None = None
    for span in spans:
        if span.start >= end:
            break
        began = (began or span.start) if span.status in pack.outreach_statuses else None
    return began


@dataclass
class _Month:
    """What the queries found for the agency-month, keyed by patient."""

    contacts: dict[uuid.UUID, list[Evidence]] = field(default_factory=lambda: defaultdict(list))
    attempts: dict[uuid.UUID, list[Evidence]] = field(default_factory=lambda: defaultdict(list))


def member_months(organization_id: int, month: dt.date, pack: BillingPack) -> list[MemberMonth]:
    """Every member the agency served in the month, billable or not, with the reason and evidence."""
    start, end = month_bounds(month)
    history = _spans(
        EnrollmentTransition.objects.filter(enrollment__organization_id=organization_id, at__lt=end)
        .order_by("enrollment_id", "at", "id")
        .values_list("enrollment_id", "enrollment__patient_id", "to_status", "at")
    )
    bases = {
        patient_id: basis
        for patient_id, spans in history.items()
        if (basis := _basis(spans, start, end, pack)) is not None
    }
    if not bases:
        return []
    episodes = {
        patient_id: began
        for patient_id, basis in bases.items()
        if basis == Basis.OUTREACH and (began := _episode_start(history[patient_id], end, pack)) is not None
    }
    found = _Month()
    _load_contacts(found, organization_id, start, end, pack)
    if episodes:
        _load_attempts(found, organization_id, min(episodes.values()), end, pack)
    patients = Patient.objects.filter(pk__in=list(bases)).select_related("risk_profile")
    members = [
        _decide(
            patient,
            bases[patient.pk],
            found,
            pack,
            (start, end),
            history[patient.pk],
            episodes.get(patient.pk),
        )
        for patient in patients
    ]
    members.sort(
        key=lambda member: (member.patient.family_name, member.patient.given_names, str(member.patient.pk))
    )
    return members


def _load_contacts(
    found: _Month, organization_id: int, start: dt.datetime, end: dt.datetime, pack: BillingPack
) -> None:
    services: dict[int, list[str]] = defaultdict(list)
    for contact_id, service in (
        ContactService.objects.filter(
            contact__organization_id=organization_id, contact__at__gte=start, contact__at__lt=end
        )
        .order_by("contact_id", "service")
        .values_list("contact_id", "service")
    ):
        services[contact_id].append(service)
    for contact_id, patient_id, at, mode, successful in (
        Contact.objects.filter(organization_id=organization_id, at__gte=start, at__lt=end)
        .order_by("at", "id")
        .values_list("id", "patient_id", "at", "mode", "successful")
    ):
        delivered = tuple(services.get(contact_id, ()))
        found.contacts[patient_id].append(
            Evidence(
                kind="contact",
                id=contact_id,
                at=at,
                mode=mode,
                services=delivered,
                successful=successful,
                qualifies=successful and any(code in pack.core_services for code in delivered),
            )
        )


def _load_attempts(
    found: _Month, organization_id: int, since: dt.datetime, end: dt.datetime, pack: BillingPack
) -> None:
    for attempt_id, patient_id, at, mode, outcome in (
        OutreachAttempt.objects.filter(enrollment__organization_id=organization_id, at__gte=since, at__lt=end)
        .order_by("at", "id")
        .values_list("id", "enrollment__patient_id", "at", "mode", "outcome")
    ):
        found.attempts[patient_id].append(
            Evidence(
                kind="outreach_attempt",
                id=attempt_id,
                at=at,
                mode=mode,
                outcome=outcome,
                qualifies=mode in pack.qualifying_modes,
            )
        )


def _tier(patient: Patient) -> str:
    profile = getattr(patient, "risk_profile", None)
    return str(profile.tier) if profile is not None else ""


def _decide(
    patient: Patient,
    basis: Basis,
    found: _Month,
    pack: BillingPack,
    bounds: tuple[dt.datetime, dt.datetime],
    spans: list[Span],
    episode_start: dt.datetime | None,
) -> MemberMonth:
    tier = _tier(patient)
    if basis == Basis.ENROLLED:
        rate = pack.rates.enrolled_rate(tier) if pack.rates else None
        return _enrolled(patient, found.contacts.get(patient.pk, []), tier, rate)
    if basis == Basis.OUTREACH:
        rate = pack.rates.outreach if pack.rates else None
        return _outreach(
            patient, found.attempts.get(patient.pk, []), pack, bounds, spans, episode_start, tier, rate
        )
    return MemberMonth(patient, basis, billable=False, reason_code=Reason.NOT_IN_OUTREACH, tier=tier)


def _enrolled(patient: Patient, contacts: list[Evidence], tier: str, rate: Decimal | None) -> MemberMonth:
    qualifying = [contact for contact in contacts if contact.qualifies]
    if qualifying:
        first = qualifying[0]
        params = {"services": list(first.services), "date": timezone.localtime(first.at).date().isoformat()}
        code = Reason.ENROLLED_CORE_SERVICE
    elif not contacts:
        params, code = {}, Reason.ENROLLED_NO_CONTACT
    elif not any(contact.successful for contact in contacts):
        params, code = {}, Reason.ENROLLED_NO_SUCCESSFUL_CONTACT
    else:
        params, code = {}, Reason.ENROLLED_NO_CORE_SERVICE
    return MemberMonth(
        patient,
        Basis.ENROLLED,
        billable=bool(qualifying),
        reason_code=code,
        reason_params=params,
        evidence=tuple(contacts),
        tier=tier,
        rate=rate,
    )


def _billed_before(
    attempts: list[Evidence],
    pack: BillingPack,
    spans: list[Span],
    episode_start: dt.datetime,
    month_start: dt.datetime,
) -> int:
    """Outreach months of this episode before the month that were billable, counted in order up to the limit."""
    billed = 0
    month = episode_start.astimezone(month_start.tzinfo).date().replace(day=1)
    while billed < pack.max_outreach_months:
        start, end = month_bounds(month)
        if start >= month_start:
            break
        if _basis(spans, start, end, pack) == Basis.OUTREACH and any(
            attempt.qualifies and max(start, episode_start) <= attempt.at < end for attempt in attempts
        ):
            billed += 1
        month = next_month(month)
    return billed


def _outreach(
    patient: Patient,
    attempts: list[Evidence],
    pack: BillingPack,
    bounds: tuple[dt.datetime, dt.datetime],
    spans: list[Span],
    episode_start: dt.datetime | None,
    tier: str,
    rate: Decimal | None,
) -> MemberMonth:
    start, end = bounds
    this_month = tuple(attempt for attempt in attempts if start <= attempt.at < end)
    qualifying = [attempt for attempt in this_month if attempt.qualifies]
    limit = pack.max_outreach_months
    billed = _billed_before(attempts, pack, spans, episode_start, start) if episode_start else 0
    params: dict[str, Any] = {"limit": limit}
    if not this_month:
        code = Reason.OUTREACH_NO_ATTEMPT
    elif not qualifying and all(attempt.mode == OutreachAttempt.Mode.MAIL for attempt in this_month):
        code = Reason.OUTREACH_MAIL_ONLY
    elif not qualifying:
        code, params = Reason.OUTREACH_NO_QUALIFYING_ATTEMPT, {"modes": list(pack.qualifying_modes)}
    elif billed >= limit:
        code = Reason.OUTREACH_LIMIT
    else:
        code = Reason.OUTREACH_ATTEMPT
        params |= {
            "mode": qualifying[0].mode,
            "date": timezone.localtime(qualifying[0].at).date().isoformat(),
            "number": billed + 1,
        }
    # Evidence marks what counted: nothing qualifies past the limit.
    evidence = tuple(
        attempt if code == Reason.OUTREACH_ATTEMPT or not attempt.qualifies else _not_counted(attempt)
        for attempt in this_month
    )
    return MemberMonth(
        patient,
        Basis.OUTREACH,
        billable=code == Reason.OUTREACH_ATTEMPT,
        reason_code=code,
        reason_params=params,
        evidence=evidence,
        tier=tier,
        rate=rate,
    )


def _not_counted(attempt: Evidence) -> Evidence:
    return Evidence(
        kind=attempt.kind,
        id=attempt.id,
        at=attempt.at,
        mode=attempt.mode,
        outcome=attempt.outcome,
        qualifies=False,
    )
