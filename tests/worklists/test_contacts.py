"""Logging and correcting contacts: what is written, what is audited, who may, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.personas import put_on_care_team
from wraparound.audit.models import Action, AuditEvent
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.contacts import ContactRefused, do_edit_contact, do_log_contact
from wraparound.worklists.models import Contact, ContactService, Task

from .test_billing_world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def garcia(world: World) -> Patient:
    return world.member("Garcia", [("enrolled", timezone.now() - dt.timedelta(days=90))])


def _details(**changes: object) -> dict[str, object]:
    details: dict[str, object] = {
        "at": timezone.now() - dt.timedelta(hours=2),
        "mode": "phone",
        "with_whom": "patient",
        "duration_minutes": 25,
        "successful": True,
        "note": "Reviewed the medication list.",
        "services": ["care_coordination", "care_management"],
    }
    return details | changes


def test_a_contact_and_its_services_are_written_and_audited(world: World, garcia: Patient) -> None:
    contact = do_log_contact(world.viewer("alice"), garcia, **_details())  # type: ignore[arg-type]
    assert contact.organization_id == world.agency.pk and contact.by_id == world.users["alice"].pk
    assert contact.enrollment == Enrollment.objects.get(patient=garcia)
    assert list(contact.services.values_list("service", flat=True).order_by("service")) == [
        "care_coordination",
        "care_management",
    ]
    audit = AuditEvent.objects.get(action=Action.CREATE, resource_type="Contact")
    assert (audit.username, audit.patient_id, audit.resource_id) == ("alice", garcia.pk, str(contact.pk))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"services": ["care_management", "gardening"]}, "Not a core service: gardening."),
        ({"at": timezone.now() + dt.timedelta(days=1)}, "cannot be in the future"),
        ({"mode": "carrier_pigeon"}, "Choose how the contact happened."),
        ({"duration_minutes": 0}, "between 1 and 1440 minutes"),
    ],
)
def test_an_invalid_contact_writes_nothing(
    world: World, garcia: Patient, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ContactRefused, match=message):
        do_log_contact(world.viewer("alice"), garcia, **_details(**changes))  # type: ignore[arg-type]
    assert not Contact.objects.exists() and not ContactService.objects.exists()


@pytest.mark.parametrize("name", ["alice", "nina", "sam"])
def test_the_care_team_and_the_supervisor_may_log(world: World, garcia: Patient, name: str) -> None:
    if name == "nina":
        put_on_care_team(world.users["nina"], garcia, role="nurse")
    do_log_contact(world.viewer(name), garcia, **_details())  # type: ignore[arg-type]
    assert Contact.objects.get().by_id == world.users[name].pk


@pytest.mark.parametrize("name", ["bob", "pat", "nina"])
def test_others_are_refused_and_nothing_is_written(world: World, garcia: Patient, name: str) -> None:
    """Another agency's care manager; the program administrator; a nurse not on the patient's team."""
    with pytest.raises(PermissionDenied):
        do_log_contact(world.viewer(name), garcia, **_details())  # type: ignore[arg-type]
    assert not Contact.objects.exists()
    assert AuditEvent.objects.filter(
        username=name, action=Action.ACCESS_DENIED, patient_id=garcia.pk
    ).exists()


def _task(world: World, patient: Patient) -> Task:
    return do_create_task(
        world.viewer("sam").actor,
        patient=patient,
        organization=world.agency,
        title="Call about the new inhaler",
        assignee_id=world.users["alice"].pk,
    )


def test_a_contact_completes_the_task_it_answers(world: World, garcia: Patient) -> None:
    task = _task(world, garcia)
    contact = do_log_contact(world.viewer("alice"), garcia, **_details(), task=task, complete_task=True)  # type: ignore[arg-type]
    task.refresh_from_db()
    assert contact.task == task
    assert task.status == Task.Status.DONE and task.completed_by_id == world.users["alice"].pk


def test_a_contact_may_leave_its_task_open(world: World, garcia: Patient) -> None:
    task = _task(world, garcia)
    do_log_contact(world.viewer("alice"), garcia, **_details(), task=task, complete_task=False)  # type: ignore[arg-type]
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_another_patients_task_is_refused(world: World, garcia: Patient) -> None:
    lee = world.member("Lee", [("enrolled", timezone.now() - dt.timedelta(days=90))])
    with pytest.raises(ContactRefused, match="not one of this patient's tasks"):
        do_log_contact(
            world.viewer("alice"), garcia, **_details(), task=_task(world, lee), complete_task=True
        )  # type: ignore[arg-type]
    assert not Contact.objects.exists()


def test_correcting_a_contact_is_audited_with_what_changed(world: World, garcia: Patient) -> None:
    contact = do_log_contact(world.viewer("alice"), garcia, **_details())  # type: ignore[arg-type]
    do_edit_contact(
        world.viewer("alice"),
        contact,
        **_details(at=contact.at, successful=False, services=["care_management", "health_it"]),  # type: ignore[arg-type]
    )
    contact.refresh_from_db()
    assert not contact.successful
    assert sorted(contact.services.values_list("service", flat=True)) == ["care_management", "health_it"]
    audit = AuditEvent.objects.get(action=Action.UPDATE, resource_type="Contact")
    assert '"successful":false' in audit.detail and '"health_it"' in audit.detail
    do_edit_contact(world.viewer("sam"), contact, **_details(at=contact.at))  # type: ignore[arg-type]


def test_only_the_author_or_a_supervisor_corrects(world: World, garcia: Patient) -> None:
    contact = do_log_contact(world.viewer("sam"), garcia, **_details())  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        do_edit_contact(world.viewer("alice"), contact, **_details(successful=False))  # type: ignore[arg-type]
    contact.refresh_from_db()
    assert contact.successful
