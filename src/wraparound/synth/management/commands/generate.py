"""``wraparound generate``: write a deterministic synthetic Medicaid population as FHIR R4."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.synth.writer import DEFAULT_AS_OF, OutputNotEmptyError, generate_population


def _as_of(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from error


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return number


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic Medicaid population (adults and children) as Synthea-shaped "
        "FHIR R4: reference.json plus one transaction Bundle per member, or Bulk FHIR NDJSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=_count, required=True, help="how many members to generate")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--out", type=Path, required=True, help="output folder")
        parser.add_argument("--ndjson", action="store_true", help="write one NDJSON file per resource type")
        parser.add_argument(
            "--as-of",
            type=_as_of,
            default=DEFAULT_AS_OF,
            help=f"the date the history runs up to, YYYY-MM-DD (default {DEFAULT_AS_OF.isoformat()})",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
        parser.add_argument(
            "--workers",
            type=_count,
            default=None,
            help="worker processes (default: one per CPU for large runs)",
        )
        parser.add_argument(
            "--force", action="store_true", help="replace earlier generated output in a non-empty folder"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet: bool = options["quiet"]
        try:
            stats = generate_population(
                options["out"],
                options["members"],
                options["seed"],
                ndjson=options["ndjson"],
                as_of=options["as_of"],
                progress=not quiet,
                workers=options["workers"] or None,
                overwrite=options["force"],
            )
        except OutputNotEmptyError as error:
            raise CommandError(str(error)) from error
        if quiet:
            return
        self.stdout.write(
            f"Wrote {stats.members:,} members ({stats.total_resources:,} resources, {stats.files:,} files, "
            f"{stats.bytes_written / 1_048_576:,.1f} MiB) to {stats.out_dir} in {stats.seconds:,.1f} s "
            f"({stats.members_per_second:,.0f} members/s)."
        )
        for resource_type, count in stats.resources.items():
            self.stdout.write(f"  {resource_type:<20} {count:>12,}")
