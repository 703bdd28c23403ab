"""Every well-formed ADT message of the shared data, stored through the intake, is processed without error.

For the messages whose patient matched, the stay holds what the message says (PV1-2 class, PV1-44
admission, PV1-45 discharge), read here by plain splitting, independently of the processor.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.hl7v2.harness import SUPPORTED, field, fields_of, messages_in, shared_files
from tests.personas import stored
from wraparound.hl7v2.intake import receive_frame
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.store import write_rows
from wraparound.registry.models import Identifier, Patient
from wraparound.transitions.models import Stay, StayMessage
from wraparound.transitions.processing import process_inbox

HL7V2_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hl7v2"
CLASSES = {"I": "inpatient", "E": "emergency", "O": "outpatient"}
STATE_EVENTS = {"A01", "A03", "A04", "A06", "A07", "A08"}


def _component(value: str, message: bytes) -> str:
    separator = field(fields_of(message, "MSH"), 2)[:1] or "^"
    return value.split("~")[0].split(separator)[0].strip()


def _time(text: str) -> dt.datetime | None:
    found = re.match(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$", text)
    if not found:
        return None
    year, month, day, hour, minute, second, offset = found.groups()
    zone: dt.tzinfo = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if offset:
        sign = 1 if offset[0] == "+" else -1
        zone = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    try:
        return dt.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _register_patients(messages: list[bytes]) -> int:
    """A registry patient for each MRN with an assigning authority the messages name."""
    seen: set[tuple[str, str]] = set()
    for message in messages:
        pid3 = field(fields_of(message, "PID"), 3)
        separator = field(fields_of(message, "MSH"), 2)[:1] or "^"
        parts = pid3.split("~")[0].split(separator)
        value = parts[0].strip()
        authority = parts[3].split("&")[0].strip() if len(parts) > 3 else ""
        if value and authority and (authority, value) not in seen and len(value) <= 60:
            seen.add((authority, value))
            patient = stored(Patient, "hl7-shared", f"{authority}-{value}"[:64])
            Identifier.objects.create(
                resource_type="Patient", resource_id=patient.pk, system=authority, value=value
            )
    return len(seen)


def _visit_key(message: bytes) -> tuple[str, str]:
    msh = fields_of(message, "MSH")
    visit = _component(field(fields_of(message, "PV1"), 19), message) or _component(
        field(fields_of(message, "PID"), 18), message
    )
    return field(msh, 4), visit or f"message:{field(msh, 10)}"


@pytest.mark.django_db
def test_every_shared_adt_message_is_processed() -> None:
    sent = [message for path in shared_files() for message in messages_in(path)]
    assert len(sent) > 1100, "the shared HL7 v2 data is incomplete"
    registered = _register_patients(sent)
    assert registered > 20
    now = timezone.now()
    for start in range(0, len(sent), 200):
        rows = [
            row
            for message in sent[start : start + 200]
            for row in receive_frame(message, peer="t", received_at=now).rows
        ]
        write_rows(rows)
    received = InboxMessage.objects.filter(status=InboxMessage.Status.RECEIVED).count()
    assert received > 400

    report = process_inbox()
    assert report.failed == 0, list(
        InboxMessage.objects.filter(status="failed").values_list("control_id", "error")[:5]
    )
    assert report.processed == received
    assert not InboxMessage.objects.filter(status=InboxMessage.Status.RECEIVED).exists()
    assert process_inbox().processed == 0

    inbox = {
        row.pk: bytes(row.raw) for row in InboxMessage.objects.filter(status=InboxMessage.Status.PROCESSED)
    }
    keys = Counter(_visit_key(raw) for raw in inbox.values())
    checked = Counter[str]()
    for applied in StayMessage.objects.select_related("stay"):
        raw = inbox[applied.message_id]
        if keys[_visit_key(raw)] != 1 or applied.trigger_event not in STATE_EVENTS:
            continue
        pv1 = fields_of(raw, "PV1")
        stay = applied.stay
        patient_class = _component(field(pv1, 2), raw)
        if patient_class in CLASSES and "OBS" not in field(pv1, 18).upper():
            assert stay.kind == CLASSES[patient_class], (
                f"{applied.message_id}: PV1-2 {patient_class!r} -> {stay.kind}"
            )
            checked["class"] += 1
        admitted = _time(_component(field(pv1, 44), raw))
        if admitted is not None:
            assert stay.admitted_at == admitted, f"{applied.message_id}: PV1-44"
            checked["admitted"] += 1
        discharged = _time(_component(field(pv1, 45), raw))
        if applied.trigger_event == "A03":
            assert stay.status == Stay.Status.DISCHARGED
            if discharged is not None:
                assert stay.discharged_at == discharged, f"{applied.message_id}: PV1-45"
                checked["discharged"] += 1
        elif applied.trigger_event in {"A01", "A04"}:
            assert stay.status == Stay.Status.ACTIVE
            checked["arrivals"] += 1
    assert checked["class"] > 20 and checked["admitted"] > 5, checked
    assert SUPPORTED >= STATE_EVENTS
