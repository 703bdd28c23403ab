"""After `wraparound import`, the touched patients' eligibility and risk are recomputed by a background job."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from wraparound.eligibility.models import EligibilityDecision
from wraparound.ingest.tasks import recompute_after_import
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile

BUNDLE = "ca-2025/fhir/ba45a621-380f-8c79-5920-5d22ad34eb39.json"
REFERENCE_DATA = (
    "ca-2025/fhir/hospitalInformation1753719443038.json",
    "ca-2025/fhir/practitionerInformation1753719443038.json",
)
SECOND_BUNDLE = "ca-2025/fhir/0b7496cb-ffc9-0874-03f4-f4841c4dfa63.json"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def folder(shared_data: Path, tmp_path: Path) -> Path:
    for name in (*REFERENCE_DATA, BUNDLE):
        shutil.copy(shared_data / "synthea" / name, tmp_path / Path(name).name)
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_an_import_queues_the_job_and_the_job_recomputes_the_touched_patients(folder: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS):
        call_command("import", str(folder), source="synthea", quiet=True)
    patient = Patient.objects.get()
    assert not RiskProfile.objects.exists()  # queued for `wraparound worker`, not yet run
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "wraparound.ingest.tasks.recompute_after_import"
    assert queued.args_kwargs["args"][1] == [str(patient.pk)]  # the import names whom it touched
    outcome = recompute_after_import.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    assert outcome["risk_profiles"] == 1
    assert RiskProfile.objects.filter(patient=patient).exists()
    packs = set(EligibilityDecision.objects.filter(patient=patient).values_list("pack", flat=True))
    assert {"federal-1945", "new-york"} <= packs


@pytest.mark.django_db(transaction=True)
def test_importing_the_same_data_again_queues_nothing(folder: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS):
        call_command("import", str(folder), source="synthea", quiet=True)
        call_command("import", str(folder), source="synthea", quiet=True)
        assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_importer_reports_exactly_the_patients_it_touched(
    folder: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from wraparound.ingest.pipeline import Importer

    first = Importer(source="synthea").run([folder])
    assert first.touched_patients == set(Patient.objects.values_list("pk", flat=True))
    assert Importer(source="synthea").run([folder]).touched_patients == set()  # nothing changed
    later = tmp_path_factory.mktemp("later")
    shutil.copy(shared_data / "synthea" / SECOND_BUNDLE, later)
    second = Importer(source="synthea").run([later])
    newcomer = Patient.objects.exclude(pk__in=first.touched_patients).get()
    assert second.touched_patients == {newcomer.pk}


@pytest.mark.django_db(transaction=True)
def test_recompute_everyone_in_two_processes_equals_one_process(folder: Path, shared_data: Path) -> None:
    """Two worker processes (on PostgreSQL; an in-memory SQLite test database stays in one)."""
    from io import StringIO

    from wraparound.ingest.pipeline import Importer
    from wraparound.ingest.tasks import recompute_everyone

    shutil.copy(shared_data / "synthea" / SECOND_BUNDLE, folder)
    Importer(source="synthea").run([folder])
    call_command("recompute", "--all", "--workers", "1", "--quiet")
    alone = {
        (row.patient_id, row.pack): (row.eligible, row.criteria) for row in EligibilityDecision.objects.all()
    }
    tiers = dict(RiskProfile.objects.values_list("patient_id", "tier"))
    assert len(tiers) == 2
    EligibilityDecision.objects.all().delete()
    RiskProfile.objects.all().delete()
    done = recompute_everyone(workers=2, chunk_size=1)
    assert done == {"decisions": len(alone), "risk_profiles": 2}
    assert {
        (row.patient_id, row.pack): (row.eligible, row.criteria) for row in EligibilityDecision.objects.all()
    } == alone
    assert dict(RiskProfile.objects.values_list("patient_id", "tier")) == tiers
    out = StringIO()
    call_command("recompute", "--all", "--workers", "2", stdout=out)
    assert out.getvalue().startswith("2 patients:")
