"""The LACE index from its published definition (van Walraven et al., CMAJ 2010)."""

from __future__ import annotations

import pytest

from wraparound.risk.lace import charlson_conditions, charlson_score, lace_score


def test_the_worked_example_scores_ten() -> None:
    # 5 days (L=4), admitted through the ED (A=3), Charlson 2 (C=2), one ED visit (E=1).
    result = lace_score(length_of_stay_days=5, emergent=True, charlson_score=2, ed_visits_6m=1)
    assert result.points == {"L": 4, "A": 3, "C": 2, "E": 1}
    assert result.score == 10


def test_the_range_is_zero_to_nineteen() -> None:
    assert lace_score(length_of_stay_days=0, emergent=False, charlson_score=0, ed_visits_6m=0).score == 0
    assert lace_score(length_of_stay_days=30, emergent=True, charlson_score=9, ed_visits_6m=12).score == 19


@pytest.mark.parametrize(
    ("days", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (60, 7)],
)
def test_length_of_stay_points(days: int, points: int) -> None:
    result = lace_score(length_of_stay_days=days, emergent=False, charlson_score=0, ed_visits_6m=0)
    assert result.points["L"] == points


@pytest.mark.parametrize(("emergent", "points"), [(True, 3), (False, 0)])
def test_acuity_points(emergent: bool, points: int) -> None:
    assert (
        lace_score(length_of_stay_days=0, emergent=emergent, charlson_score=0, ed_visits_6m=0).score == points
    )


@pytest.mark.parametrize(("charlson", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (5, 5), (12, 5)])
def test_comorbidity_points(charlson: int, points: int) -> None:
    result = lace_score(length_of_stay_days=0, emergent=False, charlson_score=charlson, ed_visits_6m=0)
    assert result.points["C"] == points


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (10, 4)])
def test_ed_visit_points(visits: int, points: int) -> None:
    result = lace_score(length_of_stay_days=0, emergent=False, charlson_score=0, ed_visits_6m=visits)
    assert result.points["E"] == points


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        lace_score(length_of_stay_days=-1, emergent=False, charlson_score=0, ed_visits_6m=0)


@pytest.mark.parametrize(
    ("codes", "score"),
    [
        ([], 0),
        (["I10", "E78.5", "J02.9"], 0),  # hypertension, hyperlipidemia, pharyngitis: not Charlson
        (["I21.4"], 1),  # myocardial infarction
        (["I50.9", "J44.9"], 2),  # heart failure + chronic pulmonary disease
        (["E11.9"], 1),  # diabetes without complication
        (["E11.9", "E11.29"], 2),  # with a chronic complication: only the severe form counts
        (["N18.4"], 2),  # renal disease
        (["G30.9", "I63.9"], 2),  # dementia + cerebrovascular disease
        (["C18.9"], 2),  # malignancy
        (["C18.9", "C78.5"], 6),  # metastatic solid tumor replaces the malignancy
        (["K70.30", "K72.90"], 3),  # severe liver disease replaces mild
        (["B20"], 6),  # AIDS/HIV
        (["i509", " e1165 "], 2),  # no dot, lower case, spaces
    ],
)
def test_charlson_from_icd10(codes: list[str], score: int) -> None:
    assert charlson_score(codes) == score


def test_charlson_names_its_conditions() -> None:
    assert charlson_conditions(["I50.9", "E11.65", "E11.9"]) == {
        "congestive_heart_failure",
        "diabetes_without_chronic_complication",
    }
