"""A Synthea CSV export folder as FHIR R4 resources.

Synthea (https://github.com/synthetichealth/synthea) can write its population as one CSV
file per table instead of FHIR bundles.  ``iter_csv_resources`` turns such a folder into
FHIR R4 resources (plain JSON-compatible dicts), one file after another in dependency
order (organizations and practitioners, patients, coverage, encounters, then the clinical
tables), so that every relative reference ("Patient/<Id>", "Encounter/<Id>"...) points to
a resource yielded earlier in the same run.

Files are streamed row by row with ``csv.DictReader``; nothing holds a whole file, with
two bounded exceptions: payers.csv (a few dozen rows) is read into a dict to name the
payor of each Coverage, and tables without an ``Id`` column keep one 20-byte digest per
row (see ``_ContentIds``) so that rows repeating exactly get distinct ids.

Columns are read by header name.  Synthea versions differ (newer ones add SYSTEM, MIDDLE,
FIPS, INCOME..., and rename payer_transitions' START_YEAR to START_DATE), so both column
sets are accepted; a missing required column, a malformed row or a value that cannot be
read raises ``CsvFormatError`` naming the file, the row and the field.

payer_transitions rows give one Coverage for the payer and, when SECONDARY_PAYER is set,
a second one with order 2; rows whose payer is Synthea's ``NO_INSURANCE`` give none (a
period without insurance is the absence of a Coverage, not a Coverage).
Files without a mapping are listed by ``csv_files_not_imported`` for the user.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYNTHEA = "https://github.com/synthetichealth/synthea"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
OMB_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
V2_0203 = TERMINOLOGY + "v2-0203"


@dataclass(frozen=True)
class CsvRecord:
    """One FHIR resource and where it came from.

    ``location`` names the file and the data row, e.g. ``"conditions.csv row 17"``.  Rows are
    numbered from 1 counting data rows only (the header is row 0), whatever line breaks quoted
    fields contain.
    """

    location: str
    resource: dict[str, Any]


class CsvFormatError(ValueError):
    """A CSV problem: names the file, the row and the field, and what was expected.

    ``row`` is None for problems with the file as a whole (a missing column, no header);
    ``got`` is the offending value, when there is one.
    """

    def __init__(
        self, file: str, row: int | None, field: str | None, expected: str, *, got: str | None = None
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.expected = expected
        self.got = got
        place = file if row is None else f"{file} row {row}"
        if field:
            place += f", field {field}"
        message = f"{place}: expected {expected}"
        if got is not None:
            message += f", got {got!r}"
        super().__init__(message)


# --- reading rows -----------------------------------------------------------------------

# Canonical column name -> the names other Synthea versions give the same column.
_ALIASES: dict[str, tuple[str, ...]] = {
    "START_YEAR": ("START_DATE",),
    "END_YEAR": ("END_DATE",),
    "OWNERSHIP": ("PLAN_OWNERSHIP",),
    "SPECIALITY": ("SPECIALTY",),
    "START": ("DATE",),  # procedures.csv before Synthea 3 had DATE only
}

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class _Header:
    """One file's header: resolves canonical column names, accepting other versions' names."""

    def __init__(self, file: str, fieldnames: Sequence[str] | None, required: tuple[str, ...]) -> None:
        if not fieldnames:
            raise CsvFormatError(file, None, None, "a header row naming the columns")
        self.file = file
        self.fieldnames = fieldnames
        self._names: dict[str, str | None] = {}
        for column in required:
            if self.name_for(column) is None:
                names = " or ".join((column, *_ALIASES.get(column, ())))
                raise CsvFormatError(file, None, column, f"a column named {names} in the header row")

    def name_for(self, column: str) -> str | None:
        if column not in self._names:
            candidates = (column, *_ALIASES.get(column, ()))
            self._names[column] = next((name for name in candidates if name in self.fieldnames), None)
        return self._names[column]


class _ContentIds:
    """Stable ids for rows of a table that has no Id column.

    The id is a SHA-1 of the file name and the row's values; a row repeating an earlier row
    exactly gets the digest of its content plus its occurrence number, so identical rows get
    distinct ids that are the same on every run.  One 20-byte digest per row is kept.
    """

    def __init__(self, file: str, prefix: str) -> None:
        self.file = file
        self.prefix = prefix
        self.seen: set[bytes] = set()

    def for_values(self, values: list[str]) -> str:
        content = "\x1f".join([self.file, *values])
        digest = hashlib.sha1(content.encode("utf-8")).digest()
        occurrence = 0
        while digest in self.seen:
            occurrence += 1
            digest = hashlib.sha1(f"{content}\x1e{occurrence}".encode()).digest()
        self.seen.add(digest)
        return f"{self.prefix}-{digest.hex()}"


class _Row:
    """One data row, read by canonical column name; every reader raises CsvFormatError."""

    def __init__(self, header: _Header, number: int, values: dict[str, str], ids: _ContentIds) -> None:
        self.header = header
        self.number = number
        self.values = values
        self._ids = ids

    def error(self, column: str, expected: str, got: str | None = None) -> CsvFormatError:
        return CsvFormatError(self.header.file, self.number, column, expected, got=got)

    def text(self, column: str) -> str | None:
        name = self.header.name_for(column)
        value = self.values.get(name, "").strip() if name else ""
        return value or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            raise self.error(column, "a value")
        return value

    def id(self, column: str) -> str:
        value = self.required(column)
        if not _FHIR_ID.match(value):
            raise self.error(column, "an id of letters, digits, '-' and '.' (at most 64)", value)
        return value

    def reference(self, resource_type: str, column: str) -> dict[str, str] | None:
        return {"reference": f"{resource_type}/{self.id(column)}"} if self.text(column) else None

    def content_id(self) -> str:
        return self._ids.for_values(list(self.values.values()))

    def moment(self, column: str, *, year_allowed: bool = False) -> str | None:
        """A FHIR dateTime from a date or an ISO 8601 date-time with a time zone."""
        value = self.text(column)
        if value is None:
            return None
        moment = _fhir_date_time(value, year_allowed=year_allowed)
        if moment is None:
            if "T" in value:
                expected = "a date-time with a time zone (YYYY-MM-DDThh:mm:ssZ)"
            else:
                expected = "a year (YYYY) or a date (YYYY-MM-DD)" if year_allowed else "a date (YYYY-MM-DD)"
            raise self.error(column, expected, value)
        return moment

    def required_moment(self, column: str) -> str:
        moment = self.moment(column)
        if moment is None:
            raise self.error(column, "a value")
        return moment

    def date(self, column: str) -> str | None:
        value = self.text(column)
        if value is not None and not (_DATE.match(value) and _is_calendar_date(value)):
            raise self.error(column, "a date (YYYY-MM-DD)", value)
        return value

    def decimal(self, column: str) -> int | float | None:
        value = self.text(column)
        if value is None:
            return None
        number = _parse_decimal(value)
        if number is None:
            raise self.error(column, "a number", value)
        return number


def _is_calendar_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fhir_date_time(value: str, *, year_allowed: bool) -> str | None:
    if year_allowed and _YEAR.match(value):
        return value
    if _DATE.match(value):
        return value if _is_calendar_date(value) else None
    if len(value) <= 10 or value[10] != "T" or not _DATE.match(value[:10]):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _parse_decimal(value: str) -> int | float | None:
    if not _DECIMAL.match(value):
        return None
    if value.lstrip("+-").isdigit():
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def _rows(folder: Path, file: str, required: tuple[str, ...], id_prefix: str) -> Iterator[_Row]:
    ids = _ContentIds(file, id_prefix)
    number = -1  # the header is row 0
    with (folder / file).open(encoding="utf-8-sig", newline="") as handle:
        try:
            reader = csv.DictReader(handle)
            header = _Header(file, reader.fieldnames, required)
            number = 0
            for number, values in enumerate(reader, start=1):
                if None in values or None in values.values():
                    expected = f"{len(header.fieldnames)} fields, as many as the header row has"
                    raise CsvFormatError(file, number, None, expected)
                yield _Row(header, number, values, ids)
        except UnicodeDecodeError:
            raise CsvFormatError(file, number + 1, None, "UTF-8 text") from None
        except csv.Error as error:
            raise CsvFormatError(file, number + 1, None, f"well-formed CSV ({error})") from None


# --- FHIR building blocks ---------------------------------------------------------------


def _clean(value: dict[str, Any] | list[Any]) -> Any:
    """``value`` without None, empty strings, empty lists and empty objects, which FHIR forbids.

    Returns None when nothing is left.  Scalars are tested inline: this runs on every element.
    """
    if isinstance(value, list):
        items = [_clean(item) if isinstance(item, dict | list) else item for item in value]
        return [item for item in items if item is not None and item != ""] or None
    cleaned = {}
    for key, item in value.items():
        if isinstance(item, dict | list):
            item = _clean(item)
        if item is not None and item != "":
            cleaned[key] = item
    return cleaned or None


def _concept(system: str, code: str | None, display: str | None) -> dict[str, Any] | None:
    if code is None:
        return {"text": display} if display else None
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": TERMINOLOGY + system, "code": code}]}


def _period(start: str | None, end: str | None) -> dict[str, str | None]:
    return {"start": start, "end": end}


_SYSTEMS = {
    **dict.fromkeys(("SNOMED-CT", "SNOMED", "SNOMEDCT", "SCT"), SNOMED),
    **dict.fromkeys(("ICD-10-CM", "ICD10CM", "ICD-10", "ICD10"), ICD_10_CM),
    **{"RXNORM": RXNORM, "LOINC": LOINC, "CVX": CVX},
}


def _code_system(row: _Row, default: str) -> str:
    """The SYSTEM column of newer Synthea versions ("SNOMED-CT", or a URI), else ``default``."""
    name = row.text("SYSTEM")
    if name is None:
        return default
    if name.upper() in _SYSTEMS:
        return _SYSTEMS[name.upper()]
    if re.match(r"^(https?|urn):\S+$", name):
        return name
    raise row.error("SYSTEM", "a code system (SNOMED-CT, ICD-10-CM, RxNorm, LOINC, CVX or a URI)", name)


def _code(row: _Row, system: str) -> dict[str, Any] | None:
    return _concept(system, row.required("CODE"), row.text("DESCRIPTION"))


def _reasons(row: _Row) -> list[dict[str, Any] | None]:
    return [_concept(SNOMED, row.text("REASONCODE"), row.text("REASONDESCRIPTION"))]


def _gender(row: _Row) -> str | None:
    value = row.text("GENDER")
    if value is None:
        return None
    genders = {"M": "male", "F": "female"}
    if value.upper() not in genders:
        raise row.error("GENDER", "M or F", value)
    return genders[value.upper()]


def _address(row: _Row, *, district: bool = False) -> dict[str, Any]:
    latitude, longitude = row.decimal("LAT"), row.decimal("LON")
    geolocation = None
    if latitude is not None and longitude is not None:
        geolocation = {
            "url": "http://hl7.org/fhir/StructureDefinition/geolocation",
            "extension": [
                {"url": "latitude", "valueDecimal": latitude},
                {"url": "longitude", "valueDecimal": longitude},
            ],
        }
    return {
        "extension": [geolocation],
        "line": [row.text("ADDRESS")],
        "city": row.text("CITY"),
        "district": row.text("COUNTY") if district else None,
        "state": row.text("STATE"),
        "postalCode": row.text("ZIP"),
    }


def _synthea_identifier(value: str) -> dict[str, str]:
    return {"system": SYNTHEA, "value": value}


# --- organizations, practitioners, patients, coverage ----------------------------------


def _organization(row: _Row) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": row.id("Id"),
        "identifier": [_synthea_identifier(row.id("Id"))],
        "active": True,
        "type": [_concept(TERMINOLOGY + "organization-type", "prov", "Healthcare Provider")],
        "name": row.text("NAME"),
        "telecom": [{"system": "phone", "value": row.text("PHONE")} if row.text("PHONE") else None],
        "address": [_address(row)],
    }


def _practitioner(row: _Row) -> list[dict[str, Any]]:
    """A Practitioner and the PractitionerRole tying them to their organization."""
    provider_id = row.id("Id")
    name = row.text("NAME") or ""
    *given, family = name.split() or [""]
    practitioner = {
        "resourceType": "Practitioner",
        "id": provider_id,
        "identifier": [_synthea_identifier(provider_id)],
        "active": True,
        "name": [{"text": name, "family": family, "given": given}],
        "gender": _gender(row),
        "address": [_address(row)],
    }
    role_id = f"role-{provider_id}"
    if len(role_id) > 64:
        role_id = "role-" + hashlib.sha1(provider_id.encode()).hexdigest()
    role = {
        "resourceType": "PractitionerRole",
        "id": role_id,
        "active": True,
        "practitioner": {"reference": f"Practitioner/{provider_id}"},
        "organization": row.reference("Organization", "ORGANIZATION"),
        "specialty": [{"text": row.text("SPECIALITY")}],
    }
    return [practitioner, role]


_RACES = {
    "white": ("2106-3", "White"),
    "black": ("2054-5", "Black or African American"),
    "asian": ("2028-9", "Asian"),
    "native": ("1002-5", "American Indian or Alaska Native"),
    "hawaiian": ("2076-8", "Native Hawaiian or Other Pacific Islander"),
    "other": ("2131-1", "Other Race"),
}
_ETHNICITIES = {
    "hispanic": ("2135-2", "Hispanic or Latino"),
    "nonhispanic": ("2186-5", "Not Hispanic or Latino"),
}
_MARITAL = {"M": "Married", "S": "Never Married", "D": "Divorced", "W": "Widowed", "L": "Legally Separated"}


def _omb_extension(
    kind: str, value: str | None, codes: Mapping[str, tuple[str, str]]
) -> dict[str, Any] | None:
    """US Core race or ethnicity; "other" race is not an OMB category, so it goes in ``detailed``."""
    if value is None:
        return None
    code, display = codes.get(value.lower(), (None, value))
    part = "detailed" if value.lower() == "other" else "ombCategory"
    coding = {"system": OMB_RACE_ETHNICITY, "code": code, "display": display} if code else None
    return {
        "url": US_CORE + kind,
        "extension": [
            {"url": part, "valueCoding": coding} if coding else None,
            {"url": "text", "valueString": display},
        ],
    }


def _patient_identifiers(row: _Row) -> list[dict[str, Any] | None]:
    def typed(code: str, display: str, column: str, system: str | None = None) -> dict[str, Any] | None:
        value = row.text(column)
        if value is None:
            return None
        kind = {"coding": [{"system": V2_0203, "code": code, "display": display}], "text": display}
        return {"type": kind, "system": system, "value": value}

    return [
        _synthea_identifier(row.id("Id")),
        typed("SS", "Social Security number", "SSN", "http://hl7.org/fhir/sid/us-ssn"),
        typed("DL", "Driver's license number", "DRIVERS"),
        typed("PPN", "Passport number", "PASSPORT"),
    ]


def _marital_status(letter: str | None) -> dict[str, Any] | None:
    if letter not in _MARITAL:
        return {"text": letter}
    return _concept(TERMINOLOGY + "v3-MaritalStatus", letter, _MARITAL[letter])


def _patient(row: _Row) -> dict[str, Any]:
    given = [row.text("FIRST"), row.text("MIDDLE")]
    return {
        "resourceType": "Patient",
        "id": row.id("Id"),
        "extension": [
            _omb_extension("us-core-race", row.text("RACE"), _RACES),
            _omb_extension("us-core-ethnicity", row.text("ETHNICITY"), _ETHNICITIES),
        ],
        "identifier": _patient_identifiers(row),
        "name": [
            {
                "use": "official",
                "prefix": [row.text("PREFIX")],
                "given": given,
                "family": row.text("LAST"),
                "suffix": [row.text("SUFFIX")],
            },
            {"use": "maiden", "given": given, "family": row.text("MAIDEN")} if row.text("MAIDEN") else None,
        ],
        "gender": _gender(row),
        "birthDate": row.date("BIRTHDATE") or row.required("BIRTHDATE"),
        "deceasedDateTime": row.moment("DEATHDATE"),
        "address": [_address(row, district=True)],
        "maritalStatus": _marital_status(row.text("MARITAL")),
    }


def _payer_names(folder: Path) -> dict[str, str]:
    """payers.csv as {Id: NAME}: a few dozen rows at most."""
    if not (folder / "payers.csv").is_file():
        return {}
    return {
        row.id("Id"): row.required("NAME") for row in _rows(folder, "payers.csv", ("Id", "NAME"), "payer")
    }


_SUBSCRIBER_RELATIONSHIPS = {"self": "self", "spouse": "spouse", "guardian": "other", "child": "child"}


def _coverages(row: _Row, payers: Mapping[str, str]) -> list[dict[str, Any]]:
    """One Coverage for the payer, and one with order 2 for a secondary payer when there is one."""
    payer = row.required("PAYER")
    if payer not in payers:
        raise row.error("PAYER", "the Id of a payer listed in payers.csv", payer)
    if payers[payer] == "NO_INSURANCE":
        return []
    ownership = row.text("OWNERSHIP")
    relationship = _SUBSCRIBER_RELATIONSHIPS.get((ownership or "").lower())
    coverage_id = row.content_id()
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "id": coverage_id,
        "status": "active",
        "subscriberId": row.text("MEMBERID"),
        "beneficiary": {"reference": f"Patient/{row.id('PATIENT')}"},
        "relationship": _concept(TERMINOLOGY + "subscriber-relationship", relationship, ownership),
        "period": _period(
            row.moment("START_YEAR", year_allowed=True), row.moment("END_YEAR", year_allowed=True)
        ),
        "payor": [{"display": payers[payer]}],
        "order": 1,
    }
    secondary = row.text("SECONDARY_PAYER")
    if secondary is None:
        return [coverage]
    if secondary not in payers:
        raise row.error("SECONDARY_PAYER", "the Id of a payer listed in payers.csv", secondary)
    second = {**coverage, "id": f"{coverage_id}-2", "payor": [{"display": payers[secondary]}], "order": 2}
    return [coverage, second]


# --- encounters and clinical tables -----------------------------------------------------

_ENCOUNTER_CLASSES = {
    **dict.fromkeys(("ambulatory", "wellness", "outpatient", "urgentcare"), ("AMB", "ambulatory")),
    **dict.fromkeys(("home", "hospice"), ("HH", "home health")),  # Synthea's hospice is care at home
    **dict.fromkeys(("virtual", "telemed"), ("VR", "virtual")),
    "emergency": ("EMER", "emergency"),
    "inpatient": ("IMP", "inpatient encounter"),
    "snf": ("NONAC", "inpatient non-acute"),
}


def _encounter(row: _Row) -> dict[str, Any]:
    kind = row.required("ENCOUNTERCLASS")
    if kind.lower() not in _ENCOUNTER_CLASSES:
        raise row.error("ENCOUNTERCLASS", "one of " + ", ".join(_ENCOUNTER_CLASSES), kind)
    code, display = _ENCOUNTER_CLASSES[kind.lower()]
    end = row.moment("STOP")
    performer = {"coding": [{"system": TERMINOLOGY + "v3-ParticipationType", "code": "PPRF"}]}
    practitioner = row.reference("Practitioner", "PROVIDER")
    return {
        "resourceType": "Encounter",
        "id": row.id("Id"),
        "status": "finished" if end else "in-progress",
        "class": {"system": TERMINOLOGY + "v3-ActCode", "code": code, "display": display},
        "type": [_code(row, SNOMED)],
        "subject": row.reference("Patient", "PATIENT"),
        "participant": [{"type": [performer], "individual": practitioner} if practitioner else None],
        "period": _period(row.required_moment("START"), end),
        "reasonCode": _reasons(row),
        "serviceProvider": row.reference("Organization", "ORGANIZATION"),
    }


def _condition(row: _Row) -> dict[str, Any]:
    end = row.moment("STOP")
    return {
        "resourceType": "Condition",
        "id": row.content_id(),
        "clinicalStatus": _status("condition-clinical", "resolved" if end else "active"),
        "verificationStatus": _status("condition-ver-status", "confirmed"),
        "category": [_status("condition-category", "encounter-diagnosis")],
        "code": _code(row, _code_system(row, SNOMED)),
        "subject": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "onsetDateTime": row.required_moment("START"),
        "abatementDateTime": end,
    }


# The codes of http://terminology.hl7.org/CodeSystem/observation-category
_OBSERVATION_CATEGORIES = frozenset(
    {
        "social-history",
        "vital-signs",
        "imaging",
        "laboratory",
        "procedure",
        "survey",
        "exam",
        "therapy",
        "activity",
    }
)


def _observation_value(row: _Row) -> dict[str, Any]:
    value = row.text("VALUE")
    if value is None:
        return {}
    number = _parse_decimal(value)
    if number is None or (row.text("TYPE") or "numeric").lower() != "numeric":
        return {"valueString": value}
    unit = row.text("UNITS")
    if unit is None or unit == "null":
        return {"valueQuantity": {"value": number}}
    code = {"system": UCUM, "code": unit} if not any(c.isspace() for c in unit) else {}
    return {"valueQuantity": {"value": number, "unit": unit, **code}}


def _observation(row: _Row) -> dict[str, Any]:
    category = row.text("CATEGORY")
    if category in _OBSERVATION_CATEGORIES:
        category_concept = _status("observation-category", category)
    else:
        category_concept = {"text": category}
    return {
        "resourceType": "Observation",
        "id": row.content_id(),
        "status": "final",
        "category": [category_concept],
        "code": _code(row, LOINC),
        "subject": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "effectiveDateTime": row.required_moment("DATE"),
        **_observation_value(row),
    }


def _medication_request(row: _Row) -> dict[str, Any]:
    """A prescription; the period it ran for is kept as the dispense request's validity period."""
    start, end = row.required_moment("START"), row.moment("STOP")
    return {
        "resourceType": "MedicationRequest",
        "id": row.content_id(),
        "status": "stopped" if end else "active",
        "intent": "order",
        "medicationCodeableConcept": _code(row, RXNORM),
        "subject": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "authoredOn": start,
        "reasonCode": _reasons(row),
        "dispenseRequest": {"validityPeriod": _period(start, end)} if end else None,
    }


