"""The database itself refuses to change or delete audit rows (migration 0002), on each vendor."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from tests.audit.conftest import verify, write_rows
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action, AuditEvent

REFUSAL = "audit rows are append-only"


def _refused(statement: str, params: list[object]) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(refused.value)


def _trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_the_application_cannot_update_or_delete_audit_rows() -> None:
    """On PostgreSQL the plpgsql trigger; on SQLite the two RAISE(ABORT) triggers (never skipped)."""
    write_rows(5)
    if connection.vendor == "postgresql":
        assert _trigger_names() == {"audit_event_append_only"}
    else:
        assert connection.vendor == "sqlite"
        assert _trigger_names() == {"audit_event_refuse_update", "audit_event_refuse_delete"}
    for statement in (
        "UPDATE audit_auditevent SET username = %s WHERE id = 3",
        "UPDATE audit_auditevent SET id = 300 WHERE id = 3 AND username <> %s",
        "DELETE FROM audit_auditevent WHERE id = 3 AND username <> %s",
        "DELETE FROM audit_auditevent WHERE id = 5 AND username <> %s",
    ):
        assert REFUSAL in _refused(statement, ["mallory"])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=2).update(reason="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.get(pk=4).delete()
    assert AuditEvent.objects.count() == 5
    assert set(AuditEvent.objects.values_list("username", flat=True)) == {"alice"}
    assert verify().returncode == 0


@pytest.mark.django_db
def test_what_each_vendor_still_lets_through() -> None:
    """PostgreSQL: TRUNCATE (row triggers do not fire).  SQLite, which has no TRUNCATE and whose
    flush is a plain DELETE: removing the oldest row left, so that a whole-table DELETE still runs."""
    write_rows(4)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent")
        else:
            assert REFUSAL in _refused("DELETE FROM audit_auditevent WHERE id > %s", [1])
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_between_tests_still_works() -> None:
    """Django's flush (TRUNCATE on PostgreSQL, DELETE on SQLite) runs after this test: it must not fail."""
    write_rows(6)
    assert verify().returncode == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    """Writers in several threads at once: the head-row lock serializes them into one chain."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # SQLite has one writer at a time: every transaction begins IMMEDIATE, taking the write lock
        # before reading the head.  The in-memory test database refuses threads' writes at once
        # ("table is locked") instead of waiting; WRAPAROUND_TEST_SQLITE=path runs the threads on a file.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        record(Actor.system(), Action.VIEW)
        assert verify().returncode == 0
        return
    writers, rows_each = 4, 15
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for row in range(rows_each):
                record(Actor.system(f"writer-{number}"), Action.VIEW, resource_id=str(row))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert list(AuditEvent.objects.order_by("id").values_list("id", flat=True)) == list(
        range(1, writers * rows_each + 1)
    )
    outcome = verify()
    assert outcome.returncode == 0, outcome.output
    assert f"audit chain intact: {writers * rows_each} rows" in outcome.output
