"""The billing report's screen: filtered (billable or not, by name), 50 members a page, the summary
for the whole month, the CSV complete, evidence in words without database ids, and its cost."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wraparound.audit.models import Action, AuditEvent
from wraparound.registry.models import Patient
from wraparound.worklists.billing import report as report_module
from wraparound.worklists.billing.report import EvidenceRow
from wraparound.worklists.billing.rulepacks import BillingPack, Rates, pack_for

from .test_billing_world import MARCH, World, build_world, local

REPORT = reverse("billing:report")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def members(world: World) -> dict[str, Patient]:
    """Garcia billable (a core service), Lee not (the only contact failed), Okafor billable (a call)."""
    garcia = world.member("Garcia", [("enrolled", local(2026, 1, 10))])
    lee = world.member("Lee", [("enrolled", local(2026, 1, 10))])
    okafor = world.member("Okafor", [("outreach", local(2026, 3, 2))])
    world.contact(garcia, local(2026, 3, 12), ("care_management", "health_it"))
    world.contact(lee, local(2026, 3, 13), ("care_management",), successful=False)
    world.attempt(okafor, local(2026, 3, 4), "mail")
    world.attempt(okafor, local(2026, 3, 19), "phone", "reached")
    return {"Garcia": garcia, "Lee": lee, "Okafor": okafor}


def _enrolled_members(world: World, count: int) -> list[Patient]:
    """``count`` members enrolled since January, each with a billable contact on March 10."""
    made = []
    for number in range(count):
        patient = world.member(f"Member{number:02d}", [("enrolled", local(2026, 1, 5))])
        world.contact(patient, local(2026, 3, 10))
        made.append(patient)
    return made


def _get(world: World, **params: str) -> str:
    response = world.client("pat").get(REPORT, {"month": "2026-03", **params})
    assert response.status_code == 200
    return response.content.decode()


def _listed(page: str) -> list[str]:
    """The members the table lists, in order."""
    return [html.unescape(name) for name in re.findall(r'<th scope="row"[^>]*><a [^>]*>([^<]*)</a>', page)]


def _summary(page: str) -> dict[str, str]:
    section = page.split('id="summary-heading"', 1)[1].split("</dl>", 1)[0]
    facts = re.findall(r"<dt>([^<]*)</dt><dd>(.*?)</dd>", section, flags=re.S)
    return {html.unescape(term): re.sub(r"<[^>]+>", "", value).strip() for term, value in facts}


def _evidence(page: str) -> list[str]:
    """The text of every evidence item the table shows, without the markup (the "Counts" badge kept)."""
    cells = "".join(re.findall(r'data-label="Evidence">(.*?)</td>', page, re.S))
    items = re.findall(r"<li>(.*?)</li>", cells, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def _shown(username: str = "pat") -> set[object]:
    events = AuditEvent.objects.filter(username=username, action=Action.VIEW, resource_type="Patient")
    return {event.patient_id for event in events}


# --- filters ---------------------------------------------------------------------------------------


def test_billable_shows_only_the_billable_members(world: World, members: dict[str, Patient]) -> None:
    page = _get(world, show="billable")
    assert _listed(page) == ["Garcia, Pat", "Okafor, Pat"]
    assert 'value="billable" selected' in page  # the form keeps the choice
    assert "Billable members in March 2026, with the evidence" in page  # the caption says so
    assert _summary(page)["Billable"] == "2" and _summary(page)["Not billable"] == "1"
    assert _shown() == {members["Garcia"].pk, members["Okafor"].pk}  # Lee was not shown: not audited


def test_not_billable_shows_only_the_others(world: World, members: dict[str, Patient]) -> None:
    page = _get(world, show="not_billable")
    assert _listed(page) == ["Lee, Pat"]
    assert "Members not billable in March 2026, with the reason and evidence" in page
    assert "Enrolled, but no contact this month was successful." in page
    assert _summary(page)["Billable"] == "2" and _summary(page)["Not billable"] == "1"
    assert "the filters only narrow the list below" in page
    assert _shown() == {members["Lee"].pk}


def test_all_members_by_default_and_for_an_unknown_choice(world: World, members: dict[str, Patient]) -> None:
    assert _listed(_get(world)) == ["Garcia, Pat", "Lee, Pat", "Okafor, Pat"]
    assert _listed(_get(world, show="")) == ["Garcia, Pat", "Lee, Pat", "Okafor, Pat"]
    wrong = _get(world, show="everything")
    assert _listed(wrong) == ["Garcia, Pat", "Lee, Pat", "Okafor, Pat"]
    assert "Select a valid choice." in wrong  # said next to the field, not ignored silently


def test_the_name_filter(world: World, members: dict[str, Patient]) -> None:
    pena = world.member("Peña", [("enrolled", local(2026, 1, 10))])
    assert _listed(_get(world, name="okafor")) == ["Okafor, Pat"]
    assert _listed(_get(world, name="pat GARCIA")) == ["Garcia, Pat"]  # words in any order, any case
    assert _listed(_get(world, name="Garcia, Pat")) == ["Garcia, Pat"]
    assert _listed(_get(world, name="pena")) == ["Peña, Pat"]  # without the accent
    assert _listed(_get(world, name="lee", show="billable")) == []
    nobody = _get(world, name="Nobody")
    assert _listed(nobody) == [] and "No members match these filters." in nobody
    assert "No members were enrolled" not in nobody
    assert _summary(nobody)["Billable"] == "2" and _summary(nobody)["Not billable"] == "2"
    assert pena.pk in _shown()


def test_the_form_labels_every_control(world: World, members: dict[str, Patient]) -> None:
    page = _get(world)
    assert '<label class="form-row__label" for="billing-month">Month</label>' in page
    assert '<label class="form-row__label" for="id_show">Show</label>' in page
    assert '<label class="form-row__label" for="id_name">Member name</label>' in page
    assert '<option value="" selected>All members</option>' in page
    assert "<caption" in page and 'scope="col"' in page


# --- pages -----------------------------------------------------------------------------------------


def test_page_two_shows_the_rest_and_the_summary_stays_the_months(world: World) -> None:
    patients = _enrolled_members(world, 55)
    first = _get(world)
    assert _listed(first) == [f"Member{number:02d}, Pat" for number in range(50)]
    assert "1–50 of 55 members" in first
    assert '<nav class="pagination"' in first and "page=2" in first
    second = _get(world, page="2")
    assert _listed(second) == [f"Member{number:02d}, Pat" for number in range(50, 55)]
    assert "51–55 of 55 members" in second
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second
    assert _summary(first)["Billable"] == _summary(second)["Billable"] == "55"
    assert _summary(second)["Not billable"] == "0"
    assert '>Members <span class="count">55</span>' in second
    beyond = _get(world, page="9")  # past the end: the last page
    assert _listed(beyond) == _listed(second)
    views = AuditEvent.objects.filter(username="pat", action=Action.VIEW, resource_type="Patient")
    assert views.count() == 50 + 5 + 5  # each page audits the members it shows, and only those
    assert {event.patient_id for event in views} == {patient.pk for patient in patients}


def test_the_page_links_keep_the_month_and_the_filters(world: World) -> None:
    _enrolled_members(world, 52)
    page = _get(world, show="billable", name="member")
    links = {html.unescape(href) for href in re.findall(r'<a href="(\?[^"]*page=[^"]*)"', page)}
    assert "?month=2026-03&show=billable&name=member&page=2" in links
    assert _listed(_get(world, show="billable", name="member", page="2")) == [
        "Member50, Pat",
        "Member51, Pat",
    ]


def test_the_total_amount_is_for_the_whole_month(
    world: World, members: dict[str, Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = pack_for(MARCH)
    with_rates = dataclasses.replace(
        shipped, rates=Rates(outreach=Decimal("135.00"), enrolled={"default": Decimal("150.00")})
    )

    def pack(month: dt.date) -> BillingPack:
        return with_rates

    monkeypatch.setattr(report_module, "pack_for", pack)
    for params in ({}, {"show": "not_billable"}, {"name": "okafor"}):
        page = _get(world, **params)
        assert _summary(page)["Total amount"] == "$285.00", params  # Garcia 150 + Okafor 135


def test_the_csv_has_every_member_whatever_the_filters_and_page(world: World) -> None:
    _enrolled_members(world, 53)
    lee = world.member("Lee", [("enrolled", local(2026, 1, 10))])  # not billable: no contact
    page = _get(world, show="not_billable")
    assert 'href="/billing/?month=2026-03&amp;format=csv"' in page and "Download CSV of all members" in page
    response = world.client("pat").get(
        REPORT, {"month": "2026-03", "format": "csv", "show": "not_billable", "name": "lee", "page": "2"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 54 and rows[0]["name"] == "Lee, Pat" and rows[-1]["name"] == "Member52, Pat"
    exported = AuditEvent.objects.filter(username="pat", action=Action.EXPORT)
    assert exported.count() == 54 and lee.pk in {event.patient_id for event in exported}


# --- evidence in words -----------------------------------------------------------------------------


def test_evidence_reads_as_date_mode_and_services_without_ids(
    world: World, members: dict[str, Patient]
) -> None:
    nguyen = world.member("Nguyen", [("enrolled", local(2026, 1, 10))])
    world.contact(nguyen, local(2026, 3, 4), (), mode="in_person")  # no core service recorded
    page = _get(world)
    assert _evidence(page) == [
        "Counts Mar 12 · phone · comprehensive care management; use of health information technology",
        "Mar 13 · phone · comprehensive care management (not successful)",
        "Mar 4 · in person · no core service",
        "Mar 4 · outreach attempt · mail · left a message",
        "Counts Mar 19 · outreach attempt · phone · reached",
    ]
    for item in _evidence(page):  # the only numbers are the days of the month
        assert not re.search(r"\b(contact|attempt) \d", item), item
        assert set(re.findall(r"\d+", item)) <= {"4", "12", "13", "19"}, item


def test_a_locked_month_shows_its_evidence_in_words_too(world: World, members: dict[str, Patient]) -> None:
    pat = world.client("pat")
    assert pat.post(reverse("billing:lock_month"), {"month": "2026-03"}).status_code == 302
    page = _get(world, show="billable")
    assert "March 2026 was submitted for billing on" in page
    assert _evidence(page) == [
        "Counts Mar 12 · phone · comprehensive care management; use of health information technology",
        "Mar 4 · outreach attempt · mail · left a message",
        "Counts Mar 19 · outreach attempt · phone · reached",
    ]


def test_an_attempt_without_an_outcome_says_date_and_mode() -> None:
    attempt = EvidenceRow(
        kind="outreach_attempt",
        id=7,
        at=local(2026, 3, 31, 23, 30),  # late on the 31st where the agency is: still March 31
        mode_label="Text message",
        services=[],
        successful=True,
        outcome_label="",
        qualifies=True,
    )
    assert attempt.summary() == "Mar 31 · outreach attempt · text message"
    assert "7" not in attempt.summary()


# --- cost ------------------------------------------------------------------------------------------


def _queries(world: World, **params: str) -> int:
    client = world.client("pat")
    # The second request of the session is measured: the first may also write the session (its
    # clock, its device), once per session and at times that depend on how slow the machine is.
    client.get(REPORT, {"month": "2026-03", **params})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REPORT, {"month": "2026-03", **params})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.usefixtures("steady_session_clock")
def test_the_cost_does_not_grow_with_members_pages_or_filters(world: World) -> None:
    _enrolled_members(world, 3)
    small = _queries(world)
    for number in range(120):
        extra = world.member(f"Extra{number:03d}", [("enrolled", local(2026, 1, 5))])
        world.contact(extra, local(2026, 3, 10))
    assert _queries(world) == small
    assert _queries(world, page="3") == small
    assert _queries(world, show="billable", name="extra", page="2") == small
