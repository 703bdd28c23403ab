"""Who works in Wraparound, for which organization, in which role.

The security core builds on this: authorization, MFA, sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.core.models import CareOrganization


class Role(models.TextChoices):
    CARE_MANAGER = "care_manager", _("Care manager")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator / community health worker")
    NURSE = "nurse", _("Nurse")
    BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health specialist")
    PSYCHIATRIC_CONSULTANT = "psychiatric_consultant", _("Psychiatric consultant")
    PEER_SPECIALIST = "peer_specialist", _("Peer specialist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PHARMACIST = "pharmacist", _("Pharmacist")
    PRIMARY_CARE_PROVIDER = "primary_care_provider", _("Primary care provider")
    SUPERVISOR = "supervisor", _("Supervisor")
    PROGRAM_ADMINISTRATOR = "program_administrator", _("Program administrator")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ANALYST = "analyst", _("Analyst")
    COMMUNITY_ORGANIZATION_STAFF = "community_organization_staff", _("Community-organization staff")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")


class Membership(models.Model):
    """A user works for an organization in a role (a user may hold several)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(CareOrganization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"
