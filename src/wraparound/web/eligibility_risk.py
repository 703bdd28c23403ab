"""The summary's "Eligibility and risk" card: each rule pack's decision in words, the risk tier and its parts."""

from __future__ import annotations

from dataclasses import dataclass

from wraparound.eligibility.models import EligibilityDecision
from wraparound.registry.access import PatientAccess
from wraparound.risk.models import RiskProfile


@dataclass(frozen=True)
class EligibilityAndRisk:
    decisions: list[EligibilityDecision]
    risk: RiskProfile | None


def eligibility_and_risk(access: PatientAccess) -> EligibilityAndRisk | None:
    """What the card shows; None when the access does not cover conditions (a referral's view)."""
    if not access.shows("conditions"):
        return None
    decisions = list(EligibilityDecision.objects.filter(patient=access.patient).order_by("pack", "-version"))
    risk = RiskProfile.objects.filter(patient=access.patient).first()
    return EligibilityAndRisk(decisions, risk)
