"""From one MLLP frame to the rows to commit and the acknowledgment to send once they are committed.

A frame holds one message, or one HL7 batch (FHS/BHS ... BTS/FTS) of several.  Each message is
classified on its own: accepted (inbox, AA), readable but not a message we take (inbox with status
ignored, AR with ERR 200/201), or unreadable (quarantine, AR with the reason).  Nothing is answered
before ``answer`` is called, which the server does only after the rows are committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from wraparound.hl7v2.acks import ACCEPT, ERROR, REJECT, Outcome, ack_segments, hl7_now, next_control_id
from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage
from wraparound.hl7v2.parsing import (
    APPLICATION_INTERNAL_ERROR,
    SEGMENT_SEQUENCE_ERROR,
    Header,
    MessageRefused,
    Refusal,
    decode,
    lenient_header,
    parse_message,
    segments_of,
    unsupported,
)

Row = InboxMessage | QuarantinedMessage
_SEGMENT = re.compile(rb"[^\r\n]+")
_BOM = b"\xef\xbb\xbf"


@dataclass
class Received:
    """One message of a frame: how it will be answered, and the row that must be committed first."""

    header: Header
    outcome: Outcome
    codec: str
    row: Row | None


@dataclass
class Frame:
    messages: list[Received]
    batch_header: Header | None = None  # BHS, read like an MSH
    file_header: Header | None = None  # FHS
    rows: list[Row] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = [message.row for message in self.messages if message.row is not None]


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def receive_message(raw: bytes, *, peer: str, received_at: dt.datetime) -> Received:
    text, codec = decode(raw)
    segments = segments_of(text)
    try:
        parsed = parse_message(segments, codec)
    except MessageRefused as refused:
        quarantined = QuarantinedMessage(
            raw=raw,
            raw_sha256=_digest(raw),
            reason=refused.refusal.reason,
            error_code=refused.refusal.code,
            control_id=refused.header.control_id[:199],
            received_at=received_at,
            peer=peer,
        )
        return Received(refused.header, Outcome(REJECT, refused.refusal), codec, quarantined)
    refusal = unsupported(parsed)
    header = parsed.header
    row = InboxMessage(
        raw=raw,
        raw_sha256=_digest(raw),
        encoding=codec,
        sending_application=header.sending_application,
        sending_facility=header.sending_facility,
        control_id=header.control_id,
        message_type=parsed.message_type[:20],
        trigger_event=parsed.trigger_event[:20],
        version=header.version,
        event_time=parsed.event_time,
        patient_identifiers=parsed.patient_identifiers,
        received_at=received_at,
        peer=peer,
        status=InboxMessage.Status.IGNORED if refusal else InboxMessage.Status.RECEIVED,
        error=f"{refusal.code}: {refusal.reason}" if refusal else "",
    )
    return Received(header, Outcome(REJECT, refusal) if refusal else Outcome(ACCEPT), codec, row)


def receive_frame(payload: bytes, *, peer: str, received_at: dt.datetime) -> Frame:
    """The frame's messages, each sliced from the payload byte for byte."""
    if not payload.lstrip(_BOM + b" \t\r\n\x00").startswith((b"FHS", b"BHS")):
        return Frame([receive_message(payload, peer=peer, received_at=received_at)])
    spans = [(found.start(), found.end()) for found in _SEGMENT.finditer(payload)]
    spans = [(start, end) for start, end in spans if payload[start:end].strip(_BOM + b" \t\x00")]
    file_header: Header | None = None
    batch_header: Header | None = None
    bounds: list[tuple[int, int]] = []  # each message: its first span, the span after its last
    strays: list[int] = []
    current: int | None = None
    for index, (start, end) in enumerate(spans):
        segment = payload[start:end].lstrip(_BOM)
        kind = segment[:3]
        if kind in (b"MSH", b"BTS", b"FTS", b"FHS", b"BHS") and current is not None:
            bounds.append((current, index))
            current = None
        if kind == b"MSH":
            current = index
        elif kind == b"FHS":
            file_header = _envelope_header(segment)
        elif kind == b"BHS":
            batch_header = _envelope_header(segment)
        elif kind not in (b"BTS", b"FTS") and current is None:
            strays.append(index)
    if current is not None:
        bounds.append((current, len(spans)))
    messages = [
        receive_message(
            payload[spans[first][0] : spans[after][0] if after < len(spans) else len(payload)],
            peer=peer,
            received_at=received_at,
        )
        for first, after in bounds
    ]
    if strays:
        raw = b"\r".join(payload[spans[i][0] : spans[i][1]] for i in strays)
        reason = f"{len(strays)} segment(s) of the batch stand outside any message"
        messages.append(
            Received(
                Header(),
                Outcome(REJECT, Refusal(SEGMENT_SEQUENCE_ERROR, reason)),
                "utf-8",
                QuarantinedMessage(
                    raw=raw,
                    raw_sha256=_digest(raw),
                    reason=reason,
                    error_code=SEGMENT_SEQUENCE_ERROR,
                    received_at=received_at,
                    peer=peer,
                ),
            )
        )
    return Frame(messages, batch_header=batch_header, file_header=file_header)


