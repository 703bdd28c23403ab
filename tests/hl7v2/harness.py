"""A listener on an ephemeral port in a thread of the test, and a plain-socket MLLP client.

The listener's writer thread uses the test's own database connection (as Django's LiveServerThread
does), so that it works on pytest-django's in-memory SQLite and inside the test's transaction.
The client reads acknowledgments by plain string splitting, never through the code under test.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from django.db import connections

from wraparound.hl7v2.server import MllpListener, Network
from wraparound.hl7v2.store import InboxWriter

HL7V2_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "hl7v2"
START, END = b"\x0b", b"\x1c\x0d"
SUPPORTED = {"A01", "A02", "A03", "A04", "A06", "A07", "A08", "A11", "A12", "A13", "A40"}


class ListenerThread:
    def __init__(self, *, store: bool = True, allowed: Sequence[Network] = ()) -> None:
        self.store = store
        self.allowed = allowed
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="mllp-listener", daemon=True)
        self.connection = connections["default"]
        self.listener: MllpListener | None = None

    def __enter__(self) -> ListenerThread:
        self.connection.inc_thread_sharing()

        def use_the_tests_connection() -> None:
            connections["default"] = self.connection

        writer = InboxWriter(
            store=self.store, thread_initializer=use_the_tests_connection, close_connection=False
        )
        self.listener = MllpListener(writer, allowed=self.allowed)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.listener.start("127.0.0.1", 0), self.loop).result(30)
        return self

    @property
    def port(self) -> int:
        assert self.listener is not None
        return self.listener.port

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self.listener is not None
        asyncio.run_coroutine_threadsafe(self.listener.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()
        self.connection.dec_thread_sharing()


def frame(payload: bytes) -> bytes:
    return START + payload + END


class Client:
    """One MLLP connection: send frames, read acknowledgment frames."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def read_frames(self, count: int) -> list[bytes]:
        frames: list[bytes] = []
        while len(frames) < count:
            while True:
                start = self.buffer.find(START)
                end = self.buffer.find(END, start + 1) if start >= 0 else -1
                if end < 0:
                    break
                frames.append(self.buffer[start + 1 : end])
                self.buffer = self.buffer[end + 2 :]
                if len(frames) == count:
                    return frames
            chunk = self.socket.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed after {len(frames)} of {count} acknowledgments")
            self.buffer += chunk
        return frames

    def exchange(self, payload: bytes) -> bytes:
        self.send(frame(payload))
        return self.read_frames(1)[0]

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Ack:
    code: str
    control_id: str
    text: str
    error_code: str  # from ERR-3 (v2.5+) or ERR-1's fourth component (earlier)
    msh: list[str]  # split on MSH-1: msh[n - 1] is MSH-n


def read_ack(ack: bytes) -> Ack:
    """An ACK's fields by plain splitting (one message; see read_batch_acks for batches)."""
    segments = [s for s in re.split(r"\r\n|\r|\n", ack.decode("utf-8", "replace")) if s]
    msh = segments[0]
    separator = msh[3]
    component, subcomponent = msh[4], msh[7]
    msa = next(s for s in segments if s.startswith("MSA")).split(separator)
    error_code = ""
    for segment in segments:
        if segment.startswith("ERR"):
            fields = segment.split(separator)
            if len(fields) > 3 and fields[3]:
                error_code = fields[3].split(component)[0]
            elif len(fields) > 1:
                parts = fields[1].split(component)
                error_code = parts[3].split(subcomponent)[0] if len(parts) > 3 else ""
    return Ack(
        code=msa[1],
        control_id=msa[2] if len(msa) > 2 else "",
        text=msa[3] if len(msa) > 3 else "",
        error_code=error_code,
        msh=msh.split(separator),
    )


def read_batch_acks(ack: bytes) -> list[Ack]:
    text = ack.decode("utf-8", "replace")
    segments = [s for s in text.split("\r") if s]
    messages: list[list[str]] = []
    for segment in segments:
        if segment.startswith("MSH"):
            messages.append([segment])
        elif segment[:3] in ("MSA", "ERR") and messages:
            messages[-1].append(segment)
    return [read_ack("\r".join(message).encode()) for message in messages]


def segment_lines(data: bytes) -> list[bytes]:
    data = data.removeprefix(b"\xef\xbb\xbf")
    return [line for line in re.split(rb"\r\n|\r|\n", data) if re.match(rb"^[A-Z][A-Z0-9]{2}", line)]


def messages_in(path: Path) -> list[bytes]:
    """The ER7 messages of a file, segments ended by CR as an MLLP sender sends them."""
    messages: list[list[bytes]] = []
    for line in segment_lines(path.read_bytes()):
        if line.startswith(b"MSH"):
            messages.append([line])
        elif messages:
            messages[-1].append(line)
    return [b"\r".join(lines) + b"\r" for lines in messages]


def fields_of(message: bytes, segment_id: str) -> list[str] | None:
    """A segment's fields by splitting on MSH-1; MSH's list is shifted so that index n is MSH-n."""
    text = message.decode("utf-8", "replace")
    separator = text[3]
    for line in text.split("\r"):
        if line.startswith(segment_id):
            fields = line.split(separator)
            return [fields[0], separator, *fields[1:]] if segment_id == "MSH" else fields
    return None


def field(fields: list[str] | None, number: int) -> str:
    return fields[number] if fields is not None and number < len(fields) else ""


def shared_files() -> Iterator[Path]:
    skipped = {"BadInputs", "expected_fhir_from_hl7v2"}
    for path in sorted(HL7V2_DATA.rglob("*")):
        if path.is_file() and not skipped & set(path.parts) and not path.name.upper().startswith("LICENSE"):
            yield path


def adt(
    control_id: str,
    *,
    event: str = "A01",
    message_type: str = "ADT",
    version: str = "2.5.1",
    application: str = "EPIC",
    facility: str = "GOOD HEALTH",
    patient: str = "100200^^^GHH^MR",
    processing_id: str = "P",
) -> bytes:
    """A small ADT message like a hospital's feed sends."""
    return (
        f"MSH|^~\\&|{application}|{facility}|WRAPAROUND|HEALTH HOME|20260301101500-0500||"
        f"{message_type}^{event}^{message_type}_{event}|{control_id}|{processing_id}|{version}\r"
        f"EVN|{event}|20260301101200-0500\r"
        f"PID|1||{patient}||DOE^JANE||19700101|F\r"
        "PV1|1|I|4W^401^A\r"
    ).encode()
