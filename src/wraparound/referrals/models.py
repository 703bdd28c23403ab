"""Referrals to community organizations.  (The closed loop comes with the referrals issue.)

An open referral shares chosen parts of a record with the receiving
organization's staff, and nothing more (``accounts.access``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.SENT, Status.ACCEPTED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_organization = models.ForeignKey(
        CareOrganization, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    receiving_organization = models.ForeignKey(
        CareOrganization, on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    need = models.CharField(max_length=200, blank=True)
    # Data categories the referral shares (consent.categories.Category values), beyond demographics.
    shared_categories = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["receiving_organization", "status"], name="referral_receiver")]

    def __str__(self) -> str:
        return f"referral of {self.patient_id} to {self.receiving_organization_id}"
