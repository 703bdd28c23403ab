"""An attacker with the table owner's rights drops the triggers and tampers: ``verify`` names the row.

Each test writes a chain of ten rows, tampers, and expects ``wraparound audit verify`` to exit
with EXIT_CHAIN_BROKEN and name the row that was changed, deleted or inserted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.audit.conftest import drop_triggers, stored_values, verify, write_rows
from wraparound.audit.chain import HASHED_FIELDS, row_hash
from wraparound.audit.management.commands.audit import EXIT_CHAIN_BROKEN
from wraparound.audit.models import AuditChainHead, AuditEvent

ROWS = 10

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chain() -> None:
    write_rows(ROWS)
    assert verify().returncode == 0
    drop_triggers()


def assert_broken_at(row_id: int, *words: str) -> str:
    outcome = verify()
    assert outcome.returncode == EXIT_CHAIN_BROKEN, outcome.output
    assert f"audit chain broken at row {row_id}:" in outcome.output
    for word in words:
        assert word in outcome.output
    return outcome.output


# A different value of the right type for every column of a row.
EDITS: dict[str, Any] = {
    "occurred_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    "user_id": 8,
    "username": "mallory",
    "organization_id": 99,
    "role": "supervisor",
    "patient_id": uuid.UUID(int=42),
    "resource_type": "Condition",
    "resource_id": "other",
    "action": "delete",
    "reason": "covering my tracks",
    "ip_address": "203.0.113.9",
    "user_agent": "Mallory's browser",
    "request_id": "req-9999",
    "detail": '{"number":1000}',
    "previous_hash": "f" * 64,
    "hash": "e" * 64,
}


def test_every_column_is_covered() -> None:
    assert set(EDITS) == (set(HASHED_FIELDS) - {"id"}) | {"hash"}


@pytest.mark.parametrize("field", sorted(EDITS))
@pytest.mark.parametrize("row_id", [1, 4, ROWS])
def test_editing_any_column_of_any_row(field: str, row_id: int) -> None:
    AuditEvent.objects.filter(pk=row_id).update(**{field: EDITS[field]})
    assert_broken_at(row_id, "changed")


def test_renumbering_a_row() -> None:
    AuditEvent.objects.filter(pk=5).update(id=500)
    assert_broken_at(5, "row 5 is missing")


@pytest.mark.parametrize("row_id", [3, ROWS])
def test_editing_a_row_and_recomputing_its_hash(row_id: int) -> None:
    values = {**stored_values(row_id), "username": "mallory"}
    AuditEvent.objects.filter(pk=row_id).update(username="mallory", hash=row_hash(values))
    assert_broken_at(row_id, "changed or replaced")


def test_deleting_a_middle_row() -> None:
    AuditEvent.objects.filter(pk=6).delete()
    assert_broken_at(6, "row 6 is missing", "the next row is 7")


def test_deleting_several_middle_rows() -> None:
    AuditEvent.objects.filter(pk__in=[4, 5, 6]).delete()
    assert_broken_at(4, "rows 4 to 6 are missing")


def test_deleting_the_first_row() -> None:
    AuditEvent.objects.filter(pk=1).delete()
    assert_broken_at(1, "row 1 is missing")


def test_deleting_the_last_row() -> None:
    AuditEvent.objects.filter(pk=ROWS).delete()
    assert_broken_at(ROWS, f"row {ROWS} is missing", "deleted from the end")


def test_deleting_the_last_rows() -> None:
    AuditEvent.objects.filter(pk__gte=8).delete()
    assert_broken_at(8, f"rows 8 to {ROWS} are missing")


def test_deleting_the_last_row_and_winding_the_head_back_is_caught_by_the_printed_head() -> None:
    """The chain alone cannot see a tail deleted together with the head: the head printed earlier can."""
    printed_before = verify().output
    last = stored_values(ROWS - 1)
    AuditEvent.objects.filter(pk=ROWS).delete()
    AuditChainHead.objects.filter(pk=1).update(last_id=ROWS - 1, last_hash=last["hash"])
    after = verify()
    assert after.returncode == 0
    assert f"last row {ROWS}," in printed_before
    assert f"last row {ROWS - 1}," in after.output  # an operator who kept the earlier line sees it shrink


def test_deleting_a_middle_row_and_renumbering_the_rest() -> None:
    AuditEvent.objects.filter(pk=4).delete()
    for row_id in range(5, ROWS + 1):
        AuditEvent.objects.filter(pk=row_id).update(id=row_id - 1)
    AuditChainHead.objects.filter(pk=1).update(last_id=ROWS - 1)
    assert_broken_at(4, "row 4 was deleted and the later rows renumbered")


def _forged(row_id: int, previous_hash: str) -> dict[str, Any]:
    values = {
        **stored_values(row_id - 1),
        "id": row_id,
        "username": "mallory",
        "reason": "a visit that never happened",
        "previous_hash": previous_hash,
    }
    values["hash"] = row_hash(values)
    return values


def _make_room_at(row_id: int) -> None:
    for later in range(ROWS, row_id - 1, -1):  # from the end, so that ids never collide
        AuditEvent.objects.filter(pk=later).update(id=later + 1)


def test_inserting_a_row_and_renumbering_the_later_ones() -> None:
    _make_room_at(5)
    AuditEvent.objects.create(**_forged(5, stored_values(4)["hash"]))
    AuditChainHead.objects.filter(pk=1).update(last_id=ROWS + 1)
    assert_broken_at(5, "row 5 was inserted")


def test_inserting_a_row_renumbering_and_rehashing_the_later_ones() -> None:
    _make_room_at(5)
    forged = _forged(5, stored_values(4)["hash"])
    AuditEvent.objects.create(**forged)
    for later in range(6, ROWS + 2):
        values = stored_values(later)
        AuditEvent.objects.filter(pk=later).update(hash=row_hash(values))
    last = stored_values(ROWS + 1)
    AuditChainHead.objects.filter(pk=1).update(last_id=ROWS + 1, last_hash=last["hash"])
    assert_broken_at(5, "row 5 was inserted")


def test_replacing_a_row_with_a_forged_one_under_the_same_number() -> None:
    AuditEvent.objects.filter(pk=5).delete()
    AuditEvent.objects.create(**_forged(5, stored_values(4)["hash"]))
    assert_broken_at(5, "row 5 was changed or replaced")


def test_appending_a_row_without_the_writer() -> None:
    AuditEvent.objects.create(**_forged(ROWS + 1, stored_values(ROWS)["hash"]))
    assert_broken_at(ROWS + 1, "beyond the chain's recorded head")


def test_a_changed_head() -> None:
    AuditChainHead.objects.filter(pk=1).update(last_hash="a" * 64)
    assert_broken_at(ROWS, "does not match the chain's recorded head")


def test_a_head_wound_back() -> None:
    AuditChainHead.objects.filter(pk=1).update(last_id=ROWS - 3)
    assert_broken_at(ROWS - 2, "beyond the chain's recorded head")


def test_the_report_counts_the_rows_verified_before_the_break() -> None:
    AuditEvent.objects.filter(pk=7).update(username="mallory")
    assert "(6 rows before it verified)" in assert_broken_at(7)
