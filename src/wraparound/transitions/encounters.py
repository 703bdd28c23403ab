"""FHIR Encounters from the import join the same workflow as ADT messages.

``on_registry_encounters`` keeps a stay for each hospital Encounter (inpatient, observation,
emergency), keyed by the Encounter's source and id, and runs the workflow on it.  Only stays that
are current matter for transitional care: a discharge older than ``RECENT_DAYS`` (an import of
someone's history) is kept as a stay but starts no alerts or tasks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from wraparound.audit.actions import Actor
from wraparound.registry.models import Condition, Encounter
from wraparound.transitions.models import Stay
from wraparound.transitions.stays import set_diagnoses
from wraparound.transitions.workflow import run_workflow

RECENT_DAYS = 30
KIND_OF = {
    Encounter.Kind.INPATIENT: Stay.Kind.INPATIENT,
    Encounter.Kind.OBSERVATION: Stay.Kind.OBSERVATION,
    Encounter.Kind.EMERGENCY: Stay.Kind.EMERGENCY,
}
CANCELLED = frozenset({"cancelled", "entered-in-error"})
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def _diagnoses(encounter: Encounter) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    if encounter.reason_code:
        system = ICD10 if encounter.reason_code[:1].isalpha() else SNOMED
        found.append(
            {
                "code": encounter.reason_code,
                "system": system,
                "display": encounter.reason_display,
                "type": "reason",
            }
        )
    for icd10, snomed, display in Condition.objects.filter(encounter=encounter).values_list(
        "icd10_code", "snomed_code", "display"
    ):
        if icd10:
            found.append({"code": icd10, "system": ICD10, "display": display, "type": "encounter"})
        elif snomed:
            found.append({"code": snomed, "system": SNOMED, "display": display, "type": "encounter"})
    return found


def _status(encounter: Encounter) -> str:
    if encounter.status in CANCELLED:
        return Stay.Status.CANCELLED
    if encounter.end is not None or encounter.status == "finished":
        return Stay.Status.DISCHARGED
    return Stay.Status.ACTIVE


def _stay_for(encounter: Encounter, now: dt.datetime) -> Stay:
    admit_source = str(
        ((encounter.resource.get("hospitalization") or {}).get("admitSource") or {})
        .get("coding", [{}])[0]
        .get("code", "")
    )
    stay, _ = Stay.objects.select_for_update().get_or_create(
        facility=f"fhir:{encounter.source}"[:255],
        visit_number=encounter.source_id[:255],
        defaults={
            "patient_id": encounter.patient_id,
            "created_at": now,
            "updated_at": now,
            "source": Stay.Source.REGISTRY,
        },
    )
    stay.encounter = encounter
    stay.kind = KIND_OF[Encounter.Kind(encounter.encounter_class)]
    stay.status = _status(encounter)
    stay.admitted_at = encounter.start
    stay.discharged_at = encounter.end if stay.status == Stay.Status.DISCHARGED else None
    stay.discharge_disposition = encounter.discharge_disposition_code[:64]
    stay.emergent = admit_source == "emd"
    stay.facility_name = stay.facility_name or encounter.source
    set_diagnoses(stay, _diagnoses(encounter))
    stay.last_event_at = encounter.end or encounter.start
    stay.updated_at = now
    stay.save()
    return stay


def _current(stay: Stay, since: dt.datetime) -> bool:
    if stay.status == Stay.Status.DISCHARGED:
        return stay.discharged_at is not None and stay.discharged_at >= since
    return True


def on_registry_encounters(
    encounter_ids: Iterable[uuid.UUID | str], *, as_of: dt.datetime | None = None
) -> int:
    """Stays for these Encounters and, for the current ones, the workflow; how many stays it touched."""
    now = as_of or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    encounters = Encounter.objects.filter(pk__in=list(encounter_ids), encounter_class__in=list(KIND_OF))
    touched = 0
    actor = Actor.system("import")
    for encounter in encounters.iterator():
        with transaction.atomic():
            stay = _stay_for(encounter, timezone.now())
            if _current(stay, since):
                run_workflow(stay, actor)
        touched += 1
    return touched
