"""Who works in Wraparound, for which organization, in which role.

The security core builds on this: authorization, MFA, sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wraparound.core.models import CareOrganization


class Role(models.TextChoices):
    CARE_MANAGER = "care_manager", "Care manager"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator / community health worker"
    NURSE = "nurse", "Nurse"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health specialist"
    PSYCHIATRIC_CONSULTANT = "psychiatric_consultant", "Psychiatric consultant"
    PEER_SPECIALIST = "peer_specialist", "Peer specialist"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PHARMACIST = "pharmacist", "Pharmacist"
    PRIMARY_CARE_PROVIDER = "primary_care_provider", "Primary care provider"
    SUPERVISOR = "supervisor", "Supervisor"
    PROGRAM_ADMINISTRATOR = "program_administrator", "Program administrator"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    ANALYST = "analyst", "Analyst"
    COMMUNITY_ORGANIZATION_STAFF = "community_organization_staff", "Community-organization staff"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


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
