"""The shared kernel's models: the organizations that take part in care coordination."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CareOrganization(models.Model):
    """An organization that uses Wraparound or works with its users: a tenant.

    Distinct from ``registry.Organization``, which is a FHIR Organization as
    received from a source system; ``registry_organization`` links the two when
    the same organization also appears in clinical data.
    """

    class Kind(models.TextChoices):
        HEALTH_HOME_LEAD = "health_home_lead", _("Health Home lead")
        CARE_MANAGEMENT_AGENCY = "care_management_agency", _("Care management agency")
        PRIMARY_CARE = "primary_care", _("Primary care practice")
        HOSPITAL = "hospital", _("Hospital")
        COMMUNITY_BASED = "community_based", _("Community-based organization")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    registry_organization = models.ForeignKey(
        "registry.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
