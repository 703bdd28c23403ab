"""From receipt to alert: how long after a hospital sends an admission the care team's worklist shows it.

Usage: python benchmarks/bench_alerts.py [--members 2000] [--messages 300] [--rate 25]
The database comes from DATABASE_URL (run_all.py runs this on SQLite and on PostgreSQL); without
it, a temporary SQLite file.

The deployed shape, as processes: ``wraparound mllp`` (durable intake: committed before the ACK)
and ``wraparound worker`` (which turns the inbox into stays, alerts and tasks), both children of
this script, on a database holding ``--members`` generated members, half of them enrolled with a
care team (bench_workspace.build).  One sender sends ADT^A01 admissions of enrolled members, one
member each, stop-and-wait, paced at ``--rate`` messages a second (a busy hospital feed is a few a
second; 25 is generous).  A reader in this process, as the worklist page would, looks for new alert
rows every POLL seconds on its own connection.

Measured for each message, from the moment its first byte is written:
  - ACK: until its acknowledgment (AA) is read (the intake alone: the baseline);
  - alert visible: until a reader sees the committed alert for that member (rounded up by at most
    the reader's POLL interval).
Printed: p50 and p99 of each, the ratio, and the target of issue 6 (alert p99 under 2 s).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
POLL = 0.01  # seconds between the reader's looks for new alerts
TARGET_P99 = 2.0  # seconds (issue 6)
START, END = b"\x0b", b"\x1c\x0d"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _admission(number: int, control_id: str, when: str) -> bytes:
    """An A01 for generated member ``number``, identified by Medicaid ID (PID-3 typed MA)."""
    pv1 = ["PV1", "1", "I", "4W^401^A", "E"] + [""] * 40
    pv1[19] = f"V{control_id}"  # the visit number
    pv1[44] = when  # admitted
    segments = [
        f"MSH|^~\\&|EPIC|GHH|WRAPAROUND|HH|{when}||ADT^A01^ADT_A01|{control_id}|P|2.5.1",
        f"EVN|A01|{when}",
        f"PID|1||BM{number:08d}^^^MEDICAID^MA||MEMBER{number:06d}^ANA",
        "|".join(pv1).rstrip("|"),
    ]
    return ("\r".join(segments) + "\r").encode()


def _child(command: list[str], environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wraparound.config.cli", *command],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO_ROOT,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(20)


class AlertReader(threading.Thread):
    """Looks for new alert rows every POLL seconds; notes when each member's first became visible."""

    def __init__(self) -> None:
        super().__init__(name="alert-reader", daemon=True)
        self.seen: dict[uuid.UUID, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from wraparound.worklists.models import Alert

        last = Alert.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            while not self.stop.is_set():
                rows = list(Alert.objects.filter(id__gt=last).values_list("id", "patient_id"))
                now = time.perf_counter()
                for alert_id, patient_id in rows:
                    self.seen.setdefault(patient_id, now)
                    last = max(last, alert_id)
                self.stop.wait(POLL)
        finally:
            connection.close()


def _exchange(sock: socket.socket, message: bytes) -> bytes:
    sock.sendall(START + message + END)
    answer = b""
    while not answer.endswith(END):
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the listener closed the connection")
        answer += chunk
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=25.0, help="messages a second")
    arguments = parser.parse_args()
    enrolled = arguments.members // 2
    if arguments.messages + 10 > enrolled:
        raise SystemExit(f"--messages: at most {enrolled - 10} with {arguments.members} members")

    with tempfile.TemporaryDirectory(prefix="wraparound-bench-alerts-") as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'alerts.sqlite3'}"
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from bench_workspace import SOURCE, build
        from wraparound.registry.models import Patient

        call_command("migrate", verbosity=0)
        build(arguments.members, 4, 0.5, 80)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()
        vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
        environment = {**os.environ, "DATABASE_URL": url}

        listener = _child(["mllp", "--port", "0"], environment)
        worker = _child(["worker"], environment)
        reader = AlertReader()
        try:
            assert listener.stdout is not None
            found = re.search(r":(\d+)", listener.stdout.readline())
            if not found:
                raise SystemExit("the listener did not start")
            reader.start()
            acks: list[float] = []
            sent: dict[uuid.UUID, float] = {}
            when = timezone.localtime().strftime("%Y%m%d%H%M%S%z")
            run = uuid.uuid4().hex[:6]
            with socket.create_connection(("127.0.0.1", int(found.group(1)))) as sock:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                started = time.perf_counter()
                for index in range(arguments.messages + 10):  # the first ten warm the processes up
                    due = started + index / arguments.rate
                    time.sleep(max(0.0, due - time.perf_counter()))
                    control_id = f"{run}{index:06d}"
                    at = time.perf_counter()
                    answer = _exchange(sock, _admission(index, control_id, when))
                    if b"MSA|AA|" + control_id.encode() not in answer:
                        raise SystemExit(f"unexpected acknowledgment: {answer!r}")
                    if index >= 10:
                        acks.append(time.perf_counter() - at)
                        sent[Patient.identity(SOURCE, f"m{index:07d}")] = at
            deadline = time.perf_counter() + 60
            while time.perf_counter() < deadline and not all(key in reader.seen for key in sent):
                time.sleep(0.05)
        finally:
            reader.stop.set()
            reader.join(10)
            _stop(listener)
            _stop(worker)
        missing = [key for key in sent if key not in reader.seen]
        if missing:
            output = worker.stdout.read() if worker.stdout is not None else ""
            raise SystemExit(
                f"{len(missing)} admissions produced no alert within 60 s; worker said:\n{output}"
            )
        latencies = [reader.seen[key] - at for key, at in sent.items()]

    ack50, ack99 = statistics.median(acks) * 1000, _percentile(acks, 0.99) * 1000
    alert50, alert99 = statistics.median(latencies) * 1000, _percentile(latencies, 0.99) * 1000
    verdict = "met" if alert99 < TARGET_P99 * 1000 else "MISSED"
    print(
        f"Receipt to alert on {vendor}: {arguments.messages} ADT^A01 of enrolled members, "
        f"{arguments.rate:g}/s, {arguments.members:,} members",
        flush=True,
    )
    print(
        f"  alert visible on the worklist  p50 {alert50:7.1f} ms  p99 {alert99:7.1f} ms  "
        f"(target p99 < {TARGET_P99 * 1000:.0f} ms: {verdict})"
    )
    print(f"  baseline, ACK (durable intake) p50 {ack50:7.1f} ms  p99 {ack99:7.1f} ms")
    print(f"  ratio to the baseline  p50 x{alert50 / ack50:.1f}  p99 x{alert99 / ack99:.1f}")


if __name__ == "__main__":
    main()
