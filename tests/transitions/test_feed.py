"""The ADT feed page: who may see it, its counts, the lag warning, the senders, the hourly chart's
table, retrying failed messages (then processing them for real), and what the page costs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tests.accounts.helpers import sign_in
from wraparound.audit.models import Action, AuditEvent
from wraparound.hl7v2.intake import receive_frame
from wraparound.hl7v2.models import InboxMessage, QuarantinedMessage
from wraparound.hl7v2.store import write_rows
from wraparound.transitions.models import Stay
from wraparound.transitions.processing import process_inbox
from wraparound.web.formatting import us_datetime

from .conftest import World, adt

FEED = reverse("transitions:feed")
RETRY_ALL = reverse("transitions:feed_retry_all")
BROKEN = b"MSH|^~\\&|EPIC|GHH|||20260301||ADT^A01||P|2.5\rPID|1||123\r"  # no MSH-10: quarantined


def _client(world: World, name: str) -> Client:
    client = Client()
    sign_in(client, world.users[name])
    return client


def _receive(message: bytes, ago: dt.timedelta, peer: str = "10.0.0.5:40112") -> InboxMessage | None:
    """Through the listener's intake and store, received ``ago`` before now."""
    frame = receive_frame(message, peer=peer, received_at=timezone.now() - ago)
    write_rows(frame.rows)
    rows = [row for row in frame.rows if isinstance(row, InboxMessage)]
    if not rows:
        return None
    sent = rows[0]  # the store inserts without reading the ids back
    return InboxMessage.objects.get(
        control_id=sent.control_id,
        sending_facility=sent.sending_facility,
        sending_application=sent.sending_application,
    )


def _inbox(message: bytes, ago: dt.timedelta, status: str | None = None) -> InboxMessage:
    """Received ``ago`` before now; then in ``status`` (failed: with an error), as processing leaves it."""
    row = _receive(message, ago)
    assert row is not None
    if status is not None:
        extra = {"error": "KeyError: 'PV1'", "attempts": 1} if status == InboxMessage.Status.FAILED else {}
        InboxMessage.objects.filter(pk=row.pk).update(status=status, **extra)
    return InboxMessage.objects.get(pk=row.pk)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _fact(page: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.DOTALL)
    assert found, f"no {label!r} on the page"
    return _text(found.group(1))


def _hourly_table(page: str) -> list[tuple[str, int]]:
    table = page.split('id="hourly-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row" class="nowrap">(.*?)</th><td class="numeric">(\d+)</td>', table)
    return [(_text(hour), int(count)) for hour, count in rows]


def _hour_of(moment: dt.datetime) -> str:
    return us_datetime(timezone.localtime(moment).replace(minute=0, second=0, microsecond=0))


def _mixed_feed() -> dict[str, InboxMessage]:
    """Waiting, processed, failed and not-taken messages from two senders, one older than a day."""
    hour = dt.timedelta(hours=1)
    return {
        "waiting": _inbox(adt("A01", when="20260302081500", visit="W1"), 1 * hour),
        "waiting_too": _inbox(adt("A08", when="20260302091500", visit="W1"), 2 * hour),
        "failed": _inbox(adt("A01", when="20260302101500", visit="F1"), 3 * hour, InboxMessage.Status.FAILED),
        "ignored": _inbox(adt("A05", when="20260302111500", visit="I1"), 3 * hour + dt.timedelta(minutes=20)),
        "old": _inbox(
            adt("A01", when="20260301081500", visit="O1", facility="SMH"),
            30 * hour,
            InboxMessage.Status.PROCESSED,
        ),
    }


def test_a_care_manager_is_refused_and_the_refusal_is_audited(world: World) -> None:
    failed = _inbox(adt("A01", when="20260302081500"), dt.timedelta(hours=1), InboxMessage.Status.FAILED)
    alice = _client(world, "alice")
    assert alice.get(FEED).status_code == 403
    retry = reverse("transitions:feed_retry", kwargs={"message_id": failed.pk})
    assert alice.post(retry).status_code == 403
    assert alice.post(RETRY_ALL).status_code == 403
    failed.refresh_from_db()
    assert failed.status == InboxMessage.Status.FAILED
    denials = AuditEvent.objects.filter(
        action=Action.ACCESS_DENIED, user_id=world.users["alice"].pk, resource_type="AdtFeed"
    )
    assert denials.count() == 3
    dashboard = alice.get(reverse("transitions:transition_list")).content.decode()
    assert FEED not in dashboard  # no link for those who may not open it


