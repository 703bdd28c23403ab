"""``wraparound eligibility --all [--program NAME]`` and ``--program NAME --export FILE.csv``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.eligibility.actions import do_decide
from wraparound.eligibility.engine import PackNotInEffect
from wraparound.eligibility.models import EligibilityDecision
from wraparound.eligibility.rulepacks import Pack, get_pack

DEFAULT_PROGRAM = "federal-1945"
EXPORT_COLUMNS = [
    "patient_id",
    "source",
    "source_id",
    "name",
    "medicaid_id",
    "criteria_met",
    "categories",
    "flags",
]


class Command(BaseCommand):
    help = "Decide Health Home eligibility for every patient, or export the eligible list with reasons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="decide for every patient")
        parser.add_argument(
            "--program", default=DEFAULT_PROGRAM, help=f"rule pack name (default {DEFAULT_PROGRAM})"
        )
        parser.add_argument(
            "--export", type=Path, metavar="FILE.csv", help="write the eligible patients with reasons"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["all"] and options["export"] is None:
            raise CommandError("say what to do: --all to decide for every patient, or --export FILE.csv")
        try:
            pack = get_pack(options["program"])
        except KeyError as error:
            raise CommandError(str(error.args[0])) from error
        if options["all"]:
            try:
                count = do_decide(None, pack)
            except PackNotInEffect as error:
                raise CommandError(str(error)) from error
            eligible = _eligible(pack).count()
            self.stdout.write(f"{pack.name} {pack.version}: {count} patients decided, {eligible} eligible")
        if options["export"] is not None:
            written = export_eligible(pack, options["export"])
            self.stdout.write(f"{written} eligible patients written to {options['export']}")


def _eligible(pack: Pack) -> Any:
    return EligibilityDecision.objects.filter(pack=pack.name, version=pack.version, eligible=True)


def export_eligible(pack: Pack, target: Path) -> int:
    """Write one CSV row per eligible patient under the pack's current version."""
    rows = (
        _eligible(pack)
        .select_related("patient")
        .order_by("patient__family_name", "patient__given_names", "id")
    )
    written = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*EXPORT_COLUMNS, "explanation", "pack", "version", "decided_at"])
        for row in rows.iterator(chunk_size=2000):
            patient = row.patient
            writer.writerow(
                [
                    patient.id,
                    patient.source,
                    patient.source_id,
                    f"{patient.given_names} {patient.family_name}".strip(),
                    patient.medicaid_id,
                    ";".join(row.criteria.get("met", [])),
                    ";".join(row.criteria.get("categories", [])),
                    ";".join(row.criteria.get("flags", [])),
                    row.explanation,
                    row.pack,
                    row.version,
                    row.decided_at.isoformat(),
                ]
            )
            written += 1
    return written
