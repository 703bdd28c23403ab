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
    # Analysts work with aggregate, de-identified data; an administrator may grant one more:
    # the identifiable records of the patients this organization serves (registry.access).
    grants_identifiable_access = models.BooleanField(default=False)
    # Work facts the caseload suggestions use (enrollment.caseload): the languages this person
    # works in, as comma-separated codes ("en,es"; blank when unknown), and where they work from.
    languages = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Languages this person works in, as comma-separated codes such as en,es."),
    )
    base_latitude = models.FloatField(null=True, blank=True)
    base_longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    @property
    def language_codes(self) -> tuple[str, ...]:
        """The primary subtags of ``languages``, lower case ("en-US, ES" gives ("en", "es"))."""
        codes = (part.strip().lower().split("-")[0] for part in self.languages.split(","))
        return tuple(code for code in codes if code)


class BreakGlassGrant(models.Model):
    """Emergency access to one patient's record: a stated reason, a time limit, a review.

    Opened by the user (``accounts.access.do_break_glass``), shown on every page
    of that record as a banner that cannot be dismissed, and listed for the
    privacy officer until signed off.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    organization = models.ForeignKey(
        CareOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    patient = models.ForeignKey(
        "registry.Patient", on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="break_glass_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "patient", "expires_at"], name="breakglass_user_patient"),
            models.Index(fields=["reviewed_at"], name="breakglass_review"),
        ]

    def __str__(self) -> str:
        return f"break-glass {self.user_id} → {self.patient_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """One signed-in browser session of a user: which one, since when, from where.

    Written at sign-in (``accounts.sessions.start``), touched as requests come in, deleted at
    sign-out; ``accounts.actions.do_deactivate_user`` ends every session listed here.
    """

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions")
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
