"""A care manager opens a patient's summary: banner, problems, encounters, results and trends."""

from __future__ import annotations

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.registry import access
from wraparound.registry.models import Encounter, Patient

from .conftest import ClinicalRecords

EASTERN = dt.timezone(dt.timedelta(hours=-4))


@pytest.fixture
def maria(records: ClinicalRecords) -> Patient:
    patient = records.patient(
        "p1",
        "Maria",
        "Garcia",
        dt.date(1970, 3, 14),
        gender="female",
        medicaid_id="MCD1234567",
        language_code="es",
        language="Spanish",
        interpreter_needed=True,
    )
    records.identifier(patient, "MR", "MRN-55501", system="http://hospital.example.org")
    records.identifier(patient, "SS", "999-12-3456", system="http://hl7.org/fhir/sid/us-ssn")
    records.condition(
        patient,
        "c1",
        "Diabetes mellitus type 2 (disorder)",
        snomed_code="44054006",
        icd10_code="E11.9",
        onset=dt.datetime(2015, 4, 2, 9, 0, tzinfo=dt.UTC),
    )
    records.condition(
        patient,
        "c2",
        "Acute bronchitis (disorder)",
        status="resolved",
        snomed_code="10509002",
        onset=dt.datetime(2022, 1, 10, tzinfo=dt.UTC),
        abatement=dt.datetime(2022, 1, 24, tzinfo=dt.UTC),
    )
    hospital = records.organization("o1", "Springfield General Hospital")
    records.encounter(
        patient,
        "e1",
        dt.datetime(2024, 5, 1, 18, 30, tzinfo=dt.UTC),
        end=dt.datetime(2024, 5, 4, 15, 0, tzinfo=dt.UTC),
        encounter_class=Encounter.Kind.INPATIENT,
        display="Hospital admission",
        service_provider=hospital,
        reason_display="Hyperglycemia",
        discharge_disposition="Home",
    )
    records.encounter(
        patient,
        "e2",
        dt.datetime(2024, 2, 1, 14, 0, tzinfo=dt.UTC),
        end=dt.datetime(2024, 2, 1, 14, 30, tzinfo=dt.UTC),
        encounter_class=Encounter.Kind.AMBULATORY,
        display="General examination of patient",
    )
    for year, systolic, diastolic in ((2022, 150, 95), (2023, 142, 91), (2024, 128, 82)):
        records.observation(
            patient,
            f"bp{year}",
            "85354-9",
            dt.datetime(year, 2, 1, 14, 10, tzinfo=dt.UTC),
            display="Blood pressure panel",
            components=[
                {"code": "8480-6", "display": "Systolic", "value": systolic, "unit": "mm[Hg]"},
                {"code": "8462-4", "display": "Diastolic", "value": diastolic, "unit": "mm[Hg]"},
            ],
        )
    for year, value in ((2022, 9.4), (2023, 8.1), (2024, 7.2)):
        records.observation(
            patient,
            f"a1c{year}",
            "4548-4",
            dt.datetime(year, 2, 1, 14, 20, tzinfo=dt.UTC),
            display="Hemoglobin A1c",
            value_quantity=value,
            value_unit="%",
        )
    records.observation(
        patient,
        "w1",
        "29463-7",
        dt.datetime(2024, 2, 1, 14, 5, tzinfo=dt.UTC),
        value_quantity=81.3,
        value_unit="kg",
    )
    return patient


def summary_url(patient_id: uuid.UUID) -> str:
    return reverse("web:patient_detail", args=[patient_id])


def test_anonymous_user_is_sent_to_sign_in(client: Client, maria: Patient) -> None:
    response = client.get(summary_url(maria.id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_patient_is_not_found(alice_client: Client) -> None:
    assert alice_client.get(summary_url(uuid.uuid4())).status_code == 404


def test_the_view_reads_the_patient_through_access_patient(alice_client: Client, maria: Patient) -> None:
    with mock.patch("wraparound.web.views.access_patient", wraps=access.access_patient) as checked:
        alice_client.get(summary_url(maria.id))
    checked.assert_called_once()
    assert checked.call_args.args[1] == maria.id


def test_banner(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id)).content.decode()
    assert "Maria Garcia" in content
    assert "03/14/1970" in content
    assert "Female" in content
    assert "Spanish" in content
    assert "Interpreter needed" in content
    assert "MCD1234567" in content
    assert "Not enrolled" in content
    for slot in ("Risk tier", "Lead care manager", "PCP", "Consent", "Alerts"):
        assert slot in content


def test_identifiers_in_plain_words_and_the_ssn_masked(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id)).content.decode()
    assert "Medical record number" in content
    assert "MRN-55501" in content
    assert "Social Security number" in content
    assert "3456" in content
    assert "999-12" not in content


def test_problems_active_first_with_codes(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id)).content.decode()
    assert content.index("Diabetes mellitus type 2") < content.index("Acute bronchitis")
    assert "44054006" in content
    assert "E11.9" in content
    assert "04/02/2015" in content
    assert "1 resolved or inactive problem" in content


