"""Evaluate a rule pack for a set of patients: decisions with the evidence behind each criterion.

The reads are set-based (``fetch``): for each batch of patients, one query for active conditions,
one for the latest body mass index and, when the pack has encounter flags, one for encounters.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from wraparound.eligibility import fetch
from wraparound.eligibility.categories import CHRONIC, RISK_FACTOR, load_categories
from wraparound.eligibility.rulepacks import Criterion, Flag, Pack

BATCH_SIZE = 2000
OVERWEIGHT = "overweight"

Evidence = dict[str, Any]


class PackNotInEffect(ValueError):
    """Deciding at a date outside the pack's effective range."""


@dataclass(frozen=True)
class Decision:
    patient_id: uuid.UUID
    pack: str
    version: str
    eligible: bool
    criteria_met: tuple[str, ...]
    evidence: dict[str, list[Evidence]]
    categories: dict[str, list[Evidence]] = field(default_factory=dict)
    flags: dict[str, list[Evidence]] = field(default_factory=dict)


def evaluate(
    pack: Pack, patient_ids: Iterable[uuid.UUID], as_of: datetime.datetime | None = None
) -> Iterator[Decision]:
    """One decision per patient, in batches of ``BATCH_SIZE``; the pack must be in effect at ``as_of``."""
    return evaluate_packs([pack], patient_ids, as_of)


def evaluate_packs(
    packs: Sequence[Pack], patient_ids: Iterable[uuid.UUID], as_of: datetime.datetime | None = None
) -> Iterator[Decision]:
    """One decision per patient and pack; each batch's conditions and BMI are read once for all packs."""
    moment = as_of or timezone.now()
    for pack in packs:
        if not pack.is_effective(moment.date()):
            raise PackNotInEffect(
                f"{pack.name} {pack.version} is in effect from {pack.effective_from} to "
                f"{pack.effective_to}, not on {moment.date()}"
            )
    batch: list[uuid.UUID] = []
    for patient_id in patient_ids:
        batch.append(patient_id)
        if len(batch) == BATCH_SIZE:
            yield from _evaluate_batch(packs, batch, moment)
            batch = []
    if batch:
        yield from _evaluate_batch(packs, batch, moment)


def _evaluate_batch(
    packs: Sequence[Pack], patient_ids: Sequence[uuid.UUID], as_of: datetime.datetime
) -> Iterator[Decision]:
    conditions = fetch.active_conditions(patient_ids, as_of)
    bmis = {
        window: fetch.latest_bmi(patient_ids, as_of, window)
        for window in {pack.bmi.window_days for pack in packs}
    }
    for pack in packs:
        encounters = _flag_encounters(pack, patient_ids, as_of)
        pack_bmis = bmis[pack.bmi.window_days]
        for patient_id in patient_ids:
            rows = conditions.get(patient_id, [])
            met = _categories_met(rows, pack_bmis.get(patient_id), pack.bmi.threshold)
            flags = _flags_met(pack.flags, met, encounters.get(patient_id, []), as_of)
            yield _decide(pack, patient_id, met, flags)


def _decide(
    pack: Pack, patient_id: uuid.UUID, categories: dict[str, list[Evidence]], flags: dict[str, list[Evidence]]
) -> Decision:
    evidence = {
        criterion.id: _criterion_evidence(criterion, categories)
        for criterion in pack.criteria
        if _criterion_met(criterion, categories)
    }
    return Decision(
        patient_id=patient_id,
        pack=pack.name,
        version=pack.version,
        eligible=bool(evidence),
        criteria_met=tuple(evidence),
        evidence=evidence,
        categories=categories,
        flags=flags,
    )


def _criterion_met(criterion: Criterion, categories: dict[str, list[Evidence]]) -> bool:
    return all(
        sum(1 for name in requirement.categories if name in categories) >= requirement.at_least
        for requirement in criterion.requires
    )


def _criterion_evidence(criterion: Criterion, categories: dict[str, list[Evidence]]) -> list[Evidence]:
    names = dict.fromkeys(name for requirement in criterion.requires for name in requirement.categories)
    return [item for name in names if name in categories for item in categories[name]]


def _categories_met(
    rows: list[fetch.Row], bmi: fetch.Row | None, threshold: float
) -> dict[str, list[Evidence]]:
    """Category name -> the conditions (and BMI observation) that put the patient in it."""
    met: dict[str, list[Evidence]] = {}
    for row in rows:
        for name in sorted(row["categories"]):
            met.setdefault(name, []).append(_condition_evidence(name, row))
    if bmi is not None and bmi["value_quantity"] > threshold:
        met.setdefault(OVERWEIGHT, []).append(_bmi_evidence(bmi, threshold))
    return dict(sorted(met.items()))


def _condition_evidence(category: str, row: fetch.Row) -> Evidence:
    return {
        "category": category,
        "resource_type": "Condition",
        "id": str(row["id"]),
        "system": row["code_system"],
        "code": row["code"],
        "display": row["display"],
        "onset": row["onset"].date().isoformat() if row["onset"] else None,
        "source": row["source"],
        "organization": row["encounter__service_provider__name"] or "",
    }


