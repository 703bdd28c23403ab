"""Reading the fields transitional care needs from one ADT message (HL7 v2.3 to 2.8), by splitting.

Values are taken with the message's own separators; escape sequences are resolved only for the
few texts shown on screen (names, diagnosis displays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.parsing import decode, parse_timestamp, segments_of

# HL7 table 0004 (patient class); observation is sent as PV1-2 "O" with PV1-18 "OBS" by many senders.
PATIENT_CLASS = {
    "I": "inpatient",
    "B": "inpatient",  # obstetrics
    "E": "emergency",
    "O": "outpatient",
    "R": "outpatient",  # recurring patient
    "OBS": "observation",
}
SEX = {"F": "female", "M": "male", "O": "other", "U": "unknown", "A": "other", "N": "unknown"}
MEDICAID_TYPES = frozenset({"MA", "MCD"})


@dataclass(frozen=True)
class PatientIdentifier:
    value: str
    authority: str  # CX-4.1 namespace id
    authority_oid: str  # CX-4.2 universal id
    type_code: str  # CX-5


@dataclass(frozen=True)
class Diagnosis:
    code: str
    system: str
    display: str
    type: str  # DG1-6: A admitting, W working, F final; DG1-15 priority 1 = principal


@dataclass
class AdtEvent:
    trigger: str
    event_at: dt.datetime | None
    facility: str
    facility_name: str
    identifiers: list[PatientIdentifier] = field(default_factory=list)
    family_name: str = ""
    given_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    postal_code: str = ""
    patient_class: str = ""  # PV1-2 as sent
    kind: str = "other"
    location: str = ""
    prior_location: str = ""
    admission_type: str = ""  # PV1-4
    admit_source: str = ""  # PV1-14
    visit_number: str = ""
    discharge_disposition: str = ""
    admitted_at: dt.datetime | None = None
    discharged_at: dt.datetime | None = None
    diagnoses: list[Diagnosis] = field(default_factory=list)
    prior_identifiers: list[PatientIdentifier] = field(default_factory=list)  # MRG-1 (A40)

    @property
    def emergent(self) -> bool:
        return self.admission_type.upper() in {"E", "EM"} or self.admit_source.upper() in {"7", "EMD", "ER"}

    def summary(self) -> dict[str, object]:
        return {
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "sex": self.sex,
            "postal_code": self.postal_code,
            "identifiers": [
                {"value": i.value, "authority": i.authority, "type": i.type_code} for i in self.identifiers
            ],
            "prior_identifiers": [
                {"value": i.value, "authority": i.authority, "type": i.type_code}
                for i in self.prior_identifiers
            ],
            "facility": self.facility_name or self.facility,
            "visit_number": self.visit_number,
            "event": self.trigger,
        }


class _Separators:
    def __init__(self, msh: str) -> None:
        self.field = msh[3:4] or "|"
        encoding = msh[4:8]
        self.component = encoding[0:1] or "^"
        self.repetition = encoding[1:2] or "~"
        self.escape = encoding[2:3] or "\\"
        self.subcomponent = encoding[3:4] or "&"

    def components(self, value: str) -> list[str]:
        return value.split(self.component)

    def unescape(self, value: str) -> str:
        e = self.escape
        if not e or e not in value:
            return value
        for code, character in (
            ("F", self.field),
            ("S", self.component),
            ("R", self.repetition),
            ("T", self.subcomponent),
            ("E", e),
        ):
            value = value.replace(f"{e}{code}{e}", character)
        return value


def _get(values: list[str], index: int) -> str:
    return values[index] if 0 <= index < len(values) else ""


def _segments(message: InboxMessage) -> tuple[_Separators, dict[str, list[list[str]]]]:
    text, _codec = decode(bytes(message.raw))
    segments = segments_of(text)
    separators = _Separators(segments[0] if segments else "MSH|^~\\&")
    found: dict[str, list[list[str]]] = {}
    for segment in segments:
        fields = segment.split(separators.field)
        if fields[0] == "MSH":
            fields = [fields[0], separators.field, *fields[1:]]
        found.setdefault(fields[0], []).append(fields)
    return separators, found


def _first(found: dict[str, list[list[str]]], segment_id: str) -> list[str]:
    return found.get(segment_id, [[]])[0]


def _time(value: str, separators: _Separators) -> dt.datetime | None:
    return parse_timestamp(value.split(separators.repetition)[0], separators.component)


def _identifiers(value: str, separators: _Separators) -> list[PatientIdentifier]:
    found = []
    for repetition in value.split(separators.repetition):
        parts = separators.components(repetition)
        number = _get(parts, 0).strip()
        if not number:
            continue
        authority = _get(parts, 3).split(separators.subcomponent)
        found.append(
            PatientIdentifier(
                value=number,
                authority=_get(authority, 0).strip(),
                authority_oid=_get(authority, 1).strip(),
                type_code=_get(parts, 4).strip().upper(),
            )
        )
    return found


def _birth_date(value: str, separators: _Separators) -> dt.date | None:
    digits = value.split(separators.component)[0].strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _diagnoses(rows: list[list[str]], separators: _Separators) -> list[Diagnosis]:
    diagnoses: list[tuple[int, Diagnosis]] = []
    for order, fields in enumerate(rows):
        coded = separators.components(_get(fields, 3))
        code = _get(coded, 0).strip()
        if not code:
            continue
        priority = _get(fields, 15).strip()
        rank = int(priority) if priority.isdigit() else 100 + order
        diagnoses.append(
            (
                rank,
                Diagnosis(
                    code=code,
                    system=_get(coded, 2).strip(),
                    display=separators.unescape(_get(coded, 1) or _get(fields, 4)),
                    type=_get(fields, 6).strip().upper(),
                ),
            )
        )
    return [diagnosis for _, diagnosis in sorted(diagnoses, key=lambda pair: pair[0])]


def patient_kind(patient_class: str, patient_type: str = "") -> str:
    """PV1-2 (and PV1-18) as a stay kind."""
    cls = patient_class.strip().upper()
    if cls == "OBS" or "OBS" in patient_type.strip().upper():
        return "observation"
    return PATIENT_CLASS.get(cls, "other")


def read_event(message: InboxMessage) -> AdtEvent:
    """The message's ADT fields (PID, PV1, PV2, DG1, MRG)."""
    separators, found = _segments(message)
    msh, pid, pv1 = _first(found, "MSH"), _first(found, "PID"), _first(found, "PV1")
    facility = separators.components(_get(msh, 4))
    name = separators.components(_get(pid, 5).split(separators.repetition)[0])
    address = separators.components(_get(pid, 11).split(separators.repetition)[0])
    visit = separators.components(_get(pv1, 19))
    patient_class = separators.components(_get(pv1, 2))[0]
    event = AdtEvent(
        trigger=message.trigger_event,
        event_at=message.event_time,
        facility=_get(msh, 4),
        facility_name=separators.unescape(_get(facility, 0) or _get(msh, 4)),
        identifiers=_identifiers(_get(pid, 3), separators) + _identifiers(_get(pid, 2), separators),
        family_name=separators.unescape(_get(name, 0).split(separators.subcomponent)[0]).strip(),
        given_name=separators.unescape(_get(name, 1)).strip(),
        birth_date=_birth_date(_get(pid, 7), separators),
        sex=SEX.get(_get(pid, 8).strip().upper()[:1], ""),
        postal_code=_get(address, 4).strip()[:5],
        patient_class=patient_class,
        kind=patient_kind(patient_class, separators.components(_get(pv1, 18))[0]),
        location=separators.unescape("-".join(p for p in separators.components(_get(pv1, 3))[:3] if p)),
        prior_location=separators.unescape("-".join(p for p in separators.components(_get(pv1, 6))[:3] if p)),
        admission_type=separators.components(_get(pv1, 4))[0].strip(),
        admit_source=separators.components(_get(pv1, 14))[0].strip(),
        visit_number=_get(visit, 0).strip(),
        discharge_disposition=separators.components(_get(pv1, 36))[0].strip(),
        admitted_at=_time(_get(pv1, 44), separators),
        discharged_at=_time(_get(pv1, 45), separators),
        diagnoses=_diagnoses(found.get("DG1", []), separators),
        prior_identifiers=_identifiers(_get(_first(found, "MRG"), 1), separators),
    )
    if not event.diagnoses:  # PV2-3, the admit reason, when no DG1 was sent
        reason = separators.components(_get(_first(found, "PV2"), 3))
        if _get(reason, 0).strip():
            event.diagnoses = [
                Diagnosis(
                    code=_get(reason, 0).strip(),
                    system=_get(reason, 2).strip(),
                    display=separators.unescape(_get(reason, 1)),
                    type="admit_reason",
                )
            ]
    if not event.visit_number:  # PID-18, the patient account number, names the visit for some senders
        event.visit_number = separators.components(_get(pid, 18))[0].strip()
    return event
