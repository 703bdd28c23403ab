"""Reading one HL7 v2 message (ER7, the pipe encoding) into what the inbox keeps, or a coded refusal.

Field values are kept as sent (components and repetitions joined by the message's own separators,
escape sequences left alone): the processor and patient matching read them later.  The inbox needs
a few fields of MSH, EVN and PID as text, so they are split out with the message's own separators
rather than parsed into python-hl7's containers, which took 225 us for a four-segment ADT and 9.5 ms
for the 2.8 ADT^A01 sample of ms-fhir-converter (splitting: 4 and 16 us), most of the listener's
time.  Every segment's id is checked; the header is also read leniently from a broken first
segment so that even a refused message gets an acknowledgment that names its control id.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings

# HL7 v2 table 0357, message error condition codes.
SEGMENT_SEQUENCE_ERROR = 100
REQUIRED_FIELD_MISSING = 101
DATA_TYPE_ERROR = 102
UNSUPPORTED_MESSAGE_TYPE = 200
UNSUPPORTED_EVENT_CODE = 201
UNSUPPORTED_VERSION_ID = 203
APPLICATION_INTERNAL_ERROR = 207

# The ADT events transitional care takes (issue 6): admit, transfer, discharge, register, class
# changes, update, the cancels, merge.
SUPPORTED_ADT_EVENTS = frozenset(
    {"A01", "A02", "A03", "A04", "A06", "A07", "A08", "A11", "A12", "A13", "A40"}
)

MAX_FIELD_LENGTH = {"MSH-3": 255, "MSH-4": 255, "MSH-10": 199, "MSH-9": 60, "MSH-12": 20}
_SEGMENT_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_DTM = re.compile(
    r"^(?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?(?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?"
    r"(?:\.(?P<fraction>\d{1,4}))?(?P<offset>[+-]\d{4})?$"
)


@dataclass(frozen=True)
class Header:
    """The MSH fields an acknowledgment needs, as sent."""

    field_separator: str = "|"
    encoding_characters: str = "^~\\&"
    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_type: str = ""  # MSH-9, whole
    control_id: str = ""
    processing_id: str = ""
    version: str = ""
    character_set: str = ""

    @property
    def component_separator(self) -> str:
        return self.encoding_characters[:1] or "^"

    def message_type_part(self, index: int) -> str:
        parts = self.message_type.split(self.component_separator)
        return parts[index] if index < len(parts) else ""


@dataclass(frozen=True)
class ParsedMessage:
    header: Header
    codec: str
    event_time: dt.datetime | None
    patient_identifiers: str

    @property
    def message_type(self) -> str:
        return self.header.message_type_part(0)

    @property
    def trigger_event(self) -> str:
        return self.header.message_type_part(1)


@dataclass(frozen=True)
class Refusal:
    """Why a message is acknowledged AR: an HL7 table 0357 code, where, and a sentence."""

    code: int
    reason: str
    location: str = ""  # e.g. "MSH^1^10": segment, sequence, field


class MessageRefused(Exception):
    def __init__(self, refusal: Refusal, header: Header) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal
        self.header = header


def decode(raw: bytes) -> tuple[str, str]:
    """The message as text and the codec used: MSH-18 when it names one, else UTF-8, else Latin-1."""
    first = raw.split(b"\r", 1)[0].split(b"\n", 1)[0]
    character_set = ""
    if len(first) > 3:
        fields = first.split(first[3:4])
        if len(fields) > 17:
            character_set = fields[17].decode("ascii", "replace").split("~")[0].strip().upper()
    preferred = {"8859/1": "latin-1", "UNICODE UTF-8": "utf-8", "ASCII": "utf-8"}.get(character_set, "utf-8")
    try:
        return raw.decode(preferred), preferred
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def segments_of(text: str) -> list[str]:
    """Segments, whatever the line ends (senders use CR; files and some engines LF or CRLF)."""
    return [
        segment for segment in _SEGMENT_BREAK.split(text.lstrip(_BOM).strip("\x00 \t")) if segment.strip()
    ]


def lenient_header(first_segment: str) -> Header:
    """What can be read from a first segment that may be broken: used to address the refusal."""
    if not first_segment.startswith("MSH") or len(first_segment) < 4:
        return Header()
    separator = first_segment[3]
    fields = first_segment.split(separator)
    # fields[0] is "MSH"; MSH-1 is the separator itself, so MSH-n is fields[n - 1] for n >= 2.

    def field(number: int) -> str:
        return fields[number - 1] if number - 1 < len(fields) else ""

    encoding = field(2)
    if len(encoding) < 4 or separator in encoding or separator.isalnum():
        encoding = "^~\\&"
    return Header(
        field_separator=separator if not separator.isalnum() else "|",
        encoding_characters=encoding,
        sending_application=field(3),
        sending_facility=field(4),
        receiving_application=field(5),
        receiving_facility=field(6),
        message_type=field(9),
        control_id=field(10),
        processing_id=field(11),
        version=field(12),
        character_set=field(18),
    )


def parse_message(segments: list[str], codec: str) -> ParsedMessage:
    """The inbox's view of one message, or MessageRefused with an HL7 error code."""
    header = lenient_header(segments[0]) if segments else Header()
    if not segments or not segments[0].startswith("MSH"):
        raise MessageRefused(
            Refusal(SEGMENT_SEQUENCE_ERROR, "the message does not begin with MSH", "MSH^1"), header
        )
    first = segments[0]
    separator = first[3:4]
    if not separator or separator.isalnum() or separator.isspace():
        raise MessageRefused(Refusal(DATA_TYPE_ERROR, "MSH-1 is not a field separator", "MSH^1^1"), header)
    encoding = first[4:].split(separator, 1)[0]
    if len(encoding) < 4 or len(set(encoding[:4])) < 4 or any(c.isalnum() for c in encoding[:4]):
        raise MessageRefused(
            Refusal(DATA_TYPE_ERROR, "MSH-2 must hold four distinct encoding characters", "MSH^1^2"), header
        )
    _check_required(header)
    _check_segment_ids(segments, separator, header)
    # The header read leniently above is the header: MSH-1 and MSH-2 are now known to be sound.
    time_fields = _first_segment(segments, "EVN", separator)
    event_time_text = _field(time_fields, 2) or _field(first.split(separator), 6)  # EVN-2, else MSH-7
    identifiers = _field(_first_segment(segments, "PID", separator), 3)
    return ParsedMessage(
        header=header,
        codec=codec,
        event_time=parse_timestamp(event_time_text, header.component_separator),
        patient_identifiers=identifiers,
    )


