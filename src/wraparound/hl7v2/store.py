"""Group commit: the rows of many concurrently arrived frames committed together, off the loop.

One writer thread owns the database connection.  Frames queue their rows; the writer takes all
that are waiting (up to a limit), commits them together (one INSERT for the inbox, one for the
quarantine when there is anything to quarantine), and only then resolves each frame's
future, so that no acknowledgment is written before its message is committed.  A failed group is
retried frame by frame, so that one bad frame is answered AE alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import psycopg
from django.db import connection, transaction
from django.db.models import BinaryField, CharField, DateTimeField, Field, IntegerField, TextField

from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage

logger = logging.getLogger(__name__)

Row = InboxMessage | QuarantinedMessage
DUPLICATE_KEY_IDENTIFIER = 205  # HL7 table 0357


class StoreFailed(Exception):
    """The frame's rows were not committed: it must be answered AE."""


class NotHeld(Exception):
    """A row was neither inserted nor already there."""


ROWS_PER_STATEMENT = 1000  # 18 parameters a row: under SQLite's 32,766


def _insert_ignoring_conflicts(
    model: type[Row], rows: Sequence[Row], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """One ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for many rows: the rows that were new.

    One statement is one round trip and, outside a transaction, one commit (Django's bulk_create
    with ignore_conflicts returns nothing, and SQLite's INSERT OR IGNORE would also skip a NOT NULL
    failure silently).  On PostgreSQL the rows travel as one JSON document read by
    json_populate_recordset(): one parameter, serialized by orjson, whatever the number of rows (an
    array per column cost the writer twice the CPU in psycopg's Python array dumpers, and that CPU
    holds the GIL the listener's loop needs).  The statement's text is built once per model
    (``_statement``).
    """
    fields, sql, _ = _statement(model, tuple(returning), connection.vendor)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        document = orjson.dumps(
            [{field.column: _json_value(getattr(row, field.attname)) for field in fields} for row in rows]
        ).decode()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [document])
            return list(cursor.fetchall())
    prepare = _sqlite_preparers(model)
    parameters = [convert(getattr(row, name)) for row in rows for name, convert in prepare]
    # Straight to sqlite3, with the statement for this many rows built once: Django's cursor would
    # rewrite every %s into ? with a regular expression on each call, on the listener's CPU.
    connection.ensure_connection()
    return list(
        connection.connection.execute(_sqlite_rows_statement(model, tuple(returning), len(rows)), parameters)
    )


@functools.lru_cache(maxsize=256)
def _sqlite_rows_statement(model: type[Row], returning: tuple[str, ...], count: int) -> str:
    _fields, sql, one_row = _statement(model, returning, "sqlite")
    return sql.replace("{values}", ", ".join([one_row.replace("%s", "?")] * count))


@functools.cache
def _statement(
    model: type[Row], returning: tuple[str, ...], vendor: str
) -> tuple[tuple[Field[Any, Any], ...], str, str]:
    """The columns' fields, the statement (on SQLite with ``{values}`` to fill in with one
    ``one_row`` per row), and ``one_row``."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns})"
    tail = f"ON CONFLICT DO NOTHING RETURNING {', '.join(quote(name) for name in returning)}"
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if vendor == "postgresql":
        table = quote(model._meta.db_table)
        sql = f"{head} SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s::json) {tail}"
    else:
        sql = f"{head} VALUES {{values}} {tail}"
    return tuple(fields), sql, one_row


@functools.cache
def _sqlite_preparers(model: type[Row]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each column's attribute and how SQLite takes its value: what ``get_db_prep_save`` does for
    these fields (a datetime in UTC text; text, numbers and bytes as they are), decided once."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    preparers: list[tuple[str, Callable[[Any], Any]]] = []
    for field in fields:
        if isinstance(field, DateTimeField):
            preparers.append((field.attname, connection.ops.adapt_datetimefield_value))
        elif isinstance(field, CharField | TextField | IntegerField | BinaryField):
            preparers.append((field.attname, _as_is))
        else:
            preparers.append(
                (field.attname, functools.partial(field.get_db_prep_save, connection=connection))
            )
    return tuple(preparers)


def _as_is(value: Any) -> Any:
    return value


def _json_value(value: object) -> object:
    """A column's value as json_populate_recordset reads it: bytes as bytea's hex text."""
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    return value


def _key(row: InboxMessage) -> tuple[str, str, str]:
    return (row.control_id, row.sending_facility, row.sending_application)


def write_rows(rows: Sequence[Row]) -> None:
    """Commit the rows; a re-sent message (same sender and MSH-10) is not stored twice.

    The inbox rows of a group go in one statement (one transaction when there are more than
    ROWS_PER_STATEMENT).  A message that reuses a held control id with other content is kept in the
    quarantine (code 205), so that nothing received is lost; the inbox keeps the first.
    """
    inbox = [row for row in rows if isinstance(row, InboxMessage)]
    quarantine = [row for row in rows if isinstance(row, QuarantinedMessage)]
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # WAL with synchronous=NORMAL (the project's default) may lose the last commits on power
        # loss; a commit acknowledged to a sender must survive it.  Set once per connection.
        connection.ensure_connection()
        if getattr(connection, "_inbox_synchronous_full", None) is not connection.connection:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=FULL")
            connection._inbox_synchronous_full = connection.connection  # type: ignore[attr-defined]
    with transaction.atomic() if len(inbox) > ROWS_PER_STATEMENT else contextlib.nullcontext():
        inserted: set[tuple[str, str, str]] = set()
        for start in range(0, len(inbox), ROWS_PER_STATEMENT):
            chunk = inbox[start : start + ROWS_PER_STATEMENT]
            returned = _insert_ignoring_conflicts(
                InboxMessage, chunk, ["control_id", "sending_facility", "sending_application"]
            )
            inserted.update((str(a), str(b), str(c)) for a, b, c in returned)
    conflicting, seen = [], set()
    for row in inbox:  # a row not inserted, or repeating a key earlier in the group, is checked
        if _key(row) not in inserted or _key(row) in seen:
            conflicting.append(row)
        seen.add(_key(row))
    if conflicting:
        quarantine.extend(_variants(conflicting))
    if quarantine:
        _insert_ignoring_conflicts(QuarantinedMessage, quarantine, ["id"])


def _variants(conflicting: Sequence[InboxMessage]) -> list[QuarantinedMessage]:
    """Of rows already held (or repeated within the group), those whose content differs from the held one."""
    held = {
        (control_id, facility, application): digest
        for control_id, facility, application, digest in InboxMessage.objects.filter(
            control_id__in={row.control_id for row in conflicting}
        ).values_list("control_id", "sending_facility", "sending_application", "raw_sha256")
    }
    variants = []
    for row in conflicting:
        digest = held.get(_key(row))
        if digest is None:
            raise NotHeld(f"control id {row.control_id!r} was not stored")
        if digest != row.raw_sha256:
            variants.append(
                QuarantinedMessage(
                    raw=row.raw,
                    raw_sha256=row.raw_sha256,
                    reason=(
                        f"control id {row.control_id!r} from {row.sending_application!r} "
                        f"{row.sending_facility!r} was already received with other content; "
                        "the inbox keeps the first"
                    ),
                    error_code=DUPLICATE_KEY_IDENTIFIER,
                    control_id=row.control_id,
                    received_at=row.received_at,
                    peer=row.peer,
                )
            )
    return variants


def write_groups(groups: Sequence[Sequence[Row]]) -> list[BaseException | None]:
    """Each group's failure, or None: all in one transaction, else group by group."""
    try:
        write_rows([row for group in groups for row in group])
        return [None] * len(groups)
    except Exception as error:
        _reset_after(error)
        if len(groups) == 1:
            return [error]
    failures: list[BaseException | None] = []
    for group in groups:
        try:
            write_rows(group)
            failures.append(None)
        except Exception as error:
            _reset_after(error)
            failures.append(error)
    return failures


