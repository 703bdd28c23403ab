"""A simple default count of chronic conditions, until the eligibility app supplies categories.

A patient's chronic conditions are the distinct ICD-10-CM three-character categories among their
active codes that begin with one of :data:`CHRONIC_ICD10_PREFIXES` (diabetes and other endocrine,
mental and substance-use disorders, circulatory, chronic lower respiratory, chronic kidney disease,
cancers, HIV, dementia, epilepsy, inflammatory arthritis).  So E11.9 and E11.65 count once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Final

CHRONIC_ICD10_PREFIXES: Final = (
    "B20", "C", "E0", "E10", "E11", "E13", "E66", "E78", "F", "G20", "G30", "G35", "G40",
    "I1", "I2", "I4", "I5", "I6", "I7", "J4", "K50", "K51", "K70", "K74", "M05", "M06", "N18",
)  # fmt: skip

ChronicConditionCounter = Callable[[Mapping[uuid.UUID, Iterable[str]]], Mapping[uuid.UUID, int]]


def chronic_categories(icd10_codes: Iterable[str]) -> set[str]:
    normalized = (code.replace(".", "").strip().upper() for code in icd10_codes)
    return {code[:3] for code in normalized if code.startswith(CHRONIC_ICD10_PREFIXES)}


def default_chronic_condition_count(
    codes_by_patient: Mapping[uuid.UUID, Iterable[str]],
) -> dict[uuid.UUID, int]:
    return {patient_id: len(chronic_categories(codes)) for patient_id, codes in codes_by_patient.items()}
