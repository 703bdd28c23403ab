"""``wraparound transitions process`` and the background job process the inbox like ``process_inbox``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from wraparound.hl7v2.models import InboxMessage
from wraparound.risk.models import RiskProfile
from wraparound.transitions.models import Stay
from wraparound.transitions.processing import process_inbox_task

from .conftest import World, adt, send


def test_the_command_processes_and_says_what_it_did(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    out = StringIO()
    call_command("transitions", "process", stdout=out)
    assert "1 processed, 0 failed (matched_identifier 1)" in out.getvalue()
    assert Stay.objects.count() == 1


def test_the_command_takes_failed_messages_again(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    InboxMessage.objects.update(status=InboxMessage.Status.FAILED, error="RuntimeError: was down")
    out = StringIO()
    call_command("transitions", "process", "--retry-failed", stdout=out)
    assert "1 failed message(s) taken again" in out.getvalue()
    assert InboxMessage.objects.get().status == InboxMessage.Status.PROCESSED


def test_the_background_job(world: World) -> None:
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    result = process_inbox_task.enqueue()  # the test suite runs jobs at once
    assert result.return_value == {"processed": 1, "failed": 0, "matched_identifier": 1, "risk_profiles": 1}
    assert RiskProfile.objects.get(patient=world.maria).admissions_12m == 1  # the feed's admission counts


@pytest.mark.django_db(transaction=True)  # the database worker closes its connection when done
def test_wraparound_worker_processes_the_inbox(world: World) -> None:
    from django.test import override_settings

    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database_tasks):
        call_command("worker", "--batch")
    assert InboxMessage.objects.get().status == InboxMessage.Status.PROCESSED
    assert Stay.objects.count() == 1
