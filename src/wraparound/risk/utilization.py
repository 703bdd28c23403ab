"""Utilization counts per patient (ED visits, admissions) in one GROUP BY over Encounter."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from django.db.models import Count, Q

from wraparound.registry.models import Encounter
from wraparound.risk.lace import VOID_ENCOUNTER_STATUSES, DischargeLace, months_before

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


def bed_days(discharges: Sequence[DischargeLace], as_of: dt.datetime) -> dict[uuid.UUID, int]:
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
