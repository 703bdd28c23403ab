"""Utilization counts per patient (ED visits, admissions, bed days): one GROUP BY over the registry's
Encounters, and one read of the hospital stays known only from the ADT feed (``transitions.Stay``
with no registry Encounter linked: a stay that came through import is counted from its Encounter)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Count, Q

from wraparound.registry.models import Encounter
from wraparound.risk.lace import VOID_ENCOUNTER_STATUSES, DischargeLace, LaceResult, months_before
from wraparound.transitions.models import Stay

# Hospitals count a stay that begins and ends on the same day as one patient day.
MINIMUM_BED_DAYS_PER_STAY: Final = 1


@dataclass(frozen=True, slots=True)
class Utilization:
    ed_visits_6m: int = 0
    ed_visits_12m: int = 0
    admissions_6m: int = 0
    admissions_12m: int = 0
    bed_days_12m: int = 0


def encounter_counts(patient_ids: Sequence[uuid.UUID], as_of: dt.datetime) -> dict[uuid.UUID, Utilization]:
    """ED visits and admissions that began in the 6 and 12 months up to ``as_of``."""
    six, twelve = months_before(as_of, 6), months_before(as_of, 12)
    emergency = Q(encounter_class=Encounter.Kind.EMERGENCY)
    inpatient = Q(encounter_class=Encounter.Kind.INPATIENT)
    recent = Q(start__gt=six)
    rows = (
        Encounter.objects.filter(patient_id__in=patient_ids, start__gt=twelve, start__lte=as_of)
        .filter(emergency | inpatient)
        .exclude(status__in=VOID_ENCOUNTER_STATUSES)
        .values("patient_id")
        .annotate(
            ed_6m=Count("id", filter=emergency & recent),
            ed_12m=Count("id", filter=emergency),
            admissions_6m=Count("id", filter=inpatient & recent),
            admissions_12m=Count("id", filter=inpatient),
        )
        .order_by()
    )
    return {
        row["patient_id"]: Utilization(
            row["ed_6m"], row["ed_12m"], row["admissions_6m"], row["admissions_12m"]
        )
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class FeedDischarge:
    """A discharge known from the ADT feed, with the LACE the workflow computed at discharge."""

    patient_id: uuid.UUID
    discharged_at: dt.datetime
    result: LaceResult


def feed_stays(
    patient_ids: Sequence[uuid.UUID], as_of: dt.datetime
) -> tuple[dict[uuid.UUID, Utilization], list[FeedDischarge]]:
    """ED visits and admissions from the ADT feed that began in the 6 and 12 months up to ``as_of``
    (cancelled ones left out), and their discharges with LACE; one query."""
    six, twelve = months_before(as_of, 6), months_before(as_of, 12)
    rows = (
        Stay.objects.filter(
            patient_id__in=patient_ids,
            encounter__isnull=True,
            kind__in=[Stay.Kind.INPATIENT, Stay.Kind.EMERGENCY],
            admitted_at__gt=twelve,
            admitted_at__lte=as_of,
        )
        .exclude(status=Stay.Status.CANCELLED)
        .values_list("patient_id", "kind", "admitted_at", "discharged_at", "lace")
    )
    counts: dict[uuid.UUID, list[int]] = {}
    discharges: list[FeedDischarge] = []
    for patient_id, kind, admitted_at, discharged_at, lace in rows:
        tally = counts.setdefault(patient_id, [0, 0, 0, 0])
        offset = 0 if kind == Stay.Kind.EMERGENCY else 2
        tally[offset] += int(admitted_at is not None and admitted_at > six)
        tally[offset + 1] += 1
        if kind == Stay.Kind.INPATIENT and lace and discharged_at is not None and discharged_at <= as_of:
            discharges.append(FeedDischarge(patient_id, discharged_at, _lace_result(lace)))
    return {patient_id: Utilization(*tally) for patient_id, tally in counts.items()}, discharges


def _lace_result(lace: Mapping[str, Any]) -> LaceResult:
    """The LACE the workflow stored on the stay (``LaceResult.components()``), read back."""
    return LaceResult(
        length_of_stay_days=int(lace["length_of_stay_days"]),
        emergent=bool(lace["emergent"]),
        charlson_score=int(lace["charlson_score"]),
        ed_visits_6m=int(lace["ed_visits_6m"]),
        charlson_conditions=tuple(str(name) for name in lace.get("charlson_conditions") or ()),
    )


def added(*counts: Mapping[uuid.UUID, Utilization]) -> dict[uuid.UUID, Utilization]:
    """The counts of each patient summed over several sources (bed days included)."""
    total: dict[uuid.UUID, Utilization] = {}
    for source in counts:
        for patient_id, more in source.items():
            base = total.get(patient_id, Utilization())
            total[patient_id] = Utilization(
                base.ed_visits_6m + more.ed_visits_6m,
                base.ed_visits_12m + more.ed_visits_12m,
                base.admissions_6m + more.admissions_6m,
                base.admissions_12m + more.admissions_12m,
                base.bed_days_12m + more.bed_days_12m,
            )
    return total


def bed_days(discharges: Sequence[DischargeLace | FeedDischarge], as_of: dt.datetime) -> dict[uuid.UUID, int]:
    """Bed days of the stays discharged in the 12 months up to ``as_of`` (length of stay, at least 1)."""
    since = months_before(as_of, 12)
    totals: dict[uuid.UUID, int] = {}
    for discharge in discharges:
        if since < discharge.discharged_at <= as_of:
            days = max(discharge.result.length_of_stay_days, MINIMUM_BED_DAYS_PER_STAY)
            totals[discharge.patient_id] = totals.get(discharge.patient_id, 0) + days
    return totals


def with_bed_days(
    counts: Mapping[uuid.UUID, Utilization], days: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, Utilization]:
    merged: dict[uuid.UUID, Utilization] = {}
    for patient_id in set(counts) | set(days):
        base = counts.get(patient_id, Utilization())
        merged[patient_id] = Utilization(
            base.ed_visits_6m,
            base.ed_visits_12m,
            base.admissions_6m,
            base.admissions_12m,
            days.get(patient_id, 0),
        )
    return merged
