"""``wraparound status [--json]``: what the database holds."""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from wraparound.registry.counts import resource_counts


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Show what the database holds: FHIR resources stored, per type."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = resource_counts()
        database = settings.DATABASES["default"]
        if options["json"]:
            document = {
                "database": {
                    "engine": str(database["ENGINE"]).rsplit(".", 1)[-1],
                    "name": str(database["NAME"]),
                },
                "resources": counts,
                "total": sum(counts.values()),
            }
            self.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
            return
        table = Table(title=f"Wraparound registry ({str(database['ENGINE']).rsplit('.', 1)[-1]})")
        table.add_column("Resource type")
        table.add_column("Stored", justify="right")
        for resource_type, number in counts.items():
            table.add_row(resource_type, f"{number:,}")
        table.add_row("[bold]Total[/bold]", f"[bold]{sum(counts.values()):,}[/bold]")
        Console().print(table)
