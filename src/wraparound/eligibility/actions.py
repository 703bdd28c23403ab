"""Writing eligibility decisions: evaluate a pack and upsert one row per patient, pack and version."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence

from django.utils import timezone

from wraparound.core.upsert import upsert
from wraparound.eligibility.engine import Decision, evaluate_packs, explain
from wraparound.eligibility.models import EligibilityDecision
from wraparound.eligibility.rulepacks import Pack, get_pack
from wraparound.registry.models import Patient

WRITE_BATCH = 1000
UPDATED_FIELDS = ["eligible", "criteria", "evidence", "explanation", "decided_at"]


def do_decide(
    patient_ids: Iterable[uuid.UUID] | None, pack: Pack | str, *, as_of: datetime.datetime | None = None
) -> int:
    """Decide eligibility under ``pack`` for these patients (all when ``None``); returns how many.

    A recomputation replaces the stored decision for the same patient, pack and version.
    """
    return do_decide_packs(patient_ids, [get_pack(pack) if isinstance(pack, str) else pack], as_of=as_of)


def do_decide_packs(
    patient_ids: Iterable[uuid.UUID] | None, packs: Sequence[Pack], *, as_of: datetime.datetime | None = None
) -> int:
    """``do_decide`` under several packs at once, reading each batch's records once."""
    ids = _all_patient_ids() if patient_ids is None else patient_ids
    decided_at = timezone.now()
    written = 0
    batch: list[EligibilityDecision] = []
    for decision in evaluate_packs(packs, ids, as_of):
        batch.append(_row(decision, decided_at))
        if len(batch) == WRITE_BATCH:
            written += _upsert(batch)
            batch = []
    if batch:
        written += _upsert(batch)
    return written


def _all_patient_ids() -> Iterator[uuid.UUID]:
    return Patient.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=5000)


def _row(decision: Decision, decided_at: datetime.datetime) -> EligibilityDecision:
    return EligibilityDecision(
        patient_id=decision.patient_id,
        pack=decision.pack,
        version=decision.version,
        eligible=decision.eligible,
        criteria={
            "met": list(decision.criteria_met),
            "categories": list(decision.categories),
            "flags": list(decision.flags),
        },
        evidence={"criteria": decision.evidence, "categories": decision.categories, "flags": decision.flags},
        explanation=explain(decision),
        decided_at=decided_at,
    )


def _upsert(rows: list[EligibilityDecision]) -> int:
    return upsert(
        EligibilityDecision, rows, unique_fields=["patient", "pack", "version"], update_fields=UPDATED_FIELDS
    )
