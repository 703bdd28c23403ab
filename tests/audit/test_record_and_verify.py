"""Every kind of action is written by ``record`` into one chain that ``wraparound audit verify`` accepts."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import uuid
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import RequestFactory

from tests.audit.conftest import drop_triggers, verify, write_rows
from wraparound.audit.actions import ROWS_PER_STATEMENT, Actor, record
from wraparound.audit.chain import GENESIS_HASH, HASHED_FIELDS, _canonical, canonical_ip_address, row_hash
from wraparound.audit.models import Action, AuditChainHead, AuditEvent


@pytest.mark.django_db
def test_every_action_is_recorded_and_the_chain_verifies() -> None:
    actor = Actor(user_id=12, username="nina", organization_id=4, role="nurse", ip_address="10.1.2.3")
    patient = uuid.uuid4()
    for action in Action:
        record(actor, action, patient_ids=[patient], resource_type="Patient", resource_id=str(patient))
    rows = list(AuditEvent.objects.order_by("id"))
    assert [row.action for row in rows] == [action.value for action in Action]
    assert [row.id for row in rows] == list(range(1, len(Action) + 1))
    assert rows[0].previous_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(rows):
        assert later.previous_hash == earlier.hash
    assert {(row.username, row.user_id, row.organization_id, row.role, row.patient_id) for row in rows} == {
        ("nina", 12, 4, "nurse", patient)
    }
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    outcome = verify()
    assert outcome.returncode == 0
    assert f"audit chain intact: {len(Action)} rows" in outcome.output
    assert rows[-1].hash in outcome.output


@pytest.mark.django_db
def test_one_row_per_patient_in_one_call() -> None:
    patients = [uuid.uuid4() for _ in range(3)]
    events = record(Actor.system(), Action.VIEW, patient_ids=[str(patients[0]), *patients[1:]])
    assert [event.patient_id for event in events] == patients
    assert [event.id for event in events] == [1, 2, 3]
    assert verify().returncode == 0


@pytest.mark.django_db
def test_a_long_list_is_written_in_several_statements_as_one_chain() -> None:
    """An export of 1,201 patients: three statements of at most ROWS_PER_STATEMENT rows, one chain."""
    record(Actor.system(), Action.VIEW, patient_ids=[uuid.uuid4()])
    patients = [uuid.uuid4() for _ in range(2 * ROWS_PER_STATEMENT + 201)]
    events = record(Actor.system(), Action.EXPORT, patient_ids=patients)
    rows = list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("id"))
    assert [row.patient_id for row in rows] == patients
    assert [row.id for row in rows] == [event.id for event in events] == list(range(2, len(patients) + 2))
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (rows[-1].id, rows[-1].hash)
    outcome = verify()
    assert outcome.returncode == 0, outcome.output
    assert f"audit chain intact: {len(patients) + 1} rows" in outcome.output


@pytest.mark.django_db
def test_an_empty_list_of_patients_writes_nothing_and_leaves_the_chain_whole() -> None:
    record(Actor.system(), Action.VIEW, patient_ids=[uuid.uuid4()])
    assert record(Actor.system(), Action.VIEW, patient_ids=[]) == []
    assert AuditEvent.objects.count() == 1
    record(Actor.system(), Action.VIEW, patient_ids=[uuid.uuid4()])
    assert verify().returncode == 0


@pytest.mark.django_db
def test_stored_rows_hash_as_written() -> None:
    """What the database gives back (times, UUIDs, an IPv6 address it respells) hashes as it did when written."""
    actor = Actor(user_id=1, username="sam", ip_address="::FFFF:192.0.2.1", user_agent="curl/8")
    record(actor, Action.EXPORT, detail={"b": 1, "a": [1, 2]}, reason="monthly billing file")
    record(Actor(user_id=None, username="", ip_address="2001:DB8:0:0:0:0:0:1"), Action.SIGN_IN_FAILED)
    for values in AuditEvent.objects.order_by("id").values():
        assert row_hash(values) == values["hash"]
    first = AuditEvent.objects.get(pk=1)
    assert orjson.loads(first.detail) == {"a": [1, 2], "b": 1}
    assert first.reason == "monthly billing file"
    assert verify().returncode == 0


@pytest.mark.django_db
def test_a_forged_client_address_is_not_stored() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address", HTTP_USER_AGENT="x" * 1000)
    actor = Actor.from_request(request, username="somebody")
    assert actor.ip_address is None
    assert len(actor.user_agent) == 400
    (event,) = record(actor, Action.SIGN_IN_FAILED)
    assert AuditEvent.objects.get(pk=event.id).ip_address is None


@pytest.mark.django_db
def test_times_never_run_backwards_along_the_chain() -> None:
    write_rows(20)
    times = list(AuditEvent.objects.order_by("id").values_list("occurred_at", flat=True))
    assert times == sorted(times)


@pytest.mark.django_db
def test_an_empty_chain_is_intact() -> None:
    outcome = verify()
    assert outcome.returncode == 0
    assert "audit chain intact: 0 rows" in outcome.output


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 2, 5, 9, 10, 1000])
def test_verify_reads_in_batches_of_any_size(batch_size: int) -> None:
    write_rows(9)
    outcome = verify(batch_size)
    assert outcome.returncode == 0
    assert "audit chain intact: 9 rows" in outcome.output


def _reference_hash(values: dict[str, Any]) -> str:
    """The hash as the chain defines it: canonical JSON of ``HASHED_FIELDS`` in order."""
    canonical = [_canonical(values[name]) for name in HASHED_FIELDS]
    address = HASHED_FIELDS.index("ip_address")
    canonical[address] = canonical_ip_address(canonical[address])
    return hashlib.sha256(orjson.dumps(canonical)).hexdigest()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"patient_id": None, "ip_address": None, "user_id": None, "organization_id": None},
        {"patient_id": str(uuid.UUID(int=5)), "ip_address": "2001:db8::1"},
        {"reason": Decimal("1.5"), "occurred_at": "2024-01-01T00:00:00+00:00"},  # types the writer never uses
        {"ip_address": "not an address"},
    ],
)
def test_the_fast_hash_is_the_defined_hash(changes: dict[str, Any]) -> None:
    values: dict[str, Any] = {
        "id": 17,
        "occurred_at": dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.UTC),
        "user_id": 3,
        "username": "nina",
        "organization_id": 4,
        "role": "nurse",
        "patient_id": uuid.UUID(int=99),
        "resource_type": "Patient",
        "resource_id": "abc",
        "action": "view",
        "reason": "",
        "ip_address": "::ffff:192.0.2.1",
        "user_agent": "Firefox",
        "request_id": "r1",
        "detail": '{"a":1}',
        "previous_hash": GENESIS_HASH,
        **changes,
    }
    assert row_hash(values) == _reference_hash(values)


@pytest.mark.django_db
def test_an_address_edited_into_garbage_is_reported_not_crashed_on() -> None:
    write_rows(3)
    drop_triggers()
    AuditEvent.objects.filter(pk=2).update(ip_address=None)
    assert "broken at row 2" in verify().output
    if connection.vendor == "sqlite":  # PostgreSQL's inet refuses the text itself
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET ip_address = 'garbage' WHERE id = 1")
        assert "broken at row 1" in verify().output