def _envelope_header(segment: bytes) -> Header:
    """FHS and BHS carry the same first twelve fields as MSH (FHS-11/BHS-11 the control id)."""
    text, _ = decode(segment)
    as_msh = lenient_header("MSH" + text[3:])
    fields = text.split(as_msh.field_separator)
    control = fields[10] if len(fields) > 10 else ""
    return Header(
        field_separator=as_msh.field_separator,
        encoding_characters=as_msh.encoding_characters,
        sending_application=as_msh.sending_application,
        sending_facility=as_msh.sending_facility,
        receiving_application=as_msh.receiving_application,
        receiving_facility=as_msh.receiving_facility,
        control_id=control,
    )


def store_failed(frame: Frame, error: BaseException) -> Frame:
    """Every message of the frame answered AE: nothing of it may be taken as held."""
    refusal = Refusal(
        APPLICATION_INTERNAL_ERROR, f"the message could not be stored ({type(error).__name__}); send it again"
    )
    return Frame(
        [Received(m.header, Outcome(ERROR, refusal), m.codec, None) for m in frame.messages],
        batch_header=frame.batch_header,
        file_header=frame.file_header,
    )


def internal_error(error: BaseException) -> Frame:
    """An AE that echoes nothing: for a frame the listener itself failed on."""
    refusal = Refusal(
        APPLICATION_INTERNAL_ERROR, f"the listener failed ({type(error).__name__}); send it again"
    )
    return Frame([Received(Header(), Outcome(ERROR, refusal), "utf-8", None)])


def answer(frame: Frame) -> bytes:
    """The acknowledgment to write back: one ACK, or for a batch a batch of ACKs, one per message."""
    if frame.batch_header is None and frame.file_header is None:
        message = frame.messages[0]
        return _encode("\r".join(ack_segments(message.header, message.outcome)) + "\r", message.codec)
    envelope = frame.batch_header or frame.file_header or Header()
    f = envelope.field_separator
    lines: list[str] = []
    if frame.file_header is not None:
        lines.append(_envelope("FHS", frame.file_header))
    lines.append(_envelope("BHS", frame.batch_header or envelope))
    for message in frame.messages:
        lines.extend(ack_segments(message.header, message.outcome))
    lines.append(f.join(["BTS", str(len(frame.messages))]))
    if frame.file_header is not None:
        lines.append(f.join(["FTS", "1"]))
    codec = frame.messages[0].codec if frame.messages else "utf-8"
    return _encode("\r".join(lines) + "\r", codec)


def _envelope(kind: str, header: Header) -> str:
    f = header.field_separator
    return f.join(
        [
            kind,
            header.encoding_characters,
            header.receiving_application,
            header.receiving_facility,
            header.sending_application,
            header.sending_facility,
            hl7_now(),
            "",
            "",
            "",
            next_control_id(),  # -11: this acknowledgment batch's own control id
            header.control_id,  # -12: the reference control id, the batch it answers
        ]
    )


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, "replace")
