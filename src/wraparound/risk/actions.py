"""``do_compute_risk``: recompute risk profiles and LACE scores, set-based, in batches of patients."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from wraparound.core.upsert import upsert
from wraparound.registry.models import Patient
from wraparound.risk.chronic import ChronicConditionCounter, default_chronic_condition_count
from wraparound.risk.crosswalk import load_crosswalk
from wraparound.risk.hcc import HCC_VERSIONS, active_icd10_codes, age_on, hcc_score, hcc_sex
from wraparound.risk.lace import DischargeLace, lace_for_discharges
from wraparound.risk.models import LaceScore, RiskProfile
from wraparound.risk.tiers import CutPoints, load_cut_points, tier_for
from wraparound.risk.utilization import (
    FeedDischarge,
    Utilization,
    added,
    bed_days,
    encounter_counts,
    feed_stays,
    with_bed_days,
)

BATCH_SIZE: Final = 2000
RECENT_DISCHARGE: Final = dt.timedelta(days=90)
HIGH_UTILIZER_ADMISSIONS_6M: Final = 2
HIGH_UTILIZER_CHRONIC_CONDITIONS: Final = 2

PROFILE_FIELDS: Final = [
    "hcc_v24", "hcc_v28", "ed_visits_6m", "ed_visits_12m", "admissions_6m", "admissions_12m",
    "bed_days_12m", "chronic_conditions", "high_utilizer", "lace_last", "tier", "components", "computed_at",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RiskRun:
    patients: int
    discharges: int


@dataclass(frozen=True, slots=True)
class _Demographics:
    birth_date: dt.date | None
    gender: str
    deceased_at: dt.datetime | None


def _batches(patient_ids: Sequence[uuid.UUID] | None) -> Iterator[list[uuid.UUID]]:
    if patient_ids is not None:
        for index in range(0, len(patient_ids), BATCH_SIZE):
            yield list(patient_ids[index : index + BATCH_SIZE])
        return
    after: uuid.UUID | None = None
    while True:
        query = Patient.objects.order_by("id")
        if after is not None:
            query = query.filter(id__gt=after)
        batch = list(query.values_list("id", flat=True)[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        after = batch[-1]


def _demographics(patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Demographics]:
    rows = Patient.objects.filter(id__in=patient_ids).values_list("id", "birth_date", "gender", "deceased_at")
    return {row[0]: _Demographics(row[1], row[2], row[3]) for row in rows}


def _hcc_scores(demographics: _Demographics, codes: set[str], as_of: dt.datetime) -> dict[str, Any]:
    sex = hcc_sex(demographics.gender)
    if demographics.birth_date is None or sex is None:
        return {"hcc_v24": None, "hcc_v28": None}
    end = demographics.deceased_at or as_of
    age = age_on(demographics.birth_date, timezone.localtime(end).date())
    scores = {version: hcc_score(version, codes, age=age, sex=sex) for version in HCC_VERSIONS}
    return {f"hcc_v{version}": score.risk_score for version, score in scores.items()} | {
        f"hccs_v{version}": list(score.hccs) for version, score in scores.items()
    }


def _latest_lace(
    discharges: Sequence[DischargeLace | FeedDischarge],
) -> dict[uuid.UUID, DischargeLace | FeedDischarge]:
    latest: dict[uuid.UUID, DischargeLace | FeedDischarge] = {}
    for discharge in discharges:
        current = latest.get(discharge.patient_id)
        if current is None or discharge.discharged_at > current.discharged_at:
            latest[discharge.patient_id] = discharge
    return latest


def _components(
    utilization: Utilization,
    hcc: Mapping[str, Any],
    chronic_conditions: int,
    latest: DischargeLace | FeedDischarge | None,
    as_of: dt.datetime,
) -> dict[str, Any]:
    high_utilizer = (
        utilization.admissions_6m >= HIGH_UTILIZER_ADMISSIONS_6M
        and chronic_conditions >= HIGH_UTILIZER_CHRONIC_CONDITIONS
    )
    recent = latest is not None and latest.discharged_at >= as_of - RECENT_DISCHARGE
    return {
        **hcc,
        "ed_visits_6m": utilization.ed_visits_6m,
        "ed_visits_12m": utilization.ed_visits_12m,
        "admissions_6m": utilization.admissions_6m,
        "admissions_12m": utilization.admissions_12m,
        "bed_days_12m": utilization.bed_days_12m,
        "chronic_conditions": chronic_conditions,
        "high_utilizer": high_utilizer,
        "lace_last": latest.result.score if latest else None,
        "lace_last_discharged_at": latest.discharged_at.isoformat() if latest else None,
        "lace_recent": latest.result.score if latest and recent else None,
    }


def _profile(
    patient_id: uuid.UUID, components: dict[str, Any], cut_points: CutPoints, now: dt.datetime
) -> RiskProfile:
    decision = tier_for(components, cut_points)
    return RiskProfile(
        patient_id=patient_id,
        hcc_v24=components["hcc_v24"],
        hcc_v28=components["hcc_v28"],
        ed_visits_6m=components["ed_visits_6m"],
        ed_visits_12m=components["ed_visits_12m"],
        admissions_6m=components["admissions_6m"],
        admissions_12m=components["admissions_12m"],
        bed_days_12m=components["bed_days_12m"],
        chronic_conditions=components["chronic_conditions"],
        high_utilizer=components["high_utilizer"],
        lace_last=components["lace_last"],
        tier=decision.tier,
        components={**components, "tier": decision.as_json()},
        computed_at=now,
    )


def _lace_rows(discharges: Sequence[DischargeLace], now: dt.datetime) -> list[LaceScore]:
    return [
        LaceScore(
            encounter_id=discharge.encounter_id,
            patient_id=discharge.patient_id,
            discharged_at=discharge.discharged_at,
            score=discharge.result.score,
            components=discharge.result.components(),
            computed_at=now,
        )
        for discharge in discharges
    ]


def _compute_batch(
    patient_ids: list[uuid.UUID],
    as_of: dt.datetime,
    chronic_count: ChronicConditionCounter,
    cut_points: CutPoints,
) -> tuple[list[RiskProfile], list[LaceScore]]:
    crosswalk = load_crosswalk()
    demographics = _demographics(patient_ids)
    codes = active_icd10_codes(patient_ids, as_of, crosswalk)
    discharges = lace_for_discharges(patient_ids, crosswalk)
    feed_counts, feed_discharges = feed_stays(patient_ids, as_of)  # stays only the ADT feed told of
    every_discharge: list[DischargeLace | FeedDischarge] = [*discharges, *feed_discharges]
    utilization = with_bed_days(
        added(encounter_counts(patient_ids, as_of), feed_counts), bed_days(every_discharge, as_of)
    )
    chronic = chronic_count({patient_id: codes.get(patient_id, set()) for patient_id in demographics})
    latest = _latest_lace(every_discharge)
    profiles = [
        _profile(
            patient_id,
            _components(
                utilization.get(patient_id, Utilization()),
                _hcc_scores(person, codes.get(patient_id, set()), as_of),
                chronic.get(patient_id, 0),
                latest.get(patient_id),
                as_of,
            ),
            cut_points,
            timezone.now(),
        )
        for patient_id, person in demographics.items()
    ]
    return profiles, _lace_rows(discharges, timezone.now())


def _store(profiles: list[RiskProfile], lace_scores: list[LaceScore]) -> None:
    with transaction.atomic():
        upsert(RiskProfile, profiles, unique_fields=["patient"], update_fields=PROFILE_FIELDS)
        upsert(
            LaceScore,
            lace_scores,
            unique_fields=["encounter"],
            update_fields=["patient", "discharged_at", "score", "components", "computed_at"],
        )


def do_compute_risk(
    patient_ids: Sequence[uuid.UUID] | None = None,
    *,
    as_of: dt.datetime | None = None,
    chronic_condition_count: ChronicConditionCounter = default_chronic_condition_count,
    cut_points: CutPoints | None = None,
    progress: Callable[[int], None] | None = None,
) -> RiskRun:
    """Recompute the risk profile of ``patient_ids`` (everyone when None) and their LACE scores.

    Each batch of patients costs a fixed number of queries; ``progress`` receives the number of
    patients done after each batch.
    """
    as_of = as_of or timezone.now()
    cut_points = cut_points or load_cut_points()
    patients = discharges = 0
    for batch in _batches(patient_ids):
        profiles, lace_scores = _compute_batch(batch, as_of, chronic_condition_count, cut_points)
        _store(profiles, lace_scores)
        patients += len(profiles)
        discharges += len(lace_scores)
        if progress is not None:
            progress(len(batch))
    return RiskRun(patients, discharges)
