"""Every HL7 v2 message of the shared data, sent over a real socket, is acknowledged and kept once.

Expected values are read from the raw messages here by plain splitting, not through the listener's
parser.  Several sample files reuse one control id for different content: the inbox keeps the first
sent and the quarantine keeps the others (acknowledged AA all the same: the id is held).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from tests.hl7v2.harness import (
    HL7V2_DATA,
    SUPPORTED,
    Client,
    ListenerThread,
    field,
    fields_of,
    frame,
    messages_in,
    read_ack,
    shared_files,
)
from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage


def _all_messages() -> list[tuple[Path, bytes]]:
    return [(path, message) for path in shared_files() for message in messages_in(path)]


def _readable(msh: list[str] | None) -> bool:
    """Four distinct encoding characters, a control id and a version: a header the inbox can key."""
    encoding = field(msh, 2)
    return len(encoding) >= 4 and len(set(encoding[:4])) == 4 and bool(field(msh, 10) and field(msh, 12))


def _event_time_digits(message: bytes) -> tuple[str, str]:
    msh = fields_of(message, "MSH")
    component = field(msh, 2)[:1]
    text = field(fields_of(message, "EVN"), 2).split(component)[0] or field(msh, 7).split(component)[0]
    found = re.match(r"^(\d{4,14})(?:\.\d+)?([+-]\d{4})?$", text)
    return (found.group(1), found.group(2) or "") if found else ("", "")


@pytest.mark.django_db
def test_every_shared_message_is_acknowledged_and_kept_once() -> None:
    sent = _all_messages()
    assert len(sent) > 1100, "the shared HL7 v2 data is incomplete"
    with ListenerThread() as listener, Client(listener.port) as client:
        acks = []
        for chunk_start in range(0, len(sent), 100):  # pipelined, 100 frames in flight
            chunk = sent[chunk_start : chunk_start + 100]
            client.send(b"".join(frame(message) for _, message in chunk))
            acks.extend(read_ack(ack) for ack in client.read_frames(len(chunk)))

    first_of: dict[tuple[str, str, str], bytes] = {}
    variants: set[bytes] = set()
    for (path, message), ack in zip(sent, acks, strict=True):
        msh = fields_of(message, "MSH")
        control_id = field(msh, 10)
        assert ack.control_id == control_id, f"{path.name}: MSA-2 {ack.control_id!r} != {control_id!r}"
        kind = field(msh, 9).split(field(msh, 2)[:1] or "^")
        adt = kind[0] == "ADT" and len(kind) > 1 and kind[1] in SUPPORTED
        if _readable(msh) and adt:
            assert ack.code == "AA", f"{path.name} {control_id}: {ack}"
        else:
            assert ack.code == "AR", f"{path.name} {control_id}: {ack}"
            assert ack.text, f"{path.name}: a refusal says why in MSA-3"
        if _readable(msh) and kind[0] != "ADT":
            assert ack.error_code == "200", f"{path.name}: {ack}"
        if _readable(msh):
            key = (control_id, field(msh, 4), field(msh, 3))
            if key in first_of and first_of[key] != message:
                variants.add(message)
            first_of.setdefault(key, message)

    assert InboxMessage.objects.count() == len(first_of)
    for (control_id, facility, application), message in first_of.items():
        row = InboxMessage.objects.get(
            control_id=control_id, sending_facility=facility, sending_application=application
        )
        msh = fields_of(message, "MSH")
        component = field(msh, 2)[:1]
        kind = field(msh, 9).split(component)
        assert bytes(row.raw) == message
        assert row.message_type == kind[0]
        assert row.trigger_event == (kind[1] if len(kind) > 1 else "")
        assert row.version == field(msh, 12)
        assert row.patient_identifiers == field(fields_of(message, "PID"), 3)
        supported = kind[0] == "ADT" and row.trigger_event in SUPPORTED
        assert row.status == (InboxMessage.Status.RECEIVED if supported else InboxMessage.Status.IGNORED)
        digits, offset = _event_time_digits(message)
        if digits:
            assert row.event_time is not None, f"{control_id}: event time {digits} not read"
            if offset:
                sign = 1 if offset[0] == "+" else -1
                zone: dt.tzinfo = dt.timezone(
                    sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))
                )
            else:
                zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            assert row.event_time.astimezone(zone).strftime("%Y%m%d%H%M%S")[: len(digits)] == digits
    assert variants, "the sample data reuses control ids; the quarantine must hold the variants"
    quarantined = set(QuarantinedMessage.objects.filter(error_code=205).values_list("raw_sha256", flat=True))
    assert {hashlib.sha256(message).hexdigest() for message in variants} <= quarantined


@pytest.mark.django_db
def test_xml_encoded_messages_are_refused_with_a_reason() -> None:
    """The listener speaks ER7 (pipes); the v2 XML encoding is refused, and kept in the quarantine."""
    xml_files = sorted(HL7V2_DATA.rglob("*.xml"))
    assert xml_files
    with ListenerThread() as listener, Client(listener.port) as client:
        for path in xml_files:
            ack = read_ack(client.exchange(path.read_bytes()))
            assert ack.code == "AR" and ack.text, path.name
    assert QuarantinedMessage.objects.count() == len({path.read_bytes() for path in xml_files})
