"""do_compute_risk: utilization, the high-utilizer flag, LACE rows, set-based and idempotent."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Mapping

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.risk.conftest import AS_OF, Records, at
from wraparound.registry.models import Encounter, Patient
from wraparound.risk.actions import do_compute_risk
from wraparound.risk.models import LaceScore, RiskProfile


def frequent_flyer(records: Records) -> Patient:
    """Two admissions in six months, three chronic conditions, ED visits old and new."""
    person = records.patient()
    records.icd10(person, "E11.9")
    records.icd10(person, "E11.65")  # the same category as E11.9: one condition
    records.snomed(person, "59621000")  # essential hypertension → I10
    records.icd10(person, "J44.9")
    records.ed_visit(person, at("2024-09-01"))  # 10 months ago
    records.ed_visit(person, at("2025-03-01"))  # 4 months ago
    records.stay(person, at("2025-02-01"), days=3)
    records.stay(person, at("2025-06-01"), days=0)
    records.stay(person, at("2024-03-01"), days=10)  # over a year ago
    return person


def test_utilization_and_high_utilizer(records: Records) -> None:
    person = frequent_flyer(records)

    run = do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=person)
    assert (profile.ed_visits_6m, profile.ed_visits_12m) == (1, 2)
    assert (profile.admissions_6m, profile.admissions_12m) == (2, 2)
    assert profile.bed_days_12m == 3 + 1  # a same-day stay is one bed day
    assert profile.chronic_conditions == 3
    assert profile.high_utilizer is True
    assert profile.tier == "high"
    assert profile.components["tier"]["reasons"][0] == "high_utilizer"
    assert run.patients == 1 and run.discharges == 3


def test_lace_rows_and_the_latest(records: Records) -> None:
    person = frequent_flyer(records)

    do_compute_risk(as_of=AS_OF)

    scores = {row.discharged_at.date(): row for row in LaceScore.objects.filter(patient=person)}
    assert set(scores) == {dt.date(2025, 2, 4), dt.date(2025, 6, 1), dt.date(2024, 3, 11)}
    latest = scores[dt.date(2025, 6, 1)]
    # same-day stay L=0, not emergent A=0, Charlson: diabetes 1 + COPD 1 → C=2, ED 2025-03-01 → E=1.
    assert latest.score == 3
    assert latest.components["points"] == {"L": 0, "A": 0, "C": 2, "E": 1}
    profile = RiskProfile.objects.get(patient=person)
    assert profile.lace_last == 3
    assert profile.components["lace_recent"] == 3


def test_cancelled_and_mistaken_encounters_do_not_count(records: Records) -> None:
    person = records.patient()
    records.ed_visit(person, at("2025-05-01"))
    void = [
        records.ed_visit(person, at("2025-05-02")),
        records.ed_visit(person, at("2025-05-03")),
        records.stay(person, at("2025-05-20"), days=2),
    ]
    for encounter, status in zip(void, ("cancelled", "entered-in-error", "cancelled"), strict=True):
        Encounter.objects.filter(pk=encounter.pk).update(status=status)

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=person)
    assert (profile.ed_visits_6m, profile.admissions_6m, profile.lace_last) == (1, 0, None)
    assert LaceScore.objects.count() == 0


def test_one_admission_is_not_a_high_utilizer(records: Records) -> None:
    person = records.patient()
    records.icd10(person, "I10")
    records.icd10(person, "F32.9")
    records.stay(person, at("2025-05-01"), days=2)

    do_compute_risk(as_of=AS_OF)

    assert RiskProfile.objects.get(patient=person).high_utilizer is False


def test_a_patient_without_encounters_gets_a_low_profile(records: Records) -> None:
    person = records.patient(birth_date=dt.date(1990, 1, 1))

    do_compute_risk(as_of=AS_OF)

    profile = RiskProfile.objects.get(patient=person)
    assert (profile.ed_visits_12m, profile.admissions_12m, profile.lace_last) == (0, 0, None)
    assert profile.tier == "low"


def test_recomputing_replaces_rows(records: Records) -> None:
    person = frequent_flyer(records)
    do_compute_risk(as_of=AS_OF)
    records.ed_visit(person, at("2025-06-20"))

    do_compute_risk(as_of=AS_OF)

    assert RiskProfile.objects.count() == 1
    assert LaceScore.objects.count() == 3
    assert RiskProfile.objects.get(patient=person).ed_visits_6m == 2


def test_the_query_count_does_not_grow_with_patients(records: Records) -> None:
    def queries_for(count: int) -> int:
        RiskProfile.objects.all().delete()
        ids = [frequent_flyer(records).id for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            do_compute_risk(ids, as_of=AS_OF)
        return len(captured)

    assert queries_for(2) == queries_for(8)


def test_a_custom_chronic_condition_count(records: Records) -> None:
    person = frequent_flyer(records)

    def everything_counts(codes: Mapping[uuid.UUID, Iterable[str]]) -> dict[uuid.UUID, int]:
        return {patient_id: len(set(found)) for patient_id, found in codes.items()}

    do_compute_risk(as_of=AS_OF, chronic_condition_count=everything_counts)

    assert RiskProfile.objects.get(patient=person).chronic_conditions == 4


def test_the_command_computes_everyone(records: Records) -> None:
    first, second = records.patient(), records.patient()
    out = io.StringIO()

    call_command("risk", "--all", stdout=out)

    assert set(RiskProfile.objects.values_list("patient_id", flat=True)) == {first.id, second.id}
    assert "risk profiles: 2" in out.getvalue()


def test_the_command_refuses_unknown_patients(records: Records) -> None:
    missing = uuid.uuid4()
    with pytest.raises(CommandError, match=str(missing)):
        call_command("risk", "--patient", str(missing))
    assert RiskProfile.objects.count() == 0
