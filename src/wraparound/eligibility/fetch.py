"""Set-based reads for eligibility: a few queries per batch of patients, never one per patient."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from wraparound.eligibility.categories import BMI_LOINC, LOINC, categories_of
from wraparound.registry.models import Condition, Encounter, Observation

ACTIVE_CLINICAL_STATUSES = ("active", "recurrence", "relapse")
EXCLUDED_VERIFICATION_STATUSES = ("refuted", "entered-in-error")
EXCLUDED_OBSERVATION_STATUSES = ("entered-in-error", "cancelled")

Row = dict[str, Any]


def active_conditions(
    patient_ids: Sequence[uuid.UUID], as_of: datetime.datetime
) -> dict[uuid.UUID, list[Row]]:
    """Each patient's conditions active at ``as_of``, with the categories they fall in."""
    rows = (
        Condition.objects.filter(patient_id__in=patient_ids, status__in=ACTIVE_CLINICAL_STATUSES)
        .exclude(verification_status__in=EXCLUDED_VERIFICATION_STATUSES)
        .filter(Q(onset__isnull=True) | Q(onset__lte=as_of))
        .filter(Q(abatement__isnull=True) | Q(abatement__gt=as_of))
        .values(
            "id",
            "patient_id",
            "code_system",
            "code",
            "display",
            "snomed_code",
            "icd10_code",
            "onset",
            "source",
            "encounter__service_provider__name",
        )
        .order_by("patient_id", "onset", "id")
    )
    by_patient: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for row in rows:
        found = categories_of(row["snomed_code"], row["icd10_code"])
        if found:
            by_patient[row["patient_id"]].append({**row, "categories": found})
    return by_patient


def latest_bmi(
    patient_ids: Sequence[uuid.UUID], as_of: datetime.datetime, window_days: int
) -> dict[uuid.UUID, Row]:
    """Each patient's latest body mass index observation within ``window_days`` before ``as_of``."""
    rows = (
        Observation.objects.filter(
            patient_id__in=patient_ids,
            code_system=LOINC,
            code=BMI_LOINC,
            value_quantity__isnull=False,
            effective__gte=as_of - datetime.timedelta(days=window_days),
            effective__lte=as_of,
        )
        .exclude(status__in=EXCLUDED_OBSERVATION_STATUSES)
        .values(
            "id",
            "patient_id",
            "code_system",
            "code",
            "display",
            "value_quantity",
            "value_unit",
            "effective",
            "source",
        )
        .order_by("patient_id", "-effective", "-id")
    )
    latest: dict[uuid.UUID, Row] = {}
    for row in rows:
        latest.setdefault(row["patient_id"], dict(row))
    return latest


def recent_encounters(
    patient_ids: Sequence[uuid.UUID], classes: set[str], since: datetime.datetime, as_of: datetime.datetime
) -> dict[uuid.UUID, list[Row]]:
    """Encounters of the given classes that ended (or, without an end, started) in [since, as_of]."""
    ended = Q(end__isnull=False, end__gte=since, end__lte=as_of)
    started = Q(end__isnull=True, start__gte=since, start__lte=as_of)
    rows = (
        Encounter.objects.filter(patient_id__in=patient_ids, encounter_class__in=classes)
        .filter(ended | started)
        .exclude(status__in=("cancelled", "entered-in-error"))
        .values(
            "id",
            "patient_id",
            "encounter_class",
            "code",
            "display",
            "start",
            "end",
            "reason_code",
            "reason_display",
            "source",
            "service_provider__name",
        )
        .order_by("patient_id", "start", "id")
    )
    by_patient: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for row in rows:
        found = categories_of(row["reason_code"], row["reason_code"])
        by_patient[row["patient_id"]].append({**row, "reason_categories": found})
    return by_patient