def _bmi_evidence(row: fetch.Row, threshold: float) -> Evidence:
    return {
        "category": OVERWEIGHT,
        "resource_type": "Observation",
        "id": str(row["id"]),
        "system": row["code_system"],
        "code": row["code"],
        "display": row["display"],
        "value": row["value_quantity"],
        "unit": row["value_unit"],
        "threshold": threshold,
        "effective": row["effective"].date().isoformat(),
        "source": row["source"],
    }


def _flag_encounters(
    pack: Pack, patient_ids: Sequence[uuid.UUID], as_of: datetime.datetime
) -> dict[uuid.UUID, list[fetch.Row]]:
    classes = {name for flag in pack.flags for name in flag.encounter_classes}
    if not classes:
        return {}
    longest = max(flag.within_days for flag in pack.flags if flag.encounter_classes)
    return fetch.recent_encounters(patient_ids, classes, as_of - datetime.timedelta(days=longest), as_of)


def _flags_met(
    flags: Sequence[Flag],
    categories: dict[str, list[Evidence]],
    encounters: list[fetch.Row],
    as_of: datetime.datetime,
) -> dict[str, list[Evidence]]:
    met: dict[str, list[Evidence]] = {}
    for flag in flags:
        if flag.condition_categories:
            items = [item for name in flag.condition_categories for item in categories.get(name, [])]
        else:
            items = [_encounter_evidence(row) for row in encounters if _encounter_counts(flag, row, as_of)]
        if len(items) >= flag.at_least:
            met[flag.id] = items
    return met


def _encounter_counts(flag: Flag, row: fetch.Row, as_of: datetime.datetime) -> bool:
    moment = row["end"] or row["start"]
    if row["encounter_class"] not in flag.encounter_classes or moment is None:
        return False
    if moment < as_of - datetime.timedelta(days=flag.within_days):
        return False
    return not flag.reason_categories or bool(set(flag.reason_categories) & row["reason_categories"])


def _encounter_evidence(row: fetch.Row) -> Evidence:
    moment = row["end"] or row["start"]
    return {
        "resource_type": "Encounter",
        "id": str(row["id"]),
        "class": row["encounter_class"],
        "code": row["code"],
        "display": row["display"],
        "reason": row["reason_display"],
        "date": moment.date().isoformat(),
        "source": row["source"],
        "organization": row["service_provider__name"] or "",
    }


def explain(decision: Decision) -> str:
    """Plain words: "Eligible: diabetes (since 2019, from Valley Clinic) and hypertension (since 2021)".

    Risk factors that made "at risk of another" true follow after a semicolon; social needs
    (appropriateness flags) are not part of the explanation of eligibility.
    """
    kinds = {name: category.kind for name, category in load_categories().items()}
    if decision.eligible:
        names = sorted({item["category"] for items in decision.evidence.values() for item in items})
    else:
        names = [name for name in decision.categories if kinds.get(name) in (CHRONIC, RISK_FACTOR)]
    chronic = {name: decision.categories[name] for name in names if kinds.get(name) != RISK_FACTOR}
    risks = {name: decision.categories[name] for name in names if kinds.get(name) == RISK_FACTOR}
    text = _listing(_category_phrases(chronic))
    if risks:
        text += ("; " if text else "") + "at risk of another: " + _listing(_risk_phrases(risks))
    prefix = "Eligible: " if decision.eligible else "Not eligible: "
    return prefix + (text or "no qualifying conditions")


def _category_phrases(categories: dict[str, list[Evidence]]) -> list[str]:
    labels = load_categories()
    return [
        _category_phrase(labels[name].label if name in labels else name, items)
        for name, items in categories.items()
    ]


def _risk_phrases(categories: dict[str, list[Evidence]]) -> list[str]:
    """A risk factor reads better as the condition itself: "prediabetes (since 2016)"."""
    phrases = []
    for items in categories.values():
        first = min(items, key=lambda item: item.get("onset") or "9999")
        display = _plain(first.get("display") or first["category"])
        phrases.append(f"{display} (since {first['onset'][:4]})" if first.get("onset") else display)
    return phrases


def _plain(display: str) -> str:
    """ "Prediabetes (finding)" -> "prediabetes": no SNOMED semantic tag, sentence case."""
    text = display.rsplit(" (", 1)[0] if display.endswith(")") else display
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _category_phrase(label: str, items: list[Evidence]) -> str:
    conditions = [item for item in items if item["resource_type"] == "Condition"]
    observations = [item for item in items if item["resource_type"] == "Observation"]
    if conditions:
        first = min(conditions, key=lambda item: item["onset"] or "9999")
        details = [f"since {first['onset'][:4]}"] if first["onset"] else []
        if first["organization"]:
            details.append(f"from {first['organization']}")
        return f"{label} ({', '.join(details)})" if details else label
    latest = observations[0]
    return f"{label} (BMI {latest['value']:.1f} on {latest['effective']})"


def _listing(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
