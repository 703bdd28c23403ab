"""Acknowledgments (original mode, HL7 v2 chapter 2): MSH addressed back to the sender, MSA, ERR.

The ACK speaks the incoming message's version, processing id and separators, so that the control id
it echoes in MSA-2 comes back byte for byte.  A batch is answered by a batch of ACKs (batches.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass

from wraparound.hl7v2.parsing import Header, Refusal

ACCEPT = "AA"
ERROR = "AE"
REJECT = "AR"
MSA_TEXT_LIMIT = 80  # MSA-3's length in v2.3-v2.6

_counter = itertools.count(1)
_prefix = f"{int(time.time()) % 36**6:06x}"[-6:]


def next_control_id() -> str:
    """Unique for this listener's life and short enough for any version (MSH-10 is 20 in v2.3)."""
    return f"WA{_prefix}{next(_counter) % 10**12:012d}"


def hl7_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S+0000")


def escape(text: str, header: Header) -> str:
    """Text with the message's delimiters escaped (HL7 v2 chapter 2, escape sequences)."""
    characters = header.encoding_characters
    component, repetition, escape_char, subcomponent = (
        characters[0],
        characters[1],
        characters[2],
        characters[3],
    )
    out = text.replace(escape_char, f"{escape_char}E{escape_char}")
    for character, code in (
        (header.field_separator, "F"),
        (component, "S"),
        (repetition, "R"),
        (subcomponent, "T"),
    ):
        out = out.replace(character, f"{escape_char}{code}{escape_char}")
    return out.replace("\r", " ").replace("\n", " ")


def version_at_least(version: str, minimum: tuple[int, ...]) -> bool:
    numbers: list[int] = []
    for part in version.split(".")[:3]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers) >= minimum


@dataclass(frozen=True)
class Outcome:
    """What one message is answered with."""

    code: str  # AA, AE or AR
    refusal: Refusal | None = None


def ack_segments(header: Header, outcome: Outcome) -> list[str]:
    """MSH, MSA and, when refused, ERR: the acknowledgment of one message, as segments."""
    f = header.field_separator
    c = header.component_separator
    version = header.version if header.version.startswith("2.") else "2.5"
    trigger = header.message_type_part(1)
    if trigger and version_at_least(version, (2, 3, 1)):
        message_type = f"ACK{c}{trigger}{c}ACK"
    elif trigger:
        message_type = f"ACK{c}{trigger}"
    else:
        message_type = "ACK"
    msh = f.join(
        [
            "MSH",
            header.encoding_characters,
            header.receiving_application,
            header.receiving_facility,
            header.sending_application,
            header.sending_facility,
            hl7_now(),
            "",
            message_type,
            next_control_id(),
            header.processing_id or "P",
            version,
        ]
    )
    if header.character_set:
        msh += f * 6 + header.character_set  # MSH-13..17 empty, MSH-18 as received
    msa_fields = ["MSA", outcome.code, header.control_id]
    segments = [msh]
    if outcome.refusal is not None:
        msa_fields.append(escape(_shortened(outcome.refusal.reason), header))
        segments.append(f.join(msa_fields))
        segments.append(_err(header, outcome.refusal, version))
    else:
        segments.append(f.join(msa_fields))
    return segments


def _shortened(text: str) -> str:
    """At most MSA_TEXT_LIMIT characters, cut before escaping so that no escape sequence is split."""
    return text if len(text) <= MSA_TEXT_LIMIT else text[: MSA_TEXT_LIMIT - 3] + "..."


def _err(header: Header, refusal: Refusal, version: str) -> str:
    f = header.field_separator
    c = header.component_separator
    s = header.encoding_characters[3]
    location = c.join(refusal.location.split("^")) if refusal.location else ""
    reason = escape(refusal.reason, header)
    if version_at_least(version, (2, 5)):
        # ERR-2 location, ERR-3 HL7 error code (table 0357), ERR-4 severity, ERR-8 user message.
        code = c.join([str(refusal.code), _CODE_TEXT.get(refusal.code, ""), "HL70357"])
        return f.join(["ERR", "", location, code, "E", "", "", "", reason])
    # Before v2.5, ERR-1 (ELD): segment, sequence, field, and the code as a CE in subcomponents.
    parts = [*refusal.location.split("^")[:3]]
    while len(parts) < 3:
        parts.append("")
    eld = c.join([*parts, s.join([str(refusal.code), _CODE_TEXT.get(refusal.code, ""), "HL70357"])])
    return f.join(["ERR", eld])


_CODE_TEXT = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    200: "Unsupported message type",
    201: "Unsupported event code",
    203: "Unsupported version id",
    207: "Application internal error",
}


def build_ack(header: Header, outcome: Outcome) -> str:
    return "\r".join(ack_segments(header, outcome)) + "\r"
