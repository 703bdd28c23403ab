"""SNOMED CT → ICD-10-CM crosswalk for Conditions coded only in SNOMED CT (Synthea's usual shape).

The shipped table, ``data/snomed-icd10.json``, is built by :func:`build_crosswalk` from, in order:

1. Synthea Conditions that carry both a SNOMED CT and an ICD-10-CM coding (none of the shared
   sets do today: they are SNOMED-only; newer Synthea builds with ICD-10 output would add pairs);
2. the project's generator (``wraparound.synth.codes``), whose problems carry both codings;
3. :data:`MANUAL`, a reviewed table for the remaining codes seen in the shared Synthea sets;

and lists in :data:`NO_HCC_RELEVANT_ICD10` the reviewed codes that have no ICD-10-CM code that
matters for CMS-HCC, Charlson or the chronic-condition count (social findings, education,
pregnancy, dental and minor-injury findings), each with its reason.
"""

from __future__ import annotations

import csv
import functools
import json
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from wraparound.synth import codes as synth_codes

SNOMED: Final = "http://snomed.info/sct"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
CROSSWALK_PATH: Final = Path(__file__).parent / "data" / "snomed-icd10.json"
CROSSWALK_VERSION: Final = "2026-11-23"

Coding = tuple[str, str, str]  # system, code, display

