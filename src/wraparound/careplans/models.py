"""The care team around a patient and the one person-centered care plan per enrollment.

Care-team membership is one of the relationships that open a patient's
record to a user (``registry.access``).  A team has exactly one current lead
care manager (a partial unique constraint); handing the lead over records a
``LeadHandoff`` with its note.

The care plan's current content lives in rows that keep their ids (problems,
goals, interventions: tasks link to them); every change also writes a
``CarePlanVersion`` holding a JSON snapshot of the whole plan, its author and
time, so the history can show what changed between any two versions.  Saves
carry the version they were based on: ``CarePlan.version`` moves only by an
``UPDATE ... WHERE version = <base>``, so a second concurrent save is refused
as a conflict instead of silently overwriting the first (optimistic locking).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Condition, Patient


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
        constraints = [
            models.UniqueConstraint(
                fields=["care_team"],
                condition=Q(role="lead_care_manager", end__isnull=True),
                name="careteam_one_current_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.care_team}"

    def is_current(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or self.end >= on)


class LeadHandoff(models.Model):
    """The lead care manager changed hands: who to whom, when, and the handoff note."""

    care_team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="handoffs")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"lead of {self.care_team_id} → {self.to_user_id} at {self.at:%Y-%m-%d}"


class CarePlan(models.Model):
    """The one person-centered care plan of an enrollment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    class Acknowledgement(models.TextChoices):
        SIGNED = "signed", _("Signed by the patient")
        VERBAL = "verbal", _("Agreed verbally")

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="care_plan")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_plans")
    organization = models.ForeignKey(CareOrganization, on_delete=models.PROTECT, related_name="care_plans")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=0, help_text="The number of the latest saved version.")
    strengths = models.TextField(blank=True, help_text="The patient's strengths, in their own words.")
    preferences = models.TextField(blank=True, help_text="What matters to the patient; how they want care.")
    family_role = models.TextField(blank=True, help_text="The family's or caregivers' part in the plan.")
    acknowledged_on = models.DateField(null=True, blank=True)
    acknowledgement = models.CharField(max_length=8, choices=Acknowledgement.choices, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organization", "next_review_due"], name="careplan_review_due"),
            models.Index(fields=["patient"], name="careplan_patient"),
        ]

    def __str__(self) -> str:
        return f"care plan of {self.patient_id} (v{self.version})"


class CarePlanVersion(models.Model):
    """One saved state of a care plan: the whole plan as JSON, who saved it and when."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    summary = models.CharField(max_length=255, help_text="What this save changed, in a few words.")
    snapshot = models.JSONField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["care_plan", "number"], name="careplanversion_number_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.care_plan_id} v{self.number}"


class Problem(models.Model):
    """Something the plan addresses: a condition, a behavioral health need or a social need."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        BEHAVIORAL = "behavioral", _("Behavioral health")
        SOCIAL = "social", _("Social need")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(max_length=500)
    condition = models.ForeignKey(
        Condition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    need_code = models.CharField(
        max_length=32, blank=True, help_text="For a social need: its code (e.g. a Gravity Project code)."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description


class Goal(models.Model):
    """A goal in the patient's own words, with a measurable target and a date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        CANCELLED = "cancelled", _("Cancelled")

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    text = models.TextField(help_text="The goal as the patient said it; kept as written.")
    measure = models.CharField(max_length=200, blank=True, help_text="What is measured, e.g. HbA1c.")
    target = models.CharField(max_length=200, blank=True, help_text="The target, e.g. below 8%.")
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Intervention(models.Model):
    """What the team (or the patient) will do toward a goal: an owner, a due date and a status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="interventions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        CareTeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="interventions"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description[:80]