def _procedure(row: _Row) -> dict[str, Any]:
    start, end = row.required_moment("START"), row.moment("STOP")
    performed = (
        {"performedPeriod": _period(start, end)} if end and end != start else {"performedDateTime": start}
    )
    return {
        "resourceType": "Procedure",
        "id": row.content_id(),
        "status": "completed",
        "code": _code(row, _code_system(row, SNOMED)),
        "subject": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        **performed,
        "reasonCode": _reasons(row),
    }


def _immunization(row: _Row) -> dict[str, Any]:
    return {
        "resourceType": "Immunization",
        "id": row.content_id(),
        "status": "completed",
        "vaccineCode": _code(row, CVX),
        "patient": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "occurrenceDateTime": row.required_moment("DATE"),
    }


_ALLERGY_CATEGORIES = {
    "drug": "medication",
    **{c: c for c in ("food", "medication", "environment", "biologic")},
}


_SEVERITIES = ("mild", "moderate", "severe")


def _reaction(row: _Row, number: str) -> dict[str, Any] | None:
    manifestation = _concept(SNOMED, row.text("REACTION" + number), row.text("DESCRIPTION" + number))
    severity = (row.text("SEVERITY" + number) or "").lower()
    if manifestation is None:
        return None
    return {"manifestation": [manifestation], "severity": severity if severity in _SEVERITIES else None}