def test_a_supervisor_sees_the_feed_from_the_dashboard(world: World) -> None:
    sam = _client(world, "sam")
    assert f'href="{FEED}"' in sam.get(reverse("transitions:transition_list")).content.decode()
    response = sam.get(FEED)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>ADT feed</h1>" in page
    assert "No message was received in the last 24 hours." in page
    assert "No message failed." in page and "Nothing is in the quarantine." in page
    assert _fact(page, "Oldest message waiting") == "None waiting"


def test_the_counts_are_the_rows_received(world: World) -> None:
    _mixed_feed()
    _receive(BROKEN, dt.timedelta(minutes=30))
    assert QuarantinedMessage.objects.count() == 1
    page = _client(world, "sam").get(FEED).content.decode()
    assert _fact(page, "Received in the last 24 hours") == "4"  # not the one of 30 hours ago
    assert _fact(page, "Received in the last 7 days") == "5"
    assert _fact(page, "Waiting to be processed") == "2"
    assert _fact(page, "Processed") == "1"
    assert _fact(page, "Failed") == "1 Needs a look"
    assert _fact(page, "Not taken (ignored)") == "1"
    assert _fact(page, "Quarantined") == "1 (1 in the last 24 hours)"
    assert "Maria" not in page and "GARCIA" not in page  # an interface view: no patient
    assert "MSH|" not in page  # nor the bytes of any message


def test_the_lag_warning_shows_when_the_oldest_waiting_message_is_older_than_5_minutes(world: World) -> None:
    sam = _client(world, "sam")
    _inbox(adt("A01", when="20260302081500"), dt.timedelta(minutes=1))
    _inbox(
        adt("A01", when="20260302071500", visit="V2"), dt.timedelta(minutes=10), InboxMessage.Status.FAILED
    )
    page = sam.get(FEED).content.decode()
    assert "Processing is behind." not in page  # a failed message is not waiting
    assert _fact(page, "Oldest message waiting") == "1 minute ago On time"
    _inbox(adt("A01", when="20260302061500", visit="V3"), dt.timedelta(minutes=12))
    page = sam.get(FEED).content.decode()
    assert "Processing is behind." in page
    assert "was received 12 minutes ago" in _text(page) and "more than 5 minutes" in page
    assert _fact(page, "Oldest message waiting") == "12 minutes ago Behind"
    process_inbox()
    assert "Processing is behind." not in sam.get(FEED).content.decode()


def test_the_senders_show_their_last_message_the_silent_one_first(world: World) -> None:
    rows = _mixed_feed()
    page = _client(world, "sam").get(FEED).content.decode()
    senders = page.split('id="senders-heading"', 1)[1].split("</table>", 1)[0]
    listed = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td data-label="Last message received">(.*?)</td>', senders, re.DOTALL
    )
    assert [(_text(sender), _text(last)) for sender, last in listed] == [
        ("EPIC · SMH", f"{us_datetime(rows['old'].received_at)} Silent for 24 hours"),
        ("EPIC · GHH", us_datetime(rows["waiting"].received_at)),
    ]
    counts = re.findall(r'data-label="Messages in the last 24 hours">(\d+)</td>', senders)
    assert counts == ["0", "4"]


def test_the_hourly_table_holds_the_chart_numbers(world: World) -> None:
    rows = _mixed_feed()
    page = _client(world, "sam").get(FEED).content.decode()
    assert 'role="img"' in page and "Messages received per hour, last 24 hours" in page
    table = _hourly_table(page)
    assert len(table) == 24
    expected: dict[str, int] = {}
    for name in ("waiting", "waiting_too", "failed", "ignored"):
        hour = _hour_of(rows[name].received_at)
        expected[hour] = expected.get(hour, 0) + 1
    assert {hour: count for hour, count in table if count} == expected
    assert sum(count for _, count in table) == 4  # the message of 30 hours ago is not in it
    assert table[-1][0] == _hour_of(timezone.now())  # the current hour last


