"""``wraparound serve``: the web app on 127.0.0.1 (port from PORT, default 8000).

This is the embedded server for one machine.  In production run the WSGI
application (wraparound.config.wsgi:application) under gunicorn or granian
behind a reverse proxy; see docs/configuration.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app (development server, no auto-reload)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "runserver", f"{options['host']}:{options['port']}", use_reloader=False, use_threading=True
        )