def _allergy(row: _Row) -> dict[str, Any]:
    end = row.moment("STOP")
    kind = (row.text("TYPE") or "").lower()
    category = _ALLERGY_CATEGORIES.get((row.text("CATEGORY") or "").lower())
    start = row.required_moment("START")
    return {
        "resourceType": "AllergyIntolerance",
        "id": row.content_id(),
        "clinicalStatus": _status("allergyintolerance-clinical", "resolved" if end else "active"),
        "verificationStatus": _status("allergyintolerance-verification", "confirmed"),
        "type": kind if kind in ("allergy", "intolerance") else None,
        "category": [category],
        "code": _code(row, _code_system(row, SNOMED)),
        "patient": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "onsetDateTime": start,
        "recordedDate": start,
        "lastOccurrence": end,
        "reaction": [_reaction(row, "1"), _reaction(row, "2")],
    }


def _care_plan(row: _Row) -> dict[str, Any]:
    """CarePlan.addresses needs Condition references; the reason goes in workflow-reasonCode."""
    end = row.moment("STOP")
    reason = _concept(SNOMED, row.text("REASONCODE"), row.text("REASONDESCRIPTION"))
    reason_url = "http://hl7.org/fhir/StructureDefinition/workflow-reasonCode"
    return {
        "resourceType": "CarePlan",
        "id": row.id("Id"),
        "extension": [{"url": reason_url, "valueCodeableConcept": reason} if reason else None],
        "status": "completed" if end else "active",
        "intent": "plan",
        "category": [_code(row, SNOMED)],
        "subject": row.reference("Patient", "PATIENT"),
        "encounter": row.reference("Encounter", "ENCOUNTER"),
        "period": _period(row.required_moment("START"), end),
    }


