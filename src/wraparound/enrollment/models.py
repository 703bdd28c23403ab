"""The enrollment pipeline: identified → assigned → outreach → enrolled → discharged.

An enrollment in a serving state links the agency to the patient: its
supervisors and administrators may open the record (``registry.access``).
Every change of state is a row in ``EnrollmentTransition`` (who, when, from,
to, why), made only by ``enrollment.actions``; outreach attempts and the
consent to enroll are kept exactly, because billing rules count them.
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

    class DischargeReason(models.TextChoices):
        GOALS_MET = "goals_met", _("Goals met")
        MOVED = "moved", _("Moved out of the area")
        DECLINED_SERVICES = "declined_services", _("Declined further services")
        LOST_TO_CONTACT = "lost_to_contact", _("Lost to contact")
        DECEASED = "deceased", _("Deceased")
        NO_LONGER_ELIGIBLE = "no_longer_eligible", _("No longer eligible")
        TRANSFERRED = "transferred", _("Transferred")

    # The states in which the agency serves the patient (and so its supervisors and program
    # administrators may see the record): from being handed the patient to discharge.
    SERVING = (Status.IDENTIFIED, Status.ASSIGNED, Status.OUTREACH, Status.ENROLLED)
    # The states from which a new episode may begin (re-engagement, re-enrollment).
    CLOSED = (Status.DISCHARGED, Status.DECLINED, Status.UNREACHABLE)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="enrollments")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="enrollments")
    program = models.CharField(max_length=64, default="health_home")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDENTIFIED)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    started_on = models.DateField(null=True, blank=True)  # enrolled on (the latest episode)
    ended_on = models.DateField(null=True, blank=True)  # discharged on
    discharge_reason = models.CharField(max_length=24, choices=DischargeReason.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)  # for the pipeline's aging
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "status"], name="enrollment_org_status")]

    def __str__(self) -> str:
        return f"{self.patient_id} · {self.organization_id} · {self.status}"


class EnrollmentTransition(models.Model):
    """One change of an enrollment's state: the history the pipeline keeps."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Enrollment.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Enrollment.Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_status or '·'} → {self.to_status}"


class OutreachAttempt(models.Model):
    class Mode(models.TextChoices):
        PHONE = "phone", _("Phone")
        TEXT = "text", _("Text message")
        MAIL = "mail", _("Mail")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        LEFT_MESSAGE = "left_message", _("Left a message")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        RETURNED_MAIL = "returned_mail", _("Mail returned")
        DECLINED = "declined", _("Declined")
        SCHEDULED = "scheduled", _("Meeting scheduled")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="outreach_attempts")
    at = models.DateTimeField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["enrollment", "at"], name="outreach_enrollment_at")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.get_outcome_display()} · {self.at:%Y-%m-%d}"


class EnrollmentConsent(models.Model):
    """The patient's consent to enroll: when, who obtained it, and the evidence."""

    class Evidence(models.TextChoices):
        SIGNED_DOCUMENT = "signed_document", _("Signed document")
        VERBAL = "verbal", _("Verbal consent, attested")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="consents")
    obtained_on = models.DateField()
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evidence = models.CharField(max_length=24, choices=Evidence.choices)
    document_name = models.CharField(max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    attestation = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["obtained_on", "id"]

    def __str__(self) -> str:
        return f"consent to enroll {self.enrollment_id} on {self.obtained_on}"
