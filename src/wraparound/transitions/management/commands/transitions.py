"""``wraparound transitions process [--limit N] [--follow] [--retry-failed]``: the ADT inbox into stays."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wraparound.transitions.processing import process_inbox, retry_failed


class Command(BaseCommand):
    help = "Transitional care: process the HL7 v2 inbox into stays, alerts and follow-up tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        process = commands.add_parser("process", help="process the received ADT messages")
        process.add_argument("--limit", type=int, default=None, help="at most this many messages")
        process.add_argument("--follow", action="store_true", help="keep processing as messages arrive")
        process.add_argument("--interval", type=float, default=1.0, help="seconds between polls (--follow)")
        process.add_argument(
            "--retry-failed", action="store_true", help="take the failed messages again first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            again = len(retry_failed())
            self.stdout.write(f"transitions: {again} failed message(s) taken again")
        while True:
            report = process_inbox(options["limit"])
            if report.processed or report.failed or not options["follow"]:
                outcomes = ", ".join(f"{name} {count}" for name, count in sorted(report.outcomes.items()))
                self.stdout.write(
                    f"transitions: {report.processed} processed, {report.failed} failed"
                    + (f" ({outcomes})" if outcomes else "")
                )
            if not options["follow"]:
                return
            time.sleep(options["interval"])
