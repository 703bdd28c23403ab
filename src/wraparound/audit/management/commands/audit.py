"""``wraparound audit verify`` and ``wraparound audit export``.

``verify`` walks the hash chain in id order, a batch of rows per query, and
exits 0 when it holds; else it names the first row that does not and exits
with EXIT_CHAIN_BROKEN.  ``export`` writes the rows of a period as CSV, and
records that it did.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wraparound.audit.actions import Actor, record
from wraparound.audit.chain import VERIFY_BATCH_SIZE, Verification, stored_head, verify_stored_chain
from wraparound.audit.models import Action
from wraparound.audit.reports import csv_lines, events_between

# Exit codes are never reused: 1 is Django's usage error (CommandError), 2 argparse's, 3 import's rejects.
EXIT_CHAIN_BROKEN = 4


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            return dt.datetime.strptime(text, "%m/%d/%Y").date()
        except ValueError:
            raise CommandError(f"not a date: {text!r} (write YYYY-MM-DD or MM/DD/YYYY)") from None


class Command(BaseCommand):
    help = "The audit log: verify its hash chain, or export a period as CSV."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,export}")
        verify = subcommands.add_parser(
            "verify",
            help="check that no audit row was changed, deleted or inserted",
            description=(
                "Walk the audit chain in id order. Exit 0 when it holds; else print the first broken"
                f" row and exit {EXIT_CHAIN_BROKEN}."
            ),
        )
        verify.add_argument(
            "--batch-size",
            type=int,
            default=VERIFY_BATCH_SIZE,
            help="rows read per query (default %(default)s)",
        )
        export = subcommands.add_parser("export", help="write the audit rows of a period as CSV")
        export.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD), included")
        export.add_argument("--to", dest="end", required=True, help="last day (YYYY-MM-DD), included")
        export.add_argument(
            "--csv", dest="csv_path", required=True, help="the file to write ('-': standard output)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options["batch_size"])
        else:
            self.export(_date(options["start"]), _date(options["end"]), options["csv_path"])

    def verify(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        result = (
            self._walk_with_progress(batch_size)
            if self.stdout.isatty()
            else verify_stored_chain(batch_size=batch_size)
        )
        if result.broken is not None:
            where = f"row {result.broken.row_id}" if result.broken.row_id is not None else "its head"
            raise CommandError(
                f"audit chain broken at {where}: {result.broken.problem}"
                f" ({result.rows:,} rows before it verified)",
                returncode=EXIT_CHAIN_BROKEN,
            )
        self.stdout.write(f"audit chain intact: {result.rows} rows")
        self.stdout.write(f"last row {result.last_id}, hash {result.last_hash}")

    def _walk_with_progress(self, batch_size: int) -> Verification:
        columns = (
            TextColumn("verifying the audit chain"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(), transient=True) as progress:
            task = progress.add_task("verify", total=None)

            def on_batch(rows: int, expected: int) -> None:
                progress.update(task, completed=rows, total=expected)

            return verify_stored_chain(batch_size=batch_size, on_batch=on_batch)

    def export(self, start: dt.date, end: dt.date, csv_path: str) -> None:
        if end < start:
            raise CommandError("--to is before --from")
        last_id, _ = stored_head()  # the export's own row (and later ones) stay out of it
        events = events_between(start, end).filter(id__lte=last_id)
        total = events.count()
        record(
            Actor.system(f"cli:{getpass.getuser()}"),
            Action.EXPORT,
            resource_type="AuditLog",
            detail={"from": start.isoformat(), "to": end.isoformat(), "rows": total, "file": csv_path},
        )
        if csv_path == "-":
            for line in csv_lines(events):
                self.stdout.write(line, ending="")
            return
        with Path(csv_path).open("w", encoding="utf-8", newline="") as file:
            file.writelines(csv_lines(events))
        self.stdout.write(f"{total} audit rows from {start:%m/%d/%Y} to {end:%m/%d/%Y} written to {csv_path}")
