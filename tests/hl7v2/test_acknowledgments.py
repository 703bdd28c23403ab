"""What each answer means: AA once committed (again for a re-sent message), AR with ERR, AE when not stored."""

from __future__ import annotations

import pytest

from tests.hl7v2.harness import Client, ListenerThread, adt, frame, read_ack
from wraparound.hl7v2 import server, store
from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage


@pytest.mark.django_db
def test_a_re_sent_message_is_acknowledged_again_and_kept_once() -> None:
    message = adt("dup-1")
    with ListenerThread() as listener, Client(listener.port) as client:
        first = read_ack(client.exchange(message))
        again = read_ack(client.exchange(message))
        client.send(frame(message) * 5)  # and several copies in one group commit
        copies = [read_ack(ack) for ack in client.read_frames(5)]
    assert [ack.code for ack in [first, again, *copies]] == ["AA"] * 7
    assert InboxMessage.objects.filter(control_id="dup-1").count() == 1
    assert not QuarantinedMessage.objects.exists()


@pytest.mark.django_db
def test_the_same_control_id_from_another_sender_is_another_message() -> None:
    with ListenerThread() as listener, Client(listener.port) as client:
        assert read_ack(client.exchange(adt("7", facility="NORTH"))).code == "AA"
        assert read_ack(client.exchange(adt("7", facility="SOUTH"))).code == "AA"
        assert read_ack(client.exchange(adt("7", facility="SOUTH", application="CERNER"))).code == "AA"
    assert InboxMessage.objects.filter(control_id="7").count() == 3


@pytest.mark.django_db
def test_a_reused_control_id_with_other_content_is_quarantined_not_lost() -> None:
    with ListenerThread() as listener, Client(listener.port) as client:
        assert read_ack(client.exchange(adt("reused", patient="111^^^GHH^MR"))).code == "AA"
        assert read_ack(client.exchange(adt("reused", patient="222^^^GHH^MR"))).code == "AA"
    assert InboxMessage.objects.get(control_id="reused").patient_identifiers == "111^^^GHH^MR"
    variant = QuarantinedMessage.objects.get(control_id="reused")
    assert variant.error_code == 205 and b"222^^^GHH^MR" in bytes(variant.raw)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message_type", "event", "code"),
    [("ORU", "R01", "200"), ("SIU", "S12", "200"), ("ADT", "A05", "201"), ("ADT", "A28", "201")],
)
def test_an_unsupported_message_is_refused_and_recorded_as_ignored(
    message_type: str, event: str, code: str
) -> None:
    with ListenerThread() as listener, Client(listener.port) as client:
        ack = read_ack(client.exchange(adt("unsupported-1", message_type=message_type, event=event)))
        again = read_ack(client.exchange(adt("unsupported-1", message_type=message_type, event=event)))
    assert (ack.code, ack.control_id, ack.error_code) == ("AR", "unsupported-1", code)
    assert (again.code, again.error_code) == ("AR", code)
    row = InboxMessage.objects.get(control_id="unsupported-1")
    assert row.status == InboxMessage.Status.IGNORED
    assert row.error.startswith(code)


@pytest.mark.django_db
def test_a_message_that_cannot_be_read_is_refused_and_quarantined_with_the_reason() -> None:
    broken = b"MSH|^~\\&|EPIC|GOOD HEALTH|||20260301||ADT^A01||P|2.5\rPID|1||123\r"  # no MSH-10
    with ListenerThread() as listener, Client(listener.port) as client:
        ack = read_ack(client.exchange(broken))
    assert (ack.code, ack.error_code) == ("AR", "101")
    assert "MSH-10" in ack.text
    row = QuarantinedMessage.objects.get()
    assert bytes(row.raw) == broken and "MSH-10" in row.reason and row.error_code == 101


@pytest.mark.django_db
def test_when_storing_fails_the_sender_gets_ae_and_can_send_again(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(rows: object) -> None:
        raise OSError("disk full")

    with ListenerThread() as listener, Client(listener.port) as client:
        monkeypatch.setattr(store, "write_rows", refuse)
        failed = read_ack(client.exchange(adt("store-fails")))
        monkeypatch.undo()
        retried = read_ack(client.exchange(adt("store-fails")))
    assert (failed.code, failed.control_id, failed.error_code) == ("AE", "store-fails", "207")
    assert failed.text
    assert retried.code == "AA"
    assert InboxMessage.objects.filter(control_id="store-fails").count() == 1


@pytest.mark.django_db
def test_the_ack_is_addressed_back_in_the_senders_version_and_processing_id() -> None:
    with ListenerThread() as listener, Client(listener.port) as client:
        modern = read_ack(client.exchange(adt("v251", version="2.5.1", processing_id="T")))
        old = read_ack(client.exchange(adt("v23", version="2.3", event="A99")))
    assert modern.msh[2:6] == ["WRAPAROUND", "HEALTH HOME", "EPIC", "GOOD HEALTH"]
    assert modern.msh[8] == "ACK^A01^ACK" and modern.msh[10] == "T" and modern.msh[11] == "2.5.1"
    assert modern.msh[9] and modern.msh[9] != "v251"  # the ACK's own control id
    assert old.msh[11] == "2.3" and old.msh[8] == "ACK^A99"
    assert (old.code, old.error_code) == ("AR", "201")  # read from ERR-1 before v2.5, ERR-3 after


@pytest.mark.django_db
def test_two_messages_with_one_control_id_in_one_group_commit_keep_both() -> None:
    first, second = adt("twice", patient="111^^^GHH^MR"), adt("twice", patient="222^^^GHH^MR")
    with ListenerThread() as listener, Client(listener.port) as client:
        client.send(frame(first) + frame(second) + frame(first))
        assert [read_ack(ack).code for ack in client.read_frames(3)] == ["AA", "AA", "AA"]
    assert bytes(InboxMessage.objects.get(control_id="twice").raw) == first
    assert bytes(QuarantinedMessage.objects.get(control_id="twice").raw) == second


@pytest.mark.django_db
def test_a_failure_of_the_listener_itself_is_answered_ae_and_it_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(payload: bytes, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    with ListenerThread() as listener, Client(listener.port) as client:
        monkeypatch.setattr(server, "receive_frame", broken)
        failed = read_ack(client.exchange(adt("bug-1")))
        monkeypatch.undo()
        assert read_ack(client.exchange(adt("bug-1"))).code == "AA"
    assert (failed.code, failed.error_code) == ("AE", "207")
    assert InboxMessage.objects.filter(control_id="bug-1").count() == 1
