"""FHIR JSON to the registry's typed columns: one small function per resource type.

The functions read plain dicts (the hot path of every import) and return the
column values; the original JSON is stored beside them unchanged.  A reference
is turned into the target's primary key by the ``resolve`` callable the
importer passes in, which returns ``(resource type, uuid)`` or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wraparound.core.codes import (
    ICD10CM,
    INTERPRETER_REQUIRED,
    LOINC,
    SNOMED,
    US_CORE_ETHNICITY,
    US_CORE_RACE,
    V2_IDENTIFIER_TYPE,
    encounter_kind,
)
from wraparound.core.fhirdates import parse_date, parse_datetime
from wraparound.core.valuesets import is_sud_coding

Resource = dict[str, Any]
Resolve = Callable[[Any], tuple[str, str] | None]
Columns = dict[str, Any]


def _first(items: list[Any] | None) -> Any:
    return items[0] if items else None


def _concept(concept: Resource | None, prefer: str | None = None) -> tuple[str, str, str]:
    """(system, code, display) of a CodeableConcept: the coding in ``prefer`` system, else the first."""
    if not concept:
        return "", "", ""
    codings = concept.get("coding") or []
    chosen = None
    if prefer:
        chosen = next((c for c in codings if c.get("system") == prefer), None)
    chosen = chosen or _first(codings) or {}
    display = chosen.get("display") or concept.get("text") or ""
    return chosen.get("system", ""), chosen.get("code", ""), display


def _code_in(concept: Resource | None, system: str) -> str:
    for coding in (concept or {}).get("coding") or ():
        if coding.get("system") == system:
            return str(coding.get("code", ""))
    return ""


def _status(concept: Resource | None) -> str:
    return _concept(concept)[1]


def _target(resolve: Resolve, reference: Any, resource_type: str) -> str | None:
    resolved = resolve(reference)
    if resolved is None or resolved[0] != resource_type:
        return None
    return resolved[1]


def _clip(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


def _human_name(names: list[Resource] | None) -> tuple[str, str, str]:
    """(family, given names, prefix) of the official name, else the first one."""
    if not names:
        return "", "", ""
    name = next((n for n in names if n.get("use") == "official"), names[0])
    return name.get("family", ""), " ".join(name.get("given") or ()), " ".join(name.get("prefix") or ())


def _address(addresses: list[Resource] | None) -> Columns:
    address = _first(addresses) or {}
    columns: Columns = {
        "city": address.get("city", ""),
        "state": address.get("state", ""),
        "postal_code": _clip(address.get("postalCode", ""), 16),
    }
    for extension in address.get("extension") or ():
        if extension.get("url") == "http://hl7.org/fhir/StructureDefinition/geolocation":
            for part in extension.get("extension") or ():
                if part.get("url") == "latitude":
                    columns["latitude"] = part.get("valueDecimal")
                elif part.get("url") == "longitude":
                    columns["longitude"] = part.get("valueDecimal")
    columns["_line"] = ", ".join(address.get("line") or ())
    return columns


def _telecom(telecoms: list[Resource] | None, system: str) -> str:
    for telecom in telecoms or ():
        if telecom.get("system") == system:
            return str(telecom.get("value", ""))
    return ""


def _identifier_value(identifiers: list[Resource] | None, system: str) -> str:
    for identifier in identifiers or ():
        if identifier.get("system") == system:
            return str(identifier.get("value", ""))
    return ""


def identifier_rows(resource: Resource) -> list[tuple[str, str, str]]:
    """(system, value, v2-0203 type code) for each business identifier of a resource."""
    rows = []
    for identifier in resource.get("identifier") or ():
        value = identifier.get("value")
        if not value:
            continue
        type_code = _code_in(identifier.get("type"), V2_IDENTIFIER_TYPE)
        rows.append((identifier.get("system", ""), str(value), type_code))
    return rows


def map_organization(resource: Resource, resolve: Resolve) -> Columns:
    return {
        "name": _clip(resource.get("name", ""), 255),
        "npi": _identifier_value(resource.get("identifier"), "http://hl7.org/fhir/sid/us-npi"),
        "type_code": _concept(_first(resource.get("type")))[1],
        "phone": _telecom(resource.get("telecom"), "phone"),
        "is_active": resource.get("active", True),
        "part_of_id": _target(resolve, resource.get("partOf"), "Organization"),
        **{
            k: v
            for k, v in _address(resource.get("address")).items()
            if k in ("city", "state", "postal_code")
        },
    }


def map_location(resource: Resource, resolve: Resolve) -> Columns:
    address = _address([resource["address"]] if resource.get("address") else None)
    position = resource.get("position") or {}
    return {
        "name": _clip(resource.get("name", ""), 255),
        "status": resource.get("status", ""),
        "type_code": _concept(_first(resource.get("type")))[1],
        "organization_id": _target(resolve, resource.get("managingOrganization"), "Organization"),
        "city": address["city"],
        "state": address["state"],
        "postal_code": address["postal_code"],
        "latitude": position.get("latitude", address.get("latitude")),
        "longitude": position.get("longitude", address.get("longitude")),
    }


def map_practitioner(resource: Resource, resolve: Resolve) -> Columns:
    family, given, prefix = _human_name(resource.get("name"))
    return {
        "family_name": _clip(family, 128),
        "given_names": _clip(given, 255),
        "prefix": _clip(prefix, 32),
        "npi": _identifier_value(resource.get("identifier"), "http://hl7.org/fhir/sid/us-npi"),
        "gender": resource.get("gender", ""),
    }


def map_practitioner_role(resource: Resource, resolve: Resolve) -> Columns:
    _, code, display = _concept(_first(resource.get("specialty")))
    return {
        "practitioner_id": _target(resolve, resource.get("practitioner"), "Practitioner"),
        "organization_id": _target(resolve, resource.get("organization"), "Organization"),
        "specialty_code": code,
        "specialty_display": _clip(display, 255),
    }


def _us_core_category(extensions: list[Resource] | None, url: str) -> tuple[str, str]:
    for extension in extensions or ():
        if extension.get("url") != url:
            continue
        code, text = "", ""
        for part in extension.get("extension") or ():
            if part.get("url") == "ombCategory" and not code:
                code = part.get("valueCoding", {}).get("code", "")
                text = text or part.get("valueCoding", {}).get("display", "")
            elif part.get("url") == "text":
                text = part.get("valueString", text)
        return code, text
    return "", ""


def _preferred_language(resource: Resource) -> tuple[str, str]:
    communications = resource.get("communication") or []
    chosen = next((c for c in communications if c.get("preferred")), _first(communications))
    if not chosen:
        return "", ""
    _, code, display = _concept(chosen.get("language"))
    return code, display


def _interpreter_needed(resource: Resource) -> bool | None:
    for extension in resource.get("extension") or ():
        if extension.get("url") == INTERPRETER_REQUIRED:
            value = extension.get("valueBoolean")
            return bool(value) if value is not None else None
    return None


def _medicaid_id(resource: Resource) -> str:
    for identifier in resource.get("identifier") or ():
        if _code_in(identifier.get("type"), V2_IDENTIFIER_TYPE) == "MA":
            return str(identifier.get("value", ""))
    return ""


def map_patient(resource: Resource, resolve: Resolve) -> Columns:
    family, given, _ = _human_name(resource.get("name"))
    preferred = next((n for n in resource.get("name") or () if n.get("use") == "nickname"), None)
    race_code, race = _us_core_category(resource.get("extension"), US_CORE_RACE)
    ethnicity_code, ethnicity = _us_core_category(resource.get("extension"), US_CORE_ETHNICITY)
    language_code, language = _preferred_language(resource)
    address = _address(resource.get("address"))
    return {
        "family_name": _clip(family, 128),
        "given_names": _clip(given, 255),
        "preferred_name": _clip(" ".join((preferred or {}).get("given") or ()), 128),
        "search_name": _clip(f"{given} {family}".strip().lower(), 400),
        "birth_date": parse_date(resource.get("birthDate")),
        "gender": resource.get("gender", ""),
        "race_code": race_code,
        "race": _clip(race, 128),
        "ethnicity_code": ethnicity_code,
        "ethnicity": _clip(ethnicity, 128),
        "language_code": _clip(language_code, 16),
        "language": _clip(language, 64),
        "interpreter_needed": _interpreter_needed(resource),
        "address_line": _clip(address.pop("_line"), 255),
        **address,
        "phone": _clip(_telecom(resource.get("telecom"), "phone"), 64),
        "email": _clip(_telecom(resource.get("telecom"), "email"), 254),
        "medicaid_id": _clip(_medicaid_id(resource), 64),
        "deceased_at": parse_datetime(resource.get("deceasedDateTime")),
        "managing_organization_id": _target(resolve, resource.get("managingOrganization"), "Organization"),
    }


def _coded(concept: Resource | None, prefer: str | None = None) -> Columns:
    system, code, display = _concept(concept, prefer)
    return {"code_system": _clip(system, 128), "code": _clip(code, 64), "display": _clip(display, 255)}


def map_condition(resource: Resource, resolve: Resolve) -> Columns:
    code = resource.get("code")
    return {
        **_coded(code, SNOMED),
        "status": _status(resource.get("clinicalStatus")),
        "verification_status": _status(resource.get("verificationStatus")),
        "category": _status(_first(resource.get("category"))),
        "snomed_code": _code_in(code, SNOMED),
        "icd10_code": _code_in(code, ICD10CM),
        "encounter_id": _target(resolve, resource.get("encounter"), "Encounter"),
        "onset": parse_datetime(
            resource.get("onsetDateTime") or (resource.get("onsetPeriod") or {}).get("start")
        ),
        "abatement": parse_datetime(
            resource.get("abatementDateTime") or (resource.get("abatementPeriod") or {}).get("start")
        ),
        "recorded_date": parse_datetime(resource.get("recordedDate")),
        "is_sud": is_sud_coding(code),
    }


def _reason(resource: Resource) -> tuple[str, str]:
    _, code, display = _concept(_first(resource.get("reasonCode")))
    return code, display


def map_encounter(resource: Resource, resolve: Resolve) -> Columns:
    period = resource.get("period") or {}
    klass = resource.get("class") or {}
    disposition = (resource.get("hospitalization") or {}).get("dischargeDisposition")
    _, disposition_code, disposition_display = _concept(disposition)
    reason_code, reason_display = _reason(resource)
    location = _first(resource.get("location")) or {}
    participant = _first(resource.get("participant")) or {}
    diagnosis_codes = [
        str(entry.get("condition", {}).get("reference", "")) for entry in resource.get("diagnosis") or ()
    ]
    return {
        **_coded(_first(resource.get("type"))),
        "status": resource.get("status", ""),
        "encounter_class": encounter_kind(klass.get("code", "")),
        "class_code": _clip(klass.get("code", ""), 16),
        "start": parse_datetime(period.get("start")),
        "end": parse_datetime(period.get("end")),
        "service_provider_id": _target(resolve, resource.get("serviceProvider"), "Organization"),
        "location_id": _target(resolve, location.get("location"), "Location"),
        "practitioner_id": _target(resolve, participant.get("individual"), "Practitioner"),
        "discharge_disposition_code": _clip(disposition_code, 32),
        "discharge_disposition": _clip(disposition_display, 128),
        "reason_code": _clip(reason_code, 64),
        "reason_display": _clip(reason_display, 255),
        "diagnosis_codes": diagnosis_codes,
        "is_sud": is_sud_coding([resource.get("type"), resource.get("reasonCode")]),
    }


def _quantity_value(holder: Resource) -> tuple[float | None, str, str, str]:
    """(number, unit, coded value, text) of an Observation's or component's value[x]."""
    if "valueQuantity" in holder:
        quantity = holder["valueQuantity"]
        unit = quantity.get("unit") or quantity.get("code") or ""
        value = quantity.get("value")
        return (float(value) if value is not None else None), unit, "", ""
    if "valueCodeableConcept" in holder:
        _, code, display = _concept(holder["valueCodeableConcept"])
        return None, "", code, display
    if "valueString" in holder:
        return None, "", "", str(holder["valueString"])
    if "valueInteger" in holder:
        return float(holder["valueInteger"]), "", "", ""
    if "valueBoolean" in holder:
        return None, "", "", "true" if holder["valueBoolean"] else "false"
    return None, "", "", ""


def map_observation(resource: Resource, resolve: Resolve) -> Columns:
    value, unit, value_code, value_text = _quantity_value(resource)
    components = []
    for component in resource.get("component") or ():
        _, code, display = _concept(component.get("code"), LOINC)
        component_value, component_unit, component_code, component_text = _quantity_value(component)
        components.append(
            {
                "code": code,
                "display": display,
                "value": component_value,
                "unit": component_unit,
                "value_code": component_code,
                "value_text": component_text,
            }
        )
    effective = (
        resource.get("effectiveDateTime")
        or resource.get("effectiveInstant")
        or (resource.get("effectivePeriod") or {}).get("start")
        or resource.get("issued")
    )
    return {
        **_coded(resource.get("code"), LOINC),
        "status": resource.get("status", ""),
        "category": _status(_first(resource.get("category"))),
        "encounter_id": _target(resolve, resource.get("encounter"), "Encounter"),
        "value_quantity": value,
        "value_unit": _clip(unit, 64),
        "value_code": _clip(value_code, 64),
        "value_text": _clip(value_text, 255),
        "components": components,
        "effective": parse_datetime(effective),
        "is_sud": is_sud_coding([resource.get("code"), resource.get("valueCodeableConcept")]),
    }


def map_medication_request(resource: Resource, resolve: Resolve) -> Columns:
    return {
        **_coded(resource.get("medicationCodeableConcept")),
        "status": resource.get("status", ""),
        "intent": resource.get("intent", ""),
        "encounter_id": _target(resolve, resource.get("encounter"), "Encounter"),
        "authored_on": parse_datetime(resource.get("authoredOn")),
        "requester_id": _target(resolve, resource.get("requester"), "Practitioner"),
        "is_sud": is_sud_coding([resource.get("medicationCodeableConcept"), resource.get("reasonCode")]),
    }


def map_procedure(resource: Resource, resolve: Resolve) -> Columns:
    period = resource.get("performedPeriod") or {}
    start = resource.get("performedDateTime") or period.get("start")
    return {
        **_coded(resource.get("code"), SNOMED),
        "status": resource.get("status", ""),
        "encounter_id": _target(resolve, resource.get("encounter"), "Encounter"),
        "performed_start": parse_datetime(start),
        "performed_end": parse_datetime(period.get("end")),
        "is_sud": is_sud_coding([resource.get("code"), resource.get("reasonCode")]),
    }


def map_immunization(resource: Resource, resolve: Resolve) -> Columns:
    return {
        **_coded(resource.get("vaccineCode")),
        "status": resource.get("status", ""),
        "encounter_id": _target(resolve, resource.get("encounter"), "Encounter"),
        "occurrence": parse_datetime(resource.get("occurrenceDateTime")),
    }


def map_allergy_intolerance(resource: Resource, resolve: Resolve) -> Columns:
    return {
        **_coded(resource.get("code")),
        "status": _status(resource.get("clinicalStatus")),
        "verification_status": _status(resource.get("verificationStatus")),
        "category": ",".join(resource.get("category") or ()),
        "criticality": resource.get("criticality", ""),
        "recorded_date": parse_datetime(resource.get("recordedDate") or resource.get("onsetDateTime")),
    }


def map_coverage(resource: Resource, resolve: Resolve) -> Columns:
    period = resource.get("period") or {}
    payor = _first(resource.get("payor")) or {}
    return {
        **_coded(resource.get("type")),
        "status": resource.get("status", ""),
        "payor_name": _clip(payor.get("display", ""), 255),
        "subscriber_id": _clip(resource.get("subscriberId", ""), 64),
        "period_start": parse_date(period.get("start")),
        "period_end": parse_date(period.get("end")),
    }


# The element that names the patient a resource is about, per mapped type.
PATIENT_ELEMENT: dict[str, str] = {
    "Coverage": "beneficiary",
    "Encounter": "subject",
    "Condition": "subject",
    "Observation": "subject",
    "MedicationRequest": "subject",
    "Procedure": "subject",
    "Immunization": "patient",
    "AllergyIntolerance": "patient",
}

MAPPERS: dict[str, Callable[[Resource, Resolve], Columns]] = {
    "Organization": map_organization,
    "Location": map_location,
    "Practitioner": map_practitioner,
    "PractitionerRole": map_practitioner_role,
    "Patient": map_patient,
    "Coverage": map_coverage,
    "Encounter": map_encounter,
    "Condition": map_condition,
    "Observation": map_observation,
    "MedicationRequest": map_medication_request,
    "Procedure": map_procedure,
    "Immunization": map_immunization,
    "AllergyIntolerance": map_allergy_intolerance,
}

# Where an unmapped (raw) resource names its patient, tried in order.
RAW_PATIENT_ELEMENTS = ("subject", "patient", "beneficiary")
