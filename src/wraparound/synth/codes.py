"""Clinical code tables for the synthetic population: problems, encounters, observations,
medications, procedures, immunizations and allergies (administrative codes: ``admin_codes``).

Each concept is built once, at import, as the JSON-ready FHIR dict that the resource builders
share (never mutated), so that emitting a resource does not rebuild its codings.

Every code below was checked against the public value sets in the project's shared test data
(VSAC eCQM expansions, Tuva CCW chronic conditions, AHRQ CCI/CCS ICD-10-CM lists, Synthea
outputs); see ``data/README.md`` for the list and the few that could not be confirmed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FhirJson = dict[str, Any]

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
UCUM = "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str

    def coding(self) -> FhirJson:
        return {"system": self.system, "code": self.code, "display": self.display}


def concept(*codes: Code, text: str | None = None) -> FhirJson:
    """A CodeableConcept holding ``codes`` in order; its text defaults to the first display."""
    return {"coding": [code.coding() for code in codes], "text": text or codes[0].display}


def sct(code: str, display: str) -> Code:
    return Code(SNOMED, code, display)


def icd(code: str, display: str) -> Code:
    return Code(ICD10CM, code, display)


def loinc(code: str, display: str) -> Code:
    return Code(LOINC, code, display)


def rxnorm(code: str, display: str) -> Code:
    return Code(RXNORM, code, display)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A problem coded in SNOMED CT and ICD-10-CM, plus the ICD-10-CM code a claim would carry."""

    snomed: Code
    icd10: Code | None
    concept: FhirJson
    claim_icd10: Code | None

    @property
    def display(self) -> str:
        return self.snomed.display


def diagnosis(snomed: Code, icd10: Code | None, claim_icd10: Code | None = None) -> Diagnosis:
    codes = (snomed, icd10) if icd10 else (snomed,)
    return Diagnosis(snomed, icd10, concept(*codes), claim_icd10 or icd10)


# --- chronic conditions -----------------------------------------------------------------------
# key -> list of (weight, Diagnosis) variants; the first variant is the usual one.