def _device(row: _Row) -> dict[str, Any]:
    """A device affixed to the patient; Device has no use period, so START is not kept."""
    udi = row.text("UDI")
    gtin = re.match(r"^\(01\)(\d+)", udi or "")  # the device identifier part of a GS1 UDI
    return {
        "resourceType": "Device",
        "id": row.content_id(),
        "udiCarrier": [{"deviceIdentifier": gtin.group(1) if gtin else None, "carrierHRF": udi}],
        "status": "inactive" if row.moment("STOP") else "active",
        "type": _code(row, SNOMED),
        "patient": row.reference("Patient", "PATIENT"),
    }


def _supply_delivery(row: _Row) -> dict[str, Any]:
    return {
        "resourceType": "SupplyDelivery",
        "id": row.content_id(),
        "status": "completed",
        "patient": row.reference("Patient", "PATIENT"),
        "suppliedItem": {
            "quantity": {"value": row.decimal("QUANTITY")},
            "itemCodeableConcept": _code(row, SNOMED),
        },
        "occurrenceDateTime": row.required_moment("DATE"),
    }


# --- the folder ---------------------------------------------------------------------------

_Mapper = Callable[[_Row], list[dict[str, Any]]]


def _one(mapper: Callable[[_Row], dict[str, Any]]) -> Callable[[Path], _Mapper]:
    return lambda _folder: lambda row: [mapper(row)]


