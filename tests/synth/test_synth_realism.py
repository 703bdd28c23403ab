"""The population looks like Medicaid: its age mix, languages, conditions, utilization and values."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date, datetime
from statistics import mean
from typing import Any

from tests.synth.synth_helpers import AS_OF

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
Member = list[dict[str, Any]]

HYPERTENSION = "38341003"
DEPRESSION = {"370143000", "18818009", "35489007"}
DIABETES = "44054006"
OBESITY = {"414916001", "238136002"}
SUBSTANCE_USE = {"7200002", "75544000", "85005007", "31956009", "426873000"}
ASTHMA = "195967001"


def of_type(member: Member, resource_type: str) -> list[dict[str, Any]]:
    return [resource for resource in member if resource["resourceType"] == resource_type]


def patient(member: Member) -> dict[str, Any]:
    return member[0]


def age(member: Member) -> float:
    born = date.fromisoformat(str(patient(member)["birthDate"]))
    return (AS_OF - born).days / 365.25


def problems(member: Member) -> set[str]:
    codes = set()
    for condition in of_type(member, "Condition"):
        for coding in condition["code"]["coding"]:
            if coding["system"] == SNOMED:
                codes.add(coding["code"])
    return codes


def observations(member: Member, loinc: str) -> list[dict[str, Any]]:
    return [
        resource
        for resource in of_type(member, "Observation")
        if resource["code"]["coding"][0]["code"] == loinc
    ]


def share(members: list[Member], predicate: Any) -> float:
    return sum(1 for member in members if predicate(member)) / len(members)


def adults(members: list[Member]) -> list[Member]:
    return [member for member in members if age(member) >= 18]


def children(members: list[Member]) -> list[Member]:
    return [member for member in members if age(member) < 18]


def test_about_four_in_ten_members_are_children(members: list[Member]) -> None:
    assert 0.35 <= len(children(members)) / len(members) <= 0.45


def test_languages_spanish_about_thirty_percent_and_interpreters_for_non_english(
    members: list[Member],
) -> None:
    languages = Counter(patient(m)["communication"][0]["language"]["coding"][0]["code"] for m in members)
    assert 0.25 <= languages["es"] / len(members) <= 0.35
    assert {"en", "es", "zh", "ru", "ht"} <= set(languages)

    def interpreter(member: Member) -> bool | None:
        for extension in patient(member)["extension"]:
            if extension["url"].endswith("patient-interpreterRequired"):
                return bool(extension["valueBoolean"])
        return None

    non_english = [
        m for m in members if patient(m)["communication"][0]["language"]["coding"][0]["code"] != "en"
    ]
    assert share(non_english, lambda m: interpreter(m) is True) > 0.7


def test_medicaid_ids_are_unique_and_match_coverage(members: list[Member]) -> None:
    ids = []
    for member in members:
        identifiers = {
            identifier["type"]["coding"][0]["code"]: identifier["value"]
            for identifier in patient(member)["identifier"]
            if "type" in identifier
        }
        assert re.fullmatch(r"[A-Z]{2}\d{5}[A-Z]", identifiers["MA"])
        assert "MR" in identifiers
        medicaid = [c for c in of_type(member, "Coverage") if c["type"]["text"] == "Medicaid"]
        assert [coverage["subscriberId"] for coverage in medicaid] == [identifiers["MA"]]
        assert medicaid[0]["payor"][0]["display"] == "Medicaid"
        assert medicaid[0]["type"]["coding"][0]["code"] == "SUBSIDIZ"
        assert medicaid[0]["beneficiary"]["reference"] == f"urn:uuid:{patient(member)['id']}"
        ids.append(identifiers["MA"])
    assert len(set(ids)) == len(ids)


def test_chronic_problems_carry_snomed_and_icd10(members: list[Member]) -> None:
    for member in members[:500]:
        for condition in of_type(member, "Condition"):
            if condition["category"][0]["coding"][0]["code"] == "problem-list-item":
                systems = [coding["system"] for coding in condition["code"]["coding"]]
                assert systems == [SNOMED, ICD10]


def test_prevalence_is_plausible_for_medicaid(members: list[Member]) -> None:
    grown = adults(members)
    assert 0.20 <= share(grown, lambda m: HYPERTENSION in problems(m)) <= 0.40
    assert 0.12 <= share(grown, lambda m: bool(DEPRESSION & problems(m))) <= 0.32
    assert 0.06 <= share(grown, lambda m: DIABETES in problems(m)) <= 0.18
    assert 0.05 <= share(children(members), lambda m: ASTHMA in problems(m)) <= 0.16
    assert share(children(members), lambda m: HYPERTENSION in problems(m)) < 0.03


def test_conditions_cluster(members: list[Member]) -> None:
    grown = adults(members)
    obese = [m for m in grown if OBESITY & problems(m)]
    lean = [m for m in grown if not OBESITY & problems(m)]
    assert share(obese, lambda m: DIABETES in problems(m)) > 1.5 * share(
        lean, lambda m: DIABETES in problems(m)
    )
    using = [m for m in grown if SUBSTANCE_USE & problems(m)]
    sober = [m for m in grown if not SUBSTANCE_USE & problems(m)]
    depressed = lambda m: bool(DEPRESSION & problems(m))  # noqa: E731
    assert share(using, depressed) > 1.3 * share(sober, depressed)


def utilization(member: Member) -> int:
    return sum(1 for e in of_type(member, "Encounter") if e["class"]["code"] in ("EMER", "IMP"))


def test_a_few_members_account_for_most_acute_care(members: list[Member]) -> None:
    uses = sorted((utilization(member) for member in members), reverse=True)
    top = uses[: len(uses) // 20]
    assert sum(top) >= 0.40 * sum(uses)
    emergency = sum(1 for m in members for e in of_type(m, "Encounter") if e["class"]["code"] == "EMER")
    assert 0.3 <= emergency / len(members) / 3 <= 1.2


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def test_admissions_have_stays_dispositions_and_some_readmissions(members: list[Member]) -> None:
    readmissions = admissions = 0
    for member in members:
        stays = [
            e
            for e in of_type(member, "Encounter")
            if e["class"]["code"] == "IMP" and e["status"] == "finished"
        ]
        for stay in stays:
            start, end = parse(stay["period"]["start"]), parse(stay["period"]["end"])
            assert end.date() > start.date()
            assert stay["hospitalization"]["dischargeDisposition"]["coding"][0]["code"]
            assert start.utcoffset() is not None
        admissions += len(stays)
        for earlier, later in itertools.pairwise(stays):
            gap = parse(later["period"]["start"]) - parse(earlier["period"]["end"])
            readmissions += gap.days <= 30
    assert admissions > 100
    assert 0.05 <= readmissions / admissions <= 0.35


def test_everything_happens_in_the_three_years_before_as_of(members: list[Member]) -> None:
    first = datetime(2023, 11, 1).date()
    for member in members[:300]:
        for encounter in of_type(member, "Encounter"):
            start = parse(encounter["period"]["start"])
            assert first <= start.date() < AS_OF
            assert start.strftime("%z") in ("-0400", "-0500")
            if "end" in encounter["period"]:
                assert parse(encounter["period"]["end"]) > start


def systolic(observation: dict[str, Any]) -> float:
    value: float = observation["component"][0]["valueQuantity"]["value"]
    return value


def test_values_follow_conditions(members: list[Member]) -> None:
    grown = adults(members)
    high = [systolic(o) for m in grown if HYPERTENSION in problems(m) for o in observations(m, "85354-9")]
    normal = [
        systolic(o) for m in grown if HYPERTENSION not in problems(m) for o in observations(m, "85354-9")
    ]
    assert mean(high) > mean(normal) + 8
    diabetic: list[float] = []
    others: list[float] = []
    for member in grown:
        diagnosed = [c["recordedDate"] for c in of_type(member, "Condition") if DIABETES in problems([c])]
        for observation in observations(member, "4548-4"):
            after = diagnosed and parse(observation["effectiveDateTime"]) >= parse(diagnosed[0])
            (diabetic if after else others).append(observation["valueQuantity"]["value"])
    assert diabetic
    assert all(6.5 <= value <= 11 for value in diabetic)
    assert all(value < 6.5 for value in others)


def test_some_phq9_trajectories_improve(members: list[Member]) -> None:
    improving = tracked = 0
    for member in members:
        scores = [o["valueQuantity"]["value"] for o in observations(member, "44261-6")]
        if len(scores) >= 3:
            tracked += 1
            improving += scores[-1] <= scores[0] / 2
            assert all(0 <= score <= 27 for score in scores)
    assert tracked > 20
    assert 0.15 <= improving / tracked <= 0.8


def test_substance_use_treatment_and_social_needs_appear(members: list[Member]) -> None:
    medications = Counter(
        request["medicationCodeableConcept"]["coding"][0]["code"]
        for member in members
        for request in of_type(member, "MedicationRequest")
    )
    assert medications["1010604"] > 0  # buprenorphine / naloxone
    assert medications["314076"] > 0  # lisinopril
    social = Counter(
        condition["code"]["coding"][0]["code"]
        for member in members
        for condition in of_type(member, "Condition")
        if len(condition["category"]) == 2
    )
    assert {"73595000", "32911000", "713458007"} <= set(social)
