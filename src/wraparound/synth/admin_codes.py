"""Administrative codes: identifier systems and types, coverage and payers, provider specialties,
organization and claim types, languages, race and ethnicity, and the US Core patient extensions.
"""

from __future__ import annotations

from wraparound.synth import codes
from wraparound.synth.codes import Code, FhirJson, concept

NUCC = "http://nucc.org/provider-taxonomy"
BCP47 = "urn:ietf:bcp:47"
OMB_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
SOPT = "https://nahdo.org/sopt"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
SYNTHEA_SYSTEM = "https://github.com/synthetichealth/synthea"
# New York's state Medicaid identifier OID (2.16.840.1.113883.4.3 is the US state-level
# identifier arc; 36 is New York's FIPS code).
MEDICAID_ID_SYSTEM = "urn:oid:2.16.840.1.113883.4.3.36"
# Medical record numbers: one system per clinic under the HL7 example arc.
MRN_SYSTEM_PREFIX = "urn:oid:2.16.840.1.113883.19.5."
MEDICARE_MBI_SYSTEM = "http://hl7.org/fhir/sid/us-mbi"

EXT_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
EXT_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
EXT_BIRTHSEX = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"
EXT_GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
EXT_INTERPRETER = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

# --- practitioner roles (NUCC taxonomy) ----------------------------------------------------------

SPECIALTIES: dict[str, FhirJson] = {
    key: concept(Code(NUCC, code, display))
    for key, code, display in (
        ("family", "207Q00000X", "Family Medicine Physician"),
        ("pediatrics", "208000000X", "Pediatrics Physician"),
        ("internal", "207R00000X", "Internal Medicine Physician"),
        ("nurse_practitioner", "363L00000X", "Nurse Practitioner"),
        ("emergency", "207P00000X", "Emergency Medicine Physician"),
        ("hospitalist", "208M00000X", "Hospitalist"),
        ("psychiatry", "2084P0800X", "Psychiatry Physician"),
        ("psychologist", "103T00000X", "Psychologist"),
        ("social_worker", "1041C0700X", "Clinical Social Worker"),
        ("addiction", "2084A0401X", "Addiction Medicine Physician"),
    )
}

ORGANIZATION_TYPES: dict[str, list[FhirJson]] = {
    code: [concept(Code("http://terminology.hl7.org/CodeSystem/organization-type", code, display))]
    for code, display in (("prov", "Healthcare Provider"), ("pay", "Payer"))
}

# --- coverage -----------------------------------------------------------------------------------

MEDICAID_TYPE = concept(
    Code(codes.ACT_CODE, "SUBSIDIZ", "subsidized health program"),
    Code(SOPT, "2", "MEDICAID"),
    text="Medicaid",
)
MEDICARE_TYPE = concept(Code(SOPT, "1", "MEDICARE"), text="Medicare")
SUBSCRIBER_SELF = concept(
    Code("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self", "Self")
)
COVERAGE_CLASS_PLAN = concept(Code("http://terminology.hl7.org/CodeSystem/coverage-class", "plan", "Plan"))
MEMBER_NUMBER_TYPE = concept(Code(V2_0203, "MB", "Member Number"))
MEDICAID_NUMBER_TYPE = concept(Code(V2_0203, "MA", "Patient Medicaid number"))
MEDICAL_RECORD_TYPE = concept(Code(V2_0203, "MR", "Medical Record Number"))
SOCIAL_SECURITY_TYPE = concept(Code(V2_0203, "SS", "Social Security Number"))
MEDICARE_NUMBER_TYPE = concept(Code(V2_0203, "MC", "Patient's Medicare number"))

# --- claims ----------------------------------------------------------------------------------------

CLAIM_TYPES: dict[str, FhirJson] = {
    code: {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": code}]}
    for code in ("institutional", "professional")
}
CLAIM_PRIORITY_NORMAL = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority", "code": "normal"}]
}

# --- languages (BCP-47) -----------------------------------------------------------------------

LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ko": "Korean",
    "ru": "Russian",
    "ht": "Haitian Creole",
    "ar": "Arabic",
    "bn": "Bengali",
    "tl": "Tagalog",
    "pl": "Polish",
    "fr": "French",
    "yi": "Yiddish",
}

LANGUAGE_CONCEPTS: dict[str, FhirJson] = {
    code: concept(Code(BCP47, code, display)) for code, display in LANGUAGES.items()
}

OMB_RACE: dict[str, Code] = {
    key: Code(OMB_RACE_ETHNICITY, code, display)
    for key, code, display in (
        ("white", "2106-3", "White"),
        ("black", "2054-5", "Black or African American"),
        ("asian", "2028-9", "Asian"),
        ("native", "1002-5", "American Indian or Alaska Native"),
        ("pacific", "2076-8", "Native Hawaiian or Other Pacific Islander"),
    )
}
HISPANIC = Code(OMB_RACE_ETHNICITY, "2135-2", "Hispanic or Latino")
NOT_HISPANIC = Code(OMB_RACE_ETHNICITY, "2186-5", "Not Hispanic or Latino")
