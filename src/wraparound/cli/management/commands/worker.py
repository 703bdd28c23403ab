"""``wraparound worker``: run background jobs as they are queued (eligibility and risk after imports,
...) and, beside them, turn the HL7 v2 inbox into stays, alerts and follow-up tasks as messages arrive."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

INBOX_INTERVAL = 0.2  # seconds between looks at the HL7 v2 inbox when it was empty


def _follow_inbox(stop: threading.Event) -> None:
    from wraparound.transitions.processing import process_inbox

    try:
        while not stop.is_set():
            report = process_inbox()
            if not (report.processed or report.failed):
                stop.wait(INBOX_INTERVAL)
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Run queued background jobs and process the HL7 v2 inbox until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument("--no-inbox", action="store_true", help="leave the HL7 v2 inbox alone")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"]:
            if not options["no_inbox"]:
                from wraparound.transitions.processing import process_inbox

                process_inbox()
            call_command("db_worker", batch=True)
            return
        stop = threading.Event()
        inbox = None
        if not options["no_inbox"]:
            inbox = threading.Thread(target=_follow_inbox, args=(stop,), name="hl7v2-inbox", daemon=True)
            inbox.start()
        try:
            call_command("db_worker", batch=False)
        finally:
            stop.set()
            if inbox is not None:
                inbox.join(timeout=5)
