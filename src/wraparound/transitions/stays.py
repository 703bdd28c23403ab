"""An ADT event applied to the stay it names: the state machine of a visit, tolerant of late arrivals.

Each stay remembers the time of the latest event applied.  An event older than that (an A01 that
arrives after its A03) only fills in what the stay does not know yet (admission time, class,
diagnoses) and never moves the state back, so the stay ends in the state of its latest event
whatever the arrival order.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from wraparound.hl7v2.models import InboxMessage
from wraparound.transitions.adt import AdtEvent
from wraparound.transitions.clinical import is_mental_illness
from wraparound.transitions.models import Stay, StayMessage

ARRIVALS = frozenset({"A01", "A04"})


def visit_key(message: InboxMessage, event: AdtEvent) -> tuple[str, str]:
    return message.sending_facility[:255], (event.visit_number or f"message:{message.control_id}")[:255]


def _diagnoses(event: AdtEvent) -> list[dict[str, str]]:
    return [
        {"code": d.code[:64], "system": d.system, "display": d.display[:255], "type": d.type}
        for d in event.diagnoses
    ]


def set_diagnoses(stay: Stay, diagnoses: list[dict[str, str]]) -> None:
    stay.diagnoses = diagnoses
    first = diagnoses[0] if diagnoses else None
    stay.principal_diagnosis = first["code"] if first else ""
    stay.mental_illness = bool(first and is_mental_illness(first["code"], first.get("system", "")))


def _fill_gaps(stay: Stay, event: AdtEvent) -> None:
    if stay.admitted_at is None and event.admitted_at is not None:
        stay.admitted_at = event.admitted_at
    if stay.kind == Stay.Kind.OTHER and event.kind != Stay.Kind.OTHER:
        stay.kind = event.kind
    if not stay.diagnoses and event.diagnoses:
        set_diagnoses(stay, _diagnoses(event))
    if not stay.facility_name:
        stay.facility_name = event.facility_name[:255]
    if not stay.location and event.location:
        stay.location = event.location[:255]
    stay.emergent = stay.emergent or event.emergent
    if stay.status == Stay.Status.DISCHARGED:
        stay.discharged_at = stay.discharged_at or event.discharged_at
        stay.discharge_disposition = stay.discharge_disposition or event.discharge_disposition[:64]


def _apply_state(stay: Stay, event: AdtEvent) -> None:
    trigger = event.trigger
    if event.kind != Stay.Kind.OTHER and trigger not in {"A11", "A12", "A13"}:
        stay.kind = event.kind
    if event.admitted_at is not None and trigger not in {"A11", "A13"}:
        stay.admitted_at = event.admitted_at
    if event.diagnoses:
        set_diagnoses(stay, _diagnoses(event))
    if trigger in ARRIVALS or trigger == "A06":
        stay.status = Stay.Status.ACTIVE
        stay.admitted_at = stay.admitted_at or event.event_at
        stay.discharged_at = None
        stay.location = event.location[:255] or stay.location
    elif trigger == "A02":
        stay.prior_location = (event.prior_location or stay.location)[:255]
        stay.location = event.location[:255] or stay.location
    elif trigger == "A03":
        stay.status = Stay.Status.DISCHARGED
        stay.discharged_at = event.discharged_at or event.event_at or timezone.now()
        stay.discharge_disposition = event.discharge_disposition[:64]
    elif trigger == "A08":
        if event.discharged_at is not None and stay.status == Stay.Status.DISCHARGED:
            stay.discharged_at = event.discharged_at
        if event.location:
            stay.location = event.location[:255]
    elif trigger == "A11":
        stay.status = Stay.Status.CANCELLED
    elif trigger == "A12":
        stay.location, stay.prior_location = stay.prior_location or stay.location, ""
    elif trigger == "A13":
        stay.status = Stay.Status.ACTIVE
        stay.discharged_at = None
        stay.discharge_disposition = ""


def apply_event(message: InboxMessage, event: AdtEvent, patient_id: uuid.UUID) -> Stay:
    """The stay after this event (created on its first message, whatever event that is)."""
    facility, visit_number = visit_key(message, event)
    now = timezone.now()
    stay, created = Stay.objects.select_for_update().get_or_create(
        facility=facility,
        visit_number=visit_number,
        defaults={"patient_id": patient_id, "created_at": now, "updated_at": now},
    )
    late = (
        not created
        and stay.last_event_at is not None
        and event.event_at is not None
        and event.event_at < stay.last_event_at
    )
    if late:
        _fill_gaps(stay, event)
    else:
        _apply_state(stay, event)
        _fill_gaps(stay, event)
        stay.last_event_at = event.event_at or stay.last_event_at
    if stay.status == Stay.Status.ACTIVE and stay.admitted_at is None:
        stay.admitted_at = event.event_at
    stay.updated_at = now
    stay.save()
    StayMessage.objects.get_or_create(
        stay=stay,
        message=message,
        defaults={"trigger_event": event.trigger[:8], "event_at": event.event_at, "changed_state": not late},
    )
    return stay


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
