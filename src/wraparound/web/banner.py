"""The top of every patient page: the banner (see UI.md) and the chart's tabs.

Program, lead care manager, PCP and consent come from the enrollment, the care
team and the consents; the tier from the risk profile; the alerts from the
hospital stays (in the hospital or the emergency department now, a readmission,
discharged in the last 30 days, a follow-up step overdue).  An empty slot
shows a plain "Not enrolled" or "—" rather than disappearing, so the banner
keeps its shape from patient to patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext

from wraparound.careplans.models import CareTeam, CareTeamMember
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import PatientAccess
from wraparound.registry.models import (
    Condition,
    Encounter,
    MedicationRequest,
    Observation,
    Patient,
    Procedure,
)
from wraparound.risk.models import RiskProfile
from wraparound.transitions.models import Stay, Step
from wraparound.web.formatting import language_label, sex_label, us_date
from wraparound.worklists.models import Task

SEGMENTED_MODELS = (Condition, Encounter, Observation, MedicationRequest, Procedure)
RECENT_DISCHARGE_DAYS = 30


@dataclass(frozen=True)
class PatientBanner:
    patient: Patient
    age: int | None
    sex: str
    language: str
    program_status: str = ""
    risk_tier: str = ""
    lead_care_manager: str = ""
    primary_care_provider: str = ""
    consent_status: str = ""
    alerts: tuple[str, ...] = field(default=())
    has_restricted_records: bool = False
    is_break_glass: bool = False
    break_glass_until: dt.datetime | None = None

    @property
    def needs_interpreter(self) -> bool:
        return bool(self.patient.interpreter_needed)


def patient_banner(access: PatientAccess) -> PatientBanner:
    patient = access.patient
    consents = sum(
        1 for consent in patient.consents.filter(status="active") if consent.is_in_force(timezone.localdate())
    )
    enrollment = (
        patient.enrollments.exclude(status__in=[Enrollment.Status.DECLINED, Enrollment.Status.UNREACHABLE])
        .select_related("organization")
        .order_by("-created_at")
        .first()
    )
    team: dict[str, str] = {}
    for role, first, last, username in CareTeamMember.objects.filter(
        care_team__patient=patient,
        care_team__status=CareTeam.Status.ACTIVE,
        role__in=[CareTeamMember.Role.LEAD_CARE_MANAGER, CareTeamMember.Role.PRIMARY_CARE_PROVIDER],
        end__isnull=True,
    ).values_list("role", "user__first_name", "user__last_name", "user__username"):
        team.setdefault(role, f"{first} {last}".strip() or username or "")
    return PatientBanner(
        patient=patient,
        program_status=(
            f"{enrollment.get_status_display()} · {enrollment.organization.name}" if enrollment else ""
        ),
        lead_care_manager=team.get(CareTeamMember.Role.LEAD_CARE_MANAGER, ""),
        risk_tier=_tier(patient),
        primary_care_provider=team.get(CareTeamMember.Role.PRIMARY_CARE_PROVIDER, ""),
        age=patient.age_on(timezone.localdate()),
        sex=sex_label(patient.gender),
        language=language_label(patient.language_code, patient.language),
        alerts=stay_alerts(patient, timezone.localdate()),
        consent_status=(
            ngettext("%(count)d consent in force", "%(count)d consents in force", consents)
            % {"count": consents}
            if consents
            else ""
        ),
        has_restricted_records=any(access.restricted(model) for model in SEGMENTED_MODELS),
        is_break_glass=access.break_glass is not None,
        break_glass_until=(
            timezone.localtime(access.break_glass.expires_at) if access.break_glass is not None else None
        ),
    )


def stay_alerts(patient: Patient, today: dt.date) -> tuple[str, ...]:
    """What the team must see at once (UI.md): in the hospital or the ED now (and whether it is a
    readmission), the last discharge of the past 30 days, and a follow-up step overdue."""
    since = timezone.now() - dt.timedelta(days=RECENT_DISCHARGE_DAYS)
    overdue_step = Step.objects.filter(
        stay=OuterRef("pk"), task__status__in=Task.OPEN_STATUSES, task__due_on__lt=today
    )
    stays = (
        Stay.objects.filter(patient=patient)
        .annotate(overdue=Exists(overdue_step))
        .filter(
            Q(kind__in=Stay.HOSPITAL_KINDS, status=Stay.Status.ACTIVE)
            | Q(kind__in=Stay.HOSPITAL_KINDS, status=Stay.Status.DISCHARGED, discharged_at__gte=since)
            | Q(overdue=True)
        )
        .only("kind", "status", "admitted_at", "discharged_at", "index_stay_id")
        .order_by("-discharged_at", "-admitted_at")
    )  # one query: each stay that is current, recent, or has a step overdue
    alerts: list[str] = []
    discharged, overdue = "", False
    for stay in stays:
        overdue = overdue or stay.overdue
        if stay.kind not in Stay.HOSPITAL_KINDS:
            continue
        if stay.status == Stay.Status.ACTIVE:
            since_day = {"day": us_date(stay.admitted_at)}
            if stay.kind == Stay.Kind.EMERGENCY:
                alerts.append(gettext("In the emergency department since %(day)s") % since_day)
            else:
                alerts.append(gettext("In the hospital since %(day)s") % since_day)
            if stay.is_readmission:
                alerts.append(gettext("Readmitted within 30 days"))
        elif not discharged and stay.discharged_at is not None and stay.discharged_at >= since:
            discharged = gettext("Discharged %(day)s") % {"day": us_date(stay.discharged_at)}
    if discharged:
        alerts.append(discharged)
    if overdue:
        alerts.append(gettext("Follow-up overdue"))
    return tuple(alerts)


def _tier(patient: Patient) -> str:
    profile = RiskProfile.objects.filter(patient=patient).only("tier").first()
    return str(profile.get_tier_display()) if profile else ""


# The patient chart's sections (UI.md): each shows once its URL name exists.
PATIENT_TABS: tuple[tuple[Promise, str], ...] = (
    (gettext_lazy("Summary"), "web:patient_detail"),
    (gettext_lazy("Care plan"), "careplans:care_plan"),
    (gettext_lazy("Care team"), "careplans:care_team"),
    (gettext_lazy("Contacts"), "worklists:patient_contacts"),
    (gettext_lazy("Encounters"), "transitions:patient_encounters"),
    (gettext_lazy("Assessments"), "assessments:patient_assessments"),
    (gettext_lazy("Referrals"), "referrals:patient_referrals"),
    (gettext_lazy("Enrollment"), "enrollment:patient_enrollment"),
    (gettext_lazy("Consent"), "consent:patient_consents"),
    (gettext_lazy("Documents"), "documents:patient_documents"),
    (gettext_lazy("Audit"), "audit:patient_audit"),
)


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    is_current: bool


def patient_tabs(request: HttpRequest, patient: Patient) -> list[Tab]:
    tabs: list[Tab] = []
    for label, url_name in PATIENT_TABS:
        try:
            url = reverse(url_name, kwargs={"patient_id": patient.id})
        except NoReverseMatch:
            continue
        tabs.append(Tab(str(label), url, request.path == url))
    return tabs
