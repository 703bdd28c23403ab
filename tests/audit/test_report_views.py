"""The privacy officer's audit report: who sees which rows, filters, sorting, pages, CSV, refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import orjson
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.audit.conftest import Agencies, verify
from wraparound.audit.actions import record
from wraparound.audit.models import Action, AuditEvent

REPORT = reverse("audit:report")
CSV = reverse("audit:report_csv")


@pytest.fixture
def trail(agencies: Agencies) -> Agencies:
    """Alice (Riverbend) opens Maria's chart; Bob (Northside) opens Maria's and Oscar's; both sign in."""
    record(agencies.actor("alice"), Action.SIGN_IN, resource_id="alice-sign-in")
    record(
        agencies.actor("alice"),
        Action.VIEW,
        patient_ids=[agencies.maria.id],
        resource_type="Patient",
        resource_id="alice-opens-maria",
    )
    record(agencies.actor("bob"), Action.SIGN_IN, resource_id="bob-sign-in")
    record(
        agencies.actor("bob"),
        Action.VIEW,
        patient_ids=[agencies.maria.id],
        resource_type="Patient",
        resource_id="bob-opens-maria",
    )
    record(
        agencies.actor("bob"),
        Action.PRINT,
        patient_ids=[agencies.oscar.id],
        resource_type="Patient",
        resource_id="bob-prints-oscar",
    )
    return agencies


def shown(content: str) -> set[str]:
    return set(re.findall(r"\b\w+-(?:sign-in|opens-maria|prints-oscar)\b", content))


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    return event


def test_privacy_officer_sees_their_organizations_rows_and_its_patients(trail: Agencies) -> None:
    before = AuditEvent.objects.count()
    response = trail.client("pat").get(REPORT)
    assert response.status_code == 200
    assert shown(response.content.decode()) == {"alice-sign-in", "alice-opens-maria", "bob-opens-maria"}
    assert AuditEvent.objects.count() == before + 1  # one row for the report, not one per row shown
    event = last_event()
    assert (event.action, event.resource_type, event.username) == (Action.VIEW, "AuditReport", "pat")
    assert event.organization_id == trail.riverbend.pk
    assert event.patient_id is None
    assert orjson.loads(event.detail) == {"page": 1, "sort": "-time"}
    assert verify().returncode == 0


def test_each_organizations_officer_sees_only_theirs(trail: Agencies) -> None:
    content = trail.client("paula").get(REPORT).content.decode()
    assert shown(content) == {"bob-sign-in", "bob-opens-maria", "bob-prints-oscar"}


@pytest.mark.parametrize("name", ["alice", "sysadmin", "bob"])
@pytest.mark.parametrize("url", [REPORT, CSV])
def test_anyone_else_is_refused_and_the_refusal_recorded(trail: Agencies, name: str, url: str) -> None:
    before = AuditEvent.objects.count()
    response = trail.client(name).get(url)
    assert response.status_code == 403
    assert "alice-opens-maria" not in response.content.decode()
    assert AuditEvent.objects.count() == before + 1
    event = last_event()
    assert (event.action, event.resource_type, event.username) == (Action.ACCESS_DENIED, "AuditReport", name)
    assert orjson.loads(event.detail) == {"method": "GET", "path": url}


def test_signed_out_visitors_are_sent_to_sign_in(trail: Agencies, client: object) -> None:
    from django.test import Client

    response = Client().get(REPORT)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_report_is_read_only(trail: Agencies) -> None:
    assert trail.client("pat").post(REPORT).status_code == 405


def test_filter_by_user_and_action(trail: Agencies) -> None:
    client = trail.client("pat")
    assert shown(client.get(REPORT, {"user": "BOB"}).content.decode()) == {"bob-opens-maria"}
    assert shown(client.get(REPORT, {"action": "sign_in"}).content.decode()) == {"alice-sign-in"}
    assert orjson.loads(last_event().detail) == {"action": "sign_in", "page": 1, "sort": "-time"}


def test_filter_by_patient_from_a_link(trail: Agencies) -> None:
    client = trail.client("pat")
    response = client.get(REPORT, {"patient": str(trail.maria.id)})
    content = response.content.decode()
    assert shown(content) == {"alice-opens-maria", "bob-opens-maria"}
    assert "Maria Garcia" in content
    event = last_event()
    assert event.patient_id == trail.maria.id  # looking at who opened Maria's record is about Maria
    # every row's patient links to this filter
    assert f'href="?patient={trail.maria.id}"' in client.get(REPORT).content.decode()


