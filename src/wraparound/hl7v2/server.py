"""The MLLP listener: asyncio, many long-lived connections, pipelined frames, acknowledgments in order.

MLLP (HL7 v2 Transport Specification, MLLP release 2): a frame is 0x0B, the message, 0x1C 0x0D.
Reads may split a frame or carry several; each frame is handled as soon as it is complete, so that
frames pipelined on one connection are committed together, and the acknowledgments are written
back in the order the frames came.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from wraparound.hl7v2.intake import answer, internal_error, receive_frame, store_failed
from wraparound.hl7v2.store import InboxWriter, StoreFailed

logger = logging.getLogger(__name__)

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024
READ_SIZE = 256 * 1024


class FrameTooLarge(Exception):
    pass


class FrameDecoder:
    """Frames out of a byte stream, whatever the reads' boundaries.  Bytes outside frames are counted."""

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.discarded = 0
        self._buffer = bytearray()
        self._in_frame = False
        self._scanned = 0  # where to look for the end block next

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames: list[bytes] = []
        while True:
            if not self._in_frame:
                start = self._buffer.find(START_BLOCK)
                if start < 0:
                    self.discarded += len(self._buffer)
                    self._buffer.clear()
                    return frames
                self.discarded += start
                del self._buffer[: start + 1]
                self._in_frame = True
                self._scanned = 0
            end = self._buffer.find(END_BLOCK, self._scanned)
            if end < 0:
                if len(self._buffer) > self.max_frame_bytes:
                    raise FrameTooLarge(f"a frame longer than {self.max_frame_bytes} bytes")
                self._scanned = max(0, len(self._buffer) - 1)
                return frames
            frames.append(bytes(self._buffer[:end]))
            del self._buffer[: end + 2]
            self._in_frame = False

    @property
    def partial(self) -> bool:
        return self._in_frame and bool(self._buffer)


def frame(payload: bytes) -> bytes:
    return START_BLOCK + payload + END_BLOCK


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """``10.1.0.0/16``, ``192.0.2.7`` or ``::1``; a host address is a network of one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"--allow {value!r}: not an IP address or network ({error})") from None
    return tuple(networks)


def is_allowed(address: str, networks: Sequence[Network]) -> bool:
    """Whether a peer may send; no networks means everyone (MLLP itself has no authentication)."""
    if not networks:
        return True
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return any(peer.version == network.version and peer in network for network in networks)


@dataclass
class ListenerStats:
    connections: int = 0
    frames: int = 0
    refused: int = 0


class MllpListener:
    """Receive, commit, acknowledge.  See docs/mllp.md for what each acknowledgment means."""

    def __init__(
        self,
        writer: InboxWriter,
        *,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        max_in_flight: int = 1000,
        allowed: Sequence[Network] = (),
    ) -> None:
        self.writer = writer
        self.allowed = tuple(allowed)
        self.max_frame_bytes = max_frame_bytes
        self.max_in_flight = max_in_flight
        self.stats = ListenerStats()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._streams: set[asyncio.StreamWriter] = set()

    async def start(self, host: str, port: int) -> asyncio.Server:
        await self.writer.start()
        self._server = await asyncio.start_server(self._connection, host, port, limit=READ_SIZE)
        return self._server

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for stream in list(self._streams):
            stream.close()  # the reader sees the end of the stream; frames in flight are still answered
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=30)
        await self.writer.close()

    async def _connection(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        address = stream.get_extra_info("peername")
        peer = f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address or "")
        if not is_allowed(address[0] if isinstance(address, tuple) else "", self.allowed):
            # Closed before a byte is read: nothing is acknowledged, so nothing is promised.
            self.stats.refused += 1
            logger.warning("hl7v2 listener: refused a connection from %s (not in --allow)", peer)
            stream.close()
            with contextlib.suppress(Exception):
                await stream.wait_closed()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._streams.add(stream)
        self.stats.connections += 1
        in_flight: asyncio.Queue[asyncio.Task[bytes] | None] = asyncio.Queue(maxsize=self.max_in_flight)
        sender = asyncio.create_task(self._send_in_order(in_flight, stream))
        decoder = FrameDecoder(self.max_frame_bytes)
        try:
            while True:
                data = await reader.read(READ_SIZE)
                if not data:
                    break
                for payload in decoder.feed(data):
                    self.stats.frames += 1
                    await in_flight.put(asyncio.create_task(self._handle(payload, peer)))
        except FrameTooLarge as error:
            logger.warning("hl7v2 listener: %s from %s; closing the connection", error, peer)
        except (ConnectionError, OSError) as error:
            logger.info("hl7v2 listener: connection from %s ended: %r", peer, error)
        finally:
            if decoder.partial:
                logger.warning("hl7v2 listener: %s closed in the middle of a frame (not acknowledged)", peer)
            if decoder.discarded:
                logger.warning(
                    "hl7v2 listener: %d bytes outside MLLP frames from %s", decoder.discarded, peer
                )
            await in_flight.put(None)
            with contextlib.suppress(Exception):
                await sender
            stream.close()
            with contextlib.suppress(Exception):
                await stream.wait_closed()
            self._connections.discard(task)
            self._streams.discard(stream)

    async def _handle(self, payload: bytes, peer: str) -> bytes:
        """The frame's acknowledgment, written only after its rows are committed.  Never raises."""
        try:
            received = receive_frame(payload, peer=peer, received_at=timezone.now())
        except Exception as error:  # a bug of ours must not stop the listener; the sender retries on AE
            logger.exception("hl7v2 listener: could not read a frame from %s", peer)
            return answer(internal_error(error))
        try:
            await self.writer.commit(received.rows)
        except StoreFailed as error:
            logger.error("hl7v2 listener: not stored, answered AE: %s", error)
            received = store_failed(received, error)
        try:
            return answer(received)
        except Exception as error:
            logger.exception("hl7v2 listener: could not build the acknowledgment for %s", peer)
            return answer(internal_error(error))

    async def _send_in_order(
        self, in_flight: asyncio.Queue[asyncio.Task[bytes] | None], stream: asyncio.StreamWriter
    ) -> None:
        broken = False
        while True:
            task = await in_flight.get()
            if task is None:
                return
            acknowledgment = await task
            if broken:
                continue  # the rows are committed; the sender will re-send and be answered AA
            try:
                stream.write(frame(acknowledgment))
                await stream.drain()  # at once below the transport's high-water mark
            except (ConnectionError, OSError):
                broken = True
