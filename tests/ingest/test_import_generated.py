"""A generated population imports with exact counts, as bundles and as Bulk FHIR NDJSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from wraparound.ingest.pipeline import Importer
from wraparound.registry.counts import resource_counts
from wraparound.registry.models import Patient
from wraparound.synth.writer import generate_population

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ndjson", [False, True], ids=["bundles", "ndjson"])
def test_generated_population_imports_with_exact_counts(tmp_path: Path, ndjson: bool) -> None:
    stats = generate_population(tmp_path / "population", members=60, seed=11, ndjson=ndjson, progress=False)

    report = Importer(source="synth").run([tmp_path / "population"])

    assert report.rejected == []
    assert resource_counts() == {t: n for t, n in stats.resources.items() if n}
    assert Patient.objects.count() == 60
    assert Patient.objects.exclude(medicaid_id="").count() == 60

    again = Importer(source="synth").run([tmp_path / "population"])

    assert again.count("created") == 0 and again.count("updated") == 0
