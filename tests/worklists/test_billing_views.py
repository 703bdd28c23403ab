"""The monthly billing report: what a program administrator sees, the CSV, locking, who may, and its cost."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wraparound.audit.models import Action, AuditEvent
from wraparound.registry.models import Patient
from wraparound.worklists.models import BillingMonthLock

from .test_billing_world import World, build_world, local


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def members(world: World) -> dict[str, Patient]:
    garcia = world.member("Garcia", [("enrolled", local(2026, 1, 10))], medicaid_id="MA100234567")
    lee = world.member("Lee", [("enrolled", local(2026, 1, 10))], medicaid_id="MA100000002")
    okafor = world.member("Okafor", [("outreach", local(2026, 3, 2))], medicaid_id="MA100000003")
    world.contact(garcia, local(2026, 3, 12), ("care_management", "health_it"))
    world.contact(lee, local(2026, 3, 13), ("care_management",), successful=False)
    world.attempt(okafor, local(2026, 3, 4), "mail")
    world.attempt(okafor, local(2026, 3, 19), "phone", "reached")
    return {"Garcia": garcia, "Lee": lee, "Okafor": okafor}


REPORT = reverse("billing:report")


def test_the_program_administrator_sees_the_month_with_evidence(
    world: World, members: dict[str, Patient]
) -> None:
    page = world.client("pat").get(REPORT, {"month": "2026-03"}).content.decode()
    assert "Billing: March 2026" in page
    assert "Garcia, Pat" in page and "MA100234567" in page
    garcia_contact = members["Garcia"].contacts.get()
    assert "Mar 12 · phone · comprehensive care management; use of health information technology" in page
    assert f"contact {garcia_contact.pk}" not in page
    assert "Enrolled, but no contact this month was successful." in page
    assert "In outreach; qualifying attempt (phone) on 03/19/2026" in page
    assert "Lock month" in page and "health-home-2025 2025.1" in page
    shown = AuditEvent.objects.filter(username="pat", action=Action.VIEW, resource_type="Patient")
    assert {event.patient_id for event in shown} == {patient.pk for patient in members.values()}


def test_the_csv_has_the_same_rows(world: World, members: dict[str, Patient]) -> None:
    response = world.client("pat").get(REPORT, {"month": "2026-03", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="billing-2026-03.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["name"], row["basis"], row["billable"]) for row in rows] == [
        ("Garcia, Pat", "enrolled", "yes"),
        ("Lee, Pat", "enrolled", "no"),
        ("Okafor, Pat", "outreach", "yes"),
    ]
    assert list(rows[0]) == [
        "month",
        "patient_id",
        "name",
        "medicaid_id",
        "basis",
        "billable",
        "tier",
        "rate",
        "amount",
        "reason",
        "evidence",
    ]
    garcia = members["Garcia"].contacts.get()
    assert rows[0]["month"] == "2026-03" and rows[0]["medicaid_id"] == "MA100234567"
    assert rows[0]["reason"] == (
        "Enrolled; Comprehensive care management, Use of health information technology delivered on 03/12/2026."
    )
    assert rows[0]["evidence"] == (
        f"contact {garcia.pk} on 03/12/2026 (phone): Comprehensive care management; "
        "Use of health information technology"
    )
    assert "(not successful)" in rows[1]["evidence"]
    assert rows[2]["evidence"].count("outreach attempt") == 2
    assert AuditEvent.objects.filter(username="pat", action=Action.EXPORT).count() == 3


def test_locking_through_the_report(world: World, members: dict[str, Patient]) -> None:
    pat = world.client("pat")
    response = pat.post(reverse("billing:lock_month"), {"month": "2026-03"})
    assert response.status_code == 302
    page = pat.get(response["Location"]).content.decode()
    assert "March 2026 is locked and submitted for billing." in page
    assert "March 2026 was submitted for billing on" in page and "Lock month" not in page
    assert BillingMonthLock.objects.get().report["billable"] == 2


def test_who_may_see_and_lock(world: World, members: dict[str, Patient]) -> None:
    assert world.client("alice").get(REPORT, {"month": "2026-03"}).status_code == 403
    sam = world.client("sam")
    page = sam.get(REPORT, {"month": "2026-03"}).content.decode()
    assert "Garcia, Pat" in page and "Lock month" not in page  # a supervisor sees, does not lock
    assert sam.post(reverse("billing:lock_month"), {"month": "2026-03"}).status_code == 403
    assert world.client("alice").post(reverse("billing:lock_month"), {"month": "2026-03"}).status_code == 403
    assert not BillingMonthLock.objects.exists()
    other = world.client("paula").get(REPORT, {"month": "2026-03"}).content.decode()
    assert "Garcia" not in other and "No members were enrolled or in outreach" in other


def test_a_month_without_a_pack_says_so(world: World) -> None:
    page = world.client("pat").get(REPORT, {"month": "2019-05"}).content.decode()
    assert "No billing rule pack is in effect for May 2019." in page


def _add_members(world: World, first: int, count: int) -> None:
    for number in range(first, first + count):
        enrolled = world.member(
            f"Member{number:02d}", [("outreach", local(2026, 1, 5)), ("enrolled", local(2026, 2, 1))]
        )
        world.contact(enrolled, local(2026, 3, 10))
        reaching = world.member(f"Outreach{number:02d}", [("outreach", local(2026, 1, 5))])
        world.attempt(reaching, local(2026, 1, 9), "phone")
        world.attempt(reaching, local(2026, 3, 9), "text")


def _report_queries(world: World, expected_rows: int) -> int:
    client = world.client("pat")
    # The second request of the session is measured: the first may also write the session (its
    # clock, its device), once per session and at times that depend on how slow the machine is.
    client.get(REPORT, {"month": "2026-03"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REPORT, {"month": "2026-03"})
    assert response.content.decode().count('scope="row"') == expected_rows
    return len(queries)


@pytest.mark.usefixtures("steady_session_clock")
def test_the_report_costs_the_same_for_3_or_30_members(world: World) -> None:
    _add_members(world, 0, 3)
    small = _report_queries(world, 6)
    _add_members(world, 3, 27)
    large = _report_queries(world, 50)  # 60 members, the first page of 50
    assert small == large, (small, large)


def test_the_command_writes_the_csv(world: World, members: dict[str, Patient], tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "march.csv"
    call_command(
        "billing",
        "--organization",
        "Riverbend Care Management",
        "--month",
        "2026-03",
        "--export",
        str(target),
        stdout=out,
    )
    assert (
        "Riverbend Care Management 2026-03 (health-home-2025 2025.1, open): 2 billable, 1 not billable"
        in out.getvalue()
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["name"] for row in rows] == ["Garcia, Pat", "Lee, Pat", "Okafor, Pat"]
    assert AuditEvent.objects.filter(username="wraparound billing", action=Action.EXPORT).count() == 3
