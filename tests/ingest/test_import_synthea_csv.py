"""A Synthea CSV folder imports as one unit: one record per CSV row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from wraparound.ingest.pipeline import Importer
from wraparound.registry.models import Condition, Encounter, Observation, Patient

pytestmark = pytest.mark.django_db


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_dbt_csv_records_equal_csv_rows_and_reimport_is_idempotent(shared_data: Path) -> None:
    folder = shared_data / "synthea" / "dbt-csv" / "seeds" / "synthea"

    first = Importer().run([folder])

    assert first.rejected == []
    assert Patient.objects.count() == _rows(folder / "patients.csv")
    assert Condition.objects.count() == _rows(folder / "conditions.csv")
    assert Encounter.objects.count() == _rows(folder / "encounters.csv")
    assert Observation.objects.count() == _rows(folder / "observations.csv")

    second = Importer().run([folder])

    assert second.count("created") == 0 and second.count("updated") == 0
    assert Observation.objects.count() == _rows(folder / "observations.csv")


def test_csv_encounters_link_to_their_patients(shared_data: Path) -> None:
    folder = shared_data / "synthea" / "dbt-csv" / "seeds" / "synthea"
    Importer().run([folder])

    with (folder / "encounters.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    encounter = Encounter.objects.select_related("patient").get(source_id=row["Id"])
    assert encounter.patient.source_id == row["PATIENT"]
    assert encounter.start is not None and encounter.start.isoformat().startswith(row["START"][:10])
