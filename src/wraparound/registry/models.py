"""The clinical record: typed, indexed columns beside the FHIR JSON as it was received.

Every stored resource has a deterministic primary key derived from its source
identity (source system, resource type, id in that source), so an importer can
compute references and detect repeats without a round trip per resource.  The
original JSON is kept in ``resource``; ``ResourceVersion`` keeps what a changed
resource replaced.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.db import models

from wraparound.core.identity import resource_uuid


class StoredResource(models.Model):
    """Fields every stored FHIR resource has, mapped or raw."""

    FHIR_TYPE: ClassVar[str] = ""

    id = models.UUIDField(primary_key=True, editable=False)
    source = models.CharField(max_length=64, help_text="The system the resource came from.")
    source_id = models.CharField(max_length=64, help_text="The resource's id in its source.")
    resource = models.JSONField(help_text="The FHIR resource as received.")
    content_hash = models.CharField(max_length=32)
    version = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.FHIR_TYPE or 'Resource'}/{self.source_id} ({self.source})"

    @classmethod
    def identity(cls, source: str, source_id: str) -> uuid.UUID:
        return resource_uuid(source, cls.FHIR_TYPE, source_id)

    @property
    def reference(self) -> str:
        return f"{self.FHIR_TYPE}/{self.source_id}"


class Organization(StoredResource):
    FHIR_TYPE = "Organization"

    name = models.CharField(max_length=255, blank=True)
    npi = models.CharField(max_length=20, blank=True, db_index=True)
    type_code = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=128, blank=True)
    state = models.CharField(max_length=64, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)
    part_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="organization_source_uniq")
        ]

    def __str__(self) -> str:
        return self.name or self.source_id


class Location(StoredResource):
    FHIR_TYPE = "Location"

    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, blank=True)
    type_code = models.CharField(max_length=64, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    city = models.CharField(max_length=128, blank=True)
    state = models.CharField(max_length=64, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="location_source_uniq")]

    def __str__(self) -> str:
        return self.name or self.source_id


class Practitioner(StoredResource):
    FHIR_TYPE = "Practitioner"

    family_name = models.CharField(max_length=128, blank=True)
    given_names = models.CharField(max_length=255, blank=True)
    prefix = models.CharField(max_length=32, blank=True)
    npi = models.CharField(max_length=20, blank=True, db_index=True)
    gender = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="practitioner_source_uniq")
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.prefix, self.given_names, self.family_name) if part)


class PractitionerRole(StoredResource):
    FHIR_TYPE = "PractitionerRole"

    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="practitioner_roles"
    )
    specialty_code = models.CharField(max_length=64, blank=True)
    specialty_display = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="practitionerrole_source_uniq")
        ]


class Patient(StoredResource):
    FHIR_TYPE = "Patient"

    family_name = models.CharField(max_length=128, blank=True)
    given_names = models.CharField(max_length=255, blank=True)
    preferred_name = models.CharField(max_length=128, blank=True)
    search_name = models.CharField(
        max_length=400, blank=True, db_index=True, help_text="Lower-case 'given family', for search."
    )
    birth_date = models.DateField(null=True, blank=True, db_index=True)
    gender = models.CharField(max_length=16, blank=True)
    race_code = models.CharField(max_length=16, blank=True)
    race = models.CharField(max_length=128, blank=True)
    ethnicity_code = models.CharField(max_length=16, blank=True)
    ethnicity = models.CharField(max_length=128, blank=True)
    language_code = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=64, blank=True)
    interpreter_needed = models.BooleanField(null=True, blank=True)
    address_line = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=128, blank=True)
    state = models.CharField(max_length=64, blank=True)
    postal_code = models.CharField(max_length=16, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    medicaid_id = models.CharField(max_length=64, blank=True, db_index=True)
    deceased_at = models.DateTimeField(null=True, blank=True)
    managing_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="patient_source_uniq")]
        indexes = [models.Index(fields=["family_name", "given_names"], name="patient_name_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part) or self.source_id

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        end = self.deceased_at.date() if self.deceased_at else day
        years = end.year - self.birth_date.year
        if (end.month, end.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Identifier(models.Model):
    """Business identifiers (MRNs per source, Medicaid ID, NPI...) of patients and directory resources.

    Used for search, for Synthea-style conditional references
    (``Practitioner?identifier=system|value``) and, later, for matching.
    """

    resource_type = models.CharField(max_length=32)
    resource_id = models.UUIDField()
    system = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255)
    type_code = models.CharField(max_length=16, blank=True, help_text="v2-0203 code: MR, MA, SS, NPI...")

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "system", "value"], name="identifier_lookup_idx"),
            models.Index(fields=["value"], name="identifier_value_idx"),
            models.Index(fields=["resource_id"], name="identifier_owner_idx"),
        ]


class IdentityLink(models.Model):
    """The seam for cross-source matching: which person a source record belongs to.

    For now every Patient is its own person (method ``source-record``); the
    matching work links records of one person from several sources here.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="identity_link")
    person_id = models.UUIDField(db_index=True)
    method = models.CharField(max_length=32, default="source-record")
    created_at = models.DateTimeField()


