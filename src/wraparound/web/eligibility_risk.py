"""The summary's "Eligibility and risk" card: each rule pack's decision in words, the risk tier and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wraparound.eligibility.models import EligibilityDecision
from wraparound.registry.access import PatientAccess
from wraparound.risk.models import RiskProfile

# How each tier component reads on the screen: its value, then the cut point it reached.
COMPONENT_WORDS: dict[str, Promise] = {
    "hcc_v24": _("HCC score (V24) %(value)s, at least %(cut)s"),
    "hcc_v28": _("HCC score (V28) %(value)s, at least %(cut)s"),
    "lace_recent": _("LACE %(value)s at a discharge in the last 90 days, at least %(cut)s"),
    "admissions_6m": _("%(value)s admissions in 6 months, at least %(cut)s"),
    "admissions_12m": _("%(value)s admissions in 12 months, at least %(cut)s"),
    "ed_visits_6m": _("%(value)s ED visits in 6 months, at least %(cut)s"),
    "ed_visits_12m": _("%(value)s ED visits in 12 months, at least %(cut)s"),
    "bed_days_12m": _("%(value)s bed days in 12 months, at least %(cut)s"),
    "chronic_conditions": _("%(value)s chronic conditions, at least %(cut)s"),
    "high_utilizer": _(
        "high utilizer: two or more admissions in 6 months and two or more chronic conditions"
    ),
}


def tier_reasons(risk: RiskProfile) -> list[str]:
    """Why the patient is in their tier, in words: the components that reached the tier's cut points."""
    reasons = ((risk.components or {}).get("tier") or {}).get("reasons") or []
    words = []
    for reason in reasons:
        name, _space, rest = str(reason).partition(" ")
        value, _sign, cut = rest.partition(" ≥ ")
        template = COMPONENT_WORDS.get(name)
        words.append(str(template) % {"value": value, "cut": cut} if template else str(reason))
    return words


@dataclass(frozen=True)
class EligibilityAndRisk:
    decisions: list[EligibilityDecision]
    risk: RiskProfile | None
    tier_reasons: list[str] = field(default_factory=list)


def eligibility_and_risk(access: PatientAccess) -> EligibilityAndRisk | None:
    """What the card shows; None when the access does not cover conditions (a referral's view)."""
    if not access.shows("conditions"):
        return None
    decisions = list(EligibilityDecision.objects.filter(patient=access.patient).order_by("pack", "-version"))
    risk = RiskProfile.objects.filter(patient=access.patient).first()
    return EligibilityAndRisk(decisions, risk, tier_reasons(risk) if risk else [])
