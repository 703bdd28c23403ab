"""Import throughput against the fastest raw insert of the same rows, on one database.

Usage: python benchmarks/bench_import.py [--members 10000] [--skip-generated]
The database comes from DATABASE_URL (run_all.py runs this once on a fresh
SQLite file and once on a throwaway PostgreSQL cluster).

For each data set (ca-2025 FHIR bundles; N generated members) it imports into
empty tables and reports resources/s, then reads back every row the import
wrote, empties the tables, and inserts the same rows from pre-parsed tuples
through the database's fastest path: one-transaction ``executemany`` on
SQLite, ``COPY`` on PostgreSQL.  The ratio is baseline time / import time
(1.0 would mean the importer costs nothing beyond the raw insert).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def _setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tables() -> list[str]:
    from django.apps import apps

    models = [m for m in apps.get_app_config("registry").get_models()]
    return [m._meta.db_table for m in models]


def _empty_tables() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in reversed(_tables()):
            cursor.execute(f'DELETE FROM "{table}"')


def _read_rows() -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    from django.db import connection

    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            rows[table] = (columns, [tuple(r) for r in cursor.fetchall()])
    return rows


def _baseline(rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> float:
    """Insert the same rows through the fastest raw path; seconds."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with raw.transaction(), raw.cursor() as cursor:
            for table, (columns, data) in rows.items():
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in data:
                        copy.write_row(row)
    else:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        for table, (columns, data) in rows.items():
            if data:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{table}" VALUES ({marks})', data)
        cursor.execute("COMMIT")
    return time.perf_counter() - started


def measure(label: str, paths: list[Path], source: str) -> dict[str, Any]:
    from django.db import connection

    from wraparound.ingest.pipeline import Importer

    _empty_tables()
    started = time.perf_counter()
    report = Importer(source=source).run(paths)
    import_seconds = time.perf_counter() - started
    if report.rejected:
        raise SystemExit(f"{label}: {len(report.rejected)} units rejected: {report.rejected[0].problem}")
    resources = report.count("created")
    rows = _read_rows()
    row_count = sum(len(data) for _, data in rows.values())
    _empty_tables()
    baseline_seconds = _baseline(rows)
    result = {
        "database": connection.vendor,
        "data": label,
        "resources": resources,
        "rows": row_count,
        "import_s": import_seconds,
        "import_resources_per_s": resources / import_seconds,
        "baseline_s": baseline_seconds,
        "baseline_rows_per_s": row_count / baseline_seconds,
        "ratio": baseline_seconds / import_seconds,
    }
    print(
        f"{connection.vendor:10} {label:24} {resources:>9,} resources  import {import_seconds:7.2f} s "
        f"({result['import_resources_per_s']:>8,.0f}/s)  baseline {baseline_seconds:6.2f} s "
        f"({result['baseline_rows_per_s']:>8,.0f} rows/s)  ratio {result['ratio']:.2f}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--skip-generated", action="store_true")
    arguments = parser.parse_args()
    _setup()
    measure("ca-2025 (FHIR bundles)", [SHARED_DATA / "synthea" / "ca-2025" / "fhir"], "bench")
    if not arguments.skip_generated:
        from wraparound.synth.writer import generate_population

        with tempfile.TemporaryDirectory(prefix="wraparound-bench-") as folder:
            generate_population(Path(folder), members=arguments.members, seed=7, progress=False)
            measure(f"generated {arguments.members:,} members", [Path(folder)], "bench")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT / "src"))
    main()
