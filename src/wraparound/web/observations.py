"""Latest results and trends on the patient summary: vital signs, labs, scores.

Blood pressure arrives either as the LOINC panel 85354-9 with systolic
(8480-6) and diastolic (8462-4) components (FHIR bundles) or as two separate
observations with the same time (Synthea CSV); both read as one reading here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wraparound.registry.access import PatientAccess
from wraparound.registry.models import Observation
from wraparound.web.charts import ChartPoint, ChartSeries, ReferenceLine, line_chart
from wraparound.web.formatting import format_number, format_quantity, local_date

BLOOD_PRESSURE_PANEL = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
BLOOD_PRESSURE_CODES = (BLOOD_PRESSURE_PANEL, SYSTOLIC, DIASTOLIC)
HBA1C = "4548-4"
TREND_LIMIT = 30

# The results a care manager looks for first, in the order shown (blood pressure comes first, separately).
COMMON_RESULTS: tuple[tuple[str, Promise], ...] = (
    ("8867-4", gettext_lazy("Heart rate")),
    ("9279-1", gettext_lazy("Respiratory rate")),
    ("8310-5", gettext_lazy("Body temperature")),
    ("59408-5", gettext_lazy("Oxygen saturation")),
    ("2708-6", gettext_lazy("Oxygen saturation")),
    ("29463-7", gettext_lazy("Body weight")),
    ("8302-2", gettext_lazy("Body height")),
    ("39156-5", gettext_lazy("Body mass index")),
    (HBA1C, gettext_lazy("Hemoglobin A1c")),
    ("2339-0", gettext_lazy("Glucose")),
    ("2093-3", gettext_lazy("Total cholesterol")),
    ("18262-6", gettext_lazy("LDL cholesterol")),
    ("2085-9", gettext_lazy("HDL cholesterol")),
    ("2571-8", gettext_lazy("Triglycerides")),
    ("38483-4", gettext_lazy("Creatinine")),
    ("33914-3", gettext_lazy("Estimated GFR")),
    ("44261-6", gettext_lazy("PHQ-9 total score")),
    ("55758-7", gettext_lazy("PHQ-2 total score")),
    ("70274-6", gettext_lazy("GAD-7 total score")),
    ("72514-3", gettext_lazy("Pain severity (0-10)")),
    ("72166-2", gettext_lazy("Tobacco smoking status")),
)
OBSERVATION_COLUMNS = (
    "code",
    "display",
    "value_quantity",
    "value_unit",
    "value_text",
    "value_code",
    "effective",
)


@dataclass(frozen=True)
class LatestResult:
    label: str
    value: str
    effective: dt.datetime | None
    code: str


@dataclass(frozen=True)
class BloodPressure:
    effective: dt.datetime
    systolic: float | None
    diastolic: float | None

    @property
    def text(self) -> str:
        return f"{format_number(self.systolic) or '—'}/{format_number(self.diastolic) or '—'} mmHg"


@dataclass(frozen=True)
class LabValue:
    effective: dt.datetime
    value: float
    unit: str

    @property
    def text(self) -> str:
        return format_quantity(self.value, self.unit)


def observation_value(row: dict[str, Any]) -> str:
    if row["value_quantity"] is not None:
        return format_quantity(row["value_quantity"], row["value_unit"])
    return str(row["value_text"] or row["value_code"] or "—")


def latest_results(access: PatientAccess) -> list[LatestResult]:
    """The most recent observation of each common code, one query (a window over the patient's index)."""
    labels = dict(COMMON_RESULTS)
    rows = (
        access.records(Observation)
        .filter(code__in=labels)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("code")], order_by=F("effective").desc(nulls_last=True))
        )
        .filter(rank=1)
        .values(*OBSERVATION_COLUMNS)
    )
    by_code = {row["code"]: row for row in rows}
    results: list[LatestResult] = []
    shown_labels: set[str] = set()
    for code, label in COMMON_RESULTS:
        row = by_code.get(code)
        if row is None or str(label) in shown_labels:
            continue
        shown_labels.add(str(label))
        results.append(LatestResult(str(label), observation_value(row), row["effective"], code))
    return results


def _component(components: Iterable[dict[str, Any]], code: str) -> float | None:
    for component in components:
        if isinstance(component, dict) and component.get("code") == code:
            value = component.get("value")
            return float(value) if isinstance(value, int | float) else None
    return None


def blood_pressure_readings(access: PatientAccess, limit: int = TREND_LIMIT) -> list[BloodPressure]:
    """The most recent readings, newest first: panels, or systolic and diastolic paired by time."""
    rows = (
        access.records(Observation)
        .filter(code__in=BLOOD_PRESSURE_CODES, effective__isnull=False)
        .order_by("-effective")
        .values("code", "value_quantity", "components", "effective")[: limit * 3]
    )
    readings: dict[dt.datetime, dict[str, float | None]] = {}
    for row in rows:
        if row["effective"] is None:
            continue
        reading = readings.setdefault(row["effective"], {})
        if row["code"] == BLOOD_PRESSURE_PANEL:
            reading[SYSTOLIC] = _component(row["components"] or [], SYSTOLIC)
            reading[DIASTOLIC] = _component(row["components"] or [], DIASTOLIC)
        else:
            reading[row["code"]] = row["value_quantity"]
    return [
        BloodPressure(effective, values.get(SYSTOLIC), values.get(DIASTOLIC))
        for effective, values in sorted(readings.items(), reverse=True)
    ][:limit]


def hba1c_values(access: PatientAccess, limit: int = TREND_LIMIT) -> list[LabValue]:
    rows = (
        access.records(Observation)
        .filter(code=HBA1C, effective__isnull=False, value_quantity__isnull=False)
        .order_by("-effective")
        .values_list("effective", "value_quantity", "value_unit")[:limit]
    )
    return [
        LabValue(effective, value, unit)
        for effective, value, unit in rows
        if effective is not None and value is not None
    ]


def _points(pairs: Iterable[tuple[dt.datetime, float | None]]) -> list[ChartPoint]:
    points: list[ChartPoint] = []
    for effective, value in pairs:
        day = local_date(effective)
        if day is not None and value is not None:
            points.append(ChartPoint(day, value))
    return points


def blood_pressure_chart(readings: list[BloodPressure]) -> SafeString:
    latest = readings[0].text if readings else ""
    return line_chart(
        chart_id="blood-pressure-chart",
        title=_("Blood pressure"),
        description=_("Systolic and diastolic blood pressure over time. Latest: %(latest)s.")
        % {"latest": latest},
        series=[
            ChartSeries(_("Systolic"), _points((r.effective, r.systolic) for r in readings)),
            ChartSeries(_("Diastolic"), _points((r.effective, r.diastolic) for r in readings)),
        ],
        unit="mmHg",
        reference_lines=[ReferenceLine(140, "140"), ReferenceLine(90, "90")],
    )


def hba1c_chart(values: list[LabValue]) -> SafeString:
    latest = values[0].text if values else ""
    return line_chart(
        chart_id="hba1c-chart",
        title=_("Hemoglobin A1c"),
        description=_("Hemoglobin A1c over time. Latest: %(latest)s.") % {"latest": latest},
        series=[ChartSeries(_("HbA1c"), _points((v.effective, v.value) for v in values))],
        unit="%",
        reference_lines=[ReferenceLine(9, "9%")],
    )