class PatientResource(StoredResource):
    """A clinical resource about one patient."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=32, blank=True)
    code_system = models.CharField(max_length=128, blank=True)
    code = models.CharField(max_length=64, blank=True)
    display = models.CharField(max_length=255, blank=True)
    # Coded in the substance-use-disorder value set (core.valuesets): when it came from a
    # 42 CFR Part 2 program, only users covered by consent see it (consent.segmentation).
    is_sud = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Encounter(PatientResource):
    FHIR_TYPE = "Encounter"

    class Kind(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient"
        EMERGENCY = "emergency", "Emergency"
        AMBULATORY = "ambulatory", "Ambulatory"
        HOME_HEALTH = "home_health", "Home health"
        VIRTUAL = "virtual", "Virtual"
        OBSERVATION = "observation", "Observation"
        OTHER = "other", "Other"

    encounter_class = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    class_code = models.CharField(max_length=16, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    service_provider = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discharge_disposition_code = models.CharField(max_length=32, blank=True)
    discharge_disposition = models.CharField(max_length=128, blank=True)
    reason_code = models.CharField(max_length=64, blank=True)
    reason_display = models.CharField(max_length=255, blank=True)
    diagnosis_codes = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="encounter_source_uniq")]
        indexes = [
            models.Index(fields=["patient", "start"], name="encounter_patient_start_idx"),
            models.Index(fields=["encounter_class", "start"], name="encounter_class_start_idx"),
        ]

    @property
    def length_of_stay_days(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return (self.end.date() - self.start.date()).days


class Condition(PatientResource):
    FHIR_TYPE = "Condition"

    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_status = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=64, blank=True)
    snomed_code = models.CharField(max_length=32, blank=True, db_index=True)
    icd10_code = models.CharField(max_length=16, blank=True, db_index=True)
    onset = models.DateTimeField(null=True, blank=True)
    abatement = models.DateTimeField(null=True, blank=True)
    recorded_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="condition_source_uniq")]
        indexes = [
            models.Index(fields=["patient", "status"], name="condition_patient_status_idx"),
            models.Index(fields=["code_system", "code"], name="condition_code_idx"),
        ]

    @property
    def is_active(self) -> bool:
        return self.status in ("active", "recurrence", "relapse")


class Observation(PatientResource):
    FHIR_TYPE = "Observation"

    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField(max_length=64, blank=True)
    value_quantity = models.FloatField(null=True, blank=True)
    value_unit = models.CharField(max_length=64, blank=True)
    value_code = models.CharField(max_length=64, blank=True)
    value_text = models.CharField(max_length=255, blank=True)
    components = models.JSONField(default=list, blank=True)
    effective = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="observation_source_uniq")
        ]
        indexes = [
            models.Index(fields=["patient", "code", "effective"], name="observation_patient_code_idx"),
            models.Index(fields=["code_system", "code"], name="observation_code_idx"),
        ]


class MedicationRequest(PatientResource):
    FHIR_TYPE = "MedicationRequest"

    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intent = models.CharField(max_length=32, blank=True)
    authored_on = models.DateTimeField(null=True, blank=True)
    requester = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="medicationrequest_source_uniq")
        ]
        indexes = [
            models.Index(fields=["patient", "authored_on"], name="medreq_patient_date_idx"),
            models.Index(fields=["code_system", "code"], name="medreq_code_idx"),
        ]


class Procedure(PatientResource):
    FHIR_TYPE = "Procedure"

    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_start = models.DateTimeField(null=True, blank=True)
    performed_end = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="procedure_source_uniq")]
        indexes = [
            models.Index(fields=["patient", "performed_start"], name="procedure_patient_date_idx"),
            models.Index(fields=["code_system", "code"], name="procedure_code_idx"),
        ]


class Immunization(PatientResource):
    FHIR_TYPE = "Immunization"

    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurrence = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="immunization_source_uniq")
        ]
        indexes = [models.Index(fields=["patient", "occurrence"], name="immunization_patient_date_idx")]


class AllergyIntolerance(PatientResource):
    FHIR_TYPE = "AllergyIntolerance"

    verification_status = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=32, blank=True)
    criticality = models.CharField(max_length=32, blank=True)
    recorded_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="allergyintolerance_source_uniq")
        ]


class Coverage(PatientResource):
    """Coverage of a beneficiary (``patient``); ``code`` is the coverage type."""

    FHIR_TYPE = "Coverage"

    payor_name = models.CharField(max_length=255, blank=True)
    subscriber_id = models.CharField(max_length=64, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="coverage_source_uniq")]


class RawResource(StoredResource):
    """A resource type Wraparound does not map (Claim, DiagnosticReport, Provenance...): kept whole, counted."""

    resource_type = models.CharField(max_length=64)
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "source", "source_id"], name="raw_source_uniq")
        ]
        indexes = [
            models.Index(fields=["resource_type"], name="raw_type_idx"),
            models.Index(fields=["patient", "resource_type"], name="raw_patient_type_idx"),
        ]


class ResourceVersion(models.Model):
    """A prior version of a resource, kept when a changed copy replaced it."""

    resource_type = models.CharField(max_length=64)
    resource_id = models.UUIDField()
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=32)
    resource = models.JSONField()
    replaced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_id", "version"], name="resourceversion_uniq")
        ]
        indexes = [models.Index(fields=["resource_id", "content_hash"], name="resourceversion_hash_idx")]


MAPPED_MODELS: tuple[type[StoredResource], ...] = (
    Organization,
    Location,
    Practitioner,
    PractitionerRole,
    Patient,
    Coverage,
    Encounter,
    Condition,
    Observation,
    MedicationRequest,
    Procedure,
    Immunization,
    AllergyIntolerance,
)
MODEL_BY_TYPE: dict[str, type[StoredResource]] = {model.FHIR_TYPE: model for model in MAPPED_MODELS}
