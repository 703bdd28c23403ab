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
