"""``wraparound risk --all`` (or ``--patient ID ...``): recompute risk profiles and LACE scores."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wraparound.registry.models import Patient
from wraparound.risk.actions import RiskRun, do_compute_risk


class Command(BaseCommand):
    help = "Recompute risk profiles (CMS-HCC, utilization, LACE, tier) for every patient or the ones named."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="every patient")
        target.add_argument("--patient", type=uuid.UUID, nargs="+", help="these patients' ids")
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")

    def handle(self, *args: Any, **options: Any) -> None:
        patient_ids: list[uuid.UUID] | None = options["patient"]
        if patient_ids is not None:
            unknown = set(patient_ids) - set(
                Patient.objects.filter(id__in=patient_ids).values_list("id", flat=True)
            )
            if unknown:
                raise CommandError(f"no such patient: {', '.join(sorted(str(i) for i in unknown))}")
        if options["quiet"] or not self.stdout.isatty():
            run = do_compute_risk(patient_ids)
        else:
            run = self._with_progress(patient_ids)
        if not options["quiet"]:
            self.stdout.write(f"risk profiles: {run.patients:,}; LACE scores: {run.discharges:,}")

    def _with_progress(self, patient_ids: list[uuid.UUID] | None) -> RiskRun:
        total = len(patient_ids) if patient_ids is not None else Patient.objects.count()
        columns = (TextColumn("computing risk"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(), transient=True) as progress:
            task = progress.add_task("risk", total=total)
            return do_compute_risk(patient_ids, progress=lambda done: progress.advance(task, done))
