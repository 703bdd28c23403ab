"""CMS-HCC scores equal hccpy's own output on the same code lists."""

from __future__ import annotations

import datetime as dt

import pytest
from hccpy.hcc import HCCEngine  # type: ignore[import-untyped]

from tests.risk.conftest import AS_OF, Records, at
from wraparound.risk.actions import do_compute_risk
from wraparound.risk.models import RiskProfile


def hccpy_score(version: str, codes: list[str], age: int, sex: str, elig: str) -> float:
    return float(HCCEngine(version=version).profile(codes, age=age, sex=sex, elig=elig)["risk_score"])


def test_icd10_coded_patient(records: Records) -> None:
    # 70 on AS_OF: diabetes with complications, heart failure, COPD.
    rosa = records.patient(birth_date=dt.date(1955, 3, 1), gender="female")
    for code in ("E11.65", "I50.9", "J44.9"):
        records.icd10(rosa, code)

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=rosa)
    assert profile.hcc_v24 == pytest.approx(hccpy_score("24", ["E1165", "I509", "J449"], 70, "F", "CFA"))
    assert profile.hcc_v28 == pytest.approx(hccpy_score("28", ["E1165", "I509", "J449"], 70, "F", "CFA"))
    assert profile.hcc_v24 is not None and profile.hcc_v24 > 1.0


def test_snomed_only_patient_through_the_crosswalk(records: Records) -> None:
    # 80 on AS_OF, Synthea-shaped: SNOMED only.  44054006 → E11.9, 46177005 → N18.6, 69896004 → M06.9.
    sam = records.patient(birth_date=dt.date(1945, 1, 2), gender="male")
    for code in ("44054006", "46177005", "69896004", "73595000"):  # the last: stress, no ICD-10 mapping
        records.snomed(sam, code)

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=sam)
    codes = ["E119", "N186", "M069"]
    assert profile.hcc_v24 == pytest.approx(hccpy_score("24", codes, 80, "M", "CFA"))
    assert profile.hcc_v28 == pytest.approx(hccpy_score("28", codes, 80, "M", "CFA"))
    hccpy_hccs = HCCEngine(version="24").profile(codes, age=80, sex="M", elig="CFA")["hcc_lst"]
    assert sorted(profile.components["hccs_v24"]) == sorted(hccpy_hccs)
    assert profile.components["hccs_v24"] == ["HCC19", "HCC40", "HCC136", "D3"]  # shown in a stable order


def test_medicaid_adult_under_65_uses_the_disabled_dual_segment(records: Records) -> None:
    # 34 on AS_OF: schizophrenia, opioid dependence, HIV.
    dana = records.patient(birth_date=dt.date(1990, 8, 15), gender="female")
    for code in ("F20.9", "F11.20", "B20"):
        records.icd10(dana, code)

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=dana)
    codes = ["F209", "F1120", "B20"]
    assert profile.hcc_v24 == pytest.approx(hccpy_score("24", codes, 34, "F", "CFD"))
    assert profile.hcc_v28 == pytest.approx(hccpy_score("28", codes, 34, "F", "CFD"))
    assert profile.hcc_v24 is not None and profile.hcc_v24 > 1.0


def test_resolved_and_refuted_conditions_do_not_count(records: Records) -> None:
    eve = records.patient(birth_date=dt.date(1950, 7, 1), gender="female")
    records.icd10(eve, "I10")
    records.icd10(eve, "C50.919", status="resolved", abatement=at("2020-01-01"))
    records.icd10(eve, "F20.9", verification_status="refuted")

    do_compute_risk(as_of=AS_OF)

    assert RiskProfile.objects.get(patient=eve).hcc_v28 == pytest.approx(
        hccpy_score("28", ["I10"], 74, "F", "CFA")
    )


def test_no_score_without_sex_or_birth_date(records: Records) -> None:
    unknown = records.patient(gender="unknown")
    records.icd10(unknown, "E11.9")

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=unknown)
    assert (profile.hcc_v24, profile.hcc_v28) == (None, None)
