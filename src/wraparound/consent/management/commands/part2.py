"""``wraparound part2 designate SOURCE --name NAME``: mark an import source as a 42 CFR Part 2 program."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wraparound.consent.actions import do_designate_part2_program
from wraparound.consent.models import Part2Program
from wraparound.core.models import CareOrganization


class Command(BaseCommand):
    help = "List or designate the 42 CFR Part 2 programs whose SUD records are segmented."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the designated programs")
        designate = sub.add_parser("designate", help="mark an import source as a Part 2 program")
        designate.add_argument("source", help="the import source name (wraparound import --source)")
        designate.add_argument("--name", required=True)
        designate.add_argument(
            "--organization", help="the program's own organization (its staff see its records)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "designate":
            organization = None
            if options["organization"]:
                organization = CareOrganization.objects.get(name=options["organization"])
            program = do_designate_part2_program(
                source=options["source"], name=options["name"], organization=organization
            )
            self.stdout.write(f"{program.name}: records from source {program.source!r} are segmented")
            return
        for program in Part2Program.objects.order_by("source"):
            self.stdout.write(f"{program.source}\t{program.name}")
