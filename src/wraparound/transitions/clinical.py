"""What a stay's diagnoses mean for its follow-up, and LACE at discharge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from wraparound.eligibility.categories import categories_of
from wraparound.registry.models import Condition, Encounter
from wraparound.risk.crosswalk import condition_icd10_codes, load_crosswalk
from wraparound.risk.lace import (
    ADMITTING_ED_WINDOW,
    INACTIVE_VERIFICATION,
    VOID_ENCOUNTER_STATUSES,
    charlson_conditions,
    charlson_table,
    lace_score,
    length_of_stay_days,
    months_before,
)
from wraparound.transitions.models import Stay

ICD10_SYSTEMS = frozenset(
    {"I10", "ICD10", "ICD-10", "ICD10CM", "ICD-10-CM", "I10C", "http://hl7.org/fhir/sid/icd-10-cm"}
)
SNOMED_SYSTEMS = frozenset({"SCT", "SNOMED", "SNOMEDCT", "SNM", "http://snomed.info/sct"})
MENTAL_HEALTH_CATEGORIES = frozenset({"mental_health", "serious_mental_illness"})


def is_icd10(code: str, system: str = "") -> bool:
    cleaned = code.replace(".", "").strip().upper()
    if system and system.upper() not in ICD10_SYSTEMS:
        return False
    return len(cleaned) >= 3 and cleaned[0].isalpha() and cleaned[1:3].isdigit()


def is_mental_illness(code: str, system: str = "") -> bool:
    """FUH/FUM's mental illness: ICD-10 F20-F48 or F60-F99, or a mental-health SNOMED CT code."""
    cleaned = code.replace(".", "").strip().upper()
    if (not system or system.upper() in ICD10_SYSTEMS) and is_icd10(cleaned):
        if cleaned[0] != "F":
            return False
        number = int(cleaned[1:3])
        return 20 <= number <= 48 or number >= 60
    if (not system or system.upper() in SNOMED_SYSTEMS) and cleaned.isdigit():
        return bool(categories_of(cleaned, "") & MENTAL_HEALTH_CATEGORIES)
    return False


def principal(diagnoses: list[dict[str, str]]) -> dict[str, str] | None:
    return diagnoses[0] if diagnoses else None


def _registry_codes(stay: Stay, start: dt.datetime, end: dt.datetime) -> list[str]:
    crosswalk = load_crosswalk()
    rows = (
        Condition.objects.filter(patient_id=stay.patient_id)
        .exclude(verification_status__in=INACTIVE_VERIFICATION)
        .filter(Q(onset__isnull=True) | Q(onset__lte=end))
        .filter(Q(abatement__isnull=True) | Q(abatement__gte=start))
        .values_list("icd10_code", "snomed_code")
    )
    return [code for icd10, snomed in rows for code in condition_icd10_codes(icd10, snomed, crosswalk)]


def _ed_starts(stay: Stay) -> list[dt.datetime]:
    """Emergency visits of the patient, from both sources (a registry Encounter already kept as a stay once)."""
    stays = Stay.objects.filter(
        patient_id=stay.patient_id, kind=Stay.Kind.EMERGENCY, admitted_at__isnull=False
    )
    linked = set(stays.exclude(encounter__isnull=True).values_list("encounter_id", flat=True))
    starts = [start for start in stays.exclude(pk=stay.pk).values_list("admitted_at", flat=True) if start]
    encounters = (
        Encounter.objects.filter(
            patient_id=stay.patient_id, encounter_class=Encounter.Kind.EMERGENCY, start__isnull=False
        )
        .exclude(status__in=VOID_ENCOUNTER_STATUSES)
        .values_list("id", "start")
    )
    starts.extend(start for encounter_id, start in encounters if encounter_id not in linked and start)
    return starts


def lace_at_discharge(stay: Stay, extra_codes: Iterable[str] = ()) -> dict[str, object] | None:
    """LACE for a discharged stay (risk.lace's components), or None without both times."""
    if stay.admitted_at is None or stay.discharged_at is None:
        return None
    ed_starts = _ed_starts(stay)
    admitting_from = stay.admitted_at - ADMITTING_ED_WINDOW
    through_ed = any(admitting_from <= start <= stay.admitted_at for start in ed_starts)
    codes = _registry_codes(stay, stay.admitted_at, stay.discharged_at)
    codes += [item["code"] for item in stay.diagnoses if is_icd10(item["code"], item.get("system", ""))]
    codes += list(extra_codes)
    found = charlson_conditions(codes)
    weights = charlson_table().weights
    prior_from = months_before(stay.admitted_at, 6)
    result = lace_score(
        length_of_stay_days=length_of_stay_days(stay.admitted_at, stay.discharged_at),
        emergent=stay.emergent or through_ed,
        charlson_score=sum(weights[name] for name in found),
        ed_visits_6m=sum(1 for start in ed_starts if prior_from <= start < admitting_from),
    )
    return {**result.components(), "charlson_conditions": sorted(found)}
