"""The rows of a patient's record export: only what the viewer's access lets them see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from wraparound.registry.access import PatientAccess
from wraparound.registry.models import Condition, Encounter, MedicationRequest, Observation, Procedure

ExportRow = tuple[str, str, str, str, str, str]


def _date(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else ""


def export_rows(access: PatientAccess) -> Iterator[ExportRow]:
    columns = ("code_system", "code", "display", "status")
    if access.shows("conditions"):
        for c in access.records(Condition).order_by("onset").values_list("onset", *columns):
            yield ("condition", _date(c[0]), *c[1:])
    if access.shows("encounters"):
        for e in access.records(Encounter).order_by("start").values_list("start", *columns):
            yield ("encounter", _date(e[0]), *e[1:])
    if access.shows("observations"):
        for o in access.records(Observation).order_by("effective").values_list("effective", *columns):
            yield ("observation", _date(o[0]), *o[1:])
    if access.shows("medications"):
        for m in (
            access.records(MedicationRequest).order_by("authored_on").values_list("authored_on", *columns)
        ):
            yield ("medication", _date(m[0]), *m[1:])
    if access.shows("conditions"):
        for p in (
            access.records(Procedure).order_by("performed_start").values_list("performed_start", *columns)
        ):
            yield ("procedure", _date(p[0]), *p[1:])
