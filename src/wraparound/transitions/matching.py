"""Which registry patient an ADT message is about: identifiers first, then deterministic demographics.

An identifier counts when its value and assigning authority agree with a registry ``Identifier`` of a
patient (a facility's MRN), or when it is typed Medicaid (v2-0203 MA/MCD) and equals a patient's
Medicaid ID.  Without an identifier match, family name, first given name, birth date, sex and
postal code must all be sent and all agree with exactly one patient.  Anything else is for people
to decide (``MatchReview``): records are never merged here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q

from wraparound.registry.models import Identifier, Patient
from wraparound.transitions.adt import MEDICAID_TYPES, AdtEvent, PatientIdentifier


@dataclass(frozen=True)
class MatchResult:
    patient_id: uuid.UUID | None
    candidates: tuple[uuid.UUID, ...]
    method: str  # "identifier", "medicaid", "demographics", "ambiguous", "not_found"


def _authority_fits(system: str, identifier: PatientIdentifier) -> bool:
    """A registry identifier system names the HL7 assigning authority (its namespace or OID)."""
    system = system.strip().lower()
    names = {name.lower() for name in (identifier.authority, identifier.authority_oid) if name}
    if not names:
        return False
    last = system.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return system in names or last in names or system.removeprefix("urn:oid:") in names


def _by_identifiers(event: AdtEvent) -> tuple[set[uuid.UUID], str]:
    found: set[uuid.UUID] = set()
    method = ""
    values = [identifier for identifier in event.identifiers if identifier.value]
    if not values:
        return found, method
    rows = Identifier.objects.filter(
        resource_type="Patient", value__in={identifier.value for identifier in values}
    ).values_list("resource_id", "system", "value")
    for resource_id, system, value in rows:
        if any(i.value == value and _authority_fits(system, i) for i in values):
            found.add(resource_id)
            method = "identifier"
    medicaid = {i.value for i in values if i.type_code in MEDICAID_TYPES}
    if medicaid:
        by_medicaid = set(Patient.objects.filter(medicaid_id__in=medicaid).values_list("id", flat=True))
        if by_medicaid:
            found |= by_medicaid
            method = method or "medicaid"
    return found, method


def _by_demographics(event: AdtEvent) -> set[uuid.UUID]:
    if not (event.family_name and event.given_name and event.birth_date and event.sex and event.postal_code):
        return set()
    first_given = event.given_name.split()[0].lower()
    rows = Patient.objects.filter(
        Q(family_name__iexact=event.family_name),
        birth_date=event.birth_date,
        gender=event.sex,
        postal_code__startswith=event.postal_code,
    ).values_list("id", "given_names")
    return {patient_id for patient_id, given in rows if given and given.split()[0].lower() == first_given}


def match_patient(event: AdtEvent) -> MatchResult:
    by_identifier, method = _by_identifiers(event)
    if len(by_identifier) == 1:
        (only,) = by_identifier
        return MatchResult(only, (only,), method)
    if len(by_identifier) > 1:
        return MatchResult(None, tuple(sorted(by_identifier)), "ambiguous")
    by_demographics = _by_demographics(event)
    if len(by_demographics) == 1:
        (only,) = by_demographics
        return MatchResult(only, (only,), "demographics")
    if by_demographics:
        return MatchResult(None, tuple(sorted(by_demographics)), "ambiguous")
    return MatchResult(None, (), "not_found")