# Reviewed by hand against the ICD-10-CM FY2024 tabular list.  The reviewer's override wins over a
# derived pair only where the pair is not right in general (see MANUAL_OVERRIDES).
MANUAL: Final[dict[str, tuple[str, ...]]] = {
    "274531002": ("R93.1",),  # abnormal findings on imaging of heart and coronary circulation
    "65275009": ("K81.0",),  # acute cholecystitis
    "401303003": ("I21.3",),  # STEMI
    "241929008": ("T78.40XA",),  # acute allergic reaction
    "75498004": ("J01.90",),  # acute bacterial sinusitis
    "307426000": ("N30.00",),  # acute infective cystitis
    "401314000": ("I21.4",),  # NSTEMI
    "26929004": ("G30.9",),  # Alzheimer's disease
    "271737000": ("D64.9",),  # anemia
    "60573004": ("I35.0",),  # aortic valve stenosis
    "74400008": ("K37",),  # appendicitis
    "24079001": ("L20.9",),  # atopic dermatitis
    "49436004": ("I48.91",),  # atrial fibrillation
    "698306007": ("Z76.82",),  # awaiting kidney transplant
    "6072007": ("K62.5",),  # bleeding from anus
    "162864005": ("E66.9",),  # BMI 30+ - obesity
    "408512008": ("E66.01",),  # BMI 40+ - severely obese
    "275272006": ("S06.9X9A",),  # traumatic brain damage
    "92691004": ("D07.5",),  # carcinoma in situ of prostate
    "410429000": ("I46.9",),  # cardiac arrest
    "192127007": ("F90.0",),  # child attention deficit disorder
    "233678006": ("J45.909",),  # childhood asthma
    "235919008": ("K80.20",),  # cholelithiasis
    "88805009": ("I50.9",),  # chronic congestive heart failure
    "124171000119105": ("G43.719",),  # chronic intractable migraine without aura
    "431855005": ("N18.1",),  # CKD stage 1
    "431856006": ("N18.2",),  # CKD stage 2
    "278860009": ("M54.50",),  # chronic low back pain
    "1121000119107": ("M54.2",),  # chronic neck pain
    "185086009": ("J44.9",),  # chronic obstructive bronchitis
    "82423001": ("G89.29",),  # chronic pain
    "698754002": ("G82.20",),  # chronic paralysis due to lesion of spinal cord
    "40055000": ("J32.9",),  # chronic sinusitis
    "359817006": ("S72.009A",),  # closed fracture of hip
    "40275004": ("L25.9",),  # contact dermatitis
    "49727002": ("R05.9",),  # cough
    "38822007": ("N30.90",),  # cystitis
    "6525002": ("F19.20",),  # dependent drug abuse
    "422034002": ("E11.319",),  # diabetic retinopathy, type 2
    "127013003": ("E11.29",),  # disorder of kidney due to diabetes (Synthea: type 2 module)
    "55680006": ("T50.901A",),  # drug overdose
    "46177005": ("N18.6",),  # end-stage renal disease
    "84757009": ("G40.909",),  # epilepsy
    "301011002": ("N39.0", "B96.20"),  # E. coli urinary tract infection
    "59621000": ("I10",),  # essential hypertension
    "230265002": ("G30.0",),  # familial Alzheimer's disease of early onset
    "84229001": ("R53.83",),  # fatigue
    "203082005": ("M79.7",),  # fibromyalgia
    "95417003": ("M79.7",),  # primary fibromyalgia syndrome
    "429280009": ("Z89.439",),  # history of amputation of foot
    "1231000119100": ("Z95.2",),  # history of aortic valve replacement
    "429007001": ("Z86.74",),  # history of cardiac arrest
    "399261000": ("Z95.1",),  # history of CABG
    "399211009": ("I25.2",),  # history of myocardial infarction
    "161665007": ("Z94.0",),  # history of renal transplant
    "1290882004": ("Z86.69",),  # history of seizure
    "703151001": ("Z86.69",),  # history of single seizure
    "55822004": ("E78.5",),  # hyperlipidemia
    "302870006": ("E78.1",),  # hypertriglyceridemia
    "389087006": ("R09.02",),  # hypoxemia
    "83664006": ("E03.4",),  # idiopathic atrophic hypothyroidism
    "90560007": ("M10.9",),  # gout
    "414545008": ("I25.9",),  # ischemic heart disease
    "201834006": ("M19.049",),  # localized primary osteoarthritis of the hand
    "97331000119101": ("E11.311",),  # macular edema and retinopathy, type 2 diabetes
    "254837009": ("C50.919",),  # malignant neoplasm of breast
    "363406005": ("C18.9",),  # malignant tumor of colon
    "237602007": ("E88.81",),  # metabolic syndrome
    "314994000": ("C61", "C79.9"),  # metastasis from malignant tumor of prostate
    "90781000119102": ("E11.29",),  # microalbuminuria due to type 2 diabetes
    "361055000": ("F19.10",),  # misuses drugs
    "22298006": ("I21.9",),  # myocardial infarction
    "126906006": ("D49.59",),  # neoplasm of prostate (behavior unspecified)
    "368581000119106": ("E11.40",),  # neuropathy due to type 2 diabetes
    "424132000": ("C34.90",),  # non-small cell carcinoma of lung, TNM stage 1
    "254637007": ("C34.90",),  # non-small cell lung cancer
    "1551000119108": ("E11.329",),  # nonproliferative diabetic retinopathy, type 2
    "78275009": ("G47.33",),  # obstructive sleep apnea
    "5602001": ("F11.10",),  # opioid abuse
    "239872002": ("M16.9",),  # osteoarthritis of hip
    "239873007": ("M17.9",),  # osteoarthritis of knee
    "64859006": ("M81.0",),  # osteoporosis
    "443165006": ("M80.00XA",),  # osteoporotic fracture of bone
    "65363002": ("H66.90",),  # otitis media
    "109838007": ("C18.8",),  # overlapping malignant neoplasm of colon
    "446096008": ("J30.89",),  # perennial allergic rhinitis
    "232353008": ("J30.89",),  # perennial allergic rhinitis with seasonal variation
    "367498001": ("J30.2",),  # seasonal allergic rhinitis
    "68496003": ("K63.5",),  # polyp of colon
    "15777000": ("R73.03",),  # prediabetes
    "714628002": ("R73.03",),  # prediabetes
    "93761005": ("C18.9",),  # primary malignant neoplasm of colon
    "67811000119102": ("C34.90",),  # primary small cell malignant neoplasm of lung, TNM stage 1
    "1501000119109": ("E11.359",),  # proliferative diabetic retinopathy, type 2
    "157141000119108": ("E11.29",),  # proteinuria due to type 2 diabetes
    "236077008": ("R19.7",),  # protracted diarrhea
    "87433001": ("J43.9",),  # pulmonary emphysema
    "56786000": ("I37.0",),  # pulmonic valve stenosis
    "713197008": ("K62.1",),  # recurrent rectal polyp
    "197927001": ("N39.0",),  # recurrent urinary tract infection
    "69896004": ("M06.9",),  # rheumatoid arthritis
    "94260004": ("C78.5",),  # secondary malignant neoplasm of colon
    "128613002": ("G40.909",),  # seizure disorder
    "91302008": ("A41.9",),  # sepsis
    "76571007": ("A41.9", "R65.21"),  # septic shock
    "80583007": ("F41.0",),  # severe anxiety (panic)
    "36971009": ("J32.9",),  # sinusitis
    "73430006": ("G47.30",),  # sleep apnea
    "39898005": ("G47.9",),  # sleep disorder
    "254632001": ("C34.90",),  # small cell carcinoma of lung
    "449868002": ("F17.210",),  # smokes tobacco daily
    "43878008": ("J02.0",),  # streptococcal sore throat
    "230690007": ("I63.9",),  # stroke
    "127295002": ("S06.9X9A",),  # traumatic brain injury
    "127294003": ("S06.9X9A",),  # traumatic or nontraumatic brain injury
    "39848009": ("S13.4XXA",),  # whiplash injury to neck
    "80394007": ("R73.9",),  # hyperglycemia (see MANUAL_OVERRIDES)
}

