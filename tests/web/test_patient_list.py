"""A care manager finds a patient from the patient list and the top-bar search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.registry.models import Patient

from .conftest import ClinicalRecords

LIST_URL = "/patients/"


@pytest.fixture
def population(records: ClinicalRecords) -> dict[str, Patient]:
    maria = records.patient(
        "p1",
        "Maria Elena",
        "Garcia",
        dt.date(1970, 3, 14),
        medicaid_id="MCD1234567",
        city="Springfield",
        state="MA",
        language_code="es",
        language="Spanish",
        interpreter_needed=True,
    )
    records.identifier(maria, "MR", "MRN-55501", system="http://hospital.example.org")
    john = records.patient(
        "p2", "John", "Smith", dt.date(1955, 11, 2), medicaid_id="MCD7654321", city="Boston"
    )
    records.identifier(john, "MR", "MRN-55502", system="http://hospital.example.org")
    garcia_jose = records.patient("p3", "Jose", "Garcia Lopez", dt.date(1988, 1, 5), city="Worcester")
    return {"maria": maria, "john": john, "jose": garcia_jose}


def names(response_content: bytes) -> set[str]:
    text = response_content.decode()
    return {name for name in ("Garcia, Maria Elena", "Smith, John", "Garcia Lopez, Jose") if name in text}


def test_anonymous_user_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_page_opens_a_care_managers_worklist(alice_client: Client) -> None:
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("worklists:my_worklist")


def test_without_a_query_every_patient_is_listed_by_family_name(
    alice_client: Client, population: dict[str, Patient]
) -> None:
    content = alice_client.get(LIST_URL).content.decode()
    assert (
        content.index("Garcia, Maria Elena")
        < content.index("Garcia Lopez, Jose")
        < content.index("Smith, John")
    )
    assert "3 patients" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("maria garcia", {"Garcia, Maria Elena"}),
        ("GARCIA maria", {"Garcia, Maria Elena"}),
        ("garc", {"Garcia, Maria Elena", "Garcia Lopez, Jose"}),
        ("ga", {"Garcia, Maria Elena", "Garcia Lopez, Jose"}),
        ("lopez", {"Garcia Lopez, Jose"}),
        ("Smith, John", {"Smith, John"}),
        ("elena", {"Garcia, Maria Elena"}),
        ("arcia", set()),
    ],
)
def test_search_by_name_in_any_order(
    alice_client: Client, population: dict[str, Patient], query: str, expected: set[str]
) -> None:
    response = alice_client.get(LIST_URL, {"q": query})
    assert response.status_code == 200
    assert names(response.content) == expected


@pytest.mark.parametrize("birth_date", ["03/14/1970", "3/14/1970", "1970-03-14"])
def test_search_by_birth_date(alice_client: Client, population: dict[str, Patient], birth_date: str) -> None:
    response = alice_client.get(LIST_URL, {"q": birth_date})
    assert names(response.content) == {"Garcia, Maria Elena"}


def test_name_and_birth_date_narrow_together(alice_client: Client, population: dict[str, Patient]) -> None:
    assert names(alice_client.get(LIST_URL, {"q": "garcia 01/05/1988"}).content) == {"Garcia Lopez, Jose"}
    assert names(alice_client.get(LIST_URL, {"q": "smith 01/05/1988"}).content) == set()


def test_an_impossible_date_says_so(alice_client: Client, population: dict[str, Patient]) -> None:
    response = alice_client.get(LIST_URL, {"q": "02/30/1970"})
    content = response.content.decode()
    assert "02/30/1970 is not a valid date" in content
    assert names(response.content) == set()


@pytest.mark.parametrize("medicaid_id", ["MCD7654321", "mcd7654321"])
def test_search_by_medicaid_id(
    alice_client: Client, population: dict[str, Patient], medicaid_id: str
) -> None:
    assert names(alice_client.get(LIST_URL, {"q": medicaid_id}).content) == {"Smith, John"}


def test_search_by_medical_record_number(alice_client: Client, population: dict[str, Patient]) -> None:
    assert names(alice_client.get(LIST_URL, {"q": "MRN-55501"}).content) == {"Garcia, Maria Elena"}
    assert names(alice_client.get(LIST_URL, {"q": "MRN-555"}).content) == set()


def test_identifiers_of_other_resource_types_do_not_match(
    alice_client: Client, population: dict[str, Patient], records: ClinicalRecords
) -> None:
    organization = records.organization("o1", "Springfield Clinic")
    from wraparound.registry.models import Identifier

    Identifier.objects.create(
        resource_type="Organization", resource_id=organization.id, value="ORG-1", type_code=""
    )
    assert names(alice_client.get(LIST_URL, {"q": "ORG-1"}).content) == set()


def test_a_name_with_digits_is_found_when_no_identifier_matches(
    alice_client: Client, records: ClinicalRecords
) -> None:
    records.patient("synthea", "Jacinto644", "Kris249", dt.date(1990, 1, 1))
    assert "Kris249, Jacinto644" in alice_client.get(LIST_URL, {"q": "kris249 jacinto644"}).content.decode()


def test_no_match_shows_an_empty_state(alice_client: Client, population: dict[str, Patient]) -> None:
    content = alice_client.get(LIST_URL, {"q": "nobody"}).content.decode()
    assert "No patients match “nobody”." in content


def test_list_columns(alice_client: Client, population: dict[str, Patient]) -> None:
    content = alice_client.get(LIST_URL, {"q": "maria"}).content.decode()
    assert "03/14/1970" in content
    assert "MCD1234567" in content
    assert "Springfield, MA" in content
    assert "Spanish" in content
    assert "Interpreter" in content
    assert reverse("web:patient_detail", args=[population["maria"].id]) in content


def test_paging_keeps_the_query(alice_client: Client, records: ClinicalRecords) -> None:
    for number in range(30):
        records.patient(f"many-{number}", f"Given{number:02d}", "Nguyen", dt.date(1980, 1, 1))
    records.patient("other", "Ann", "Other", dt.date(1980, 1, 1))
    first = alice_client.get(LIST_URL, {"q": "nguyen"}).content.decode()
    assert "1\u201325 of 30 patients" in first
    assert "?q=nguyen&amp;page=2" in first
    second = alice_client.get(LIST_URL, {"q": "nguyen", "page": "2"}).content.decode()
    assert "26\u201330 of 30 patients" in second
    assert second.count("Nguyen, Given") == 5
    assert "Other, Ann" not in second


def test_htmx_search_returns_only_the_results(alice_client: Client, population: dict[str, Patient]) -> None:
    response = alice_client.get(
        LIST_URL, {"q": "smith"}, headers={"HX-Request": "true", "HX-Target": "patient-results"}
    )
    content = response.content.decode()
    assert "<html" not in content
    assert names(response.content) == {"Smith, John"}
    assert 'hx-swap-oob="innerHTML"' in content


def test_list_queries_do_not_grow_with_the_page(
    alice_client: Client, records: ClinicalRecords, django_assert_max_num_queries: object
) -> None:
    for number in range(25):
        records.patient(f"q-{number}", "Pat", f"Family{number:02d}", dt.date(1990, 1, 1))
    # session, user, membership, second factor; count and page; the audit rows of the 25 patients
    # shown, written together (savepoint, chain head, one insert, head update, release)
    with django_assert_max_num_queries(11):  # type: ignore[operator]
        alice_client.get(LIST_URL, {"q": "pat"})
