"""Eligibility decisions: one per patient, pack and pack version, replaced when recomputed."""

from __future__ import annotations

from django.db import models

from wraparound.registry.models import Patient


class EligibilityDecision(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    pack = models.CharField(max_length=64, help_text="The rule pack's name, e.g. federal-1945.")
    version = models.CharField(max_length=32, help_text="The rule pack's version.")
    eligible = models.BooleanField()
    criteria = models.JSONField(
        default=dict, help_text="The criteria met, the categories met and the appropriateness flags raised."
    )
    evidence = models.JSONField(
        default=dict,
        help_text="Per criterion, category and flag: the conditions, observations and encounters.",
    )
    explanation = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "pack", "version"], name="eligibility_decision_uniq")
        ]
        indexes = [models.Index(fields=["pack", "version", "eligible"], name="eligibility_pack_idx")]

    def __str__(self) -> str:
        verdict = "eligible" if self.eligible else "not eligible"
        return f"{self.patient_id} {self.pack} {self.version}: {verdict}"
