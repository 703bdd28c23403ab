"""``wraparound audit verify`` on a terminal, and ``wraparound audit export``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from unittest import mock

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.audit.conftest import verify
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action, AuditEvent
from wraparound.audit.reports import CSV_COLUMNS

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def record_at(moment: dt.datetime, username: str, action: Action = Action.VIEW) -> None:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        record(Actor(user_id=1, username=username, ip_address="10.0.0.1"), action, resource_type="Patient")


def test_verify_on_a_terminal_shows_progress_and_the_result() -> None:
    for number in range(25):
        record(Actor.system(), Action.VIEW, resource_id=str(number))
    out = Terminal()
    call_command("audit", "verify", "--batch-size", "7", stdout=out)
    assert "audit chain intact: 25 rows" in out.getvalue()


def test_verify_refuses_a_batch_size_below_one() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("audit", "verify", "--batch-size", "0")


def test_verify_needs_a_subcommand() -> None:
    with pytest.raises(CommandError):
        call_command("audit")


def test_export_writes_the_period_as_csv_and_records_it(tmp_path: Path) -> None:
    # New York time: 03/09 22:30 EST is 03/10 03:30 UTC, so it belongs to 03/09.
    record_at(dt.datetime(2024, 3, 10, 3, 30, tzinfo=dt.UTC), "before")
    record_at(dt.datetime(2024, 3, 10, 5, 0, tzinfo=dt.UTC), "first-day")
    record_at(dt.datetime(2024, 3, 12, 3, 59, tzinfo=dt.UTC), "last-day")
    record_at(dt.datetime(2024, 3, 12, 4, 0, tzinfo=dt.UTC), "after")
    record_at(dt.datetime(2024, 3, 11, 12, 0, tzinfo=dt.UTC), '=HYPERLINK("x")')
    target = tmp_path / "audit.csv"
    out = io.StringIO()
    call_command(
        "audit", "export", "--from", "2024-03-10", "--to", "03/11/2024", "--csv", str(target), stdout=out
    )
    with target.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["username"] for row in rows] == ["first-day", "last-day", '\'=HYPERLINK("x")']
    assert rows[0]["occurred_at"] == "2024-03-10T00:00:00.000000-05:00"
    assert "3 audit rows from 03/10/2024 to 03/11/2024" in out.getvalue()
    export = AuditEvent.objects.order_by("-id").first()
    assert export is not None
    assert export.action == Action.EXPORT
    assert export.username.startswith("cli:")
    assert orjson.loads(export.detail) == {
        "file": str(target),
        "from": "2024-03-10",
        "rows": 3,
        "to": "2024-03-11",
    }
    assert verify().returncode == 0


def test_export_to_standard_output() -> None:
    record(Actor.system(), Action.SIGN_IN)
    out = io.StringIO()
    today = timezone.localdate().isoformat()
    call_command("audit", "export", "--from", today, "--to", today, "--csv", "-", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id,occurred_at,")
    assert len(lines) == 2
    assert lines[1].startswith("1,") and ",sign_in," in lines[1]


def test_export_refuses_a_period_that_ends_before_it_starts(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="before"):
        call_command(
            "audit", "export", "--from", "2024-03-10", "--to", "2024-03-01", "--csv", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="not a date"):
        call_command(
            "audit", "export", "--from", "last week", "--to", "2024-03-01", "--csv", str(tmp_path / "x")
        )
