"""The care team around a patient.  (The care plan itself comes with the workspace issue.)

Care-team membership is one of the relationships that open a patient's
record to a user (``accounts.access``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient


class CareTeam(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_teams")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="care_teams")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="active"), name="careteam_one_active_per_patient"
            )
        ]

    def __str__(self) -> str:
        return f"care team of {self.patient_id}"


class CareTeamMember(models.Model):
    """A person on the team: a user of Wraparound, or a contact who is not (family, a CBO contact)."""

    class Role(models.TextChoices):
        LEAD_CARE_MANAGER = "lead_care_manager", _("Lead care manager")
        CARE_MANAGER = "care_manager", _("Care manager")
        PRIMARY_CARE_PROVIDER = "primary_care_provider", _("Primary care provider")
        NURSE = "nurse", _("Nurse")
        BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health specialist")
        PSYCHIATRIC_CONSULTANT = "psychiatric_consultant", _("Psychiatric consultant")
        PHARMACIST = "pharmacist", _("Pharmacist")
        PEER_SPECIALIST = "peer_specialist", _("Peer specialist")
        COMMUNITY_HEALTH_WORKER = "community_health_worker", _("Community health worker")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        CULTURAL_NAVIGATOR = "cultural_navigator", _("Cultural navigator")
        FAMILY_CAREGIVER = "family_caregiver", _("Family caregiver")
        COMMUNITY_CONTACT = "community_contact", _("Community-organization contact")

    care_team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_team_roles",
    )
    organization = models.ForeignKey(
        CareOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="care_team_members"
    )
    name = models.CharField(max_length=200, blank=True)  # for members who are not users
    role = models.CharField(max_length=32, choices=Role.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "end"], name="careteam_member_user")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.care_team}"

    def is_current(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)
