"""What the patient summary shows, read in a handful of queries.

The patient comes from ``access_patient`` (the permission check); every query
here is bounded by that patient and leaves the stored FHIR JSON unread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Count, Max
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wraparound.registry.access import PatientAccess
from wraparound.registry.models import (
    AllergyIntolerance,
    Condition,
    Encounter,
    Identifier,
    Immunization,
    MedicationRequest,
)
from wraparound.web.formatting import local_date, us_date, us_datetime, us_time

ENCOUNTER_LIMIT = 50
PAST_MEDICATION_LIMIT = 20

IDENTIFIER_TYPES = {
    "MR": gettext_lazy("Medical record number"),
    "MA": gettext_lazy("Medicaid ID"),
    "MC": gettext_lazy("Medicare number"),
    "SS": gettext_lazy("Social Security number"),
    "DL": gettext_lazy("Driver's license"),
    "PPN": gettext_lazy("Passport number"),
    "NPI": gettext_lazy("National Provider Identifier"),
    "PI": gettext_lazy("Patient internal identifier"),
    "AN": gettext_lazy("Account number"),
    "SYNTHEA": gettext_lazy("Synthea record ID"),
}
IDENTIFIER_SYSTEMS = {
    "http://hl7.org/fhir/sid/us-ssn": "SS",
    "http://hl7.org/fhir/sid/us-medicare": "MC",
    "http://hl7.org/fhir/sid/us-mbi": "MC",
    "http://hl7.org/fhir/sid/us-npi": "NPI",
    "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber": "PPN",
    "urn:oid:2.16.840.1.113883.4.3.25": "DL",
    "https://github.com/synthetichealth/synthea": "SYNTHEA",
}
MASKED_TYPES = frozenset({"SS"})
IDENTIFIER_ORDER = ("MR", "MA", "MC", "SS")

CONDITION_STATUS = {
    "active": gettext_lazy("Active"),
    "recurrence": gettext_lazy("Recurrence"),
    "relapse": gettext_lazy("Relapse"),
    "inactive": gettext_lazy("Inactive"),
    "remission": gettext_lazy("In remission"),
    "resolved": gettext_lazy("Resolved"),
}
ENCOUNTER_CLASS: dict[str, Promise] = {
    Encounter.Kind.INPATIENT: gettext_lazy("Inpatient"),
    Encounter.Kind.EMERGENCY: gettext_lazy("Emergency"),
    Encounter.Kind.AMBULATORY: gettext_lazy("Ambulatory"),
    Encounter.Kind.HOME_HEALTH: gettext_lazy("Home health"),
    Encounter.Kind.VIRTUAL: gettext_lazy("Virtual"),
    Encounter.Kind.OBSERVATION: gettext_lazy("Observation"),
    Encounter.Kind.OTHER: gettext_lazy("Other"),
}
MEDICATION_STATUS = {
    "active": gettext_lazy("Active"),
    "stopped": gettext_lazy("Stopped"),
    "completed": gettext_lazy("Completed"),
    "on-hold": gettext_lazy("On hold"),
    "cancelled": gettext_lazy("Cancelled"),
    "entered-in-error": gettext_lazy("Entered in error"),
    "draft": gettext_lazy("Draft"),
}
ALLERGY_CATEGORY = {
    "food": gettext_lazy("Food"),
    "medication": gettext_lazy("Medication"),
    "environment": gettext_lazy("Environment"),
    "biologic": gettext_lazy("Biologic"),
}
ALLERGY_STATUS = {
    "inactive": gettext_lazy("Inactive"),
    "resolved": gettext_lazy("Resolved"),
}
STAY_CLASSES = frozenset({Encounter.Kind.INPATIENT, Encounter.Kind.OBSERVATION})
_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class IdentifierRow:
    kind: str
    value: str
    issuer: str
    is_masked: bool


@dataclass(frozen=True)
class ConditionRow:
    condition: Condition
    status_label: str
    snomed_code: str
    icd10_code: str


@dataclass(frozen=True)
class EncounterRow:
    encounter: Encounter
    kind: str
    kind_label: str
    facility: str
    length_of_stay_days: int | None
    ended: str


@dataclass(frozen=True)
class MedicationRow:
    request: MedicationRequest
    status_label: str


@dataclass(frozen=True)
class AllergyRow:
    allergy: AllergyIntolerance
    is_high_risk: bool
    facts: tuple[str, ...]


@dataclass(frozen=True)
class ImmunizationRow:
    display: str
    code: str
    last_given: dt.datetime | None
    doses: int


def _issuer(system: str) -> str:
    """Who issued the identifier, when the system names it plainly (a web address)."""
    if system in IDENTIFIER_SYSTEMS or not system.startswith(("http://", "https://")):
        return ""
    return urlsplit(system).netloc


def identifier_rows(access: PatientAccess) -> list[IdentifierRow]:
    """The patient's identifiers in plain words, record numbers first; Social Security numbers
    keep only their last 4 digits."""
    rows: list[tuple[int, IdentifierRow]] = []
    for identifier in Identifier.objects.filter(resource_type="Patient", resource_id=access.patient.id):
        system_type = IDENTIFIER_SYSTEMS.get(identifier.system, "")
        type_code = identifier.type_code or system_type
        kind = str(IDENTIFIER_TYPES.get(type_code, type_code or _("Other identifier")))
        is_masked = bool(MASKED_TYPES & {identifier.type_code, system_type})
        value = identifier.value[-4:] if is_masked else identifier.value
        rank = IDENTIFIER_ORDER.index(type_code) if type_code in IDENTIFIER_ORDER else len(IDENTIFIER_ORDER)
        rows.append((rank, IdentifierRow(kind, value, _issuer(identifier.system), is_masked)))
    return [row for _, row in sorted(rows, key=lambda ranked: (ranked[0], ranked[1].kind, ranked[1].value))]


def condition_label(status: str) -> str:
    return str(CONDITION_STATUS.get(status, status or _("Unknown")))


def _condition_row(condition: Condition) -> ConditionRow:
    system = condition.code_system.lower()
    return ConditionRow(
        condition=condition,
        status_label=condition_label(condition.status),
        snomed_code=condition.snomed_code or (condition.code if "snomed" in system else ""),
        icd10_code=condition.icd10_code or (condition.code if "icd-10" in system else ""),
    )


def conditions(access: PatientAccess) -> tuple[list[ConditionRow], list[ConditionRow]]:
    """Active problems (newest onset first), then the others (most recently resolved first)."""
    rows = list(access.records(Condition).exclude(verification_status="entered-in-error").defer("resource"))
    active = sorted((row for row in rows if row.is_active), key=lambda row: row.onset or _EPOCH, reverse=True)
    other = sorted(
        (row for row in rows if not row.is_active),
        key=lambda row: row.abatement or row.onset or _EPOCH,
        reverse=True,
    )
    return [_condition_row(row) for row in active], [_condition_row(row) for row in other]


def _stay_days(encounter: Encounter) -> int | None:
    if encounter.encounter_class not in STAY_CLASSES:
        return None
    start, end = local_date(encounter.start), local_date(encounter.end)
    if start is None or end is None:
        return None
    return (end - start).days


def _ended(encounter: Encounter) -> str:
    """When the encounter ended: the time alone when it ended on the day it started."""
    if encounter.end is None:
        return ""
    if local_date(encounter.end) == local_date(encounter.start):
        return us_time(encounter.end)
    return us_datetime(encounter.end)


def encounter_rows(access: PatientAccess, limit: int = ENCOUNTER_LIMIT) -> tuple[list[EncounterRow], int]:
    """The most recent encounters with their facility (one join), and how many there are in all."""
    encounters = (
        access.records(Encounter)
        .select_related("service_provider", "location")
        .defer("resource", "service_provider__resource", "location__resource")
        .order_by("-start")[:limit]
    )
    rows = [
        EncounterRow(
            encounter=encounter,
            kind=encounter.encounter_class,
            kind_label=str(ENCOUNTER_CLASS.get(encounter.encounter_class, encounter.encounter_class)),
            facility=(encounter.location.name if encounter.location else "")
            or (encounter.service_provider.name if encounter.service_provider else ""),
            length_of_stay_days=_stay_days(encounter),
            ended=_ended(encounter),
        )
        for encounter in encounters
    ]
    total = len(rows) if len(rows) < limit else access.records(Encounter).count()
    return rows, total


def medications(access: PatientAccess) -> tuple[list[MedicationRequest], list[MedicationRow], int]:
    """Active prescriptions, the most recent past ones, and how many past ones there are."""
    requests = access.records(MedicationRequest).defer("resource")
    active = list(requests.filter(status="active").order_by("-authored_on"))
    past_requests = requests.exclude(status="active")
    past = [
        MedicationRow(request, str(MEDICATION_STATUS.get(request.status, request.status or "—")))
        for request in past_requests.order_by("-authored_on")[:PAST_MEDICATION_LIMIT]
    ]
    past_total = len(past) if len(past) < PAST_MEDICATION_LIMIT else past_requests.count()
    return active, past, past_total


def _allergy_row(allergy: AllergyIntolerance) -> AllergyRow:
    facts = [
        str(ALLERGY_CATEGORY.get(allergy.category, allergy.category)) if allergy.category else "",
        str(ALLERGY_STATUS.get(allergy.status, "")),
        _("recorded %(date)s") % {"date": us_date(allergy.recorded_date)} if allergy.recorded_date else "",
    ]
    return AllergyRow(allergy, allergy.criticality == "high", tuple(fact for fact in facts if fact))


def allergies(access: PatientAccess) -> list[AllergyRow]:
    rows = access.records(AllergyIntolerance).defer("resource").order_by("status", "display")
    return [_allergy_row(allergy) for allergy in rows]


def immunizations(access: PatientAccess) -> list[ImmunizationRow]:
    """One row per vaccine: when it was last given and how many doses are on record."""
    rows: Any = (
        access.records(Immunization)
        .values("code", "display")
        .annotate(last_given=Max("occurrence"), doses=Count("id"))
        .order_by("-last_given")
    )
    return [ImmunizationRow(row["display"], row["code"], row["last_given"], row["doses"]) for row in rows]
