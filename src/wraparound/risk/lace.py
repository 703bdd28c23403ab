"""The LACE index for 30-day death or unplanned readmission (van Walraven C, Dhalla IA, Bell C,
et al. CMAJ 2010;182(6):551-7): Length of stay, Acuity of admission, Comorbidity (Charlson),
Emergency department visits in the six months before admission.  Total 0-19.

Charlson conditions come from ICD-10-CM codes with Quan's 2005 ICD-10 algorithm and the original
Charlson weights (``data/charlson-quan2005.json``).
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone

from wraparound.registry.models import Condition, Encounter
from wraparound.risk.crosswalk import Crosswalk, condition_icd10_codes, load_crosswalk

CHARLSON_PATH: Final = Path(__file__).parent / "data" / "charlson-quan2005.json"
EMERGENT_ADMIT_SOURCES: Final = frozenset({"emd"})  # HL7 admit-source: from accident/emergency dept.
ADMITTING_ED_WINDOW: Final = dt.timedelta(hours=24)
INACTIVE_VERIFICATION: Final = frozenset({"entered-in-error", "refuted"})
VOID_ENCOUNTER_STATUSES: Final = frozenset({"cancelled", "entered-in-error"})


# --- the four components ----------------------------------------------------------------------


def length_of_stay_points(days: int) -> int:
    if days < 1:
        return 0
    if days <= 3:
        return days
    if days <= 6:
        return 4
    if days <= 13:
        return 5
    return 7


def acuity_points(emergent: bool) -> int:
    return 3 if emergent else 0


def comorbidity_points(charlson_score: int) -> int:
    return charlson_score if charlson_score <= 3 else 5


def ed_visit_points(ed_visits_6m: int) -> int:
    return min(ed_visits_6m, 4)


@dataclass(frozen=True, slots=True)
class LaceResult:
    length_of_stay_days: int
    emergent: bool
    charlson_score: int
    ed_visits_6m: int
    charlson_conditions: tuple[str, ...] = ()

    @property
    def points(self) -> dict[str, int]:
        return {
            "L": length_of_stay_points(self.length_of_stay_days),
            "A": acuity_points(self.emergent),
            "C": comorbidity_points(self.charlson_score),
            "E": ed_visit_points(self.ed_visits_6m),
        }

    @property
    def score(self) -> int:
        return sum(self.points.values())

    def components(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "points": self.points,
            "length_of_stay_days": self.length_of_stay_days,
            "emergent": self.emergent,
            "charlson_score": self.charlson_score,
            "charlson_conditions": list(self.charlson_conditions),
            "ed_visits_6m": self.ed_visits_6m,
        }


def lace_score(
    *, length_of_stay_days: int, emergent: bool, charlson_score: int, ed_visits_6m: int
) -> LaceResult:
    if min(length_of_stay_days, charlson_score, ed_visits_6m) < 0:
        raise ValueError("LACE inputs cannot be negative")
    return LaceResult(length_of_stay_days, emergent, charlson_score, ed_visits_6m)


# --- Charlson ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CharlsonTable:
    weights: dict[str, int]
    prefixes: dict[str, tuple[str, ...]]
    hierarchy: dict[str, str]  # severe form -> the milder form it replaces


@functools.cache
def charlson_table() -> CharlsonTable:
    data = json.loads(CHARLSON_PATH.read_text(encoding="utf-8"))
    conditions = data["conditions"]
    return CharlsonTable(
        weights={name: entry["weight"] for name, entry in conditions.items()},
        prefixes={name: tuple(entry["prefixes"]) for name, entry in conditions.items()},
        hierarchy=dict(data["hierarchy"]),
    )


def charlson_conditions(icd10_codes: Iterable[str]) -> frozenset[str]:
    table = charlson_table()
    normalized = {code.replace(".", "").strip().upper() for code in icd10_codes}
    found = {
        name
        for name, prefixes in table.prefixes.items()
        if any(code.startswith(prefixes) for code in normalized)
    }
    return frozenset(found - {mild for severe, mild in table.hierarchy.items() if severe in found})


def charlson_score(icd10_codes: Iterable[str]) -> int:
    weights = charlson_table().weights
    return sum(weights[name] for name in charlson_conditions(icd10_codes))


# --- every inpatient discharge, set-based -----------------------------------------------------


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def length_of_stay_days(start: dt.datetime, end: dt.datetime) -> int:
    """Calendar days between admission and discharge, in the organization's time zone."""
    return max((timezone.localtime(end).date() - timezone.localtime(start).date()).days, 0)


@dataclass(frozen=True, slots=True)
class DischargeLace:
    encounter_id: uuid.UUID
    patient_id: uuid.UUID
    discharged_at: dt.datetime
    result: LaceResult


@dataclass(frozen=True, slots=True)
class InpatientStay:
    encounter_id: uuid.UUID
    patient_id: uuid.UUID
    start: dt.datetime
    end: dt.datetime
    admit_source: str


