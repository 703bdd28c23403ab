"""Locking March 2026 for billing: who may, what it stores, and the changes it refuses afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from wraparound.audit.models import Action, AuditEvent
from wraparound.enrollment.actions import TransitionRefused, do_log_outreach
from wraparound.enrollment.models import Enrollment, OutreachAttempt
from wraparound.registry.models import Patient
from wraparound.worklists.billing.actions import LockRefused, do_lock_month
from wraparound.worklists.contacts import ContactRefused, do_edit_contact, do_log_contact
from wraparound.worklists.models import BillingMonthLock, Contact

from .test_billing_world import MARCH, World, build_world, local


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def garcia(world: World) -> Patient:
    garcia = world.member("Garcia", [("outreach", local(2025, 12, 1)), ("enrolled", local(2026, 1, 10))])
    world.contact(garcia, local(2026, 3, 12), ("care_management",))
    return garcia


@pytest.fixture
def okafor(world: World) -> Patient:
    return world.member("Okafor", [("assigned", local(2026, 2, 25)), ("outreach", local(2026, 3, 2))])


def test_a_program_administrator_locks_the_month_with_the_report(
    world: World, garcia: Patient, okafor: Patient
) -> None:
    world.attempt(okafor, local(2026, 3, 4), "mail")
    lock = do_lock_month(world.viewer("pat"), MARCH)
    assert (lock.month, lock.pack, lock.pack_version) == (MARCH, "health-home-2025", "2025.1")
    assert lock.locked_by_id == world.users["pat"].pk
    report = lock.report
    assert (report["month"], report["billable"], report["not_billable"]) == ("2026-03", 1, 1)
    rows = {row["name"]: row for row in report["members"]}
    assert rows["Garcia, Pat"]["billable"] and rows["Garcia, Pat"]["evidence"][0]["services"] == [
        "care_management"
    ]
    assert rows["Okafor, Pat"]["reason_code"] == "outreach_mail_only"
    audit = AuditEvent.objects.get(action=Action.CREATE, resource_type="BillingMonthLock")
    assert audit.username == "pat" and '"pack":"health-home-2025"' in audit.detail


@pytest.mark.parametrize("name", ["alice", "sam", "paula"])
def test_only_the_agencys_program_administrator_locks(world: World, garcia: Patient, name: str) -> None:
    """A care manager and a supervisor cannot; another agency's administrator locks only her own agency."""
    if name == "paula":
        do_lock_month(world.viewer("paula"), MARCH)
        assert not BillingMonthLock.objects.filter(organization=world.agency).exists()
        assert BillingMonthLock.objects.get(organization=world.other).report["members"] == []
        return
    with pytest.raises(PermissionDenied):
        do_lock_month(world.viewer(name), MARCH)
    assert not BillingMonthLock.objects.exists()
    assert AuditEvent.objects.filter(username=name, action=Action.ACCESS_DENIED).exists()


def test_a_month_not_over_or_already_locked_is_refused(world: World, garcia: Patient) -> None:
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(LockRefused, match="has not ended yet"):
        do_lock_month(world.viewer("pat"), this_month)
    do_lock_month(world.viewer("pat"), MARCH)
    with pytest.raises(LockRefused, match="March 2026 is already locked"):
        do_lock_month(world.viewer("pat"), MARCH)
    assert BillingMonthLock.objects.count() == 1


LOCKED = "March 2026 was submitted for billing on {date} and is locked; changes to its contacts"


def _details(at: dt.datetime) -> dict[str, object]:
    return {
        "at": at,
        "mode": "phone",
        "with_whom": "patient",
        "duration_minutes": 10,
        "successful": True,
        "services": ["care_management"],
    }


def test_a_locked_month_refuses_a_new_contact(world: World, garcia: Patient) -> None:
    do_lock_month(world.viewer("pat"), MARCH)
    message = LOCKED.format(date=timezone.localdate().strftime("%m/%d/%Y"))
    with pytest.raises(ContactRefused, match=message):
        do_log_contact(world.viewer("alice"), garcia, **_details(local(2026, 3, 30)))  # type: ignore[arg-type]
    assert Contact.objects.count() == 1
    do_log_contact(world.viewer("alice"), garcia, **_details(local(2026, 4, 1, 0, 5)))  # type: ignore[arg-type]
    assert Contact.objects.count() == 2  # April is open


def test_a_locked_month_refuses_an_outreach_attempt(world: World, okafor: Patient) -> None:
    do_lock_month(world.viewer("pat"), MARCH)
    enrollment = Enrollment.objects.get(patient=okafor)
    with pytest.raises(
        TransitionRefused, match=LOCKED.format(date=timezone.localdate().strftime("%m/%d/%Y"))
    ):
        do_log_outreach(
            world.viewer("alice"), enrollment, at=local(2026, 3, 20), mode="phone", outcome="reached"
        )
    assert not OutreachAttempt.objects.exists()
    do_log_outreach(world.viewer("alice"), enrollment, at=local(2026, 4, 2), mode="phone", outcome="reached")


def test_a_locked_month_refuses_a_correction_into_or_out_of_it(world: World, garcia: Patient) -> None:
    in_march = Contact.objects.get()
    in_april = world.contact(garcia, local(2026, 4, 3))
    do_lock_month(world.viewer("pat"), MARCH)
    for contact, moved_to in (
        (in_march, local(2026, 3, 12)),
        (in_march, local(2026, 4, 12)),
        (in_april, local(2026, 3, 31)),
    ):
        with pytest.raises(ContactRefused, match="March 2026 was submitted for billing"):
            do_edit_contact(world.viewer("alice"), contact, **_details(moved_to) | {"successful": False})  # type: ignore[arg-type]
        contact.refresh_from_db()
        assert contact.successful
    do_edit_contact(world.viewer("alice"), in_april, **_details(local(2026, 4, 4)))  # type: ignore[arg-type]