MANUAL_OVERRIDES: Final[dict[str, str]] = {
    "80394007": "Hyperglycemia alone does not establish diabetes; the generator pairs it with E11.65 "
    "only because it emits it for diabetic members.",
}

_SOCIAL = "social or employment finding: a Z code at most, none used by CMS-HCC or Charlson"
_EDUCATION = "education finding: no HCC-relevant ICD-10-CM code"
_PREGNANCY = "pregnancy or its history: O/Z codes outside CMS-HCC payment models for this population"
_DENTAL = "dental finding: K00-K08 codes carry no HCC"
_INJURY = "acute minor injury: S/T codes outside every CMS-HCC and Charlson category"
_SITUATION = "situation or suspicion, not a diagnosis"

NO_HCC_RELEVANT_ICD10: Final[dict[str, str]] = {
    "741062008": _SOCIAL,  # not in labor force
    "423315002": _SOCIAL,  # limited social contact
    "422650009": _SOCIAL,  # social isolation
    "706893006": _SOCIAL,  # victim of intimate partner abuse
    "266948004": _SOCIAL,  # has a criminal record
    "160903007": _SOCIAL,  # full-time employment
    "160904001": _SOCIAL,  # part-time employment
    "446654005": _SOCIAL,  # refugee
    "424393004": _SOCIAL,  # reports of violence in the environment
    "160968000": _SOCIAL,  # risk activity involvement
    "1187604002": _SOCIAL,  # serving in military service
    "266934004": _SOCIAL,  # transport problem
    "10939881000119105": _SOCIAL,  # unhealthy alcohol drinking behavior (a finding, not a use disorder)
    "10939881000119104": _SOCIAL,  # the same, as Synthea misprints it
    "473461003": _EDUCATION,
    "224295006": _EDUCATION,
    "5251000175109": _EDUCATION,
    "224299000": _EDUCATION,
    "35999006": _PREGNANCY,  # blighted ovum
    "198992004": _PREGNANCY,  # eclampsia in pregnancy
    "156073000": _PREGNANCY,  # fetus with unknown complication
    "19169002": _PREGNANCY,  # miscarriage in first trimester
    "72892002": _PREGNANCY,  # normal pregnancy
    "161744009": _PREGNANCY,  # past pregnancy history of miscarriage
    "398254007": _PREGNANCY,  # preeclampsia
    "79586000": _PREGNANCY,  # tubal pregnancy
    "267020005": _PREGNANCY,  # history of tubal ligation
    "183996000": _PREGNANCY,  # sterilization requested
    "61804006": _DENTAL,  # alveolitis of jaw
    "278558000": _DENTAL,
    "278588009": _DENTAL,
    "278598003": _DENTAL,
    "278602001": _DENTAL,
    "18718003": _DENTAL,
    "66383009": _DENTAL,
    "196416002": _DENTAL,
    "427898007": _DENTAL,
    "37320007": _DENTAL,
    "109570002": _DENTAL,
    "1255252008": _DENTAL,
    "46752004": _DENTAL,  # torus palatinus
    "262574004": _INJURY,  # bullet wound
    "48333001": _INJURY,  # burn injury, degree and extent unknown
    "403190006": _INJURY,  # first degree burn
    "403191005": _INJURY,  # second degree burn
    "110030002": _INJURY,  # concussion injury of brain
    "62564004": _INJURY,  # concussion with loss of consciousness
    "62106007": _INJURY,  # concussion without loss of consciousness
    "370247008": _INJURY,  # facial laceration
    "16114001": _INJURY,  # fracture of ankle
    "125605004": _INJURY,  # fracture of bone
    "58150001": _INJURY,  # fracture of clavicle
    "65966004": _INJURY,  # fracture of forearm
    "263172003": _INJURY,  # fracture of mandible
    "33737001": _INJURY,  # fracture of rib
    "263102004": _INJURY,  # fracture subluxation of wrist
    "444470001": _INJURY,
    "125601008": _INJURY,
    "444448004": _INJURY,
    "90460009": _INJURY,
    "307731004": _INJURY,
    "312608009": _INJURY,
    "284551006": _INJURY,
    "283371005": _INJURY,
    "284549007": _INJURY,
    "283385000": _INJURY,
    "47693006": _INJURY,  # rupture of appendix: acute surgical, no HCC
    "30832001": _INJURY,
    "384709000": _INJURY,
    "70704007": _INJURY,
    "239720000": _INJURY,
    "36955009": _SITUATION,  # loss of taste (symptom)
    "428251008": _SITUATION,  # history of appendectomy
    "314529007": _SITUATION,  # medication review due
    "162573006": _SITUATION,  # suspected lung cancer
    "315268008": _SITUATION,  # suspected prostate cancer
}


