from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.registry.models import Encounter, Patient


class Tier(models.TextChoices):
    HIGH = "high", _("High")
    RISING = "rising", _("Rising")
    MODERATE = "moderate", _("Moderate")
    LOW = "low", _("Low")


class RiskProfile(models.Model):
    """One row per patient, replaced on every recompute (``do_compute_risk``)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="risk_profile")
    hcc_v24 = models.FloatField(null=True, blank=True, help_text="CMS-HCC V24 relative factor.")
    hcc_v28 = models.FloatField(null=True, blank=True, help_text="CMS-HCC V28 relative factor.")
    ed_visits_6m = models.PositiveIntegerField(default=0)
    ed_visits_12m = models.PositiveIntegerField(default=0)
    admissions_6m = models.PositiveIntegerField(default=0)
    admissions_12m = models.PositiveIntegerField(default=0)
    bed_days_12m = models.PositiveIntegerField(default=0)
    chronic_conditions = models.PositiveIntegerField(default=0)
    high_utilizer = models.BooleanField(default=False)
    lace_last = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="LACE index of the latest inpatient discharge."
    )
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.LOW)
    components = models.JSONField(default=dict, blank=True, help_text="Inputs and reasons behind the tier.")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tier", "patient"], name="riskprofile_tier_idx")]

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.tier}"


class LaceScore(models.Model):
    """The LACE index of one inpatient discharge."""

    encounter = models.OneToOneField(Encounter, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="lace_scores")
    discharged_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField()
    components = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["patient", "discharged_at"], name="lacescore_patient_idx")]

    def __str__(self) -> str:
        return f"LACE {self.score} at {self.discharged_at:%Y-%m-%d}"
