"""Insert-or-replace many rows in one ``executemany``, without the ORM's per-value preparation.

``QuerySet.bulk_create(update_conflicts=True)`` prepares every value of every row through
the field machinery; for recomputations that rewrite hundreds of thousands of derived rows
(eligibility decisions, risk profiles) that preparation costs more than the database work.
``upsert`` prepares values with one converter per column, chosen once, and sends a single
``INSERT ... ON CONFLICT (...) DO UPDATE`` (SQLite 3.24+, PostgreSQL) through ``executemany``.
Only for models whose rows are fully given (no database defaults, no auto primary key needed
back).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin

Converter = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any]) -> Converter:
    ops = connection.ops
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.UUIDField):
        if connection.vendor == "postgresql":
            return lambda value: value
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return lambda value: value


def upsert(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Write ``objects`` (unsaved instances) in one statement; rows that collide are updated."""
    if not objects:
        return 0
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not isinstance(field, AutoFieldMixin)]
    quote = connection.ops.quote_name
    placeholders = []
    for field in fields:
        cast = "CAST(%s AS jsonb)" if isinstance(field, models.JSONField) else "%s"
        placeholders.append(cast if connection.vendor == "postgresql" else "%s")
    column = {field.name: quote(field.column) for field in fields}
    conflict = ", ".join(column[name] for name in unique_fields)
    updates = ", ".join(f"{column[name]} = excluded.{column[name]}" for name in update_fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(placeholders)}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    converters = [(field.attname, _converter(field)) for field in fields]
    rows = [
        tuple(
            None if (value := getattr(obj, attname)) is None else convert(value)
            for attname, convert in converters
        )
        for obj in objects
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
