"""``wraparound recompute --all [--workers N]``: eligibility under every rule pack in effect and risk,
for the whole registry, in worker processes (what `wraparound worker` does after each import, for
everyone at once: after a new rule pack or new cut points, for example)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.ingest.tasks import recompute_everyone


class Command(BaseCommand):
    help = "Recompute eligibility (every pack in effect) and risk for every patient, in parallel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="every patient (required)")
        parser.add_argument(
            "--workers", type=int, default=None, help="worker processes (default: one per CPU)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["all"]:
            raise CommandError("say --all: this recomputes everyone (imports recompute their own patients)")
        workers = options["workers"] or os.cpu_count() or 1
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        started = time.perf_counter()
        done = recompute_everyone(workers=workers, progress=not options["quiet"])
        if not options["quiet"]:
            self.stdout.write(
                f"{done['risk_profiles']:,} patients: {done['decisions']:,} eligibility decisions and "
                f"{done['risk_profiles']:,} risk profiles in {time.perf_counter() - started:.1f} s "
                f"({workers} workers)"
            )
