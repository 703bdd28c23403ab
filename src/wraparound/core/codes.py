"""Code systems, extension URLs and small code maps that more than one app uses."""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
NPI = "http://hl7.org/fhir/sid/us-npi"
V2_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

# Identifier type codes (v2-0203) shown to people.
IDENTIFIER_TYPE_LABELS = {
    "MR": "Medical record number",
    "MA": "Medicaid ID",
    "SS": "Social Security number",
    "DL": "Driver's license",
    "PPN": "Passport",
    "NPI": "National Provider Identifier",
}

# v3 ActCode encounter classes → Wraparound's encounter kinds.
_ENCOUNTER_KINDS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "EMER": "emergency",
    "AMB": "ambulatory",
    "FLD": "ambulatory",
    "HH": "home_health",
    "VR": "virtual",
    "OBSENC": "observation",
    "SS": "ambulatory",
    "PRENC": "ambulatory",
}


def encounter_kind(class_code: str) -> str:
    return _ENCOUNTER_KINDS.get(class_code.upper(), "other")
