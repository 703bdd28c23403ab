"""Importing the public Synthea sets gives exactly what the source holds, and importing again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.sourcecount import distinct_counts, json_files, tar_json_members
from wraparound.ingest.pipeline import Importer
from wraparound.registry.counts import resource_counts
from wraparound.registry.models import Condition, Encounter, Patient, ResourceVersion

pytestmark = pytest.mark.django_db


def test_ca_2025_counts_equal_source_and_second_import_creates_nothing(shared_data: Path) -> None:
    folder = shared_data / "synthea" / "ca-2025" / "fhir"
    expected = distinct_counts(json_files(folder))

    first = Importer().run([folder])

    assert first.rejected == []
    assert resource_counts() == dict(expected)
    assert first.count("created") == sum(expected.values())

    second = Importer().run([folder])

    assert second.rejected == []
    assert second.count("created") == 0
    assert second.count("updated") == 0
    assert resource_counts() == dict(expected)
    assert not ResourceVersion.objects.exists()


def test_ca_2025_typed_columns_come_from_the_resources(shared_data: Path) -> None:
    Importer().run([shared_data / "synthea" / "ca-2025" / "fhir"])

    inpatient = Encounter.objects.filter(encounter_class="inpatient").exclude(end=None).first()
    assert inpatient is not None and inpatient.start is not None and inpatient.end >= inpatient.start
    assert inpatient.patient_id is not None
    obesity = Condition.objects.filter(snomed_code="162864005").values("patient").distinct().count()
    assert obesity == 45  # the data set's README counts 45 patients with obesity
    patient = Patient.objects.exclude(birth_date=None).first()
    assert patient is not None and patient.family_name and patient.gender in ("male", "female")
    assert patient.resource["resourceType"] == "Patient"


@pytest.mark.slow
def test_smart_2019_archive_as_it_is(shared_data: Path) -> None:
    archive = shared_data / "synthea" / "smart-2019" / "smart_R4_SYNTHEA_2019.tar.gz"
    expected = distinct_counts(tar_json_members(archive))

    first = Importer().run([archive])

    assert first.rejected == []
    assert resource_counts() == dict(expected)

    second = Importer().run([archive])

    assert second.count("created") == 0
    assert resource_counts() == dict(expected)
