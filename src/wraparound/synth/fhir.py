"""FHIR R4 resource builders for one member, as plain dicts (the hot path: no validation here).

References to the member's own resources are ``urn:uuid:`` fullUrls inside a transaction bundle
or relative ``Type/id`` references in NDJSON; shared resources carry the reference the
network was built with.  Builders share the constant CodeableConcepts of ``codes``; nothing may
mutate a built resource afterwards.
"""

from __future__ import annotations

from wraparound.synth import admin_codes, codes
from wraparound.synth.clock import format_date
from wraparound.synth.codes import Allergen, Diagnosis, FhirJson, Medication
from wraparound.synth.history import Visit
from wraparound.synth.network import Organization
from wraparound.synth.population import Member

UCUM = codes.UCUM


class Refs:
    """How a member's resources point at each other."""

    __slots__ = ("patient", "relative")

    def __init__(self, relative: bool, patient_id: str) -> None:
        self.relative = relative
        self.patient = self.local("Patient", patient_id)

    def local(self, resource_type: str, resource_id: str) -> FhirJson:
        if self.relative:
            return {"reference": f"{resource_type}/{resource_id}"}
        return {"reference": f"urn:uuid:{resource_id}"}


# --- the person and their coverage ---------------------------------------------------------------


def _race_extension(member: Member) -> FhirJson:
    parts: list[FhirJson] = [
        {"url": "ombCategory", "valueCoding": admin_codes.OMB_RACE[race].coding()} for race in member.race
    ]
    if len(member.race) > 1:
        text = "Two or more races"
    elif member.race:
        text = admin_codes.OMB_RACE[member.race[0]].display
    else:
        text = "Other Race"
    parts.append({"url": "text", "valueString": text})
    return {"url": admin_codes.EXT_RACE, "extension": parts}


def _ethnicity_extension(member: Member) -> FhirJson:
    ethnicity = member.culture.ethnicity
    return {
        "url": admin_codes.EXT_ETHNICITY,
        "extension": [
            {"url": "ombCategory", "valueCoding": ethnicity.coding()},
            {"url": "text", "valueString": ethnicity.display},
        ],
    }


def _identifiers(member: Member) -> list[FhirJson]:
    identifiers: list[FhirJson] = [
        {"system": admin_codes.SYNTHEA_SYSTEM, "value": member.id},
        {
            "type": admin_codes.MEDICAL_RECORD_TYPE,
            "system": f"{admin_codes.MRN_SYSTEM_PREFIX}{member.clinic.number}",
            "value": member.mrn,
        },
        {
            "type": admin_codes.MEDICAID_NUMBER_TYPE,
            "system": admin_codes.MEDICAID_ID_SYSTEM,
            "value": member.medicaid_id,
        },
    ]
    if member.medicare_id:
        identifiers.append(
            {
                "type": admin_codes.MEDICARE_NUMBER_TYPE,
                "system": admin_codes.MEDICARE_MBI_SYSTEM,
                "value": member.medicare_id,
            }
        )
    if member.ssn:
        identifiers.append(
            {"type": admin_codes.SOCIAL_SECURITY_TYPE, "system": admin_codes.SSN_SYSTEM, "value": member.ssn}
        )
    return identifiers


def patient(member: Member) -> FhirJson:
    extensions = [
        _race_extension(member),
        _ethnicity_extension(member),
        {"url": admin_codes.EXT_BIRTHSEX, "valueCode": "F" if member.female else "M"},
    ]
    if member.interpreter is not None:
        extensions.append({"url": admin_codes.EXT_INTERPRETER, "valueBoolean": member.interpreter})
    address = dict(member.address)
    address["extension"] = [
        {
            "url": admin_codes.EXT_GEOLOCATION,
            "extension": [
                {"url": "latitude", "valueDecimal": member.latitude},
                {"url": "longitude", "valueDecimal": member.longitude},
            ],
        }
    ]
    return {
        "resourceType": "Patient",
        "id": member.id,
        "extension": extensions,
        "identifier": _identifiers(member),
        "active": True,
        "name": [{"use": "official", "family": member.family, "given": member.given}],
        "telecom": [
            {"system": "phone", "value": member.phone, "use": "mobile" if member.age >= 18 else "home"}
        ],
        "gender": member.sex,
        "birthDate": format_date(member.birth),
        "address": [address],
        "communication": [{"language": admin_codes.LANGUAGE_CONCEPTS[member.language], "preferred": True}],
        "generalPractitioner": [member.pcp.reference],
        "managingOrganization": member.clinic.reference,
    }


