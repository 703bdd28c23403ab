"""Malformed input found by fuzzing (nHapi's BadInputs) gets AR or AE with a reason; the listener goes on."""

from __future__ import annotations

import hashlib

import pytest

from tests.hl7v2.harness import HL7V2_DATA, Client, ListenerThread, adt, frame, read_ack
from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage


@pytest.mark.django_db
def test_every_bad_input_is_refused_with_a_reason_and_the_listener_keeps_serving() -> None:
    bad_inputs = sorted(
        path for path in (HL7V2_DATA / "nhapi-testdata" / "BadInputs").rglob("*") if path.is_file()
    )
    assert len(bad_inputs) >= 30
    with ListenerThread() as listener:
        with Client(listener.port) as client:
            client.send(b"".join(frame(path.read_bytes()) for path in bad_inputs))
            acks = [read_ack(ack) for ack in client.read_frames(len(bad_inputs))]
            for path, ack in zip(bad_inputs, acks, strict=True):
                assert ack.code in ("AR", "AE"), f"{path.name}: {ack}"
                assert ack.text and ack.error_code, f"{path.name}: no reason given: {ack}"
            assert read_ack(client.exchange(adt("after-bad-1"))).code == "AA"
        for path in bad_inputs:  # each on a connection of its own, then a good message on a new one
            with Client(listener.port) as client:
                assert read_ack(client.exchange(path.read_bytes())).code in ("AR", "AE")
        with Client(listener.port) as client:
            assert read_ack(client.exchange(adt("after-bad-2"))).code == "AA"
    assert set(InboxMessage.objects.values_list("control_id", flat=True)) >= {"after-bad-1", "after-bad-2"}
    held = set(QuarantinedMessage.objects.values_list("raw_sha256", flat=True))
    held |= set(InboxMessage.objects.values_list("raw_sha256", flat=True))
    assert {hashlib.sha256(path.read_bytes()).hexdigest() for path in bad_inputs} <= held
    quarantined = QuarantinedMessage.objects.all()
    assert all(row.reason for row in quarantined)


@pytest.mark.django_db
def test_garbage_between_frames_and_a_half_frame_at_close_do_not_stop_the_listener() -> None:
    with ListenerThread() as listener:
        with Client(listener.port) as client:
            client.send(b"GET / HTTP/1.1\r\n\r\n" + frame(adt("between-garbage")) + b"\x00\xff")
            assert read_ack(client.read_frames(1)[0]).code == "AA"
            client.send(b"\x0bMSH|^~\\&|HALF")  # the sender goes away in the middle of a frame
        with Client(listener.port) as client:
            assert read_ack(client.exchange(adt("after-half-frame"))).code == "AA"
    assert InboxMessage.objects.filter(control_id__in=["between-garbage", "after-half-frame"]).count() == 2