@dataclass(frozen=True, slots=True)
class Crosswalk:
    version: str
    mappings: dict[str, tuple[str, ...]]
    not_mapped: frozenset[str]

    def icd10_for(self, snomed_code: str) -> tuple[str, ...]:
        return self.mappings.get(snomed_code, ())


@functools.cache
def load_crosswalk(path: Path = CROSSWALK_PATH) -> Crosswalk:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Crosswalk(
        version=data["version"],
        mappings={snomed: tuple(entry["icd10"]) for snomed, entry in data["mappings"].items()},
        not_mapped=frozenset(data["no_hcc_relevant_icd10"]),
    )


def condition_icd10_codes(icd10_code: str, snomed_code: str, crosswalk: Crosswalk) -> tuple[str, ...]:
    """The ICD-10-CM codes of one Condition: its own ICD-10-CM coding, else the crosswalk's."""
    if icd10_code:
        return (icd10_code,)
    return crosswalk.icd10_for(snomed_code) if snomed_code else ()


# --- reading Synthea Conditions ---------------------------------------------------------------


def _bundle_conditions(bundle: dict[str, Any]) -> Iterator[list[Coding]]:
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "Condition":
            codings = resource.get("code", {}).get("coding", [])
            yield [(c.get("system", ""), c.get("code", ""), c.get("display", "")) for c in codings]


