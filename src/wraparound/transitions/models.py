"""Hospital stays (from HL7 v2 ADT and from FHIR Encounters), their follow-up steps, and the match-review queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wraparound.hl7v2.models import InboxMessage
from wraparound.registry.models import Encounter, Patient
from wraparound.worklists.models import Task

# Where a patient went at discharge, in words: HL7 table 0112 as US senders fill it (the NUBC patient
# discharge status codes of the UB-04), and FHIR's discharge-disposition codes for stays from import.
DISCHARGE_DISPOSITIONS = {
    "01": _("Home or self care"),
    "02": _("Another short-term hospital"),
    "03": _("Skilled nursing facility"),
    "04": _("Intermediate care facility"),
    "05": _("Another type of institution"),
    "06": _("Home with home health services"),
    "07": _("Left against medical advice"),
    "09": _("Admitted as an inpatient to this hospital"),
    "20": _("Died"),
    "21": _("Court or law enforcement"),
    "30": _("Still a patient"),
    "40": _("Died at home (hospice)"),
    "41": _("Died in a medical facility (hospice)"),
    "43": _("A federal hospital"),
    "50": _("Hospice at home"),
    "51": _("Hospice in a medical facility"),
    "61": _("A swing bed in this hospital"),
    "62": _("An inpatient rehabilitation facility"),
    "63": _("A long-term care hospital"),
    "64": _("A Medicaid-certified nursing facility"),
    "65": _("A psychiatric hospital"),
    "66": _("A critical access hospital"),
    "69": _("A designated disaster alternative care site"),
    "70": _("Another type of health care institution"),
    "home": _("Home or self care"),
    "alt-home": _("Another home"),
    "other-hcf": _("Another health care facility"),
    "hosp": _("Hospice"),
    "long": _("Long-term care"),
    "aadvice": _("Left against medical advice"),
    "exp": _("Died"),
    "psy": _("A psychiatric hospital"),
    "rehab": _("Rehabilitation"),
    "snf": _("Skilled nursing facility"),
    "oth": _("Other"),
}


class Stay(models.Model):
    """One visit at one facility, keyed by (facility, visit number): an admission, an ED visit..."""

    class Kind(models.TextChoices):
        INPATIENT = "inpatient", _("Inpatient")
        EMERGENCY = "emergency", _("Emergency")
        OBSERVATION = "observation", _("Observation")
        OUTPATIENT = "outpatient", _("Outpatient")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the facility")
        DISCHARGED = "discharged", _("Discharged")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        HL7V2 = "hl7v2", _("HL7 v2 ADT")
        REGISTRY = "registry", _("FHIR Encounter")

    HOSPITAL_KINDS = (Kind.INPATIENT, Kind.OBSERVATION, Kind.EMERGENCY)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="stays")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.HL7V2)
    facility = models.CharField(max_length=255, help_text="MSH-4 as sent, or the Encounter's source.")
    facility_name = models.CharField(max_length=255, blank=True)
    visit_number = models.CharField(max_length=255, help_text="PV1-19, or the Encounter's id.")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    admitted_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    emergent = models.BooleanField(default=False, help_text="Admitted through the emergency department.")
    location = models.CharField(max_length=255, blank=True)
    prior_location = models.CharField(max_length=255, blank=True)
    discharge_disposition = models.CharField(max_length=64, blank=True)
    diagnoses = models.JSONField(default=list, blank=True)  # [{"code", "system", "display", "type"}]
    principal_diagnosis = models.CharField(max_length=64, blank=True)
    mental_illness = models.BooleanField(default=False)
    last_event_at = models.DateTimeField(null=True, blank=True, help_text="The latest event applied.")
    index_stay = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="readmissions"
    )
    lace = models.JSONField(null=True, blank=True)
    messages: models.ManyToManyField[InboxMessage, StayMessage] = models.ManyToManyField(
        InboxMessage, through="StayMessage", related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "visit_number"], name="stay_one_per_visit")
        ]
        indexes = [
            models.Index(fields=["patient", "admitted_at"], name="stay_patient_admitted"),
            models.Index(fields=["status", "discharged_at"], name="stay_status_discharged"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.facility_name or self.facility} {self.visit_number}"

    @property
    def is_readmission(self) -> bool:
        return self.index_stay_id is not None

    @property
    def discharge_disposition_label(self) -> str:
        """Where the patient went, in words, with the code as sent: "Home or self care (01)"."""
        code = self.discharge_disposition.strip()
        label = DISCHARGE_DISPOSITIONS.get(code.zfill(2) if code.isdigit() else code.lower())
        return f"{label} ({code})" if label is not None else code

    @property
    def lace_score(self) -> int | None:
        return int(self.lace["score"]) if self.lace else None

    @property
    def length_of_stay_days(self) -> int | None:
        if self.admitted_at is None or self.discharged_at is None:
            return None
        return max((self.discharged_at.date() - self.admitted_at.date()).days, 0)


class StayMessage(models.Model):
    """An ADT message applied to a stay (the raw message stays in the inbox)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="applied")
    message = models.ForeignKey(InboxMessage, on_delete=models.PROTECT, related_name="+")
    trigger_event = models.CharField(max_length=8)
    event_at = models.DateTimeField(null=True, blank=True)
    changed_state = models.BooleanField(
        default=True, help_text="False when it arrived after a later event and only filled in gaps."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stay", "message"], name="staymessage_uniq")]

    def __str__(self) -> str:
        return f"{self.trigger_event} -> stay {self.stay_id}"


class Step(models.Model):
    """A transitional-care step of a stay and the worklist task that carries it."""

    class Kind(models.TextChoices):
        CONTACT_DURING_STAY = "during_stay", _("Contact during the stay")
        CONTACT_AFTER_DISCHARGE = "contact", _("Contact within 2 business days")
        FOLLOW_UP_7 = "follow_up_7", _("Follow-up visit within 7 days")
        FOLLOW_UP_30 = "follow_up_30", _("Follow-up visit within 30 days")
        MEDICATION_RECONCILIATION = "med_rec", _("Medication reconciliation within 30 days")
        CARE_PLAN_REVIEW = "care_plan_review", _("Care-plan review")

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stay", "kind"], name="step_one_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class MatchReview(models.Model):
    """A message whose patient could not be decided alone (or a merge): for program staff, never auto-merged."""

    class Reason(models.TextChoices):
        AMBIGUOUS = "ambiguous", _("More than one patient matches")
        NOT_FOUND = "not_found", _("No patient matches")
        MERGE = "merge", _("The hospital merged two patient records")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Matched by staff")
        DISMISSED = "dismissed", _("Dismissed")

    message = models.OneToOneField(InboxMessage, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    summary = models.JSONField(default=dict, help_text="Name, birth date, sex, identifiers as sent.")
    candidates = models.JSONField(default=list, help_text="Ids of the patients that matched.")
    created_at = models.DateTimeField()
    resolved_patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="matchreview_status")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: message {self.message_id}"
