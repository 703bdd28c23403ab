"""MLLP framing in every shape a sender produces it, many connections at once, and HL7 batches."""

from __future__ import annotations

import threading
import time

import pytest

from tests.hl7v2.harness import Client, ListenerThread, adt, frame, read_ack, read_batch_acks
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.server import FrameDecoder


def test_the_decoder_finds_frames_whatever_the_reads() -> None:
    stream = frame(adt("d-1")) + b"\r\n" + frame(adt("d-2")) + frame(b"") + frame(adt("d-3"))
    expected = [adt("d-1"), adt("d-2"), b"", adt("d-3")]
    for cut in range(1, len(stream)):
        decoder = FrameDecoder()
        assert decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) == expected, cut
    decoder = FrameDecoder()
    assert [frame for byte in stream for frame in decoder.feed(bytes([byte]))] == expected
    assert decoder.discarded == 2  # the CR LF between two frames


@pytest.mark.django_db
def test_a_frame_split_across_many_writes_is_one_message() -> None:
    message = adt("split-1")
    with ListenerThread() as listener, Client(listener.port) as client:
        data = frame(message)
        for start in range(0, len(data), 7):
            client.send(data[start : start + 7])
            time.sleep(0.001)
        ack = read_ack(client.read_frames(1)[0])
    assert (ack.code, ack.control_id) == ("AA", "split-1")
    assert bytes(InboxMessage.objects.get(control_id="split-1").raw) == message


@pytest.mark.django_db
def test_many_frames_in_one_write_are_answered_in_order() -> None:
    ids = [f"burst-{n}" for n in range(300)]
    with ListenerThread() as listener, Client(listener.port) as client:
        client.send(b"".join(frame(adt(control_id)) for control_id in ids))  # pipelined: no waiting
        acks = [read_ack(ack) for ack in client.read_frames(len(ids))]
    assert [ack.control_id for ack in acks] == ids
    assert {ack.code for ack in acks} == {"AA"}
    assert InboxMessage.objects.filter(control_id__startswith="burst-").count() == 300


@pytest.mark.django_db
def test_fifty_long_lived_connections_at_once() -> None:
    connections, rounds, per_round = 50, 2, 10
    failures: list[BaseException] = []
    start = threading.Barrier(connections)

    def sender(number: int, port: int) -> None:
        try:
            with Client(port) as client:
                start.wait(30)
                for round_number in range(rounds):
                    for n in range(per_round):  # stop-and-wait, as most senders do
                        control_id = f"c{number}-r{round_number}-{n}"
                        ack = read_ack(client.exchange(adt(control_id, facility=f"HOSPITAL {number}")))
                        assert (ack.code, ack.control_id) == ("AA", control_id)
                    time.sleep(0.05)  # the connection stays open between bursts
        except BaseException as error:
            failures.append(error)

    with ListenerThread() as listener:
        threads = [threading.Thread(target=sender, args=(n, listener.port)) for n in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert listener.listener is not None and listener.listener.stats.connections == connections
    assert not failures, failures[:3]
    assert InboxMessage.objects.count() == connections * rounds * per_round


def _batch(messages: list[bytes], *, with_file: bool) -> bytes:
    segments = []
    if with_file:
        segments.append(b"FHS|^~\\&|EPIC|GOOD HEALTH|WRAPAROUND|HEALTH HOME|20260301||||FILE-7")
    segments.append(b"BHS|^~\\&|EPIC|GOOD HEALTH|WRAPAROUND|HEALTH HOME|20260301||||BATCH-42")
    payload = b"\r".join(segments) + b"\r" + b"".join(messages) + f"BTS|{len(messages)}\r".encode()
    return payload + (b"FTS|1\r" if with_file else b"")


@pytest.mark.django_db
@pytest.mark.parametrize("with_file", [False, True])
def test_a_batch_is_answered_by_a_batch_of_acks_one_per_message(with_file: bool) -> None:
    """HL7 v2 chapter 2 (batch protocol): each message of the batch acknowledged in the response batch."""
    messages = [adt("b-1"), adt("b-2", event="A03"), adt("b-3", message_type="ORU", event="R01"), adt("b-4")]
    with ListenerThread() as listener, Client(listener.port) as client:
        response = client.exchange(_batch(messages, with_file=with_file))
        acks = read_batch_acks(response)
    segments = response.decode().split("\r")
    bhs = next(s for s in segments if s.startswith("BHS")).split("|")
    assert bhs[11] == "BATCH-42"  # BHS-12 names the batch it answers
    assert bhs[4] == "EPIC" and bhs[5] == "GOOD HEALTH"  # addressed back to the sender
    assert next(s for s in segments if s.startswith("BTS")) == "BTS|4"
    assert any(s.startswith("FHS") for s in segments) == with_file
    assert [(ack.code, ack.control_id) for ack in acks] == [
        ("AA", "b-1"),
        ("AA", "b-2"),
        ("AR", "b-3"),
        ("AA", "b-4"),
    ]
    assert acks[2].error_code == "200"
    rows = {row.control_id: row for row in InboxMessage.objects.all()}
    assert set(rows) == {"b-1", "b-2", "b-3", "b-4"}
    assert bytes(rows["b-2"].raw) == messages[1]  # each message kept alone, byte for byte
    assert rows["b-3"].status == InboxMessage.Status.IGNORED