@dataclass(frozen=True, slots=True)
class _DatedCodes:
    codes: tuple[str, ...]
    onset: dt.datetime | None
    abatement: dt.datetime | None

    def present_during(self, start: dt.datetime, end: dt.datetime) -> bool:
        began = self.onset is None or self.onset <= end
        return began and (self.abatement is None or self.abatement >= start)


def _inpatient_stays(patient_ids: Sequence[uuid.UUID] | None) -> list[InpatientStay]:
    stays = Encounter.objects.filter(
        encounter_class=Encounter.Kind.INPATIENT, start__isnull=False, end__isnull=False
    ).exclude(status__in=VOID_ENCOUNTER_STATUSES)
    if patient_ids is not None:
        stays = stays.filter(patient_id__in=patient_ids)
    rows = stays.values_list(
        "id", "patient_id", "start", "end", "resource__hospitalization__admitSource__coding__0__code"
    )
    return [
        InpatientStay(encounter_id, patient_id, start, end, str(admit_source or ""))
        for encounter_id, patient_id, start, end, admit_source in rows
        if start is not None and end is not None
    ]


def _patients_with_stays(patient_ids: Sequence[uuid.UUID] | None) -> QuerySet[Encounter, Any]:
    stays = Encounter.objects.filter(encounter_class=Encounter.Kind.INPATIENT, end__isnull=False)
    if patient_ids is not None:
        stays = stays.filter(patient_id__in=patient_ids)
    return stays.values("patient_id")


def _ed_starts(patients: QuerySet[Encounter, Any]) -> dict[uuid.UUID, list[dt.datetime]]:
    starts: dict[uuid.UUID, list[dt.datetime]] = defaultdict(list)
    rows = (
        Encounter.objects.filter(
            encounter_class=Encounter.Kind.EMERGENCY, start__isnull=False, patient_id__in=patients
        )
        .exclude(status__in=VOID_ENCOUNTER_STATUSES)
        .values_list("patient_id", "start")
    )
    for patient_id, start in rows:
        if start is not None:
            starts[patient_id].append(start)
    for values in starts.values():
        values.sort()
    return starts


def _dated_codes(
    patients: QuerySet[Encounter, Any], crosswalk: Crosswalk
) -> dict[uuid.UUID, list[_DatedCodes]]:
    found: dict[uuid.UUID, list[_DatedCodes]] = defaultdict(list)
    rows = (
        Condition.objects.filter(patient_id__in=patients)
        .exclude(verification_status__in=INACTIVE_VERIFICATION)
        .values_list("patient_id", "icd10_code", "snomed_code", "onset", "abatement")
    )
    for patient_id, icd10, snomed, onset, abatement in rows:
        codes = condition_icd10_codes(icd10, snomed, crosswalk)
        if codes:
            found[patient_id].append(_DatedCodes(codes, onset, abatement))
    return found


def _count_between(starts: Sequence[dt.datetime], low: dt.datetime, high: dt.datetime) -> int:
    """How many of the sorted ``starts`` fall in [low, high)."""
    return bisect.bisect_left(starts, high) - bisect.bisect_left(starts, low)


def lace_for_stay(
    stay: InpatientStay, ed_starts: Sequence[dt.datetime], conditions: Iterable[_DatedCodes]
) -> LaceResult:
    """An ED visit in the 24 hours before admission is the admitting visit: it makes the admission
    emergent and is not counted among the prior visits."""
    admitting_from = stay.start - ADMITTING_ED_WINDOW
    through_ed = bisect.bisect_right(ed_starts, stay.start) > bisect.bisect_left(ed_starts, admitting_from)
    codes = [code for item in conditions if item.present_during(stay.start, stay.end) for code in item.codes]
    found = charlson_conditions(codes)
    weights = charlson_table().weights
    return LaceResult(
        length_of_stay_days=length_of_stay_days(stay.start, stay.end),
        emergent=through_ed or stay.admit_source in EMERGENT_ADMIT_SOURCES,
        charlson_score=sum(weights[name] for name in found),
        ed_visits_6m=_count_between(ed_starts, months_before(stay.start, 6), admitting_from),
        charlson_conditions=tuple(sorted(found)),
    )


def lace_for_discharges(
    patient_ids: Sequence[uuid.UUID] | None = None, crosswalk: Crosswalk | None = None
) -> list[DischargeLace]:
    """LACE for every completed inpatient stay (of ``patient_ids``, or of everyone), in three queries."""
    crosswalk = crosswalk or load_crosswalk()
    stays = _inpatient_stays(patient_ids)
    if not stays:
        return []
    patients = _patients_with_stays(patient_ids)
    ed_starts = _ed_starts(patients)
    conditions: Mapping[uuid.UUID, list[_DatedCodes]] = _dated_codes(patients, crosswalk)
    return [
        DischargeLace(
            stay.encounter_id,
            stay.patient_id,
            stay.end,
            lace_for_stay(stay, ed_starts.get(stay.patient_id, []), conditions.get(stay.patient_id, [])),
        )
        for stay in stays
    ]
