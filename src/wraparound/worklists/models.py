"""Tasks, alerts, contacts with the six core services, and locked billing months.

The worklist ranks open tasks and new alerts; a contact documents one
interaction (and the core services it delivered), which is what member-month
billing counts.  A billing month, once locked for an agency, refuses changes
to the contacts and outreach attempts it counted (``worklists.billing``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wraparound.careplans.models import CarePlan, CareTeamMember, Goal, Intervention
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient


class CoreService(models.TextChoices):
    """The six Health Home core services (Social Security Act §1945(h)(4))."""

    COMPREHENSIVE_CARE_MANAGEMENT = "care_management", _("Comprehensive care management")
    CARE_COORDINATION = "care_coordination", _("Care coordination and health promotion")
    TRANSITIONAL_CARE = "transitional_care", _("Comprehensive transitional care")
    INDIVIDUAL_FAMILY_SUPPORT = "family_support", _("Individual and family support")
    COMMUNITY_REFERRAL = "community_referral", _("Referral to community and social supports")
    HEALTH_IT = "health_it", _("Use of health information technology")


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.IntegerChoices):  # lower sorts first
        URGENT = 1, _("Urgent")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Low")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        CARE_PLAN_REVIEW = "care_plan_review", _("Care-plan review")
        RULE = "rule", _("Rule")
        RECURRING = "recurring", _("Recurring")
        ADT = "adt", _("Hospital event")
        ASSESSMENT = "assessment", _("Assessment")
        REFERRAL = "referral", _("Referral")

    class Recurrence(models.TextChoices):
        NONE = "", _("Does not repeat")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="tasks")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    assignee_role = models.CharField(
        max_length=32,
        choices=CareTeamMember.Role.choices,
        blank=True,
        help_text="A role on the patient's care team, when the task is not for one person.",
    )
    due_on = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=24, choices=Source.choices, default=Source.MANUAL)
    recurrence = models.CharField(max_length=8, choices=Recurrence.choices, blank=True, default="")
    care_plan = models.ForeignKey(
        CarePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    dedupe_key = models.CharField(
        max_length=120,
        blank=True,
        help_text="Set by rules that make tasks, so that running a rule twice makes one task.",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due"),
            models.Index(fields=["organization", "status", "due_on"], name="task_org_due"),
            models.Index(fields=["patient", "status"], name="task_patient_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "dedupe_key"], condition=~Q(dedupe_key=""), name="task_dedupe_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Alert(models.Model):
    """Something the care team should know now (an admission, a discharge, a result)."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admitted")
        ED_VISIT = "ed_visit", _("Emergency department visit")
        DISCHARGE = "discharge", _("Discharged")
        TRANSFER = "transfer", _("Transferred")
        READMISSION = "readmission", _("Readmitted within 30 days")
        OTHER = "other", _("Other")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    occurred_at = models.DateTimeField(help_text="When the event happened.")
    created_at = models.DateTimeField(help_text="When Wraparound learned of it.")
    dedupe_key = models.CharField(max_length=120, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organization", "acknowledged_at", "created_at"], name="alert_org_new"),
            models.Index(fields=["patient", "created_at"], name="alert_patient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "dedupe_key"], condition=~Q(dedupe_key=""), name="alert_dedupe_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Contact(models.Model):
    """One documented interaction, and the core services it delivered."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        TEXT = "text", _("Text message")
        MAIL = "mail", _("Mail")

    class With(models.TextChoices):
        PATIENT = "patient", _("Patient")
        FAMILY = "family", _("Family or caregiver")
        PROVIDER = "provider", _("Provider")
        COMMUNITY = "community", _("Community organization")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="contacts")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="contacts")
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    at = models.DateTimeField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    with_whom = models.CharField(max_length=16, choices=With.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    successful = models.BooleanField()
    note = models.TextField(blank=True)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["organization", "at"], name="contact_org_at"),
            models.Index(fields=["patient", "at"], name="contact_patient_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.at:%Y-%m-%d}"


class ContactService(models.Model):
    """A core service a contact delivered (a contact may deliver several)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(max_length=24, choices=CoreService.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "service"], name="contactservice_uniq")]

    def __str__(self) -> str:
        return self.get_service_display()


class BillingMonthLock(models.Model):
    """An agency's month submitted for billing: its contacts and outreach attempts are frozen."""

    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="billing_locks")
    month = models.DateField(help_text="The first day of the month.")
    locked_at = models.DateTimeField()
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pack = models.CharField(max_length=64)
    pack_version = models.CharField(max_length=32)
    report = models.JSONField(help_text="The report as submitted: members, billable or not, evidence.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="billingmonthlock_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month:%Y-%m} locked"
