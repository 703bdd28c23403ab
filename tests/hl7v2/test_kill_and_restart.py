"""The listener is killed (SIGKILL) in the middle of a stream and started again: nothing is lost, nothing doubled.

A client streams 10,000 small ADT messages over 4 connections, 50 in flight on each, and sends
again whatever was not acknowledged.  The listener runs as a child process on a SQLite file (or
on the suite's PostgreSQL test database when the suite runs there).  Afterwards every message is
in the inbox exactly once, and replaying the whole stream adds nothing.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.hl7v2.harness import START, adt, frame, read_ack
from wraparound.hl7v2.models import InboxMessage

MESSAGES, CONNECTIONS, WINDOW, KILL_AFTER = 10_000, 4, 50, 3_000
REPO_ROOT = Path(__file__).resolve().parents[2]
_counting = threading.Lock()


class Listener:
    """``wraparound mllp --port 0`` as a child process; the port it chose is read from its first line."""

    def __init__(self, database_url: str) -> None:
        self.environment = {**os.environ, "DATABASE_URL": database_url}
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wraparound.config.cli", "mllp", "--port", "0"],
            env=self.environment,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert found, f"the listener did not start: {line!r}"
        self.port = int(found.group(1))

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no clean-up of any kind
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)


def _stream(listener: Listener, control_ids: list[str], acknowledged: list[int]) -> None:
    """Send until every message is acknowledged AA, reconnecting and re-sending after any failure."""
    pending = list(control_ids)
    while pending:
        try:
            with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sender:
                while pending:
                    window = pending[:WINDOW]
                    sender.sendall(b"".join(frame(adt(control_id)) for control_id in window))
                    buffer, answered = b"", set()
                    while len(answered) < len(window):
                        chunk = sender.recv(65536)
                        if not chunk:
                            raise ConnectionError("closed")
                        buffer += chunk
                        while (end := buffer.find(b"\x1c\x0d")) >= 0:
                            ack = read_ack(buffer[buffer.index(START) + 1 : end])
                            buffer = buffer[end + 2 :]
                            if ack.code == "AA":
                                answered.add(ack.control_id)
                    pending = [control_id for control_id in pending if control_id not in answered]
                    with _counting:
                        acknowledged[0] += len(answered)
        except OSError:
            time.sleep(0.05)  # the listener is down: try again, with whatever was not acknowledged


def _send_everything(listener: Listener, control_ids: list[str], acknowledged: list[int]) -> None:
    threads = [
        threading.Thread(target=_stream, args=(listener, control_ids[n::CONNECTIONS], acknowledged))
        for n in range(CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "the stream did not finish"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        yield f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        return
    url = f"sqlite:///{tmp_path / 'inbox.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "wraparound.config.cli", "migrate", "hl7v2", "-v0"],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        cwd=REPO_ROOT,
    )
    yield url


def _inbox_control_ids(database_url: str) -> list[str]:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as database:
            return [row[0] for row in database.execute("SELECT control_id FROM hl7v2_inboxmessage")]
    return list(InboxMessage.objects.values_list("control_id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_killed_listener_loses_nothing_and_doubles_nothing(database_url: str) -> None:
    control_ids = [f"kill-{n:05d}" for n in range(MESSAGES)]
    listener = Listener(database_url)
    listener.start()
    acknowledged = [0]
    try:
        streaming = threading.Thread(target=_send_everything, args=(listener, control_ids, acknowledged))
        started = time.perf_counter()
        streaming.start()
        while acknowledged[0] < KILL_AFTER and streaming.is_alive():
            time.sleep(0.005)
        at_kill = acknowledged[0]
        listener.kill()
        time.sleep(0.3)  # the senders see the connection go and retry against nothing for a while
        listener.start()
        streaming.join(120)
        took = time.perf_counter() - started
        assert KILL_AFTER <= at_kill < MESSAGES, "the kill did not happen mid-stream"
        held = _inbox_control_ids(database_url)
        assert len(held) == MESSAGES and set(held) == set(control_ids)

        replayed = [0]
        _send_everything(listener, control_ids, replayed)
        assert replayed[0] == MESSAGES
        assert len(_inbox_control_ids(database_url)) == MESSAGES
        print(f"kill test: killed after {at_kill} acknowledgments; {MESSAGES} messages in {took:.1f} s")
    finally:
        listener.stop()
