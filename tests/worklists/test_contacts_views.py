"""The Contacts tab and the log-a-contact form, driven through the web as a care manager would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wraparound.audit.models import Action, AuditEvent
from wraparound.registry.models import Patient
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.billing.actions import do_lock_month
from wraparound.worklists.models import Contact, Task

from .test_billing_world import MARCH, World, build_world, local


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def garcia(world: World) -> Patient:
    return world.member("Garcia", [("enrolled", local(2025, 6, 1))])


def _form(at: dt.datetime, **changes: object) -> dict[str, object]:
    return {
        "at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
        "mode": "in_person",
        "with_whom": "family",
        "duration_minutes": "40",
        "successful": "on",
        "note": "Home visit with her daughter.",
        "services": ["family_support", "community_referral"],
    } | changes


def test_log_a_contact_and_see_it_on_the_tab(world: World, garcia: Patient) -> None:
    alice = world.client("alice")
    url = reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk})
    page = alice.get(url).content.decode()
    assert "<legend" in page and "Core services delivered" in page
    assert page.count('type="checkbox" name="services"') == 6
    response = alice.post(url, _form(timezone.now() - dt.timedelta(hours=1)))
    assert response.status_code == 302
    assert response["Location"] == reverse("worklists:patient_contacts", kwargs={"patient_id": garcia.pk})
    contact = Contact.objects.get()
    assert sorted(contact.services.values_list("service", flat=True)) == [
        "community_referral",
        "family_support",
    ]
    tab = alice.get(response["Location"]).content.decode()
    assert "Individual and family support" in tab and "Referral to community and social supports" in tab
    assert "Home visit with her daughter." in tab and "Contact logged." in tab
    assert AuditEvent.objects.filter(username="alice", action=Action.VIEW, resource_type="Contact").exists()


def test_the_quick_form_from_a_task_completes_it_by_default(world: World, garcia: Patient) -> None:
    task = do_create_task(
        world.viewer("sam").actor, patient=garcia, organization=world.agency, title="Check on the new walker"
    )
    alice = world.client("alice")
    url = reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk}) + f"?task={task.pk}"
    page = alice.get(url).content.decode()
    assert "Check on the new walker" in page
    assert 'name="complete_task" id="id_complete_task" checked' in page
    form = _form(timezone.now() - dt.timedelta(minutes=5), task=str(task.pk), complete_task="on")
    assert alice.post(url, form).status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and Contact.objects.get().task == task


def test_a_locked_month_shows_why_and_writes_nothing(world: World, garcia: Patient) -> None:
    billed = world.contact(garcia, local(2026, 3, 2))
    do_lock_month(world.viewer("pat"), MARCH)
    alice = world.client("alice")
    response = alice.post(
        reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk}), _form(local(2026, 3, 9))
    )
    assert response.status_code == 200
    assert "March 2026 was submitted for billing on" in response.content.decode()
    assert list(Contact.objects.all()) == [billed]
    tab = alice.get(reverse("worklists:patient_contacts", kwargs={"patient_id": garcia.pk})).content.decode()
    assert "Billed" in tab and f"/contacts/{billed.pk}/edit/" not in tab


def test_another_agency_cannot_open_or_log(world: World, garcia: Patient) -> None:
    bob = world.client("bob")
    for url in (
        reverse("worklists:patient_contacts", kwargs={"patient_id": garcia.pk}),
        reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk}),
    ):
        assert bob.get(url).status_code == 403
    response = bob.post(
        reverse("worklists:log_contact", kwargs={"patient_id": garcia.pk}),
        _form(timezone.now() - dt.timedelta(hours=1)),
    )
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_the_author_corrects_through_the_form(world: World, garcia: Patient) -> None:
    contact = world.contact(garcia, timezone.now() - dt.timedelta(days=1))
    alice = world.client("alice")
    url = reverse("worklists:edit_contact", kwargs={"patient_id": garcia.pk, "contact_id": contact.pk})
    assert 'value="care_management" id="id_services_0" aria-describedby="services-hint" checked' in (
        alice.get(url).content.decode()
    )
    assert alice.post(url, _form(contact.at, successful="")).status_code == 302
    contact.refresh_from_db()
    assert not contact.successful and contact.mode == "in_person"
    assert world.client("nina").get(url).status_code == 403
