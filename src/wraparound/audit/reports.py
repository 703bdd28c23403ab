"""Queries behind the privacy officer's audit report, its CSV export and ``wraparound audit export``.

What a privacy officer sees: the audit rows written by anyone acting for
their organization (``organization_id``), plus every row about a patient
their organization has an enrollment with (any status: the organization
serves, served or reached out to that person).  Rows of other organizations'
users about other patients stay hidden.  The patient search finds only
patients the report can show rows about, so it reveals no one else.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from wraparound.audit.models import AuditEvent
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient

PATIENT_MATCH_LIMIT = 25
EXPORT_CHUNK = 2_000

# How the report sorts: the value in the URL → the ORDER BY (the id breaks ties in time order).
SORTS: dict[str, tuple[str, ...]] = {
    "-time": ("-occurred_at", "-id"),
    "time": ("occurred_at", "id"),
    "user": ("username", "-occurred_at", "-id"),
    "-user": ("-username", "-occurred_at", "-id"),
}
DEFAULT_SORT = "-time"


@dataclass(frozen=True)
class ReportFilters:
    """The report's filters; None or "" means "any"."""

    patient_ids: tuple[uuid.UUID, ...] | None = None
    username: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    action: str = ""
    sort: str = DEFAULT_SORT

    def as_detail(self) -> dict[str, Any]:
        """The filters as an audit row's detail: what was looked at."""
        detail: dict[str, Any] = {"sort": self.sort}
        if self.patient_ids is not None:
            detail["patient_ids"] = [str(patient_id) for patient_id in self.patient_ids]
        if self.username:
            detail["user"] = self.username
        if self.start:
            detail["from"] = self.start.isoformat()
        if self.end:
            detail["to"] = self.end.isoformat()
        if self.action:
            detail["action"] = self.action
        return detail


def served_patient_ids(organization_id: int) -> QuerySet[Enrollment, uuid.UUID]:
    return Enrollment.objects.filter(organization_id=organization_id).values_list("patient_id", flat=True)


def visible_events(organization_id: int) -> QuerySet[AuditEvent]:
    """The audit rows a privacy officer of ``organization_id`` may read (see the module's docstring)."""
    return AuditEvent.objects.filter(
        Q(organization_id=organization_id) | Q(patient_id__in=served_patient_ids(organization_id))
    )


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the time zone on screen."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_events(events: QuerySet[AuditEvent], filters: ReportFilters) -> QuerySet[AuditEvent]:
    """Apply the filters (dates are whole days, both ends included) and the sort."""
    if filters.patient_ids is not None:
        events = events.filter(patient_id__in=filters.patient_ids)
    if filters.username:
        events = events.filter(username__iexact=filters.username)
    if filters.start:
        events = events.filter(occurred_at__gte=start_of_day(filters.start))
    if filters.end:
        events = events.filter(occurred_at__lt=start_of_day(filters.end + dt.timedelta(days=1)))
    if filters.action:
        events = events.filter(action=filters.action)
    return events.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def find_patients(organization_id: int, text: str) -> list[Patient]:
    """Patients the report can show rows about, by Medicaid ID or by name (every word must match)."""
    words = text.lower().split()
    if not words:
        return []
    by_name = Q()
    for word in words:
        by_name &= Q(search_name__contains=word)
    seen_by_organization = AuditEvent.objects.filter(organization_id=organization_id).values("patient_id")
    return list(
        Patient.objects.filter(Q(medicaid_id__iexact=text.strip()) | by_name)
        .filter(Q(id__in=served_patient_ids(organization_id)) | Q(id__in=seen_by_organization))
        .order_by("family_name", "given_names", "id")[:PATIENT_MATCH_LIMIT]
    )


@dataclass(frozen=True)
class PatientLabel:
    id: uuid.UUID
    name: str
    medicaid_id: str


def patient_labels(patient_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, PatientLabel]:
    """Names and Medicaid IDs to show beside the rows (a patient no longer stored has none)."""
    wanted = {patient_id for patient_id in patient_ids if patient_id is not None}
    if not wanted:
        return {}
    found = Patient.objects.filter(id__in=wanted).only(
        "id", "given_names", "family_name", "source_id", "medicaid_id"
    )
    return {
        patient.id: PatientLabel(patient.id, patient.display_name, patient.medicaid_id) for patient in found
    }


def organization_names(organization_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {organization_id for organization_id in organization_ids if organization_id is not None}
    if not wanted:
        return {}
    return dict(CareOrganization.objects.filter(id__in=wanted).values_list("id", "name"))


def events_between(start: dt.date | None, end: dt.date | None) -> QuerySet[AuditEvent]:
    """Every audit row in the period, in chain order (``wraparound audit export``)."""
    events = filter_events(AuditEvent.objects.all(), ReportFilters(start=start, end=end))
    return events.order_by("id")


# ---- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "organization_id",
    "organization",
    "role",
    "action",
    "patient_id",
    "patient_name",
    "medicaid_id",
    "resource_type",
    "resource_id",
    "reason",
    "ip_address",
    "user_agent",
    "request_id",
    "detail",
    "previous_hash",
    "hash",
)
_LOOKED_UP_COLUMNS = frozenset({"organization", "patient_name", "medicaid_id"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="microseconds")
    text = value.hex if isinstance(value, uuid.UUID) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """A file-like object whose ``write`` hands back the text: csv.writer one line at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header and one line per row, read ``EXPORT_CHUNK`` rows at a time (for millions of rows)."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    chunk: list[AuditEvent] = []
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(event)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_lines(writer, chunk)
            chunk = []
    yield from _chunk_lines(writer, chunk)


def _chunk_lines(writer: Any, chunk: list[AuditEvent]) -> Iterator[str]:
    patients = patient_labels(event.patient_id for event in chunk)
    organizations = organization_names(event.organization_id for event in chunk)
    for event in chunk:
        patient = patients.get(event.patient_id) if event.patient_id else None
        values = {
            **{name: getattr(event, name) for name in CSV_COLUMNS if name not in _LOOKED_UP_COLUMNS},
            "organization": organizations.get(event.organization_id) if event.organization_id else "",
            "patient_name": patient.name if patient else "",
            "medicaid_id": patient.medicaid_id if patient else "",
        }
        yield writer.writerow([_cell(values[name]) for name in CSV_COLUMNS])
