"""``wraparound import PATH...``: FHIR Bundles, Bulk FHIR NDJSON, Synthea CSV folders, and archives of them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from wraparound.ingest.pipeline import Importer, ImportReport, UnitResult
from wraparound.ingest.sources import count_units
from wraparound.ingest.tasks import recompute_after_import

NAMED_LIMIT = 20_000  # past this many patients, the job finds them itself (most of the registry)

EXIT_REJECTED = 3  # some units were rejected (exit codes are never reused: see docs/import.md)


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Import FHIR R4 Bundles, Bulk FHIR NDJSON and Synthea CSV folders (files, folders, .zip, .tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--source", default="import", help="name of the sending system (default: import)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar; print only problems")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        console = Console(stderr=False, quiet=False)
        started = timezone.now()
        report = _run(paths, options["source"], options["quiet"], console)
        if report.count("created") or report.count("updated"):
            # Eligibility and risk of the patients this import touched, by `wraparound worker`.
            touched = report.touched_patients
            named = sorted(str(patient) for patient in touched) if len(touched) <= NAMED_LIMIT else None
            recompute_after_import.enqueue(started.isoformat(), named)
        if not options["quiet"]:
            console.print(summary_table(report))
        for unit in report.rejected:
            console.print(f"[red]rejected[/red] {unit.problem}", markup=True, highlight=False, soft_wrap=True)
        if report.rejected:
            console.print(
                f"{len(report.rejected)} of {len(report.units)} units rejected; nothing of them was written."
            )
            sys.exit(EXIT_REJECTED)


def _run(paths: list[Path], source: str, quiet: bool, console: Console) -> ImportReport:
    if quiet:
        return Importer(source=source).run(paths)
    total = count_units(paths)
    columns = (
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("importing", total=total)
        resources = 0

        def on_unit(result: UnitResult) -> None:
            nonlocal resources
            resources += result.resources
            progress.update(task, advance=1, description=f"importing · {resources:,} resources")

        return Importer(source=source, on_unit=on_unit).run(paths)


def summary_table(report: ImportReport) -> Table:
    table = Table(title=f"Units: {report.units_ok} imported, {len(report.rejected)} rejected")
    table.add_column("Resource type")
    for outcome in ("created", "updated", "unchanged"):
        table.add_column(outcome.capitalize(), justify="right")
    types = sorted({resource_type for resource_type, _ in report.outcomes})
    for resource_type in types:
        table.add_row(
            resource_type,
            *(f"{report.outcomes[(resource_type, o)]:,}" for o in ("created", "updated", "unchanged")),
        )
    table.add_row(
        "[bold]Total[/bold]",
        *(f"[bold]{report.count(o):,}[/bold]" for o in ("created", "updated", "unchanged")),
    )
    return table