def coverage(
    resource_id: str, member: Member, refs: Refs, payer: Organization, medicare: bool = False
) -> FhirJson:
    subscriber = member.medicare_id if medicare else member.medicaid_id
    resource: FhirJson = {
        "resourceType": "Coverage",
        "id": resource_id,
        "identifier": [
            {
                "type": admin_codes.MEMBER_NUMBER_TYPE,
                "system": admin_codes.MEDICARE_MBI_SYSTEM if medicare else admin_codes.MEDICAID_ID_SYSTEM,
                "value": subscriber,
            }
        ],
        "status": "active",
        "type": admin_codes.MEDICARE_TYPE if medicare else admin_codes.MEDICAID_TYPE,
        "subscriberId": subscriber,
        "beneficiary": refs.patient,
        "relationship": admin_codes.SUBSCRIBER_SELF,
        "period": {"start": format_date(member.coverage_start)},
        "payor": [{"display": "Medicare"}]
        if medicare
        else [{"reference": payer.reference["reference"], "display": "Medicaid"}],
    }
    if not medicare:
        resource["class"] = [
            {"type": admin_codes.COVERAGE_CLASS_PLAN, "value": "NY-MEDICAID", "name": "Medicaid"}
        ]
    return resource


# --- encounters -------------------------------------------------------------------------------


def encounter(visit: Visit, refs: Refs, start: str, end: str) -> FhirJson:
    period: FhirJson = {"start": start}
    if not visit.in_progress:
        period["end"] = end
    resource: FhirJson = {
        "resourceType": "Encounter",
        "id": visit.id,
        "status": "in-progress" if visit.in_progress else "finished",
        "class": codes.ENCOUNTER_CLASSES[visit.encounter_class],
        "type": [visit.type],
        "subject": refs.patient,
        "participant": [
            {"type": codes.PARTICIPANT_PRIMARY_PERFORMER, "individual": visit.practitioner.reference}
        ],
        "period": period,
    }
    if visit.reason is not None:
        resource["reasonCode"] = [visit.reason.concept]
    if visit.encounter_class == "IMP":
        hospitalization: FhirJson = {"admitSource": codes.ADMIT_SOURCES[visit.admit_source or "emd"]}
        if visit.discharge:
            hospitalization["dischargeDisposition"] = codes.DISCHARGE_DISPOSITIONS[visit.discharge]
        resource["hospitalization"] = hospitalization
    if visit.encounter_class != "HH":
        resource["location"] = [{"location": visit.organization.location_reference}]
    resource["serviceProvider"] = visit.organization.reference
    return resource


# --- problems ---------------------------------------------------------------------------------


def condition(
    resource_id: str,
    refs: Refs,
    diagnosis: Diagnosis,
    category: list[FhirJson],
    encounter_id: str | None,
    onset: str,
    recorded: str,
    status: str = "active",
    abatement: str | None = None,
) -> FhirJson:
    resource: FhirJson = {
        "resourceType": "Condition",
        "id": resource_id,
        "clinicalStatus": codes.CLINICAL_STATUS[status],
        "verificationStatus": codes.CONFIRMED,
        "category": category,
        "code": diagnosis.concept,
        "subject": refs.patient,
    }
    if encounter_id:
        resource["encounter"] = refs.local("Encounter", encounter_id)
    resource["onsetDateTime"] = onset
    if abatement is not None:
        resource["abatementDateTime"] = abatement
    resource["recordedDate"] = recorded
    return resource


def allergy(
    resource_id: str, refs: Refs, allergen: Allergen, recorded: str, severe: bool, reaction: FhirJson
) -> FhirJson:
    return {
        "resourceType": "AllergyIntolerance",
        "id": resource_id,
        "clinicalStatus": codes.ALLERGY_CLINICAL_ACTIVE,
        "verificationStatus": codes.ALLERGY_CONFIRMED,
        "type": "allergy",
        "category": [allergen.category],
        "criticality": "high" if severe else "low",
        "code": allergen.concept,
        "patient": refs.patient,
        "recordedDate": recorded,
        "reaction": [{"manifestation": [reaction], "severity": "severe" if severe else "mild"}],
    }


# --- observations -----------------------------------------------------------------------------


def _observation(
    resource_id: str, refs: Refs, encounter_ref: FhirJson, category: str, code: FhirJson, at: str
) -> FhirJson:
    return {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": codes.OBSERVATION_CATEGORIES[category],
        "code": code,
        "subject": refs.patient,
        "encounter": encounter_ref,
        "effectiveDateTime": at,
    }


