"""A Synthea CSV export folder becomes valid FHIR R4 resources, or a precise error."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from wraparound.core.fhirschema import validate_resource
from wraparound.ingest.synthea_csv import (
    CsvFormatError,
    CsvRecord,
    csv_files_not_imported,
    is_synthea_csv_folder,
    iter_csv_resources,
)

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OLDER_EXPORT = SHARED_DATA / "synthea" / "dbt-csv" / "seeds" / "synthea"  # 27 patients, older column set
NEWER_EXPORT = SHARED_DATA / "synthea" / "ca-2025" / "csv"  # Synthea of July 2025: SYSTEM, START_DATE...
SYMPTOMS_ONLY = SHARED_DATA / "synthea" / "ca-2025" / "symptoms" / "csv"


@cache
def records(folder: Path) -> tuple[CsvRecord, ...]:
    return tuple(iter_csv_resources(folder))


def data_rows(file: Path) -> int:
    with file.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def rewrite(file: Path, change: Any) -> None:
    """Rewrite a copied CSV file through ``change(header, rows) -> (header, rows)``."""
    with file.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    header, rows = change(header, rows)
    with file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


@pytest.fixture
def export_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "synthea"
    shutil.copytree(OLDER_EXPORT, folder)
    return folder


# --- the folder as a whole ----------------------------------------------------------------


def test_a_synthea_export_is_recognised_and_a_symptoms_export_is_not(tmp_path: Path) -> None:
    assert is_synthea_csv_folder(OLDER_EXPORT)
    assert not is_synthea_csv_folder(OLDER_EXPORT / "patients.csv")
    assert not is_synthea_csv_folder(tmp_path / "missing")
    assert (SYMPTOMS_ONLY / "symptoms.csv").is_file()
    assert not is_synthea_csv_folder(SYMPTOMS_ONLY)
    (tmp_path / "Patients.csv").write_text("Id\n")
    assert not is_synthea_csv_folder(tmp_path)


def test_a_folder_that_is_not_a_synthea_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CsvFormatError, match=r"patients\.csv"):
        next(iter_csv_resources(tmp_path))


def test_every_resource_is_valid_fhir_r4() -> None:
    for record in records(OLDER_EXPORT):
        resource = record.resource
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        validate_resource(resource)


def test_one_resource_per_row_of_the_main_tables() -> None:
    counts = Counter(record.resource["resourceType"] for record in records(OLDER_EXPORT))
    assert counts["Patient"] == data_rows(OLDER_EXPORT / "patients.csv") == 27
    assert counts["Encounter"] == data_rows(OLDER_EXPORT / "encounters.csv")
    assert counts["Condition"] == data_rows(OLDER_EXPORT / "conditions.csv")
    assert counts["Observation"] == data_rows(OLDER_EXPORT / "observations.csv")
    assert counts["MedicationRequest"] == data_rows(OLDER_EXPORT / "medications.csv")
    assert counts["Practitioner"] == counts["PractitionerRole"] == data_rows(OLDER_EXPORT / "providers.csv")


def test_ids_are_unique_per_type_and_the_same_on_every_run() -> None:
    first = [(r.resource["resourceType"], r.resource["id"]) for r in records(OLDER_EXPORT)]
    second = [(r.resource["resourceType"], r.resource["id"]) for r in iter_csv_resources(OLDER_EXPORT)]
    assert first == second
    assert len(set(first)) == len(first)


def test_every_reference_points_to_a_resource_yielded_earlier_in_the_run() -> None:
    yielded: set[str] = set()
    for record in records(OLDER_EXPORT):
        for reference in references(record.resource):
            assert reference in yielded, f"{record.location}: {reference} not yielded before"
        yielded.add(f"{record.resource['resourceType']}/{record.resource['id']}")


def test_each_record_names_its_file_and_data_row() -> None:
    locations = [record.location for record in records(OLDER_EXPORT)]
    assert locations[0] == "organizations.csv row 1"
    assert "conditions.csv row 438" in locations
    assert "conditions.csv row 439" not in locations


def test_files_without_a_mapping_are_reported_not_dropped(export_copy: Path) -> None:
    assert csv_files_not_imported(OLDER_EXPORT) == [
        "claims.csv",
        "claims_transactions.csv",
        "imaging_studies.csv",
    ]
    (export_copy / "symptoms.csv").write_text("PATIENT,SYMPTOMS\n1,cough\n")
    assert csv_files_not_imported(export_copy) == [
        "claims.csv",
        "claims_transactions.csv",
        "imaging_studies.csv",
        "symptoms.csv",
    ]


# --- what the resources say -------------------------------------------------------------


def resource(folder: Path, resource_type: str, predicate: Any = lambda r: True) -> dict[str, Any]:
    return next(
        r.resource
        for r in records(folder)
        if r.resource["resourceType"] == resource_type and predicate(r.resource)
    )


def test_a_patient_carries_identifiers_race_ethnicity_and_a_geolocated_address() -> None:
    patient = resource(OLDER_EXPORT, "Patient", lambda r: r["id"] == "3edac2e3-d223-6fae-d515-daf96ef6bc76")
    assert patient["birthDate"] == "2014-10-06"
    assert patient["gender"] == "male"
    assert patient["name"][0] == {"use": "official", "given": ["Maynard46"], "family": "Mosciski958"}
    ssn = next(i for i in patient["identifier"] if i.get("system") == "http://hl7.org/fhir/sid/us-ssn")
    assert ssn["value"] == "999-17-5017"
    assert ssn["type"]["coding"][0]["code"] == "SS"
    race = next(e for e in patient["extension"] if e["url"].endswith("us-core-race"))
    assert race["extension"][0]["valueCoding"]["code"] == "2106-3"
    ethnicity = next(e for e in patient["extension"] if e["url"].endswith("us-core-ethnicity"))
    assert ethnicity["extension"][0]["valueCoding"]["code"] == "2186-5"
    geolocation = patient["address"][0]["extension"][0]
    assert geolocation["extension"][0] == {"url": "latitude", "valueDecimal": 42.36877442769006}
    assert patient["address"][0]["postalCode"] == "02155"


def test_a_deceased_patient_has_a_death_date() -> None:
    patient = resource(OLDER_EXPORT, "Patient", lambda r: "deceasedDateTime" in r)
    assert patient["deceasedDateTime"] in ("1976-07-25", "2004-03-21")


def test_numeric_observations_have_quantities_and_text_ones_strings() -> None:
    height = resource(OLDER_EXPORT, "Observation", lambda r: r["code"]["coding"][0]["code"] == "8302-2")
    assert height["valueQuantity"] == {
        "value": 127.9,
        "unit": "cm",
        "system": "http://unitsofmeasure.org",
        "code": "cm",
    }
    assert height["category"][0]["coding"][0]["code"] == "vital-signs"
    assert height["effectiveDateTime"] == "2023-10-10T04:17:47Z"
    smoking = resource(OLDER_EXPORT, "Observation", lambda r: r.get("valueString") == "Never smoker")
    assert "valueQuantity" not in smoking


def test_a_resolved_condition_has_an_abatement_and_the_resolved_status() -> None:
    condition = resource(OLDER_EXPORT, "Condition", lambda r: r["code"]["coding"][0]["code"] == "195662009")
    assert condition["onsetDateTime"] == "2023-01-27"
    assert condition["abatementDateTime"] == "2023-02-09"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert condition["id"].startswith("cond-")


def test_an_encounter_links_patient_practitioner_and_organization() -> None:
    encounter = resource(
        OLDER_EXPORT, "Encounter", lambda r: r["id"] == "57f2562b-445c-f11c-ba40-edc55af3c84f"
    )
    assert encounter["class"]["code"] == "AMB"
    assert encounter["subject"] == {"reference": "Patient/3edac2e3-d223-6fae-d515-daf96ef6bc76"}
    assert encounter["participant"][0]["individual"]["reference"].startswith("Practitioner/")
    assert encounter["serviceProvider"]["reference"].startswith("Organization/")
    assert encounter["period"] == {"start": "2023-01-27T16:17:47Z", "end": "2023-01-27T16:32:47Z"}
    assert encounter["reasonCode"][0]["coding"][0]["code"] == "195662009"


def test_coverage_names_the_payer_and_uninsured_periods_are_not_coverage() -> None:
    coverages = [r.resource for r in records(OLDER_EXPORT) if r.resource["resourceType"] == "Coverage"]
    payors = Counter(c["payor"][0]["display"] for c in coverages)
    assert payors["Medicaid"] > 0
    assert "NO_INSURANCE" not in payors
    assert all(c["beneficiary"]["reference"].startswith("Patient/") for c in coverages)


# --- other Synthea versions ---------------------------------------------------------------


def test_a_newer_export_with_renamed_and_added_columns_is_read() -> None:
    counts = Counter(record.resource["resourceType"] for record in records(NEWER_EXPORT))
    assert counts["Patient"] == data_rows(NEWER_EXPORT / "patients.csv")
    assert counts["Procedure"] == data_rows(NEWER_EXPORT / "procedures.csv")
    yielded: set[str] = set()
    for record in records(NEWER_EXPORT):
        validate_resource(record.resource)
        assert set(references(record.resource)) <= yielded, record.location
        yielded.add(f"{record.resource['resourceType']}/{record.resource['id']}")
    coverage = resource(NEWER_EXPORT, "Coverage")
    assert coverage["period"]["start"].endswith("Z")  # from START_DATE, not START_YEAR
    patient = resource(NEWER_EXPORT, "Patient", lambda r: len(r["name"][0]["given"]) == 2)  # MIDDLE
    assert patient["name"][0]["given"][1]


def test_an_older_export_with_years_and_procedure_dates_is_read(export_copy: Path) -> None:
    def years_only(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        start, end = header.index("START_YEAR"), header.index("END_YEAR")
        for row in rows:
            row[start], row[end] = row[start][:4], row[end][:4]
        return header, rows

    def date_column(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        stop = header.index("STOP")
        header = ["DATE" if name == "START" else name for name in header]
        return header[:stop] + header[stop + 1 :], [row[:stop] + row[stop + 1 :] for row in rows]

    rewrite(export_copy / "payer_transitions.csv", years_only)
    rewrite(export_copy / "procedures.csv", date_column)
    for record in iter_csv_resources(export_copy):
        validate_resource(record.resource)
    coverage = resource(export_copy, "Coverage")
    assert coverage["period"] == {"start": "2014", "end": "2015"}
    procedure = resource(export_copy, "Procedure")
    assert procedure["performedDateTime"] == "2023-10-10T04:17:47Z"


def test_identical_rows_get_different_ids_that_are_stable(export_copy: Path) -> None:
    rewrite(export_copy / "conditions.csv", lambda header, rows: (header, [rows[0], rows[0], *rows[1:]]))

    def condition_ids() -> list[str]:
        return [
            r.resource["id"]
            for r in iter_csv_resources(export_copy)
            if r.resource["resourceType"] == "Condition"
        ]

    first = condition_ids()
    assert first[0] != first[1]
    assert len(set(first)) == len(first) == data_rows(OLDER_EXPORT / "conditions.csv") + 1
    assert condition_ids() == first


# --- precise errors -----------------------------------------------------------------------


def consume(folder: Path) -> None:
    for _ in iter_csv_resources(folder):
        pass


def test_a_corrupt_date_names_the_file_row_and_field(export_copy: Path) -> None:
    def corrupt(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        rows[16][header.index("START")] = "2019-13-45"
        return header, rows

    rewrite(export_copy / "conditions.csv", corrupt)
    with pytest.raises(CsvFormatError) as raised:
        consume(export_copy)
    error = raised.value
    assert (error.file, error.row, error.field) == ("conditions.csv", 17, "START")
    assert str(error) == "conditions.csv row 17, field START: expected a date (YYYY-MM-DD), got '2019-13-45'"


def test_a_date_time_without_a_time_zone_is_refused(export_copy: Path) -> None:
    def local_time(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        rows[2][header.index("START")] = "2023-01-27T16:17:47"
        return header, rows

    rewrite(export_copy / "encounters.csv", local_time)
    with pytest.raises(
        CsvFormatError, match=r"^encounters\.csv row 3, field START: expected a date-time with"
    ):
        consume(export_copy)


def test_a_missing_required_column_is_named(export_copy: Path) -> None:
    def drop_code(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        code = header.index("CODE")
        return header[:code] + header[code + 1 :], [row[:code] + row[code + 1 :] for row in rows]

    rewrite(export_copy / "observations.csv", drop_code)
    with pytest.raises(CsvFormatError) as raised:
        consume(export_copy)
    assert (raised.value.file, raised.value.row, raised.value.field) == ("observations.csv", None, "CODE")
    assert "CODE" in str(raised.value)


def test_a_row_with_too_few_fields_is_refused(export_copy: Path) -> None:
    rewrite(
        export_copy / "immunizations.csv", lambda header, rows: (header, [rows[0], rows[1][:3], *rows[2:]])
    )
    with pytest.raises(CsvFormatError, match=r"^immunizations\.csv row 2: expected 6 fields"):
        consume(export_copy)


def test_an_unparseable_coordinate_is_refused(export_copy: Path) -> None:
    def bad_latitude(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        rows[0][header.index("LAT")] = "north"
        return header, rows

    rewrite(export_copy / "patients.csv", bad_latitude)
    with pytest.raises(
        CsvFormatError, match=r"^patients\.csv row 1, field LAT: expected a number, got 'north'"
    ):
        consume(export_copy)