CHRONIC_VARIANTS: dict[str, tuple[tuple[float, Diagnosis], ...]] = {
    "hypertension": (
        (
            1.0,
            diagnosis(
                sct("38341003", "Hypertensive disorder, systemic arterial (disorder)"),
                icd("I10", "Essential (primary) hypertension"),
            ),
        ),
    ),
    "diabetes": (
        (
            0.85,
            diagnosis(
                sct("44054006", "Diabetes mellitus type 2 (disorder)"),
                icd("E11.9", "Type 2 diabetes mellitus without complications"),
            ),
        ),
        (
            0.15,
            diagnosis(
                sct("44054006", "Diabetes mellitus type 2 (disorder)"),
                icd("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
            ),
        ),
    ),
    "asthma": (
        (
            1.0,
            diagnosis(
                sct("195967001", "Asthma (disorder)"),
                icd("J45.909", "Unspecified asthma, uncomplicated"),
                icd("J45.901", "Unspecified asthma with (acute) exacerbation"),
            ),
        ),
    ),
    "copd": (
        (
            1.0,
            diagnosis(
                sct("13645005", "Chronic obstructive lung disease (disorder)"),
                icd("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
                icd("J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
            ),
        ),
    ),
    "heart_failure": (
        (
            1.0,
            diagnosis(
                sct("84114007", "Heart failure (disorder)"), icd("I50.9", "Heart failure, unspecified")
            ),
        ),
    ),
    "cad": (
        (
            1.0,
            diagnosis(
                sct("53741008", "Coronary arteriosclerosis (disorder)"),
                icd(
                    "I25.10",
                    "Atherosclerotic heart disease of native coronary artery without angina pectoris",
                ),
            ),
        ),
    ),
    "ckd": (
        (
            0.85,
            diagnosis(
                sct("433144002", "Chronic kidney disease stage 3 (disorder)"),
                icd("N18.30", "Chronic kidney disease, stage 3 unspecified"),
            ),
        ),
        (
            0.15,
            diagnosis(
                sct("431857002", "Chronic kidney disease stage 4 (disorder)"),
                icd("N18.4", "Chronic kidney disease, stage 4 (severe)"),
            ),
        ),
    ),
    "depression": (
        (
            0.45,
            diagnosis(
                sct("370143000", "Major depressive disorder (disorder)"),
                icd("F32.9", "Major depressive disorder, single episode, unspecified"),
            ),
        ),
        (
            0.30,
            diagnosis(
                sct("18818009", "Moderate recurrent major depression (disorder)"),
                icd("F33.1", "Major depressive disorder, recurrent, moderate"),
            ),
        ),
        (
            0.25,
            diagnosis(
                sct("35489007", "Depressive disorder (disorder)"), icd("F32.A", "Depression, unspecified")
            ),
        ),
    ),
    "anxiety": (
        (
            0.55,
            diagnosis(
                sct("197480006", "Anxiety disorder (disorder)"), icd("F41.9", "Anxiety disorder, unspecified")
            ),
        ),
        (
            0.30,
            diagnosis(
                sct("21897009", "Generalized anxiety disorder (disorder)"),
                icd("F41.1", "Generalized anxiety disorder"),
            ),
        ),
        (
            0.15,
            diagnosis(
                sct("47505003", "Posttraumatic stress disorder (disorder)"),
                icd("F43.10", "Post-traumatic stress disorder, unspecified"),
            ),
        ),
    ),
    "bipolar": (
        (
            1.0,
            diagnosis(
                sct("13746004", "Bipolar disorder (disorder)"), icd("F31.9", "Bipolar disorder, unspecified")
            ),
        ),
    ),
    "schizophrenia": (
        (
            1.0,
            diagnosis(
                sct("58214004", "Schizophrenia (disorder)"), icd("F20.9", "Schizophrenia, unspecified")
            ),
        ),
    ),
    "alcohol_use": (
        (
            1.0,
            diagnosis(
                sct("7200002", "Alcoholism (disorder)"),
                icd("F10.20", "Alcohol dependence, uncomplicated"),
                icd("F10.239", "Alcohol dependence with withdrawal, unspecified"),
            ),
        ),
    ),
    "opioid_use": (
        (
            1.0,
            diagnosis(
                sct("75544000", "Opioid dependence (disorder)"),
                icd("F11.20", "Opioid dependence, uncomplicated"),
            ),
        ),
    ),
    "other_drug_use": (
        (
            0.55,
            diagnosis(
                sct("85005007", "Cannabis dependence (disorder)"),
                icd("F12.20", "Cannabis dependence, uncomplicated"),
            ),
        ),
        (
            0.25,
            diagnosis(
                sct("31956009", "Cocaine dependence (disorder)"),
                icd("F14.20", "Cocaine dependence, uncomplicated"),
            ),
        ),
        (
            0.20,
            diagnosis(
                sct("426873000", "Methamphetamine dependence (disorder)"),
                icd("F15.20", "Other stimulant dependence, uncomplicated"),
            ),
        ),
    ),
    "hiv": (
        (
            1.0,
            diagnosis(
                sct("86406008", "Human immunodeficiency virus infection (disorder)"),
                icd("B20", "Human immunodeficiency virus [HIV] disease"),
            ),
        ),
    ),
}

OBESITY = diagnosis(sct("414916001", "Obesity (disorder)"), icd("E66.9", "Obesity, unspecified"))
MORBID_OBESITY = diagnosis(
    sct("238136002", "Morbid obesity (disorder)"),
    icd("E66.01", "Morbid (severe) obesity due to excess calories"),
)
OVERWEIGHT = diagnosis(sct("238131007", "Overweight (finding)"), icd("E66.3", "Overweight"))

# --- social needs, as Synthea records them (SNOMED findings; ICD-10-CM Z codes where one fits) ----

SOCIAL_FINDINGS: dict[str, Diagnosis] = {
    "stress": diagnosis(
        sct("73595000", "Stress (finding)"), icd("Z73.3", "Stress, not elsewhere classified")
    ),
    "not_in_labor_force": diagnosis(sct("741062008", "Not in labor force (finding)"), None),
    "unemployed": diagnosis(
        sct("73438004", "Unemployed (finding)"), icd("Z56.0", "Unemployment, unspecified")
    ),
    "limited_social_contact": diagnosis(sct("423315002", "Limited social contact (finding)"), None),
    "social_isolation": diagnosis(sct("422650009", "Social isolation (finding)"), None),
    "housing_unsatisfactory": diagnosis(
        sct("105531004", "Housing unsatisfactory (finding)"), icd("Z59.10", "Inadequate housing, unspecified")
    ),
    "homeless": diagnosis(sct("32911000", "Homeless (finding)"), icd("Z59.00", "Homelessness unspecified")),
    "transportation": diagnosis(
        sct("713458007", "Lack of access to transportation (finding)"),
        icd("Z59.82", "Transportation insecurity"),
    ),
    "intimate_partner_violence": diagnosis(
        sct("706893006", "Victim of intimate partner abuse (finding)"), None
    ),
    "criminal_record": diagnosis(sct("266948004", "Has a criminal record (finding)"), None),
}

# --- acute problems seen in the emergency department or hospital --------------------------------

ACUTE: dict[str, Diagnosis] = {
    "pharyngitis": diagnosis(
        sct("195662009", "Acute viral pharyngitis (disorder)"), icd("J02.9", "Acute pharyngitis, unspecified")
    ),
    "bronchitis": diagnosis(
        sct("10509002", "Acute bronchitis (disorder)"), icd("J20.9", "Acute bronchitis, unspecified")
    ),
    "sinusitis": diagnosis(
        sct("444814009", "Viral sinusitis (disorder)"), icd("J01.90", "Acute sinusitis, unspecified")
    ),
    "ankle_sprain": diagnosis(
        sct("44465007", "Sprain of ankle (disorder)"),
        icd("S93.409A", "Sprain of unspecified ligament of unspecified ankle, initial encounter"),
    ),
    "uti": diagnosis(
        sct("68566005", "Urinary tract infectious disease (disorder)"),
        icd("N39.0", "Urinary tract infection, site not specified"),
    ),
    "pneumonia": diagnosis(
        sct("233604007", "Pneumonia (disorder)"), icd("J18.9", "Pneumonia, unspecified organism")
    ),
    "overdose": diagnosis(
        sct("1149222004", "Overdose (disorder)"),
        icd("T40.2X1A", "Poisoning by other opioids, accidental (unintentional), initial encounter"),
    ),
    "suicidal_ideation": diagnosis(
        sct("6471006", "Suicidal thoughts (finding)"), icd("R45.851", "Suicidal ideations")
    ),
    "hyperglycemia": diagnosis(
        sct("80394007", "Hyperglycemia (disorder)"),
        icd("E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
    ),
}

# Claim principal diagnoses for visits without a problem.
ADULT_EXAM_ICD = icd("Z00.00", "Encounter for general adult medical examination without abnormal findings")
CHILD_EXAM_ICD = icd("Z00.129", "Encounter for routine child health examination without abnormal findings")
FOLLOW_UP_ICD = icd(
    "Z09",
    "Encounter for follow-up examination after completed treatment for conditions other "
    "than malignant neoplasm",
)

# --- encounter types (SNOMED, as Synthea uses them) ---------------------------------------------

ENCOUNTER_TYPES: dict[str, FhirJson] = {
    "adult_exam": concept(sct("162673000", "General examination of patient (procedure)")),
    "well_child": concept(sct("410620009", "Well child visit (procedure)")),
    "problem": concept(sct("185347001", "Encounter for problem (procedure)")),
    "check_up": concept(sct("185349003", "Encounter for check up (procedure)")),
    "follow_up": concept(sct("390906007", "Follow-up encounter (procedure)")),
    "emergency": concept(sct("50849002", "Emergency room admission (procedure)")),
    "admission": concept(sct("32485007", "Hospital admission (procedure)")),
    "emergency_admission": concept(sct("183452005", "Emergency hospital admission (procedure)")),
    "drug_detox": concept(sct("56876005", "Drug rehabilitation and detoxification (regime/therapy)")),
    "alcohol_detox": concept(sct("20093000", "Alcohol rehabilitation and detoxification (regime/therapy)")),
    "home_visit": concept(sct("439708006", "Home visit (procedure)")),
    "telemedicine": concept(sct("448337001", "Telemedicine consultation with patient (procedure)")),
    "psychiatric": concept(
        sct("108311000", "Psychiatric procedure, interview AND/OR consultation (procedure)")
    ),
    "psychotherapy": concept(sct("18512000", "Individual psychotherapy (regime/therapy)")),
    "substance_counseling": concept(sct("313071005", "Counseling for substance abuse (procedure)")),
}

ENCOUNTER_CLASSES: dict[str, FhirJson] = {
    code: {"system": ACT_CODE, "code": code, "display": display}
    for code, display in (
        ("AMB", "ambulatory"),
        ("EMER", "emergency"),
        ("IMP", "inpatient encounter"),
        ("HH", "home health"),
        ("VR", "virtual"),
    )
}

DISCHARGE_SYSTEM = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
DISCHARGE_DISPOSITIONS: dict[str, FhirJson] = {
    code: {"coding": [{"system": DISCHARGE_SYSTEM, "code": code, "display": display}], "text": display}
    for code, display in (
        ("home", "Home"),
        ("snf", "Skilled nursing facility"),
        ("rehab", "Rehabilitation"),
        ("psy", "Psychiatric hospital"),
        ("aadvice", "Left against advice"),
        ("hosp", "Hospice"),
        ("oth", "Other"),
    )
}

ADMIT_SOURCE_SYSTEM = "http://terminology.hl7.org/CodeSystem/admit-source"
ADMIT_SOURCES: dict[str, FhirJson] = {
    code: {"coding": [{"system": ADMIT_SOURCE_SYSTEM, "code": code, "display": display}], "text": display}
    for code, display in (
        ("emd", "From accident/emergency department"),
        ("gp", "General Practitioner referral"),
    )
}

PARTICIPANT_PRIMARY_PERFORMER: list[FhirJson] = [
    concept(Code("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer"))
]

# --- observations ------------------------------------------------------------------------------

OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
OBSERVATION_CATEGORIES: dict[str, list[FhirJson]] = {
    code: [{"coding": [{"system": OBSERVATION_CATEGORY_SYSTEM, "code": code, "display": display}]}]
    for code, display in (
        ("vital-signs", "Vital Signs"),
        ("laboratory", "Laboratory"),
        ("survey", "Survey"),
        ("social-history", "Social History"),
    )
}

BLOOD_PRESSURE = concept(loinc("85354-9", "Blood pressure panel with all children optional"))
SYSTOLIC = concept(loinc("8480-6", "Systolic blood pressure"))
DIASTOLIC = concept(loinc("8462-4", "Diastolic blood pressure"))
BODY_WEIGHT = concept(loinc("29463-7", "Body weight"))
BMI = concept(loinc("39156-5", "Body mass index (BMI) [Ratio]"))
HBA1C = concept(loinc("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"))
PHQ9 = concept(loinc("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"))
PHQ2 = concept(loinc("55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]"))
GAD7 = concept(loinc("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"))
SMOKING_STATUS = concept(loinc("72166-2", "Tobacco smoking status"))

SMOKING_VALUES: dict[str, FhirJson] = {
    "current": concept(sct("449868002", "Smokes tobacco daily (finding)")),
    "some_days": concept(sct("428041000124106", "Occasional tobacco smoker (finding)")),
    "former": concept(sct("8517006", "Ex-smoker (finding)")),
    "never": concept(sct("266919005", "Never smoked tobacco (finding)")),
}

# --- medications (RxNorm clinical drugs) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Medication:
    concept: FhirJson
    dosage: FhirJson


def medication(
    code: str, display: str, instruction: str, per_day: int = 1, as_needed: bool = False
) -> Medication:
    dosage: FhirJson = {"sequence": 1, "text": instruction}
    if as_needed:
        dosage["asNeededBoolean"] = True
    else:
        dosage["timing"] = {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}}
    return Medication(concept(rxnorm(code, display)), dosage)


MEDICATIONS: dict[str, Medication] = {
    "lisinopril": medication("314076", "lisinopril 10 MG Oral Tablet", "Take 1 tablet by mouth once daily"),
    "amlodipine": medication("308135", "amlodipine 10 MG Oral Tablet", "Take 1 tablet by mouth once daily"),
    "hydrochlorothiazide": medication(
        "310798", "hydrochlorothiazide 25 MG Oral Tablet", "Take 1 tablet by mouth every morning"
    ),
    "metformin": medication(
        "860975",
        "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet",
        "Take 1 tablet by mouth twice daily with meals",
        per_day=2,
    ),
    "insulin_glargine": medication(
        "847230", "3 ML insulin glargine 100 UNT/ML Pen Injector", "Inject 20 units under the skin at bedtime"
    ),
    "albuterol": medication(
        "745679",
        "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
        "Inhale 2 puffs every 4 to 6 hours as needed for shortness of breath",
        as_needed=True,
    ),
    "fluticasone": medication(
        "895994",
        "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
        "Inhale 2 puffs twice daily",
        per_day=2,
    ),
    "fluticasone_salmeterol": medication(
        "896209",
        "60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler",
        "Inhale 1 puff twice daily",
        per_day=2,
    ),
    "furosemide": medication("313988", "furosemide 40 MG Oral Tablet", "Take 1 tablet by mouth once daily"),
    "carvedilol": medication(
        "200031", "carvedilol 6.25 MG Oral Tablet", "Take 1 tablet by mouth twice daily", per_day=2
    ),
    "atorvastatin": medication(
        "617311", "atorvastatin 40 MG Oral Tablet", "Take 1 tablet by mouth at bedtime"
    ),
    "sertraline": medication("312941", "sertraline 50 MG Oral Tablet", "Take 1 tablet by mouth once daily"),
    "fluoxetine": medication(
        "310385", "fluoxetine 20 MG Oral Capsule", "Take 1 capsule by mouth every morning"
    ),
    "escitalopram": medication(
        "349332", "escitalopram 10 MG Oral Tablet", "Take 1 tablet by mouth once daily"
    ),
    "aripiprazole_5": medication(
        "402131", "aripiprazole 5 MG Oral Tablet", "Take 1 tablet by mouth once daily"
    ),
    "aripiprazole_10": medication(
        "349545", "aripiprazole 10 MG Oral Tablet", "Take 1 tablet by mouth once daily"
    ),
    "quetiapine": medication("312743", "quetiapine 100 MG Oral Tablet", "Take 1 tablet by mouth at bedtime"),
    "risperidone": medication(
        "312830", "risperidone 1 MG Oral Tablet", "Take 1 tablet by mouth twice daily", per_day=2
    ),
    "naltrexone": medication(
        "1483744", "naltrexone hydrochloride 50 MG Oral Tablet", "Take 1 tablet by mouth once daily"
    ),
    "acamprosate": medication(
        "835726",
        "acamprosate calcium 333 MG Delayed Release Oral Tablet",
        "Take 2 tablets by mouth three times daily",
        per_day=3,
    ),
    "buprenorphine_naloxone": medication(
        "1010604",
        "buprenorphine 8 MG / naloxone 2 MG Sublingual Film",
        "Dissolve 1 film under the tongue once daily",
    ),
    "naloxone_nasal": medication(
        "1725059",
        "naloxone hydrochloride 40 MG/ML Nasal Spray",
        "Spray into one nostril for suspected opioid overdose; may repeat",
        as_needed=True,
    ),
    "bictegravir_emtricitabine_tenofovir": medication(
        "1999563",
        "bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet",
        "Take 1 tablet by mouth once daily",
    ),
}

# --- procedures -------------------------------------------------------------------------------

PROCEDURES: dict[str, FhirJson] = {
    "social_needs_assessment": concept(
        sct("710824005", "Assessment of health and social care needs (procedure)")
    ),
    "depression_screening": concept(sct("171207006", "Depression screening (procedure)")),
    "substance_use_assessment": concept(sct("428211000124100", "Assessment of substance use (procedure)")),
    "medication_reconciliation": concept(sct("430193006", "Medication reconciliation (procedure)")),
    "retinal_exam": concept(sct("722161008", "Diabetic retinal eye exam (procedure)")),
    "spirometry": concept(sct("127783003", "Spirometry (procedure)")),
    "psychotherapy": concept(sct("18512000", "Individual psychotherapy (regime/therapy)")),
    "substance_counseling": concept(sct("313071005", "Counseling for substance abuse (procedure)")),
}

# --- immunizations ----------------------------------------------------------------------------

VACCINES: dict[str, FhirJson] = {
    "influenza_adult": concept(Code(CVX, "140", "Influenza, seasonal, injectable, preservative free")),
    "influenza_child": concept(Code(CVX, "150", "Influenza, injectable, quadrivalent, preservative free")),
    "tdap": concept(Code(CVX, "115", "Tdap")),
}

# --- allergies --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allergen:
    concept: FhirJson
    category: str
    reactions: tuple[FhirJson, ...]


REACTIONS: dict[str, FhirJson] = {
    "wheal": concept(sct("247472004", "Wheal (finding)")),
    "rash": concept(sct("271807003", "Eruption of skin (disorder)")),
    "anaphylaxis": concept(sct("39579001", "Anaphylaxis (disorder)")),
    "cough": concept(sct("49727002", "Cough (finding)")),
    "rhinorrhea": concept(sct("267101005", "Nasal discharge present (situation)")),
}

ALLERGENS: tuple[tuple[float, Allergen], ...] = (
    (
        0.30,
        Allergen(
            concept(rxnorm("7984", "Penicillin V")),
            "medication",
            (REACTIONS["rash"], REACTIONS["wheal"], REACTIONS["anaphylaxis"]),
        ),
    ),
    (
        0.08,
        Allergen(concept(rxnorm("1191", "Aspirin")), "medication", (REACTIONS["wheal"], REACTIONS["rash"])),
    ),
    (
        0.12,
        Allergen(
            concept(sct("762952008", "Peanut (substance)")),
            "food",
            (REACTIONS["wheal"], REACTIONS["anaphylaxis"]),
        ),
    ),
    (
        0.10,
        Allergen(
            concept(sct("735029006", "Shellfish (substance)")),
            "food",
            (REACTIONS["rash"], REACTIONS["anaphylaxis"]),
        ),
    ),
    (
        0.12,
        Allergen(
            concept(sct("782576004", "Tree pollen (substance)")),
            "environment",
            (REACTIONS["rhinorrhea"], REACTIONS["cough"]),
        ),
    ),
    (
        0.10,
        Allergen(
            concept(sct("256277009", "Grass pollen (substance)")), "environment", (REACTIONS["rhinorrhea"],)
        ),
    ),
    (
        0.10,
        Allergen(
            concept(sct("260147004", "House dust mite (organism)")),
            "environment",
            (REACTIONS["rhinorrhea"], REACTIONS["cough"]),
        ),
    ),
    (
        0.08,
        Allergen(
            concept(sct("264287008", "Animal dander (substance)")),
            "environment",
            (REACTIONS["rhinorrhea"], REACTIONS["wheal"]),
        ),
    ),
)

# --- condition status -------------------------------------------------------------------------

CLINICAL_STATUS: dict[str, FhirJson] = {
    code: {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": code}]}
    for code in ("active", "resolved", "remission", "inactive")
}
CONFIRMED = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]
}
CONDITION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-category"
PROBLEM_LIST_ITEM = [
    {
        "coding": [
            {"system": CONDITION_CATEGORY_SYSTEM, "code": "problem-list-item", "display": "Problem List Item"}
        ]
    }
]
ENCOUNTER_DIAGNOSIS = [
    {
        "coding": [
            {
                "system": CONDITION_CATEGORY_SYSTEM,
                "code": "encounter-diagnosis",
                "display": "Encounter Diagnosis",
            }
        ]
    }
]
SDOH_CATEGORY = [
    *ENCOUNTER_DIAGNOSIS,
    {
        "coding": [
            {
                "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-tags",
                "code": "sdoh",
                "display": "SDOH",
            }
        ]
    },
]

ALLERGY_CLINICAL_ACTIVE = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}
    ]
}
ALLERGY_CONFIRMED = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "code": "confirmed",
        }
    ]
}
