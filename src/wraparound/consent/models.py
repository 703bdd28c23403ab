"""Consent directives, and the 42 CFR Part 2 programs whose SUD records they govern."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.accounts.models import Role
from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient


class Category(models.TextChoices):
    """Kinds of data a consent or a referral may cover."""

    DEMOGRAPHICS = "demographics", _("Demographics")
    CONDITIONS = "conditions", _("Conditions")
    ENCOUNTERS = "encounters", _("Encounters")
    OBSERVATIONS = "observations", _("Observations and results")
    MEDICATIONS = "medications", _("Medications")
    SOCIAL_NEEDS = "social_needs", _("Social needs")
    CARE_PLAN = "care_plan", _("Care plan")
    SUD = "sud", _("Substance use disorder records (42 CFR Part 2)")


class Consent(models.Model):
    class Scope(models.TextChoices):
        TREATMENT = "treatment", _("Treatment")
        CARE_COORDINATION = "care_coordination", _("Care coordination")
        RESEARCH = "research", _("Research")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    class Evidence(models.TextChoices):
        SIGNED_DOCUMENT = "signed_document", _("Signed document")
        VERBAL = "verbal", _("Verbal consent, attested")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(max_length=24, choices=Scope.choices)
    # The grantee: an organization (optionally narrowed to one role there), or one person.
    grantee_organization = models.ForeignKey(
        CareOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="consents_received"
    )
    grantee_role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    grantee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents_received",
    )
    categories = models.JSONField(default=list)  # Category values
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    evidence = models.CharField(max_length=24, choices=Evidence.choices)
    document_name = models.CharField(max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    attestation = models.TextField(blank=True)  # who heard the verbal consent, and what was said
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents_recorded"
    )
    recorded_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "status"], name="consent_patient_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grantee_organization__isnull=False) | models.Q(grantee_user__isnull=False),
                name="consent_has_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} of {self.patient_id} ({self.scope}, {self.status})"

    def is_in_force(self, on: dt.date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.period_start <= on
            and (self.period_end is None or self.period_end >= on)
        )


class Part2Program(models.Model):
    """A federally assisted SUD program (42 CFR Part 2) whose records are segmented.

    Records arrive by import source; the program's own staff (members of
    ``organization``) see its records without a consent.
    """

    source = models.CharField(max_length=64, unique=True)  # the import source name (registry.source)
    name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        CareOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="part2_programs"
    )
    designated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} (Part 2, source {self.source})"
