"""The engine decides from active conditions and the latest BMI, with evidence and plain words."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest_django import DjangoAssertNumQueries

from tests.eligibility.conftest import AS_OF, bmi, condition, encounter, member
from tests.personas import stored
from wraparound.eligibility.engine import Decision, PackNotInEffect, evaluate, explain
from wraparound.eligibility.rulepacks import get_pack
from wraparound.registry.models import Encounter, Organization, Patient

pytestmark = pytest.mark.django_db

DIABETES, HYPERTENSION, PREDIABETES = "44054006", "59621000", "714628002"


def decide(patient: Patient, pack: str = "federal-1945") -> Decision:
    [decision] = evaluate(get_pack(pack), [patient.id], AS_OF)
    return decision


def test_two_chronic_conditions_qualify_with_their_evidence_and_plain_words() -> None:
    dana = member()
    diabetes = condition(dana, DIABETES, onset=2019)
    condition(dana, HYPERTENSION, onset=2021)

    decision = decide(dana)

    assert decision.eligible
    assert decision.criteria_met == ("two_or_more_chronic",)
    evidence = decision.evidence["two_or_more_chronic"]
    assert [(item["category"], item["code"]) for item in evidence] == [
        ("diabetes", DIABETES),
        ("hypertension", HYPERTENSION),
    ]
    assert evidence[0]["id"] == str(diabetes.id)
    assert evidence[0]["onset"] == "2019-03-01"
    assert evidence[0]["source"] == "eligibility-test"
    assert explain(decision) == "Eligible: diabetes (since 2019) and hypertension (since 2021)"


def test_one_chronic_condition_and_a_risk_factor_qualify() -> None:
    dana = member()
    condition(dana, HYPERTENSION)
    condition(dana, PREDIABETES, onset=2016, display="Prediabetes (finding)")

    decision = decide(dana)

    assert decision.criteria_met == ("one_chronic_and_at_risk",)
    assert explain(decision) == (
        "Eligible: hypertension (since 2019); at risk of another: prediabetes (since 2016)"
    )


def test_one_chronic_condition_alone_does_not_qualify() -> None:
    dana = member()
    condition(dana, HYPERTENSION, onset=2020)

    decision = decide(dana)

    assert not decision.eligible
    assert explain(decision) == "Not eligible: hypertension (since 2020)"


def test_resolved_refuted_and_future_conditions_do_not_count() -> None:
    dana = member()
    condition(dana, DIABETES)
    condition(dana, HYPERTENSION, status="resolved")
    condition(dana, HYPERTENSION, verification_status="refuted")
    condition(dana, HYPERTENSION, abatement=AS_OF - dt.timedelta(days=1))
    condition(dana, HYPERTENSION, onset=2026)

    assert not decide(dana).eligible


def test_the_latest_bmi_within_the_window_over_25_counts_as_overweight() -> None:
    dana, sam, lee = member(), member(), member()
    for person in (dana, sam, lee):
        condition(person, DIABETES)
    bmi(dana, 24.0, AS_OF - dt.timedelta(days=400))
    bmi(dana, 27.5, AS_OF - dt.timedelta(days=30))  # latest, over 25
    bmi(sam, 31.0, AS_OF - dt.timedelta(days=400))
    bmi(sam, 24.0, AS_OF - dt.timedelta(days=30))  # latest is under 25
    bmi(lee, 31.0, AS_OF - dt.timedelta(days=800))  # outside the 730-day window

    decisions = {
        d.patient_id: d for d in evaluate(get_pack("federal-1945"), [dana.id, sam.id, lee.id], AS_OF)
    }

    assert decisions[dana.id].eligible
    [reading] = decisions[dana.id].categories["overweight"]
    assert (reading["resource_type"], reading["value"], reading["code"]) == ("Observation", 27.5, "39156-5")
    assert "overweight (BMI over 25) (BMI 27.5 on " in explain(decisions[dana.id])
    assert not decisions[sam.id].eligible
    assert not decisions[lee.id].eligible


def test_a_serious_mental_illness_alone_qualifies_under_both_packs() -> None:
    dana = member()
    condition(dana, icd10="F20.9")  # schizophrenia

    assert "serious_mental_illness" in decide(dana).criteria_met
    assert decide(dana, "new-york").criteria_met == ("serious_mental_illness",)


def test_hiv_alone_qualifies_in_new_york_but_not_federally() -> None:
    dana = member()
    condition(dana, icd10="B20")

    assert decide(dana, "new-york").criteria_met == ("hiv_aids",)
    assert not decide(dana).eligible


def test_new_york_records_appropriateness_flags_with_evidence_without_requiring_them() -> None:
    dana, sam = member(), member()
    condition(dana, "105531004")  # housing unsatisfactory
    condition(dana, icd10="F20.9")
    encounter(dana, "emergency", AS_OF - dt.timedelta(days=10))
    encounter(dana, "emergency", AS_OF - dt.timedelta(days=50))
    encounter(dana, "inpatient", AS_OF - dt.timedelta(days=20), reason="F20.9")
    encounter(dana, "inpatient", AS_OF - dt.timedelta(days=500))  # too long ago
    condition(sam, DIABETES)
    condition(sam, HYPERTENSION)

    flagged = decide(dana, "new-york")
    unflagged = decide(sam, "new-york")

    assert set(flagged.flags) == {
        "housing_instability",
        "emergency_department_use",
        "recent_inpatient_discharge",
        "recent_psychiatric_discharge",
    }
    assert len(flagged.flags["emergency_department_use"]) == 2
    assert len(flagged.flags["recent_inpatient_discharge"]) == 1
    assert flagged.flags["housing_instability"][0]["code"] == "105531004"
    assert unflagged.eligible and unflagged.flags == {}


def test_queries_do_not_grow_with_the_number_of_patients(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    few = [member() for _ in range(2)]
    many = [member() for _ in range(20)]
    for person in few + many:
        condition(person, DIABETES)
        bmi(person, 30.0, AS_OF - dt.timedelta(days=5))
    pack = get_pack("new-york")

    with django_assert_num_queries(3):
        list(evaluate(pack, [p.id for p in few], AS_OF))
    with django_assert_num_queries(3):
        list(evaluate(pack, [p.id for p in many], AS_OF))


def test_the_explanation_names_the_organization_that_recorded_the_condition() -> None:
    dana = member()
    clinic = stored(Organization, "eligibility-test", "valley", name="Valley Clinic")
    visit = stored(Encounter, "eligibility-test", "visit", patient=dana, service_provider=clinic)
    condition(dana, DIABETES, onset=2019, encounter=visit)
    condition(dana, HYPERTENSION, onset=2021)

    assert (
        explain(decide(dana))
        == "Eligible: diabetes (since 2019, from Valley Clinic) and hypertension (since 2021)"
    )


def test_a_pack_is_not_used_outside_its_effective_dates() -> None:
    dana = member()

    with pytest.raises(PackNotInEffect, match=r"federal-1945 2025\.1 is in effect from 2011-01-01"):
        list(evaluate(get_pack("federal-1945"), [dana.id], dt.datetime(2010, 6, 1, tzinfo=dt.UTC)))