def quantity(value: float, unit: str) -> FhirJson:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def measurement(
    resource_id: str,
    refs: Refs,
    encounter_ref: FhirJson,
    category: str,
    code: FhirJson,
    at: str,
    value: float,
    unit: str,
) -> FhirJson:
    resource = _observation(resource_id, refs, encounter_ref, category, code, at)
    resource["valueQuantity"] = quantity(value, unit)
    return resource


def blood_pressure(
    resource_id: str, refs: Refs, encounter_ref: FhirJson, at: str, systolic: int, diastolic: int
) -> FhirJson:
    resource = _observation(resource_id, refs, encounter_ref, "vital-signs", codes.BLOOD_PRESSURE, at)
    resource["component"] = [
        {"code": codes.SYSTOLIC, "valueQuantity": quantity(systolic, "mm[Hg]")},
        {"code": codes.DIASTOLIC, "valueQuantity": quantity(diastolic, "mm[Hg]")},
    ]
    return resource


def coded_observation(
    resource_id: str,
    refs: Refs,
    encounter_ref: FhirJson,
    category: str,
    code: FhirJson,
    at: str,
    value: FhirJson,
) -> FhirJson:
    resource = _observation(resource_id, refs, encounter_ref, category, code, at)
    resource["valueCodeableConcept"] = value
    return resource


# --- orders and procedures -------------------------------------------------------------------


def medication_request(
    resource_id: str,
    refs: Refs,
    encounter_ref: FhirJson,
    medication: Medication,
    requester: FhirJson,
    authored: str,
    status: str,
    reason_id: str | None,
) -> FhirJson:
    resource: FhirJson = {
        "resourceType": "MedicationRequest",
        "id": resource_id,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medication.concept,
        "subject": refs.patient,
        "encounter": encounter_ref,
        "authoredOn": authored,
        "requester": requester,
    }
    if reason_id:
        resource["reasonReference"] = [refs.local("Condition", reason_id)]
    resource["dosageInstruction"] = [medication.dosage]
    return resource


def procedure(
    resource_id: str, refs: Refs, visit: Visit, encounter_ref: FhirJson, code: FhirJson, start: str, end: str
) -> FhirJson:
    resource: FhirJson = {
        "resourceType": "Procedure",
        "id": resource_id,
        "status": "completed",
        "code": code,
        "subject": refs.patient,
        "encounter": encounter_ref,
        "performedPeriod": {"start": start, "end": end},
        "performer": [{"actor": visit.practitioner.reference}],
    }
    if visit.encounter_class != "HH":
        resource["location"] = visit.organization.location_reference
    return resource


def immunization(
    resource_id: str, refs: Refs, visit: Visit, encounter_ref: FhirJson, vaccine: FhirJson, at: str
) -> FhirJson:
    return {
        "resourceType": "Immunization",
        "id": resource_id,
        "status": "completed",
        "vaccineCode": vaccine,
        "patient": refs.patient,
        "encounter": encounter_ref,
        "occurrenceDateTime": at,
        "recorded": at,
        "primarySource": True,
        "location": visit.organization.location_reference,
    }


def claim(
    resource_id: str,
    refs: Refs,
    visit: Visit,
    encounter_ref: FhirJson,
    coverage_ref: FhirJson,
    diagnoses: list[codes.Code],
    total: float,
    start: str,
    end: str,
) -> FhirJson:
    return {
        "resourceType": "Claim",
        "id": resource_id,
        "status": "active",
        "type": admin_codes.CLAIM_TYPES[
            "institutional" if visit.encounter_class in ("EMER", "IMP") else "professional"
        ],
        "use": "claim",
        "patient": refs.patient,
        "billablePeriod": {"start": start, "end": end},
        "created": end,
        "provider": visit.organization.reference,
        "priority": admin_codes.CLAIM_PRIORITY_NORMAL,
        "diagnosis": [
            {"sequence": number, "diagnosisCodeableConcept": {"coding": [code.coding()]}}
            for number, code in enumerate(diagnoses, start=1)
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": coverage_ref}],
        "item": [
            {
                "sequence": 1,
                "diagnosisSequence": list(range(1, len(diagnoses) + 1)),
                "productOrService": visit.type,
                "encounter": [encounter_ref],
            }
        ],
        "total": {"value": total, "currency": "USD"},
    }
