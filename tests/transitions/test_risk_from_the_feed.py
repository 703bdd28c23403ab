"""Risk counts the admissions and ED visits the ADT feed told of (utilization, bed days, LACE at the
last discharge), once each: a stay that came through import is counted from its registry Encounter,
and a cancelled one not at all."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.personas import stored
from wraparound.registry.models import Encounter
from wraparound.risk.actions import do_compute_risk
from wraparound.risk.models import RiskProfile
from wraparound.transitions.models import Stay
from wraparound.transitions.processing import process_inbox

from .conftest import World, adt, send

SENDER_ZONE = dt.timezone(dt.timedelta(hours=-5))  # the test feed's times are sent at -0500


def _hl7(days_ago: float) -> str:
    return (timezone.now().astimezone(SENDER_ZONE) - dt.timedelta(days=days_ago)).strftime("%Y%m%d%H%M%S")


def _stay(visit: str, admitted: float, discharged: float) -> list[bytes]:
    return [
        adt("A01", visit=visit, when=_hl7(admitted), admitted=_hl7(admitted)),
        adt("A03", visit=visit, when=_hl7(discharged), admitted=_hl7(admitted), discharged=_hl7(discharged)),
    ]


def test_the_feeds_stays_count_in_the_profile_computed_after_processing(world: World) -> None:
    send(
        *_stay("V1", admitted=100.2, discharged=96.2),  # 4 days
        *_stay("V2", admitted=40.2, discharged=37.2),  # 3 days, the last discharge
        adt("A04", visit="E1", when=_hl7(20), admitted=_hl7(20), patient_class="E"),
        *_stay("V0", admitted=300, discharged=298),  # over 6 months ago: 12-month figures only
    )
    report = process_inbox()
    assert report.risk_profiles == 1  # computed once for the run, not once per message

    profile = RiskProfile.objects.get(patient=world.maria)
    assert (profile.admissions_6m, profile.admissions_12m) == (2, 3)
    assert (profile.ed_visits_6m, profile.ed_visits_12m) == (1, 1)
    assert profile.bed_days_12m == 4 + 3 + 2
    last = Stay.objects.get(visit_number="V2")
    assert last.lace_score is not None and profile.lace_last == last.lace_score
    assert profile.components["lace_last_discharged_at"] == last.discharged_at.isoformat()  # type: ignore[union-attr]


def test_a_stay_from_import_is_counted_once_and_a_cancelled_one_not_at_all(world: World) -> None:
    now = timezone.now()
    encounter = stored(
        Encounter,
        "test",
        "inpatient-1",
        patient=world.maria,
        encounter_class=Encounter.Kind.INPATIENT,
        status="finished",
        start=now - dt.timedelta(days=30),
        end=now - dt.timedelta(days=27),
    )
    Stay.objects.create(  # what the FHIR path makes of that Encounter
        patient=world.maria,
        source=Stay.Source.REGISTRY,
        facility="test",
        visit_number=str(encounter.pk),
        encounter=encounter,
        kind=Stay.Kind.INPATIENT,
        status=Stay.Status.DISCHARGED,
        admitted_at=encounter.start,
        discharged_at=encounter.end,
        created_at=now,
        updated_at=now,
    )
    send(
        adt("A01", visit="V5", when=_hl7(10), admitted=_hl7(10)),
        adt("A11", visit="V5", when=_hl7(9.9), admitted=_hl7(10)),  # the admission was a mistake
    )
    process_inbox()
    assert Stay.objects.get(visit_number="V5").status == Stay.Status.CANCELLED

    do_compute_risk([world.maria.pk])
    profile = RiskProfile.objects.get(patient=world.maria)
    assert (profile.admissions_6m, profile.ed_visits_6m) == (1, 0)