def _csv_conditions(path: Path) -> Iterator[list[Coding]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield [(row.get("SYSTEM") or SNOMED, row["CODE"], row.get("DESCRIPTION", ""))]


def synthea_condition_codings(path: Path) -> Iterator[list[Coding]]:
    """Each Condition's codings in a Synthea output: a FHIR folder, a ``.tar.gz`` or a CSV folder."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.name == "conditions.csv":
                yield from _csv_conditions(child)
            elif child.suffix == ".json":
                yield from _bundle_conditions(orjson.loads(child.read_bytes()))
            elif child.name.endswith(".tar.gz"):
                yield from synthea_condition_codings(child)
        return
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            extracted = archive.extractfile(member) if member.isfile() else None
            if extracted is not None and member.name.endswith(".json"):
                yield from _bundle_conditions(orjson.loads(extracted.read()))


def _generator_diagnoses() -> list[synth_codes.Diagnosis]:
    chronic = [diagnosis for variants in synth_codes.CHRONIC_VARIANTS.values() for _, diagnosis in variants]
    return [
        *chronic,
        synth_codes.OBESITY,
        synth_codes.MORBID_OBESITY,
        synth_codes.OVERWEIGHT,
        *synth_codes.SOCIAL_FINDINGS.values(),
        *synth_codes.ACUTE.values(),
    ]


def read_conditions(sources: Iterable[Path]) -> list[list[Coding]]:
    return [codings for source in sources for codings in synthea_condition_codings(source)]


def snomed_codes_in(conditions: Iterable[list[Coding]]) -> dict[str, str]:
    """Every SNOMED CT Condition code in the conditions and the generator, with a display."""
    found: dict[str, str] = {}
    for codings in conditions:
        for system, code, display in codings:
            if system == SNOMED:
                found.setdefault(code, display)
    for diagnosis in _generator_diagnoses():
        found.setdefault(diagnosis.snomed.code, diagnosis.snomed.display)
    return found


def _derived_pairs(conditions: Iterable[list[Coding]]) -> dict[str, tuple[tuple[str, ...], str]]:
    pairs: dict[str, tuple[tuple[str, ...], str]] = {}
    for codings in conditions:
        snomed = [code for system, code, _ in codings if system == SNOMED]
        icd10 = tuple(code for system, code, _ in codings if system == ICD10CM)
        if snomed and icd10:
            pairs.setdefault(snomed[0], (icd10, "synthea"))
    for diagnosis in _generator_diagnoses():
        if diagnosis.icd10 is not None:
            pairs.setdefault(diagnosis.snomed.code, ((diagnosis.icd10.code,), "generator"))
    return pairs


def build_crosswalk(conditions: list[list[Coding]]) -> dict[str, Any]:
    """The crosswalk as written to ``data/snomed-icd10.json`` (sorted, so rebuilding is stable).

    ``conditions`` are the codings of each Condition in the shared Synthea sets
    (:func:`read_conditions`).
    """
    displays = snomed_codes_in(conditions)
    mappings: dict[str, dict[str, Any]] = {}
    for snomed, (icd10, origin) in _derived_pairs(conditions).items():
        mappings[snomed] = {"icd10": list(icd10), "origin": origin}
    for snomed, icd10 in MANUAL.items():
        if snomed not in mappings or snomed in MANUAL_OVERRIDES:
            mappings[snomed] = {"icd10": list(icd10), "origin": "manual"}
            if snomed in MANUAL_OVERRIDES:
                mappings[snomed]["review"] = MANUAL_OVERRIDES[snomed]
    for snomed, entry in mappings.items():
        entry["display"] = displays.get(snomed, "")
    return {
        "version": CROSSWALK_VERSION,
        "source": "wraparound.risk.crosswalk.build_crosswalk over the shared Synthea sets "
        "(ca-2025, smart-2019, dbt-csv) and the generator's code tables; manual rows reviewed "
        "against the ICD-10-CM FY2024 tabular list",
        "mappings": dict(sorted(mappings.items())),
        "no_hcc_relevant_icd10": {
            snomed: {"reason": reason, "display": displays.get(snomed, "")}
            for snomed, reason in sorted(NO_HCC_RELEVANT_ICD10.items())
        },
    }


def crosswalk_text(conditions: list[list[Coding]]) -> str:
    return json.dumps(build_crosswalk(conditions), indent=1, ensure_ascii=False) + "\n"


def write_crosswalk(sources: Iterable[Path], path: Path = CROSSWALK_PATH) -> None:
    text = crosswalk_text(read_conditions(sources))
    path.write_text(text, encoding="utf-8")
