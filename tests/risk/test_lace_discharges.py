"""LACE for every inpatient discharge, from encounters and conditions as imported."""

from __future__ import annotations

from typing import Any

from tests.risk.conftest import Records, at
from wraparound.risk.lace import lace_for_discharges


def test_emergent_stay_with_comorbidities_and_a_prior_ed_visit(records: Records) -> None:
    maria = records.patient()
    records.icd10(maria, "E11.9", onset=at("2015-01-01"))  # diabetes: 1
    records.snomed(maria, "88805009", onset=at("2020-01-01"))  # chronic CHF, crosswalked to I50.9: 1
    records.icd10(maria, "I21.4", onset=at("2018-01-01"), abatement=at("2018-02-01"))  # over before
    records.icd10(maria, "C18.9", onset=at("2025-06-20"))  # diagnosed after discharge
    records.ed_visit(maria, at("2024-11-15"))  # 6.5 months before: outside the window
    records.ed_visit(maria, at("2025-04-01"))  # 2 months before: counts
    records.ed_visit(maria, at("2025-06-01", hour=2))  # the admitting visit: acuity, not a prior visit
    stay = records.stay(maria, at("2025-06-01", hour=9), days=5)

    [discharge] = lace_for_discharges()

    assert discharge.encounter_id == stay.id
    assert discharge.result.points == {"L": 4, "A": 3, "C": 2, "E": 1}
    assert discharge.result.score == 10
    assert discharge.result.charlson_conditions == (
        "congestive_heart_failure",
        "diabetes_without_chronic_complication",
    )


def test_elective_admission_has_no_acuity_points(records: Records) -> None:
    john = records.patient(gender="male")
    records.ed_visit(john, at("2025-05-01"))
    records.stay(john, at("2025-05-10"), days=1)

    [discharge] = lace_for_discharges()

    assert discharge.result.points == {"L": 1, "A": 0, "C": 0, "E": 1}


def test_admit_source_from_the_emergency_department_is_emergent(records: Records) -> None:
    ann = records.patient()
    records.stay(ann, at("2025-05-10"), days=14, admit_source="emd")

    [discharge] = lace_for_discharges()

    assert discharge.result.points == {"L": 7, "A": 3, "C": 0, "E": 0}


def test_ed_visits_are_capped_at_four_points(records: Records) -> None:
    lee = records.patient()
    for month in range(1, 6):
        records.ed_visit(lee, at(f"2025-0{month}-15"))
    records.stay(lee, at("2025-06-20"), days=0)

    [discharge] = lace_for_discharges()

    assert discharge.result.ed_visits_6m == 5
    assert discharge.result.points["E"] == 4
    assert discharge.result.points["L"] == 0


def test_every_discharge_in_three_queries(records: Records, django_assert_num_queries: Any) -> None:
    for _ in range(6):
        person = records.patient()
        records.icd10(person, "J44.9")
        records.ed_visit(person, at("2025-03-01"))
        records.stay(person, at("2025-03-10"), days=3)
        records.stay(person, at("2025-05-10"), days=2)

    with django_assert_num_queries(3):
        discharges = lace_for_discharges()

    assert len(discharges) == 12
    assert {d.result.score for d in discharges} == {3 + 1 + 1, 2 + 1 + 1}


def test_only_the_named_patients(records: Records) -> None:
    first, second = records.patient(), records.patient()
    records.stay(first, at("2025-03-10"), days=3)
    records.stay(second, at("2025-03-10"), days=3)

    assert [d.patient_id for d in lace_for_discharges([second.id])] == [second.id]


def test_the_six_month_window_starts_on_the_same_day_six_months_earlier(records: Records) -> None:
    kim = records.patient()
    records.ed_visit(kim, at("2024-12-10", hour=9))  # six months to the hour: counts
    records.ed_visit(kim, at("2024-12-10", hour=8))  # an hour earlier: does not
    records.ed_visit(kim, at("2025-06-09", hour=8))  # 25 hours before admission: a prior visit
    records.stay(kim, at("2025-06-10", hour=9), days=2)

    [discharge] = lace_for_discharges()

    assert discharge.result.ed_visits_6m == 2
    assert discharge.result.emergent is False
