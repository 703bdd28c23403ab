"""Work that follows an import, in the background: eligibility and risk for the patients it touched.

``wraparound import`` queues ``recompute_after_import`` with the time the import
began; the job finds the patients whose records changed since then, in a few
set-based queries, and recomputes their eligibility under every rule pack in
effect and their risk profile.  Running it twice changes nothing (decisions and
profiles are replaced, not added), so a retried job is harmless.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q
from django_tasks import task

from wraparound.eligibility.actions import do_decide
from wraparound.eligibility.engine import PackNotInEffect
from wraparound.eligibility.rulepacks import load_packs
from wraparound.registry.models import Condition, Encounter, Observation, Patient
from wraparound.risk.actions import do_compute_risk

# Past this share of all patients, recomputing everyone is cheaper than listing who changed.
EVERYONE_SHARE = 0.5


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


def recompute(patient_ids: list[uuid.UUID] | None) -> dict[str, int]:
    """Eligibility under every pack in effect, then risk, for these patients (everyone when None)."""
    decided = 0
    for pack in load_packs().values():
        try:
            decided += do_decide(patient_ids, pack)
        except PackNotInEffect:
            continue
    run = do_compute_risk(patient_ids)
    return {"decisions": decided, "risk_profiles": run.patients}


@task()
def recompute_after_import(since: str) -> dict[str, int]:
    patients = affected_patients(dt.datetime.fromisoformat(since))
    if patients == []:
        return {"decisions": 0, "risk_profiles": 0}
    return recompute(patients)