def _reset_after(error: BaseException) -> None:
    logger.warning("hl7v2 inbox: commit failed: %r", error)
    if not connection.in_atomic_block:
        # A broken connection is opened again at the next write.
        connection.close_if_unusable_or_obsolete()
        if connection.connection is not None and not connection.is_usable():
            connection.close()


Request = tuple[list[Row], "asyncio.Future[None]"]


def _resolve(done: list[tuple[asyncio.Future[None], BaseException | None]]) -> None:
    """On the loop: each frame's future, once its group's commit has returned."""
    for future, failure in done:
        if future.done():
            continue
        if failure is None:
            future.set_result(None)
        else:
            future.set_exception(StoreFailed(repr(failure)))


class InboxWriter:
    """The single writer thread.  ``store=False`` acknowledges without storing (the benchmark's ceiling).

    Frames hand their rows over through a thread-safe queue; the thread takes whatever is waiting,
    commits it, and wakes the loop once per group to release the acknowledgments.
    """

    def __init__(
        self,
        *,
        store: bool = True,
        max_rows_per_commit: int = 1000,
        thread_initializer: Callable[[], None] | None = None,
        close_connection: bool = True,
    ) -> None:
        self.store = store
        self.max_rows_per_commit = max_rows_per_commit
        self.thread_initializer = thread_initializer
        self.close_connection = close_connection
        self._requests: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.commits = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.store:
            self._thread = threading.Thread(target=self._run, name="hl7v2-writer", daemon=True)
            self._thread.start()

    async def commit(self, rows: list[Row]) -> None:
        """Returns once the rows are committed; raises StoreFailed otherwise."""
        if not self.store or not rows:
            return
        assert self._loop is not None, "start() the writer first"
        future: asyncio.Future[None] = self._loop.create_future()
        self._requests.put((rows, future))
        await asyncio.shield(future)

    def _run(self) -> None:
        assert self._loop is not None
        if self.thread_initializer is not None:
            self.thread_initializer()
        try:
            while (first := self._requests.get()) is not None:
                pending, count, stopping = [first], len(first[0]), False
                while count < self.max_rows_per_commit:
                    try:
                        request = self._requests.get_nowait()
                    except queue.Empty:
                        break
                    if request is None:
                        stopping = True
                        break
                    pending.append(request)
                    count += len(request[0])
                try:
                    failures = write_groups([rows for rows, _ in pending])
                except Exception as error:  # write_groups catches its own; this is the last net
                    failures = [error] * len(pending)
                self.commits += 1
                done = [(future, failure) for (_, future), failure in zip(pending, failures, strict=True)]
                self._loop.call_soon_threadsafe(_resolve, done)
                if stopping:
                    break
        finally:
            if self.close_connection:
                connection.close()

    async def close(self) -> None:
        if self._thread is not None:
            self._requests.put(None)  # after whatever is already queued
            await asyncio.to_thread(self._thread.join)
