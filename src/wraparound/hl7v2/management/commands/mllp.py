"""``wraparound mllp [--host 127.0.0.1] [--port 2575]``: the HL7 v2 ADT listener (docs/mllp.md)."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.server import MllpListener, Network, parse_networks
from wraparound.hl7v2.store import InboxWriter


class Command(BaseCommand):
    help = "Receive HL7 v2 messages over MLLP: commit each to the inbox, then acknowledge it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2575, help="port (default 2575; 0 picks a free one)")
        parser.add_argument(
            "--no-store",
            action="store_true",
            help="acknowledge without storing (for measuring the ceiling only: messages are NOT kept)",
        )
        parser.add_argument(
            "--allow",
            action="append",
            default=[],
            metavar="ADDRESS[/BITS]",
            help="accept connections only from this address or network (repeatable; default: any)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            allowed = parse_networks(options["allow"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not options["no_store"]:
            try:
                InboxMessage.objects.exists()
            except DatabaseError as error:
                raise CommandError(
                    f"the inbox is not ready ({error}): run `wraparound migrate` first"
                ) from error
            finally:
                connection.close()  # the writer thread opens its own
        asyncio.run(
            self._serve(options["host"], options["port"], store=not options["no_store"], allowed=allowed)
        )

    async def _serve(self, host: str, port: int, *, store: bool, allowed: tuple[Network, ...]) -> None:
        listener = MllpListener(InboxWriter(store=store), allowed=allowed)
        await listener.start(host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        mode = "" if store else " WITHOUT STORING (--no-store)"
        if allowed:
            mode += "; accepting only " + ", ".join(str(network) for network in allowed)
        self.stdout.write(f"mllp: listening on {host}:{listener.port}{mode}")
        self.stdout.flush()
        await stop.wait()
        await listener.close()
        self.stdout.write(
            f"mllp: stopped after {listener.stats.frames} frames on {listener.stats.connections} connections, "
            f"{listener.writer.commits} group commits"
            + (f", {listener.stats.refused} connections refused" if listener.stats.refused else "")
        )