def _many(mapper: _Mapper) -> Callable[[Path], _Mapper]:
    return lambda _folder: mapper


def _coverage_mapper(folder: Path) -> _Mapper:
    return functools.partial(_coverages, payers=_payer_names(folder))


@dataclass(frozen=True)
class _Table:
    file: str
    required: tuple[str, ...]
    id_prefix: str  # for tables without an Id column
    mapper: Callable[[Path], _Mapper]


_CLINICAL = ("PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION")
_TABLES = (
    _Table("organizations.csv", ("Id", "NAME"), "org", _one(_organization)),
    _Table("providers.csv", ("Id", "NAME"), "prac", _many(_practitioner)),
    _Table("patients.csv", ("Id", "BIRTHDATE", "FIRST", "LAST", "GENDER"), "pat", _one(_patient)),
    _Table("payer_transitions.csv", ("PATIENT", "START_YEAR", "END_YEAR", "PAYER"), "cov", _coverage_mapper),
    _Table(
        "encounters.csv",
        ("Id", "START", "STOP", "PATIENT", "ENCOUNTERCLASS", "CODE", "DESCRIPTION"),
        "enc",
        _one(_encounter),
    ),
    _Table("conditions.csv", ("START", "STOP", *_CLINICAL), "cond", _one(_condition)),
    _Table("observations.csv", ("DATE", *_CLINICAL, "VALUE", "UNITS"), "obs", _one(_observation)),
    _Table("medications.csv", ("START", "STOP", *_CLINICAL), "med", _one(_medication_request)),
    _Table("procedures.csv", ("START", *_CLINICAL), "proc", _one(_procedure)),
    _Table("immunizations.csv", ("DATE", *_CLINICAL), "imm", _one(_immunization)),
    _Table("allergies.csv", ("START", "STOP", *_CLINICAL), "alg", _one(_allergy)),
    _Table("careplans.csv", ("Id", "START", "STOP", *_CLINICAL), "plan", _one(_care_plan)),
    _Table("devices.csv", ("START", "STOP", *_CLINICAL, "UDI"), "dev", _one(_device)),
    _Table("supplies.csv", ("DATE", *_CLINICAL, "QUANTITY"), "sup", _one(_supply_delivery)),
)


