"""Work that follows an import, in the background: eligibility and risk for the patients it touched.

``wraparound import`` queues ``recompute_after_import`` with the time the import
began; the job finds the patients whose records changed since then, in a few
set-based queries, and recomputes their eligibility under every rule pack in
effect and their risk profile.  Running it twice changes nothing (decisions and
profiles are replaced, not added), so a retried job is harmless.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import uuid
from collections import Counter
from collections.abc import Sequence

from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wraparound.eligibility.actions import do_decide_packs
from wraparound.eligibility.rulepacks import load_packs
from wraparound.registry.models import Condition, Encounter, Observation, Patient
from wraparound.risk.actions import do_compute_risk

# Past this share of all patients, recomputing everyone is cheaper than listing who changed.
EVERYONE_SHARE = 0.5
TRANSITION_DAYS = 60


def affected_patients(since: dt.datetime) -> list[uuid.UUID] | None:
    """Patients whose record changed since ``since``; None when that is most of them (recompute all)."""
    changed: set[uuid.UUID] = set(
        Patient.objects.filter(Q(received_at__gte=since) | Q(updated_at__gte=since)).values_list(
            "id", flat=True
        )
    )
    for model in (Condition, Encounter, Observation):
        changed.update(
            model.objects.filter(updated_at__gte=since).values_list("patient_id", flat=True).distinct()
        )
    total = Patient.objects.count()
    if total and len(changed) > EVERYONE_SHARE * total:
        return None
    return sorted(changed)


def recompute(patient_ids: Sequence[uuid.UUID] | None, as_of: dt.datetime | None = None) -> dict[str, int]:
    """Eligibility under every pack in effect, then risk, for these patients (everyone when None)."""
    as_of = as_of or timezone.now()
    packs = [pack for pack in load_packs().values() if pack.is_effective(as_of.date())]
    decided = do_decide_packs(patient_ids, packs, as_of=as_of) if packs else 0
    run = do_compute_risk(patient_ids, as_of=as_of)
    return {"decisions": decided, "risk_profiles": run.patients}


EVERYONE_CHUNK = 10_000  # patients per unit of work handed to a worker process


def _recompute_chunk(work: tuple[list[uuid.UUID], dt.datetime]) -> dict[str, int]:
    patient_ids, as_of = work
    return recompute(patient_ids, as_of)


def recompute_everyone(
    *, workers: int | None = None, progress: bool = False, chunk_size: int = EVERYONE_CHUNK
) -> dict[str, int]:
    """``recompute`` for every patient, in ``workers`` processes (one per CPU by default).

    The patients are handed out in chunks of ``EVERYONE_CHUNK`` ids, in id order; each worker
    reads and writes its chunk with its own database connection (every batch of reads is
    set-based: a fixed number of queries per batch of patients, see ``eligibility.fetch`` and
    ``risk.actions``).  Every decision and profile is computed as of the same moment.
    """
    from wraparound.registry.models import Patient

    as_of = timezone.now()
    ids = list(Patient.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=20_000))
    chunks = [(ids[index : index + chunk_size], as_of) for index in range(0, len(ids), chunk_size)]
    del ids
    workers = workers or os.cpu_count() or 1
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", lambda: False)():
        workers = 1
    totals: Counter[str] = Counter()
    columns = (TextColumn("eligibility and risk"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not progress) as bar:
        done = bar.add_task("patients", total=sum(len(chunk) for chunk, _ in chunks))
        if workers == 1 or len(chunks) <= 1:
            results = map(_recompute_chunk, chunks)
            for (chunk, _), result in zip(chunks, results, strict=True):
                totals.update(result)
                bar.advance(done, len(chunk))
        else:
            connections.close_all()  # each forked worker opens its own
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for (patients, _), result in zip(chunks, pool.imap(_recompute_chunk, chunks), strict=True):
                    totals.update(result)
                    bar.advance(done, len(patients))
    return {"decisions": totals["decisions"], "risk_profiles": totals["risk_profiles"]}


@task()
def recompute_after_import(since: str, patient_ids: list[str] | None = None) -> dict[str, int]:
    """After an import: the patients it names (the importer knows whom it touched), else those
    whose records changed since it began."""
    if patient_ids is not None:
        patients: list[uuid.UUID] | None = [uuid.UUID(patient) for patient in patient_ids]
    else:
        patients = affected_patients(dt.datetime.fromisoformat(since))
    if patients == []:
        return {"decisions": 0, "risk_profiles": 0, "stays": 0}
    done = recompute(patients)
    return {**done, "stays": _transitions(patients, dt.datetime.fromisoformat(since))}


def _transitions(patients: list[uuid.UUID] | None, since: dt.datetime) -> int:
    """Recent hospital stays and ED visits that arrived as FHIR Encounters join the transitional-care
    workflow (open, or ended in the last ``TRANSITION_DAYS``: enough to see a readmission's index stay;
    older history is not care to coordinate now)."""
    from wraparound.transitions.encounters import on_registry_encounters

    recent = Q(end__isnull=True) | Q(end__gte=timezone.now() - dt.timedelta(days=TRANSITION_DAYS))
    encounters = Encounter.objects.filter(
        recent, encounter_class__in=["inpatient", "emergency", "observation"]
    )
    if patients is None:
        encounters = encounters.filter(updated_at__gte=since)
    else:
        encounters = encounters.filter(patient_id__in=patients)
    return on_registry_encounters(encounters.values_list("id", flat=True))
