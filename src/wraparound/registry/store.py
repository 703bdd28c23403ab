"""Bulk writes of FHIR resources into the registry: the one write path for clinical records.

The importer hands over resources already validated and mapped; this module
decides, per resource, whether it is new, unchanged or changed (by primary key
and content hash), inserts new rows through the database's fastest path
(``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL),
updates changed rows in place and keeps what they replaced in
``ResourceVersion``.  Callers own the transaction: a unit that fails rolls
back everything it wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import orjson
from django.db import IntegrityError, connection, models, transaction

from wraparound.registry.models import (
    MODEL_BY_TYPE,
    Identifier,
    IdentityLink,
    Patient,
    RawResource,
    ResourceVersion,
    StoredResource,
)

IN_BATCH = 500
IDENTIFIED_TYPES = frozenset({"Patient", "Practitioner", "Organization", "Location", "PractitionerRole"})


class Incoming(Protocol):
    """One resource ready to store: its database row (from ``RowMaker``), hash and identifiers.

    The importer's prepared items are these (``ingest.prepare.PreparedItem``).
    """

    @property
    def resource_type(self) -> str: ...
    @property
    def id(self) -> str: ...  # the primary key as 32 hex digits
    @property
    def content_hash(self) -> str: ...
    @property
    def row(self) -> list[Any]: ...
    @property
    def identifiers(self) -> list[tuple[str, str, str]]: ...
    @property
    def raw(self) -> bool: ...


def model_for(resource_type: str, raw: bool) -> type[StoredResource]:
    return RawResource if raw else MODEL_BY_TYPE[resource_type]


Outcome = tuple[str, str]  # (resource type, "created" | "updated" | "unchanged")


class _Table:
    """Column order and per-database value converters of one model, computed once."""

    def __init__(self, model: type[models.Model], vendor: str) -> None:
        self.model = model
        self.name = model._meta.db_table
        # Auto-increment keys are the database's to assign.
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.AutoField | models.BigAutoField)
        ]
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.converters = [_converter(f, vendor) for f in self.fields]
        self.defaults = [_default(f) for f in self.fields]

        self._pairs = list(zip(self.attnames, self.defaults, strict=True))
        self.position = {name: i for i, name in enumerate(self.attnames)}
        self._converting = [(i, c) for i, c in enumerate(self.converters) if c is not None]

    def row(self, values: dict[str, Any]) -> list[Any]:
        """Column values in table order, converted for the database (the import's hot path)."""
        row = [values.get(name, default) for name, default in self._pairs]
        for position, convert in self._converting:
            value = row[position]
            if value is not None:
                row[position] = convert(value)
        return row


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _uuid_hex(value: Any) -> Any:
    """Keys travel through the importer as 32 hex digits (see core.identity.resource_key).

    Anything else (a key the importer still has to look up) passes through untouched.
    """
    return value.hex if isinstance(value, uuid.UUID) else value


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: naive UTC, ``str()`` form."""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return str(value.replace(tzinfo=None))


def _converter(model_field: models.Field[Any, Any], vendor: str) -> Callable[[Any], Any] | None:
    target = getattr(model_field, "target_field", model_field) if model_field.is_relation else model_field
    if isinstance(model_field, models.JSONField):
        return _json_text
    if isinstance(target, models.UUIDField):
        return _uuid_hex
    if vendor != "sqlite":
        return None
    if isinstance(model_field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(model_field, models.DateField):
        return dt.date.isoformat
    return None


def _default(model_field: models.Field[Any, Any]) -> Any:
    if model_field.has_default():
        value = model_field.get_default()
        return orjson.dumps(value).decode() if isinstance(model_field, models.JSONField) else value
    if model_field.null:
        return None
    if isinstance(model_field, models.CharField):
        return ""
    return None


@functools.cache
def _table(model: type[models.Model], vendor: str) -> _Table:
    return _Table(model, vendor)


class RowMaker:
    """Builds the database row of a resource.  It needs no connection: worker processes use it too."""

    def __init__(self, source: str, vendor: str) -> None:
        self.source = source
        self.vendor = vendor

    def table(self, model: type[models.Model]) -> _Table:
        return _table(model, self.vendor)

    def row(
        self,
        resource_type: str,
        raw: bool,
        pk: str,
        source_id: str,
        json_text: str,
        content_hash: str,
        columns: dict[str, Any],
    ) -> list[Any]:
        """The row as first stored (version 1); the writer sets the timestamps when it stores it."""
        values = dict(columns)
        values.update(
            id=pk,
            source=self.source,
            source_id=source_id,
            resource=json_text,
            content_hash=content_hash,
            version=1,
        )
        if raw:
            values["resource_type"] = resource_type
        return self.table(model_for(resource_type, raw)).row(values)


class RegistryWriter:
    """Stores chunks of incoming resources inside the caller's transaction."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.vendor = connection.vendor
        self.rows = RowMaker(source, self.vendor)
        self._careful: set[type[StoredResource]] = set()  # types where new keys met stored ones
        # The patients whose records this writer created or changed (as stored: hex or UUID),
        # so the work that follows an import knows whom to recompute without searching.
        self.touched_patients: set[Any] = set()

    def table(self, model: type[models.Model]) -> _Table:
        return self.rows.table(model)

    def write(self, items: Sequence[Incoming], now: dt.datetime) -> Counter[Outcome]:
        outcomes: Counter[Outcome] = Counter()
        by_model: dict[type[StoredResource], list[Incoming]] = {}
        for item in items:
            by_model.setdefault(model_for(item.resource_type, item.raw), []).append(item)
        for model, group in by_model.items():
            if self._insert_all_new(model, group, now):
                for item in group:
                    outcomes[(item.resource_type, "created")] += 1
                self._touch(model, group)
                continue
            existing = self._existing(model, [item.id for item in group])
            new = [item for item in group if item.id not in existing]
            differing = [
                item for item in group if item.id in existing and existing[item.id][0] != item.content_hash
            ]
            stale = self._seen_before(differing)
            changed = [item for item in differing if (item.id, item.content_hash) not in stale]
            self._insert(model, new, now)
            self._update(model, changed, {i.id: existing[i.id][1] for i in changed}, now)
            self._touch(model, new)
            self._touch(model, changed)
            changed_ids = {item.id for item in changed}
            for item in group:
                outcome = (
                    "created"
                    if item.id not in existing
                    else "updated"
                    if item.id in changed_ids
                    else "unchanged"
                )
                outcomes[(item.resource_type, outcome)] += 1
        return outcomes

    def _touch(self, model: type[StoredResource], items: list[Incoming]) -> None:
        if model is Patient:
            self.touched_patients.update(item.id for item in items)
            return
        position = self.table(model).position.get("patient_id")
        if position is not None:
            self.touched_patients.update(
                patient for item in items if (patient := item.row[position]) is not None
            )

    def _insert_all_new(self, model: type[StoredResource], group: list[Incoming], now: dt.datetime) -> bool:
        """Insert the group as new rows, if none of them is stored yet; whether it did.

        A first load is all new, so asking the database which keys it holds
        would be wasted work: the insert is tried in a savepoint, and the
        primary key's uniqueness answers instead.  One collision and the
        savepoint rolls back; the type then takes the careful path (look up,
        compare hashes) for the rest of this writer's life.
        """
        if model in self._careful:
            return False
        try:
            with transaction.atomic(), connection.wrap_database_errors:
                self._insert(model, group, now)
        except IntegrityError:
            self._careful.add(model)
            return False
        return True

    # --- reads -----------------------------------------------------------------

    def _existing(self, model: type[models.Model], ids: list[str]) -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        table = model._meta.db_table
        with connection.cursor() as cursor:
            for start in range(0, len(ids), IN_BATCH):
                batch = ids[start : start + IN_BATCH]
                marks = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    f'SELECT "id", "content_hash", "version" FROM "{table}" WHERE "id" IN ({marks})', batch
                )
                for pk, content_hash, version in cursor.fetchall():
                    found[_uuid_hex(pk)] = (content_hash, version)
        return found

    def _seen_before(self, items: list[Incoming]) -> set[tuple[str, str]]:
        """Which incoming (id, hash) pairs are a version already replaced: an older copy, not news."""
        if not items:
            return set()
        seen: set[tuple[str, str]] = set()
        ids = [item.id for item in items]
        for start in range(0, len(ids), IN_BATCH):
            rows = ResourceVersion.objects.filter(resource_id__in=ids[start : start + IN_BATCH]).values_list(
                "resource_id", "content_hash"
            )
            seen.update((pk.hex, content_hash) for pk, content_hash in rows)
        return seen

    # --- writes ----------------------------------------------------------------

    def _stamped(self, table: _Table, row: list[Any], now: Any, version: int | None = None) -> list[Any]:
        row[table.position["received_at"]] = now
        row[table.position["updated_at"]] = now
        if version is not None:
            row[table.position["version"]] = version
        return row

    def _database_time(self, table: _Table, now: dt.datetime) -> Any:
        convert = table.converters[table.position["updated_at"]]
        return convert(now) if convert else now

    def _insert(self, model: type[StoredResource], items: list[Incoming], now: dt.datetime) -> None:
        if not items:
            return
        table = self.table(model)
        stamp = self._database_time(table, now)
        self.bulk_insert(table, (self._stamped(table, item.row, stamp) for item in items))
        self._insert_identifiers(items)
        if model is Patient:
            links = self.table(IdentityLink)
            self.bulk_insert(
                links,
                (
                    links.row(
                        {"patient_id": i.id, "person_id": i.id, "method": "source-record", "created_at": now}
                    )
                    for i in items
                ),
            )

    def _insert_identifiers(self, items: Iterable[Incoming]) -> None:
        table = self.table(Identifier)
        self.bulk_insert(
            table,
            (
                table.row(
                    {
                        "resource_type": item.resource_type,
                        "resource_id": item.id,
                        "system": system[:255],
                        "value": value[:255],
                        "type_code": type_code[:16],
                    }
                )
                for item in items
                if item.resource_type in IDENTIFIED_TYPES and not item.raw
                for system, value, type_code in item.identifiers
            ),
        )

    def _update(
        self, model: type[StoredResource], items: list[Incoming], versions: dict[str, int], now: dt.datetime
    ) -> None:
        if not items:
            return
        ids = [item.id for item in items]
        for start in range(0, len(ids), IN_BATCH):
            batch = ids[start : start + IN_BATCH]
            ResourceVersion.objects.bulk_create(
                ResourceVersion(
                    resource_type=row.resource_type if isinstance(row, RawResource) else row.FHIR_TYPE,
                    resource_id=row.pk,
                    version=row.version,
                    content_hash=row.content_hash,
                    resource=row.resource,
                    replaced_at=now,
                )
                for row in model._default_manager.filter(pk__in=batch)
            )
        table = self.table(model)
        kept = ("id", "received_at")
        positions = [i for i, name in enumerate(table.attnames) if name not in kept]
        assignments = ", ".join(f'"{table.columns[i]}" = %s' for i in positions)
        sql = f'UPDATE "{table.name}" SET {assignments} WHERE "id" = %s'
        stamp = self._database_time(table, now)
        params = []
        for item in items:
            row = self._stamped(table, list(item.row), stamp, versions[item.id] + 1)
            params.append((*(row[i] for i in positions), row[0]))
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        Identifier.objects.filter(resource_id__in=ids).delete()
        self._insert_identifiers(items)

    def bulk_insert(self, table: _Table, rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows in column order through the database's fastest path; returns how many."""
        columns = ", ".join(f'"{c}"' for c in table.columns)
        connection.ensure_connection()
        if self.vendor == "postgresql":
            count = 0
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        placeholders = ", ".join("?" for _ in table.columns)
        raw_cursor = connection.connection.cursor()
        batch = list(rows)
        raw_cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})', batch)
        return len(batch)
