"""Enrollment of a patient with a serving agency.  (The pipeline comes with the enrollment issue.)

An enrollment in a serving state links the agency to the patient: its
supervisors and administrators may open the record (``accounts.access``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient


class Enrollment(models.Model):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ASSIGNED = "assigned", _("Assigned")
        OUTREACH = "outreach", _("Outreach")
        ENROLLED = "enrolled", _("Enrolled")
        DISCHARGED = "discharged", _("Discharged")
        DECLINED = "declined", _("Declined")
        UNREACHABLE = "unreachable", _("Unreachable")

    # The states in which the agency serves the patient (and so may see the record).
    SERVING = (Status.ASSIGNED, Status.OUTREACH, Status.ENROLLED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="enrollments")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="enrollments")
    program = models.CharField(max_length=64, default="health_home")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDENTIFIED)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "status"], name="enrollment_org_status")]

    def __str__(self) -> str:
        return f"{self.patient_id} · {self.organization_id} · {self.status}"
