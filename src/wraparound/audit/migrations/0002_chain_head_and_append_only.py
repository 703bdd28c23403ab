"""The chain's head at genesis, and triggers that make audit rows append-only.

PostgreSQL: a row trigger calls a plpgsql function that raises on UPDATE and
DELETE.  TRUNCATE stays possible (row triggers do not fire on it): the test
framework empties tables with it between tests, and whoever may TRUNCATE
owns the table anyway.

SQLite has no TRUNCATE: Django's flush empties a table with a plain DELETE,
which fires row triggers.  So the DELETE trigger there refuses every row but
the oldest one left: a whole-table DELETE (which SQLite runs oldest first)
still empties the table, and any other delete is refused.  A removed prefix
shows in ``wraparound audit verify`` as missing rows.

On SQLite, a later migration that alters ``audit_auditevent`` rebuilds the
table and so drops these triggers: such a migration must create them again
(copy ``SQLITE_TRIGGERS``).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLE = "audit_auditevent"
GENESIS_HASH = "0" * 64
REFUSAL = "audit rows are append-only: UPDATE and DELETE are refused"

POSTGRESQL_FUNCTION = "audit_event_refuse_change"
POSTGRESQL_TRIGGER = "audit_event_append_only"
POSTGRESQL_CREATE = [
    f"""
    CREATE FUNCTION {POSTGRESQL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% of row %)', TG_OP, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {POSTGRESQL_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {POSTGRESQL_FUNCTION}()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {POSTGRESQL_TRIGGER} ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {POSTGRESQL_FUNCTION}()",
]

SQLITE_UPDATE_TRIGGER = "audit_event_refuse_update"
SQLITE_DELETE_TRIGGER = "audit_event_refuse_delete"
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER {SQLITE_UPDATE_TRIGGER} BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{REFUSAL}');
    END
    """,
    f"""
    CREATE TRIGGER {SQLITE_DELETE_TRIGGER} BEFORE DELETE ON {TABLE}
    WHEN old.id > (SELECT min(id) FROM {TABLE})
    BEGIN
        SELECT RAISE(ABORT, '{REFUSAL}');
    END
    """,
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {SQLITE_UPDATE_TRIGGER}",
    f"DROP TRIGGER IF EXISTS {SQLITE_DELETE_TRIGGER}",
]


def _statements(schema_editor: Any, *, create: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    if vendor == "sqlite":
        return SQLITE_TRIGGERS if create else SQLITE_DROP
    raise RuntimeError(f"the audit log's append-only triggers exist for PostgreSQL and SQLite, not {vendor}")


def create_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor, create=True):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor, create=False):
        schema_editor.execute(statement, params=None)


def create_head(apps: Any, schema_editor: Any) -> None:
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_id": 0, "last_hash": GENESIS_HASH}
    )


def remove_head(apps: Any, schema_editor: Any) -> None:
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.using(schema_editor.connection.alias).filter(pk=1, last_id=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_head, remove_head),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