def _check_segment_ids(segments: list[str], separator: str, header: Header) -> None:
    for number, segment in enumerate(segments, start=1):
        segment_id = segment[:3]
        if not _SEGMENT_ID.match(segment_id) or (len(segment) > 3 and segment[3] != separator):
            shown = segment[:8].encode("unicode_escape").decode("ascii")
            raise MessageRefused(
                Refusal(SEGMENT_SEQUENCE_ERROR, f"segment {number} has no segment id: {shown!r}"),
                header,
            )


def _check_required(header: Header) -> None:
    for name, value in (
        ("MSH-9", header.message_type),
        ("MSH-10", header.control_id),
        ("MSH-12", header.version),
    ):
        if not value.strip():
            raise MessageRefused(
                Refusal(REQUIRED_FIELD_MISSING, f"{name} is required", f"MSH^1^{name[4:]}"), header
            )
        if len(value) > MAX_FIELD_LENGTH[name]:
            raise MessageRefused(
                Refusal(
                    DATA_TYPE_ERROR, f"{name} is longer than {MAX_FIELD_LENGTH[name]}", f"MSH^1^{name[4:]}"
                ),
                header,
            )
    for name, value in (("MSH-3", header.sending_application), ("MSH-4", header.sending_facility)):
        if len(value) > MAX_FIELD_LENGTH[name]:
            raise MessageRefused(
                Refusal(
                    DATA_TYPE_ERROR, f"{name} is longer than {MAX_FIELD_LENGTH[name]}", f"MSH^1^{name[4:]}"
                ),
                header,
            )
    if not header.version.startswith("2."):
        raise MessageRefused(
            Refusal(UNSUPPORTED_VERSION_ID, f"version {header.version[:20]!r} is not HL7 v2", "MSH^1^12"),
            header,
        )


def unsupported(parsed: ParsedMessage) -> Refusal | None:
    """Why a readable message is not one the inbox takes (acknowledged AR, kept with status ignored)."""
    if parsed.message_type != "ADT":
        return Refusal(
            UNSUPPORTED_MESSAGE_TYPE,
            f"message type {parsed.message_type[:20]!r} is not accepted",
            "MSH^1^9^1",
        )
    if parsed.trigger_event not in SUPPORTED_ADT_EVENTS:
        return Refusal(
            UNSUPPORTED_EVENT_CODE, f"ADT event {parsed.trigger_event[:20]!r} is not accepted", "MSH^1^9^2"
        )
    return None


def _field(fields: list[str], number: int) -> str:
    return fields[number] if number < len(fields) else ""


def _first_segment(segments: list[str], segment_id: str, separator: str) -> list[str]:
    """The first such segment's fields (index n is field n), or no fields."""
    for segment in segments:
        if segment.startswith(segment_id):
            return segment.split(separator)
    return []


def parse_timestamp(text: str, component_separator: str = "^") -> dt.datetime | None:
    """An HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]) as an aware datetime, or None.

    Without an offset the time is the organization's local time (settings.TIME_ZONE).
    """
    value = text.split(component_separator, 1)[0].strip()
    found = _DTM.match(value)
    if not found:
        return None
    parts = found.groupdict()
    try:
        if parts["offset"]:
            sign = 1 if parts["offset"][0] == "+" else -1
            hours, minutes = int(parts["offset"][1:3]), int(parts["offset"][3:5])
            zone: dt.tzinfo = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        else:
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        fraction = (parts["fraction"] or "").ljust(6, "0")
        return dt.datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
            tzinfo=zone,
        )
    except ValueError:
        return None
