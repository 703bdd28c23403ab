"""The summary's "Eligibility and risk" card: each rule pack's decision in words, the risk tier and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wraparound.eligibility.models import EligibilityDecision
from wraparound.registry.access import PatientAccess
from wraparound.risk.models import RiskProfile


@dataclass(frozen=True)
class EligibilityAndRisk:
    decisions: list[EligibilityDecision]
    risk: RiskProfile | None

    @property
    def hcc(self) -> dict[str, Any]:
        return {"V24": self.risk.hcc_v24, "V28": self.risk.hcc_v28} if self.risk else {}


def eligibility_and_risk(access: PatientAccess) -> EligibilityAndRisk | None:
    """What the card shows; None when the access does not cover conditions (a referral's view)."""
    if not access.shows("conditions"):
        return None
    decisions = list(EligibilityDecision.objects.filter(patient=access.patient).order_by("pack", "-version"))
    risk = RiskProfile.objects.filter(patient=access.patient).first()
    return EligibilityAndRisk(decisions, risk)