def test_encounters_newest_first_in_local_time(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id)).content.decode()
    assert content.index("Hospital admission") < content.index("General examination of patient")
    # 18:30 UTC is 2:30 PM in New York (settings.TIME_ZONE) in May.
    assert "05/01/2024 2:30 PM" in content
    assert "3-day stay" in content
    assert "Springfield General Hospital" in content
    assert "Hyperglycemia" in content
    assert "Home" in content
    assert "Inpatient" in content
    assert "Ambulatory" in content


def test_latest_results_and_trends(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id)).content.decode()
    assert "128/82 mmHg" in content
    assert "7.2%" in content
    assert "81.3 kg" in content
    assert 'id="blood-pressure-chart-title"' in content
    assert 'id="hba1c-chart-title"' in content
    assert content.count('role="img"') == 2
    assert "Blood pressure as a table" in content


def test_blood_pressure_from_separate_systolic_and_diastolic_observations(
    alice_client: Client, records: ClinicalRecords
) -> None:
    patient = records.patient("csv", "Ana", "Diaz", dt.date(1960, 1, 1))
    when = dt.datetime(2023, 7, 1, 15, 0, tzinfo=dt.UTC)
    records.observation(patient, "s", "8480-6", when, value_quantity=136, value_unit="mm[Hg]")
    records.observation(patient, "d", "8462-4", when, value_quantity=88, value_unit="mm[Hg]")
    content = alice_client.get(summary_url(patient.id)).content.decode()
    assert "136/88 mmHg" in content


def test_a_patient_without_records_shows_empty_states(alice_client: Client, records: ClinicalRecords) -> None:
    patient = records.patient("bare", "Ben", "Bare")
    content = alice_client.get(summary_url(patient.id)).content.decode()
    assert "No active problems on record." in content
    assert "No encounters on record." in content
    assert "No allergies recorded." in content


@pytest.mark.usefixtures("steady_session_clock")
def test_summary_reads_in_a_handful_of_queries(
    alice_client: Client, maria: Patient, records: ClinicalRecords, django_assert_max_num_queries: object
) -> None:
    hospital = records.organization("o2", "Clinic")
    for number in range(20):
        records.encounter(
            maria, f"many{number}", dt.datetime(2020, 1, 1 + number, tzinfo=dt.UTC), service_provider=hospital
        )
    # session, user, membership, second factor; the patient, the access decision, Part 2 programs;
    # the audit row (5 statements); then the summary's own dozen reads, the banner's five (the
    # stays for its alerts among them), and the eligibility decisions and risk profile
    with django_assert_max_num_queries(29):  # type: ignore[operator]
        alice_client.get(summary_url(maria.id))


def test_spanish(alice_client: Client, maria: Patient) -> None:
    content = alice_client.get(summary_url(maria.id), headers={"Accept-Language": "es"}).content.decode()
    assert 'lang="es"' in content
    assert "Problemas" in content
    assert "Necesita intérprete" in content
    assert "Presión arterial" in content


def test_a_social_security_number_is_masked_whatever_its_type_code(
    alice_client: Client, records: ClinicalRecords
) -> None:
    patient = records.patient("ssn", "Sam", "Masked", dt.date(1950, 5, 5))
    records.identifier(patient, "", "999-55-1234", system="http://hl7.org/fhir/sid/us-ssn")
    records.identifier(patient, "SB", "999-55-9876", system="http://hl7.org/fhir/sid/us-ssn")
    content = alice_client.get(summary_url(patient.id)).content.decode()
    assert "999-55" not in content
    assert "1234" in content
    assert "9876" in content


def test_eligibility_and_tier_explained_in_words(alice_client: Client, records: ClinicalRecords) -> None:
    from wraparound.eligibility.actions import do_decide
    from wraparound.risk.actions import do_compute_risk

    patient = records.patient("p9", "Rosa", "Delgado", dt.date(1962, 5, 1), gender="female")
    for number, (snomed, display, year) in enumerate(
        (("44054006", "Diabetes mellitus type 2", 2019), ("59621000", "Essential hypertension", 2021))
    ):
        records.condition(
            patient,
            f"rc{number}",
            display,
            snomed_code=snomed,
            onset=dt.datetime(year, 3, 1, tzinfo=dt.UTC),
        )
    do_decide([patient.pk], "federal-1945")
    do_compute_risk([patient.pk])
    page = alice_client.get(reverse("web:patient_detail", kwargs={"patient_id": patient.pk}))
    text = " ".join(page.content.decode().split())
    assert "Eligible: diabetes (since 2019) and hypertension (since 2021)" in text
    assert (
        "Moderate tier because: HCC score (V24) 0.635, at least 0.5; 2 chronic conditions, at least 2."
        in text
    )


@pytest.mark.usefixtures("steady_session_clock")
def test_the_summary_costs_the_same_queries_for_few_and_many_records(
    alice_client: Client, maria: Patient, records: ClinicalRecords
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(summary_url(maria.id)).status_code == 200
        return len(captured.captured_queries)

    count()  # warm: first-request work (sessions, caches) is not the page's
    few = count()
    hospital = records.organization("o3", "Clinic")
    for number in range(25):
        records.encounter(
            maria, f"more{number}", dt.datetime(2021, 2, 1 + number, tzinfo=dt.UTC), service_provider=hospital
        )
        records.condition(maria, f"more-c{number}", f"Condition {number}", snomed_code="44054006")
    assert count() == few
