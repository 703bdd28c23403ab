"""Each message is processed once: a second run, or a replay of the feed, adds nothing."""

from __future__ import annotations

import pytest

from wraparound.audit.models import AuditEvent
from wraparound.hl7v2.models import InboxMessage
from wraparound.transitions.models import MatchReview, Stay, StayMessage, Step
from wraparound.transitions.processing import process_inbox, process_message
from wraparound.worklists.models import Alert, Task

from .conftest import World, adt, send

MODELS = (Stay, StayMessage, Step, Task, Alert, MatchReview, AuditEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in MODELS}


def _feed() -> list[bytes]:
    return [
        adt("A01", when="20260302081500", admitted="20260302080000", control_id="C1"),
        adt(
            "A03",
            when="20260306143000",
            admitted="20260302080000",
            discharged="20260306140000",
            control_id="C2",
        ),
        adt("A01", when="20260302081500", pid3="1^^^GHH^MR", name="NOBODY^KNOWN", control_id="C3"),
    ]


def test_running_twice_adds_nothing(world: World) -> None:
    send(*_feed())
    first = process_inbox()
    assert (first.processed, first.failed) == (3, 0)
    before = _counts()
    assert before["Stay"] == 1 and before["MatchReview"] == 1 and before["Task"] == 4
    second = process_inbox()
    assert (second.processed, second.failed) == (0, 0)
    assert _counts() == before
    assert set(InboxMessage.objects.values_list("status", "attempts")) == {("processed", 1)}


def test_a_replayed_feed_adds_nothing(world: World) -> None:
    send(*_feed())
    process_inbox()
    before = _counts()
    send(*_feed())  # the same messages re-sent: the inbox holds them already
    process_inbox()
    assert _counts() == before


def test_a_message_already_processed_is_not_taken_again(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    message_id = InboxMessage.objects.get().pk
    assert process_message(message_id) == "matched_identifier"
    assert process_message(message_id) is None


def test_a_message_that_fails_is_marked_and_leaves_nothing_behind(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wraparound.transitions.processing as processing

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the workflow broke")

    monkeypatch.setattr(processing, "run_workflow", broken)
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    report = process_inbox()
    assert report.failed == 1
    message = InboxMessage.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "the workflow broke" in message.error
    assert not Stay.objects.exists()


def test_a_concurrent_write_is_taken_again_not_failed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers, the first two messages of one visit: the second to commit its new stay breaks
    the unique constraint; its claim is rolled back with it and the message is processed again."""
    from django.db import IntegrityError

    from wraparound.transitions import processing

    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    message_id = InboxMessage.objects.get().pk
    real = processing.apply_message
    calls = []

    def racing(*args: object, **kwargs: object) -> Stay:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError('duplicate key value violates unique constraint "stay_one_per_visit"')
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(processing, "apply_message", racing)
    assert process_message(message_id) == "matched_identifier"
    assert len(calls) == 2
    assert InboxMessage.objects.values_list("status", "attempts").get() == ("processed", 1)
    assert Stay.objects.count() == 1 and Alert.objects.count() == 1


def test_a_constraint_broken_every_time_fails_the_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    from wraparound.transitions import processing

    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    message_id = InboxMessage.objects.get().pk

    def broken(*args: object, **kwargs: object) -> Stay:
        raise IntegrityError("NOT NULL constraint failed")

    monkeypatch.setattr(processing, "apply_message", broken)
    assert process_message(message_id) == "failed"
    status, error = InboxMessage.objects.values_list("status", "error").get()
    assert status == "failed" and "NOT NULL constraint failed" in error
    assert Stay.objects.count() == 0 and Alert.objects.count() == 0
