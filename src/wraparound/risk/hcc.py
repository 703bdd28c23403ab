"""CMS-HCC risk scores (V24 and V28) with hccpy, from each patient's active ICD-10-CM codes.

Wraparound's members are Medicaid members, not (only) Medicare beneficiaries: the score is a
yardstick of expected cost relative to an average beneficiary, not a payment estimate.  It uses
the community segments for full-benefit dual eligibles, the nearest CMS-HCC has to a Medicaid
member: ``CFA`` (aged) from 65, ``CFD`` (disabled, which has age-sex factors under 65) below.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hccpy.hcc import HCCEngine  # type: ignore[import-untyped]

from wraparound.registry.models import Condition
from wraparound.risk.crosswalk import Crosswalk, condition_icd10_codes, load_crosswalk

HCC_VERSIONS: Final = ("24", "28")
ACTIVE_STATUSES: Final = ("active", "recurrence", "relapse")
INACTIVE_VERIFICATION: Final = ("entered-in-error", "refuted")
AGED_FROM: Final = 65
SCORE_CACHE_SIZE: Final = 200_000


@dataclass(frozen=True, slots=True)
class HccScore:
    version: str
    risk_score: float
    hccs: tuple[str, ...]


@functools.cache
def hcc_engine(version: str) -> Any:
    return HCCEngine(version=version)


def hcc_sex(gender: str) -> str | None:
    return {"male": "M", "female": "F"}.get(gender.lower())


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def normalize_icd10(code: str) -> str:
    return code.replace(".", "").strip().upper()


def segment_for(age: int) -> str:
    return "CFA" if age >= AGED_FROM else "CFD"


def hcc_score(version: str, icd10_codes: Iterable[str], *, age: int, sex: str) -> HccScore:
    codes = tuple(sorted({normalize_icd10(code) for code in icd10_codes if code}))
    return _cached_score(version, codes, age, sex)


@functools.lru_cache(maxsize=SCORE_CACHE_SIZE)
def _cached_score(version: str, codes: tuple[str, ...], age: int, sex: str) -> HccScore:
    """Many members share codes, age and sex (most often: no codes at all); hccpy costs ~0.1 ms a call."""
    profile = hcc_engine(version).profile(list(codes), age=age, sex=sex, elig=segment_for(age))
    # hccpy builds its list from a set: sort it, so the stored components are the same on every run.
    return HccScore(version, float(profile["risk_score"]), tuple(sorted(profile["hcc_lst"], key=_hcc_order)))


def _hcc_order(label: str) -> tuple[str, int, str]:
    """HCC19 before HCC136; interaction and count labels (D3, DIABETES_CHF) after, alphabetically."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", label)
    if match and match.group(1) == "HCC":
        return ("", int(match.group(2)), label)
    return ("~", 0, label)


def active_icd10_codes(
    patient_ids: Sequence[uuid.UUID] | None, as_of: dt.datetime, crosswalk: Crosswalk | None = None
) -> dict[uuid.UUID, set[str]]:
    """Each patient's active ICD-10-CM codes (own coding or crosswalked SNOMED CT), in one query."""
    crosswalk = crosswalk or load_crosswalk()
    conditions = (
        Condition.objects.filter(status__in=ACTIVE_STATUSES)
        .exclude(verification_status__in=INACTIVE_VERIFICATION)
        .exclude(abatement__lte=as_of)
    )
    if patient_ids is not None:
        conditions = conditions.filter(patient_id__in=patient_ids)
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for patient_id, icd10, snomed in conditions.values_list("patient_id", "icd10_code", "snomed_code"):
        found[patient_id].update(condition_icd10_codes(icd10, snomed, crosswalk))
    return found
