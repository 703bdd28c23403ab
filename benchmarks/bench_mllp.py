"""Durable HL7 v2 intake over MLLP against the same listener acknowledging without storing.

Usage: python benchmarks/bench_mllp.py [--messages 10000] [--senders 4] [--windows 1,10]
The database comes from DATABASE_URL (run_all.py runs this on SQLite and on PostgreSQL); without
it, a temporary SQLite file.  The inbox tables are migrated first.

``wraparound mllp`` runs as a child process, twice: committing every message before its ACK
(durable), then with ``--no-store`` (the ceiling: the same framing, parsing and acknowledgment,
nothing written).  Each time, SENDERS connections over loopback send small ADT^A01 messages, WINDOW
in flight on each (1: stop-and-wait, as most HL7 senders do; 10: pipelined), and check every MSA.
Printed: messages/s for each and the ratio (targets in issue 6: at least 1,000 msg/s on PostgreSQL,
and at least half the ceiling).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _message(control_id: str) -> bytes:
    return (
        "MSH|^~\\&|EPIC|GOOD HEALTH|WRAPAROUND|HEALTH HOME|20260301101500-0500||ADT^A01^ADT_A01|"
        f"{control_id}|P|2.5.1\rEVN|A01|20260301101200-0500\rPID|1||{control_id[-6:]}^^^GHH^MR||DOE^JANE||19700101|F\r"
        "PV1|1|I|4W^401^A\r"
    ).encode()


async def _sender(port: int, control_ids: list[str], window: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    buffer = b""
    for start in range(0, len(control_ids), window):
        chunk = control_ids[start : start + window]
        writer.write(b"".join(b"\x0b" + _message(control_id) + b"\x1c\x0d" for control_id in chunk))
        answered = 0
        while answered < len(chunk):
            buffer += await reader.read(65536)
            while (end := buffer.find(b"\x1c\x0d")) >= 0:
                ack, buffer = buffer[:end], buffer[end + 2 :]
                expected = chunk[answered].encode()
                if b"MSA|AA|" + expected not in ack:
                    raise SystemExit(f"unexpected acknowledgment for {expected!r}: {ack!r}")
                answered += 1
    writer.close()
    await writer.wait_closed()


async def _load(port: int, messages: int, senders: int, window: int, prefix: str) -> float:
    control_ids = [f"{prefix}{n:07d}" for n in range(messages)]
    started = time.perf_counter()
    await asyncio.gather(*(_sender(port, control_ids[n::senders], window) for n in range(senders)))
    return messages / (time.perf_counter() - started)


def _measure(
    environment: dict[str, str], arguments: argparse.Namespace, window: int, *, store: bool
) -> float:
    command = [sys.executable, "-m", "wraparound.config.cli", "mllp", "--port", "0"]
    listener = subprocess.Popen(
        command + ([] if store else ["--no-store"]),
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert listener.stdout is not None
        found = re.search(r":(\d+)", listener.stdout.readline())
        if not found:
            raise SystemExit("the listener did not start")
        port = int(found.group(1))
        prefix = uuid.uuid4().hex[:8]
        asyncio.run(_load(port, min(2000, arguments.messages), arguments.senders, window, "w" + prefix))
        return asyncio.run(_load(port, arguments.messages, arguments.senders, window, prefix))
    finally:
        listener.terminate()
        listener.wait(60)
        if listener.stdout is not None and os.environ.get("BENCH_VERBOSE"):
            print("   ", listener.stdout.read().strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--windows", default="1,10", help="messages in flight per connection, one run each")
    arguments = parser.parse_args()
    windows = [int(window) for window in arguments.windows.split(",")]
    with tempfile.TemporaryDirectory(prefix="wraparound-bench-mllp-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'mllp.sqlite3'}"
        environment = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "-m", "wraparound.config.cli", "migrate", "hl7v2", "-v0"],
            env=environment,
            check=True,
            cwd=REPO_ROOT,
        )
        vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        print(
            f"MLLP intake on {vendor}: {arguments.messages:,} ADT^A01 from {arguments.senders} senders over loopback"
        )
        for window in windows:
            durable = _measure(environment, arguments, window, store=True)
            ceiling = _measure(environment, arguments, window, store=False)
            mode = "stop-and-wait" if window == 1 else f"{window} in flight per sender"
            print(
                f"  {mode}: durable (committed before ACK) {durable:,.0f} msg/s; "
                f"no-storage ceiling {ceiling:,.0f} msg/s; ratio {durable / ceiling:.2f}",
                flush=True,
            )
    print("  targets (issue 6): >= 1,000 msg/s on PostgreSQL; ratio >= 0.50")


if __name__ == "__main__":
    main()