def _csv_file_names(folder: Path) -> set[str]:
    return {entry.name for entry in folder.iterdir() if entry.is_file() and entry.suffix.lower() == ".csv"}


def is_synthea_csv_folder(path: Path) -> bool:
    """True when ``path`` is a directory holding ``patients.csv`` (spelled exactly so)."""
    return path.is_dir() and "patients.csv" in _csv_file_names(path)


def iter_csv_resources(folder: Path) -> Iterator[CsvRecord]:
    """Every resource the folder's mapped files describe, in dependency order, file by file."""
    if not is_synthea_csv_folder(folder):
        raise CsvFormatError("patients.csv", None, None, "a Synthea CSV export folder holding this file")
    present = _csv_file_names(folder)
    for table in _TABLES:
        if table.file not in present:
            continue
        mapper = table.mapper(folder)
        for row in _rows(folder, table.file, table.required, table.id_prefix):
            for resource in mapper(row):
                yield CsvRecord(f"{table.file} row {row.number}", _clean(resource))


def csv_files_not_imported(folder: Path) -> list[str]:
    """CSV files of the folder that no mapping reads (claims, imaging studies, unknown files)."""
    present = _csv_file_names(folder)
    read = {table.file for table in _TABLES}
    if "payer_transitions.csv" in present:
        read.add("payers.csv")
    return sorted(present - read)
