"""``wraparound worker``: run background jobs (eligibility and risk after imports, ...) as they are queued."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run queued background jobs until stopped (the django-tasks database worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", batch=options["batch"])