def test_retry_puts_a_failed_message_back_and_processing_takes_it(world: World) -> None:
    failed = _inbox(
        adt("A01", when="20260302081500", admitted="20260302080000"),
        dt.timedelta(hours=1),
        InboxMessage.Status.FAILED,
    )
    sam = _client(world, "sam")
    page = sam.get(FEED).content.decode()
    assert failed.control_id in page and "KeyError: &#x27;PV1&#x27;" in page and "ADT^A01" in page
    retry = reverse("transitions:feed_retry", kwargs={"message_id": failed.pk})
    response = sam.post(retry, {"page": "1"})
    assert response.status_code == 302 and response["Location"] == f"{FEED}?page=1"
    assert "put back for processing" in sam.get(response["Location"]).content.decode()
    failed.refresh_from_db()
    assert failed.status == InboxMessage.Status.RECEIVED
    assert process_inbox().processed == 1
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (InboxMessage.Status.PROCESSED, "", 2)
    assert Stay.objects.get().patient_id == world.maria.pk
    audited = AuditEvent.objects.get(action=Action.UPDATE, resource_type="InboxMessage")
    assert (audited.user_id, audited.patient_id, audited.resource_id) == (
        world.users["sam"].pk,
        None,
        str(failed.pk),
    )
    again = sam.post(retry, follow=True).content.decode()  # a second click: nothing to do
    assert "nothing to retry" in again
    assert AuditEvent.objects.filter(action=Action.UPDATE, resource_type="InboxMessage").count() == 1


def test_retry_all_takes_every_failed_message_again(world: World) -> None:
    hour = dt.timedelta(hours=1)
    failed = [
        _inbox(adt("A01", when="20260302081500", visit="V1"), hour, InboxMessage.Status.FAILED),
        _inbox(adt("A01", when="20260310081500", visit="V2"), 2 * hour, InboxMessage.Status.FAILED),
    ]
    ignored = _inbox(adt("A05", when="20260302081500", visit="V3"), hour)
    sam = _client(world, "sam")
    assert "Retry all 2 failed messages" in sam.get(FEED).content.decode()
    page = sam.post(RETRY_ALL, follow=True).content.decode()
    assert "2 failed messages were put back for processing" in page
    assert "No message failed." in page
    assert process_inbox().processed == 2
    assert set(
        InboxMessage.objects.filter(pk__in=[m.pk for m in failed]).values_list("status", flat=True)
    ) == {InboxMessage.Status.PROCESSED}
    ignored.refresh_from_db()
    assert ignored.status == InboxMessage.Status.IGNORED
    assert Stay.objects.count() == 2
    audited = AuditEvent.objects.get(action=Action.UPDATE, resource_type="InboxMessage")
    assert '"retried":[' in audited.detail and audited.patient_id is None


def test_the_quarantine_lists_the_reason_and_not_the_bytes(world: World) -> None:
    _receive(BROKEN, dt.timedelta(minutes=5), peer="10.0.0.9:5511")
    page = _client(world, "sam").get(FEED).content.decode()
    quarantine = page.split('id="quarantine-heading"', 1)[1]
    assert "10.0.0.9:5511" in quarantine and "MSH-10" in quarantine and ">101</td>" in quarantine
    assert "PID|1||123" not in page


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(FEED).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("steady_session_clock")
@pytest.mark.parametrize("page", ["", "?page=2&quarantine_page=2"])
def test_the_page_costs_the_same_for_few_or_many_messages(
    world: World, page: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    sam = _client(world, "sam")
    _mixed_feed()
    _receive(BROKEN, dt.timedelta(minutes=30))
    few = _queries(sam)
    # Session, user, membership and authenticator; then the two aggregates (inbox, quarantine), the
    # hourly and the senders' grouped counts, and a count and a page of each of the two lists.
    assert few == 12, few
    for number in range(120):
        facility = f"F{number % 7}"
        _inbox(
            adt("A01", when="20260302081500", visit=f"M{number}", facility=facility),
            dt.timedelta(minutes=number * 11),
            InboxMessage.Status.FAILED,
        )
        _receive(BROKEN.replace(b"PID|1||123", f"PID|1||{number}".encode()), dt.timedelta(minutes=number))
    with django_assert_num_queries(few):
        content = sam.get(FEED + page).content.decode()
    assert content.count("Retry<span") == 50  # a page of the 121 failed
    assert content.count('data-label="HL7 error code"') == 50  # a page of the 121 quarantined
