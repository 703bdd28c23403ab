"""Headless Chromium against the live server, a signed-in care manager, and a small believable population.

Chromium comes from Debian (``apt-get install -y chromium``); Playwright's own browser download is not
used.  A missing browser fails the tests: they are never skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.accounts.helpers import give_authenticator, totp_code
from tests.personas import put_on_care_team, stored
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.registry.models import (
    AllergyIntolerance,
    Condition,
    Encounter,
    Identifier,
    Immunization,
    MedicationRequest,
    Observation,
    Organization,
    Patient,
    StoredResource,
)

CHROMIUM = Path(os.environ.get("WRAPAROUND_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-battery"
SOURCE = "browser-test"
Model = TypeVar("Model", bound=StoredResource)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync API keeps an event loop running in this thread while it is open.

    The ORM calls the tests make beside it (building records, flushing the database) are ordinary
    synchronous calls, so Django's async-safety check is relaxed for as long as it runs; module
    scope ends both with the module, leaving the test files that run after it unaffected.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install it with `apt-get install -y chromium` "
            "(or point WRAPAROUND_CHROMIUM at a Chromium binary).",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as running:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp: axe-core is injected as an inline script, which the Content-Security-Policy refuses.
    # The policy itself is exercised by test_signin_totp.py and test_session_timeout.py (strict pages).
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US", bypass_csp=True)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def care_manager(transactional_db: None) -> User:
    """Alice Carter, a care manager at a care management agency."""
    alice = User.objects.create_user("alice", password=PASSWORD, first_name="Alice", last_name="Carter")
    agency = CareOrganization.objects.create(
        name="Riverbend Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    Membership.objects.create(user=alice, organization=agency, role=Role.CARE_MANAGER)
    give_authenticator(alice)  # multi-factor sign-in: sign_in() types the app's code
    return alice


def sign_in(
    page: Page, base_url: str, username: str = "alice", password: str = PASSWORD, lands_on: str = "/worklist/"
) -> None:
    """The password, then the authenticator app's code (computed from the user's device)."""
    if "/login/" not in page.url:
        page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/accounts/verify/**")
    page.get_by_label("Code", exact=True).fill(
        totp_code(give_authenticator(User.objects.get(username=username)))
    )
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}{lands_on}")


def _stored(model: type[Model], source_id: str, **fields: Any) -> Model:
    stored_row: Model = stored(model, SOURCE, source_id, **fields)
    alice = User.objects.filter(username="alice").first()
    if isinstance(stored_row, Patient) and alice is not None:
        put_on_care_team(alice, stored_row)  # the patients of these tests are on Alice's caseload
    return stored_row


def _at(year: int, month: int, day: int, hour: int = 14, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


GIVEN = [
    "James",
    "Linda",
    "Robert",
    "Aaliyah",
    "Wei",
    "Fatima",
    "Carlos",
    "Grace",
    "Dmitri",
    "Ana",
    "Kofi",
    "Mei",
]
FAMILY = [
    "Johnson",
    "Nguyen",
    "Okafor",
    "Rodriguez",
    "Kowalski",
    "Haddad",
    "Smith",
    "Lee",
    "Ivanova",
    "Brown",
]
CITIES = ["Springfield", "Worcester", "Lowell", "Brockton", "Quincy", "Lynn", "New Bedford"]
LANGUAGES = [
    ("en", "English", False),
    ("es", "Spanish", True),
    ("vi", "Vietnamese", True),
    ("en", "English", False),
]


def build_population(count: int = 60) -> None:
    """Other patients, so that the list looks like a caseload."""
    chooser = random.Random(7)
    for number in range(count):
        given, family = chooser.choice(GIVEN), chooser.choice(FAMILY)
        code, language, interpreter = chooser.choice(LANGUAGES)
        _stored(
            Patient,
            f"pop-{number}",
            given_names=given,
            family_name=family,
            search_name=f"{given} {family}".lower(),
            birth_date=dt.date(chooser.randint(1940, 2004), chooser.randint(1, 12), chooser.randint(1, 28)),
            gender=chooser.choice(["female", "male"]),
            medicaid_id=f"MA{chooser.randint(10**8, 10**9 - 1)}",
            city=chooser.choice(CITIES),
            state="MA",
            language_code=code,
            language=language,
            interpreter_needed=interpreter,
        )


def build_maria() -> Patient:
    """Maria Elena Garcia: diabetes, hypertension, depression; a recent admission."""
    maria = _stored(
        Patient,
        "maria",
        given_names="Maria Elena",
        family_name="Garcia",
        preferred_name="Elena",
        search_name="maria elena garcia",
        birth_date=dt.date(1968, 3, 14),
        gender="female",
        medicaid_id="MA100234567",
        city="Springfield",
        state="MA",
        language_code="es",
        language="Spanish",
        interpreter_needed=True,
    )
    for type_code, system, value in (
        ("MR", "http://springfield-general.example.org", "SGH-0048213"),
        ("MA", "urn:oid:2.16.840.1.113883.4.3.25.ma", "MA100234567"),
        ("SS", "http://hl7.org/fhir/sid/us-ssn", "999-41-7730"),
    ):
        Identifier.objects.create(
            resource_type="Patient", resource_id=maria.id, system=system, value=value, type_code=type_code
        )
    _build_problems(maria)
    _build_encounters(maria)
    _build_results(maria)
    _build_medications(maria)
    return maria


def _build_problems(maria: Patient) -> None:
    problems = [
        ("Diabetes mellitus type 2 (disorder)", "44054006", "E11.9", _at(2009, 6, 3), None),
        ("Essential hypertension (disorder)", "59621000", "I10", _at(2006, 2, 11), None),
        ("Major depressive disorder, single episode (disorder)", "36923009", "F32.9", _at(2019, 9, 20), None),
        ("Chronic kidney disease stage 2 (disorder)", "431856006", "N18.2", _at(2021, 4, 8), None),
        ("Obesity (disorder)", "414916001", "E66.9", _at(2004, 5, 1), None),
        ("Acute bronchitis (disorder)", "10509002", "J20.9", _at(2023, 1, 10), _at(2023, 1, 24)),
        ("Sprain of ankle (disorder)", "44465007", "S93.409A", _at(2016, 8, 2), _at(2016, 9, 1)),
    ]
    for number, (display, snomed, icd10, onset, abatement) in enumerate(problems):
        _stored(
            Condition,
            f"maria-c{number}",
            patient=maria,
            display=display,
            snomed_code=snomed,
            icd10_code=icd10,
            code=snomed,
            code_system="http://snomed.info/sct",
            onset=onset,
            abatement=abatement,
            status="resolved" if abatement else "active",
        )
    _stored(
        AllergyIntolerance,
        "maria-a1",
        patient=maria,
        display="Penicillin V",
        category="medication",
        criticality="high",
        status="active",
        recorded_date=_at(2010, 3, 2),
    )
    _stored(
        AllergyIntolerance,
        "maria-a2",
        patient=maria,
        display="Shellfish",
        category="food",
        criticality="low",
        status="active",
        recorded_date=_at(2012, 7, 19),
    )


def _build_encounters(maria: Patient) -> None:
    hospital = _stored(Organization, "sgh", name="Springfield General Hospital")
    clinic = _stored(Organization, "mvhc", name="Mill Valley Health Center")
    _stored(
        Encounter,
        "maria-e-admit",
        patient=maria,
        encounter_class=Encounter.Kind.INPATIENT,
        display="Hospital admission",
        start=_at(2024, 5, 2, 22, 40),
        end=_at(2024, 5, 6, 16, 5),
        service_provider=hospital,
        reason_display="Hyperglycemia due to type 2 diabetes mellitus",
        discharge_disposition="Home with home health services",
    )
    _stored(
        Encounter,
        "maria-e-ed",
        patient=maria,
        encounter_class=Encounter.Kind.EMERGENCY,
        display="Emergency room admission",
        start=_at(2024, 5, 2, 19, 15),
        end=_at(2024, 5, 2, 22, 30),
        service_provider=hospital,
        reason_display="Hyperglycemia",
    )
    _stored(
        Encounter,
        "maria-e-home",
        patient=maria,
        encounter_class=Encounter.Kind.HOME_HEALTH,
        display="Home health visit",
        start=_at(2024, 5, 9, 15),
        end=_at(2024, 5, 9, 16),
        service_provider=clinic,
    )
    _stored(
        Encounter,
        "maria-e-virtual",
        patient=maria,
        encounter_class=Encounter.Kind.VIRTUAL,
        display="Telehealth follow-up",
        start=_at(2024, 5, 13, 17),
        end=_at(2024, 5, 13, 17, 25),
        service_provider=clinic,
        reason_display="Follow-up after discharge",
    )
    for year in range(2012, 2025):
        _stored(
            Encounter,
            f"maria-e-well{year}",
            patient=maria,
            encounter_class=Encounter.Kind.AMBULATORY,
            display="General examination of patient (procedure)",
            start=_at(year, 2, 6, 14),
            end=_at(year, 2, 6, 14, 30),
            service_provider=clinic,
            reason_display="",
        )


def _build_results(maria: Patient) -> None:
    readings = [
        (2016, 152, 96, 9.8),
        (2017, 148, 94, 9.1),
        (2018, 146, 92, 8.8),
        (2019, 141, 90, 8.4),
        (2020, 138, 88, 8.9),
        (2021, 144, 91, 8.2),
        (2022, 136, 86, 7.9),
        (2023, 132, 84, 7.4),
        (2024, 128, 82, 7.1),
    ]
    for year, systolic, diastolic, hba1c in readings:
        when = _at(year, 2, 6, 14, 10)
        _stored(
            Observation,
            f"maria-bp{year}",
            patient=maria,
            code="85354-9",
            display="Blood pressure panel",
            effective=when,
            components=[
                {"code": "8480-6", "display": "Systolic blood pressure", "value": systolic, "unit": "mm[Hg]"},
                {
                    "code": "8462-4",
                    "display": "Diastolic blood pressure",
                    "value": diastolic,
                    "unit": "mm[Hg]",
                },
            ],
        )
        _stored(
            Observation,
            f"maria-a1c{year}",
            patient=maria,
            code="4548-4",
            display="Hemoglobin A1c",
            effective=when,
            value_quantity=hba1c,
            value_unit="%",
        )
    latest = _at(2024, 2, 6, 14, 10)
    for code, value, unit in (
        ("8867-4", 78, "/min"),
        ("29463-7", 88.4, "kg"),
        ("39156-5", 33.1, "kg/m2"),
        ("2093-3", 212, "mg/dL"),
        ("18262-6", 131, "mg/dL"),
        ("33914-3", 71, "mL/min/{1.73_m2}"),
        ("44261-6", 11, "{score}"),
    ):
        _stored(
            Observation,
            f"maria-o{code}",
            patient=maria,
            code=code,
            effective=latest,
            value_quantity=value,
            value_unit=unit,
        )
    _stored(
        Observation,
        "maria-smoke",
        patient=maria,
        code="72166-2",
        effective=latest,
        value_text="Never smoked tobacco (finding)",
    )


def _build_medications(maria: Patient) -> None:
    for number, (display, status, authored) in enumerate(
        (
            ("Metformin hydrochloride 500 MG Oral Tablet", "active", _at(2009, 6, 3)),
            ("Lisinopril 10 MG Oral Tablet", "active", _at(2006, 2, 11)),
            ("Sertraline 50 MG Oral Tablet", "active", _at(2019, 10, 1)),
            ("insulin glargine 100 UNT/ML Injectable Solution", "active", _at(2024, 5, 6)),
            ("Amoxicillin 250 MG Oral Capsule", "stopped", _at(2023, 1, 10)),
        )
    ):
        _stored(
            MedicationRequest,
            f"maria-m{number}",
            patient=maria,
            display=display,
            status=status,
            authored_on=authored,
        )
    for year in (2021, 2022, 2023):
        _stored(
            Immunization,
            f"maria-flu{year}",
            patient=maria,
            code="140",
            display="Influenza, seasonal, injectable, preservative free",
            occurrence=_at(year, 10, 3),
        )
    _stored(
        Immunization,
        "maria-td",
        patient=maria,
        code="113",
        display="Td (adult), 5 Lf tetanus toxoid",
        occurrence=_at(2018, 2, 6),
    )


@pytest.fixture
def demo_records(transactional_db: None) -> Patient:
    build_population()
    return build_maria()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE.name} not found under node_modules/axe-core). "
            "Run `npm install` at the repository root.",
            pytrace=False,
        )
    return AXE