@pytest.mark.parametrize("text", ["MA100234567", "ma100234567", "garcia", "Maria Garcia"])
def test_search_a_patient_by_medicaid_id_or_name(trail: Agencies, text: str) -> None:
    content = trail.client("pat").get(REPORT, {"q": text}).content.decode()
    assert shown(content) == {"alice-opens-maria", "bob-opens-maria"}
    assert f'href="?patient={trail.maria.id}"' in content
    assert orjson.loads(last_event().detail)["patient_ids"] == [str(trail.maria.id)]


def test_the_search_does_not_reveal_patients_the_officer_cannot_see(trail: Agencies) -> None:
    content = trail.client("pat").get(REPORT, {"q": "Lindqvist"}).content.decode()
    assert shown(content) == set()
    assert "Oscar" not in content
    assert "No patient matches" in content


def test_filter_by_period(trail: Agencies) -> None:
    client = trail.client("pat")
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert (
        len(
            shown(client.get(REPORT, {"start": today.isoformat(), "end": today.isoformat()}).content.decode())
        )
        == 3
    )
    assert shown(client.get(REPORT, {"start": tomorrow.isoformat()}).content.decode()) == set()
    assert len(shown(client.get(REPORT, {"end": today.strftime("%m/%d/%Y")}).content.decode())) == 3


def test_a_period_that_ends_before_it_starts_is_explained(trail: Agencies) -> None:
    before = AuditEvent.objects.count()
    response = trail.client("pat").get(REPORT, {"start": "2024-03-10", "end": "2024-03-01"})
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_sort_by_time_and_by_user(trail: Agencies) -> None:
    client = trail.client("pat")

    def order(**params: str) -> list[str]:
        return re.findall(r"\b\w+-(?:sign-in|opens-maria)\b", client.get(REPORT, params).content.decode())

    assert order() == ["bob-opens-maria", "alice-opens-maria", "alice-sign-in"]
    assert order(sort="time") == ["alice-sign-in", "alice-opens-maria", "bob-opens-maria"]
    assert order(sort="user")[-1] == "bob-opens-maria"
    assert order(sort="-user")[0] == "bob-opens-maria"
    content = client.get(REPORT, {"sort": "user"}).content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="\?sort=-user">User', content)
    assert re.search(r'<th scope="col">\s*<a href="\?sort=-time">Time', content)


def test_pages_of_fifty(agencies: Agencies) -> None:
    for number in range(60):
        record(agencies.actor("alice"), Action.VIEW, resource_id=f"row-{number:02d}")
    client = agencies.client("pat")
    first = client.get(REPORT, {"user": "alice"}).content.decode()  # the report's own rows are pat's
    second = client.get(REPORT, {"user": "alice", "page": 2}).content.decode()
    assert len(re.findall(r"row-\d\d", first)) == 50
    assert sorted(re.findall(r"row-\d\d", second)) == [f"row-{number:02d}" for number in range(10)]
    assert "1–50 of 60 audit rows" in first
    assert 'href="?user=alice&amp;page=2"' in first


def test_csv_export_has_the_same_filters_and_is_recorded(trail: Agencies) -> None:
    response = trail.client("pat").get(CSV, {"user": "bob", "sort": "time"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["resource_id"] for row in rows] == ["bob-opens-maria"]
    assert rows[0]["patient_name"] == "Maria Garcia"
    assert rows[0]["medicaid_id"] == "MA100234567"
    assert rows[0]["organization"] == "Northside Community Care"
    event = last_event()
    assert (event.action, event.resource_type, event.username) == (Action.EXPORT, "AuditReport", "pat")
    assert orjson.loads(event.detail) == {"format": "csv", "rows": 1, "sort": "time", "user": "bob"}
    assert verify().returncode == 0


def test_the_page_links_the_export_with_its_filters(trail: Agencies) -> None:
    content = trail.client("pat").get(REPORT, {"user": "bob", "page": "1"}).content.decode()
    assert f'href="{CSV}?user=bob"' in content


def test_accessible_table(trail: Agencies) -> None:
    content = trail.client("pat").get(REPORT).content.decode()
    assert '<caption class="visually-hidden">Audit rows, sorted by time</caption>' in content
    assert content.count('<th scope="row"') == 3
    assert "style=" not in content
    assert "<script>" not in content
