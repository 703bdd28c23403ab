"""A FHIR Encounter from the import joins the same workflow as an ADT message."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.personas import stored
from wraparound.registry.models import Encounter
from wraparound.transitions.encounters import on_registry_encounters
from wraparound.transitions.models import Stay, Step
from wraparound.worklists.models import Alert

from .conftest import World


def _encounter(
    world: World, key: str, start: dt.datetime, end: dt.datetime | None, **fields: object
) -> Encounter:
    encounter: Encounter = stored(
        Encounter,
        "ehr-import",
        key,
        patient=world.maria,
        encounter_class=fields.pop("encounter_class", Encounter.Kind.INPATIENT),
        status="finished" if end else "in-progress",
        start=start,
        end=end,
        **fields,
    )
    return encounter


def test_an_imported_inpatient_discharge_makes_the_discharge_tasks(world: World) -> None:
    now = timezone.now()
    encounter = _encounter(world, "enc-1", now - dt.timedelta(days=4), now - dt.timedelta(days=1))
    assert on_registry_encounters([encounter.pk]) == 1
    stay = Stay.objects.get()
    assert (stay.source, stay.encounter_id, stay.status) == (
        Stay.Source.REGISTRY,
        encounter.pk,
        Stay.Status.DISCHARGED,
    )
    kinds = set(Step.objects.filter(stay=stay).values_list("kind", flat=True))
    assert {
        Step.Kind.CONTACT_AFTER_DISCHARGE,
        Step.Kind.FOLLOW_UP_7,
        Step.Kind.MEDICATION_RECONCILIATION,
    } <= kinds
    assert Alert.objects.get().kind == Alert.Kind.DISCHARGE
    on_registry_encounters([encounter.pk])  # the recompute job running again
    assert Stay.objects.count() == 1 and Step.objects.count() == len(kinds) and Alert.objects.count() == 1


def test_an_old_discharge_from_an_import_of_history_starts_nothing(world: World) -> None:
    encounter = _encounter(
        world, "enc-old", dt.datetime(2019, 1, 2, tzinfo=dt.UTC), dt.datetime(2019, 1, 5, tzinfo=dt.UTC)
    )
    on_registry_encounters([encounter.pk])
    assert Stay.objects.count() == 1
    assert not Step.objects.exists() and not Alert.objects.exists()


def test_an_ambulatory_encounter_is_not_a_stay(world: World) -> None:
    now = timezone.now()
    encounter = _encounter(world, "enc-amb", now, now, encounter_class=Encounter.Kind.AMBULATORY)
    assert on_registry_encounters([encounter.pk]) == 0


def test_the_job_after_an_import_runs_the_workflow_for_the_patients_it_touched(world: World) -> None:
    """What `wraparound import` queues: the named patients' recent stays join the workflow."""
    from wraparound.ingest.tasks import recompute_after_import

    now = timezone.now()
    _encounter(world, "enc-job", now - dt.timedelta(days=3), now - dt.timedelta(days=1))
    _encounter(
        world, "enc-history", dt.datetime(2019, 1, 2, tzinfo=dt.UTC), dt.datetime(2019, 1, 5, tzinfo=dt.UTC)
    )
    outcome = recompute_after_import.call(now.isoformat(), [str(world.maria.pk)])
    assert outcome["stays"] == 1  # the recent discharge; years-old history is not care to coordinate now
    assert Alert.objects.get().kind == Alert.Kind.DISCHARGE
    assert Step.objects.filter(stay__encounter__source_id="enc-job").exists()
