"""Logging and correcting contacts: the one write path for ``Contact`` and ``ContactService`` rows.

A contact is one interaction (when, how, with whom, how long, whether the person was reached)
and the core services it delivered; member-month billing counts them.  The agency's care team
(care managers, coordinators, nurses and the other clinical roles) and its supervisors log
contacts for the patients they may see.  A month locked for billing refuses new contacts and
corrections (``billing.locks``), with a message that says which month and since when.

Authorization comes first and outside the transaction, so that a refusal's audit row stands;
an invalid contact raises ``ContactRefused`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from wraparound.accounts.models import Role
from wraparound.audit.actions import record
from wraparound.audit.models import Action
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer, access_patients, deny
from wraparound.registry.models import Patient
from wraparound.worklists import actions as worklist_actions
from wraparound.worklists.billing.locks import refuse_if_locked
from wraparound.worklists.models import Contact, ContactService, CoreService, Task

CONTACT_ROLES = frozenset(
    {
        Role.CARE_MANAGER,
        Role.CARE_COORDINATOR,
        Role.NURSE,
        Role.BEHAVIORAL_HEALTH,
        Role.PSYCHIATRIC_CONSULTANT,
        Role.PEER_SPECIALIST,
        Role.SOCIAL_WORKER,
        Role.PHARMACIST,
        Role.SUPERVISOR,
    }
)
MAX_DURATION_MINUTES = 24 * 60


class ContactRefused(Exception):
    """A contact that cannot be saved; the message says why, in words for the screen."""


def may_log_contact(viewer: Viewer) -> bool:
    """The agency's care team roles and its supervisors (the patient must be theirs to see, too)."""
    return viewer.user_id is not None and viewer.organization_id is not None and viewer.role in CONTACT_ROLES


def may_edit_contact(viewer: Viewer, contact: Contact) -> bool:
    """Who logged it, or a supervisor of the agency that logged it."""
    return (
        may_log_contact(viewer)
        and viewer.organization_id == contact.organization_id
        and (contact.by_id == viewer.user_id or viewer.role == Role.SUPERVISOR)
    )


def _authorize(viewer: Viewer, patient_id: Any, allowed: bool) -> None:
    if not allowed or not access_patients(viewer).filter(pk=patient_id).exists():
        raise deny(viewer, what="Contact", patient_id=patient_id)


@dataclass(frozen=True)
class ContactDetails:
    """What a contact says, validated."""

    at: dt.datetime
    mode: str
    with_whom: str
    duration_minutes: int
    successful: bool
    note: str
    services: tuple[str, ...]


def validated(
    *,
    at: dt.datetime,
    mode: str,
    with_whom: str,
    duration_minutes: int,
    successful: bool,
    note: str,
    services: list[str],
) -> ContactDetails:
    if timezone.is_naive(at):
        raise ContactRefused(gettext("Give the contact's date and time with its time zone."))
    if at > timezone.now():
        raise ContactRefused(gettext("A contact cannot be in the future."))
    if mode not in Contact.Mode.values:
        raise ContactRefused(gettext("Choose how the contact happened."))
    if with_whom not in Contact.With.values:
        raise ContactRefused(gettext("Choose with whom the contact was."))
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise ContactRefused(
            gettext("The duration is between 1 and %(most)s minutes.") % {"most": MAX_DURATION_MINUTES}
        )
    unknown = sorted(set(services) - set(CoreService.values))
    if unknown:
        raise ContactRefused(gettext("Not a core service: %(names)s.") % {"names": ", ".join(unknown)})
    chosen = tuple(code for code in CoreService.values if code in set(services))  # the statute's order
    return ContactDetails(at, mode, with_whom, duration_minutes, bool(successful), note.strip(), chosen)


def _serving_enrollment(patient_id: Any, organization_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(
            patient_id=patient_id, organization_id=organization_id, status__in=Enrollment.SERVING
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _complete_task(viewer: Viewer, task: Task) -> None:
    """Close the task the contact answered; one closed meanwhile by someone else stays as it is."""
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the contact standing
            worklist_actions.do_complete_task(viewer, task)
    except worklist_actions.TaskRefused:
        pass


def do_log_contact(
    viewer: Viewer,
    patient: Patient,
    *,
    at: dt.datetime,
    mode: str,
    with_whom: str,
    duration_minutes: int,
    successful: bool,
    note: str = "",
    services: list[str],
    task: Task | None = None,
    complete_task: bool = False,
) -> Contact:
    """One contact and the core services it delivered; optionally completes the task it answered."""
    _authorize(viewer, patient.pk, may_log_contact(viewer))
    assert viewer.organization_id is not None and viewer.user_id is not None
    details = validated(
        at=at,
        mode=mode,
        with_whom=with_whom,
        duration_minutes=duration_minutes,
        successful=successful,
        note=note,
        services=services,
    )
    if task is not None and (task.patient_id != patient.pk or task.organization_id != viewer.organization_id):
        raise ContactRefused(gettext("That task is not one of this patient's tasks at your agency."))
    closes_task = task is not None and complete_task and task.status in Task.OPEN_STATUSES
    if (
        task is not None
        and closes_task
        and not worklist_actions.may_work_on(
            viewer,
            organization_id=task.organization_id,
            patient_id=task.patient_id,
            assignee_id=task.assignee_id,
        )
    ):
        raise deny(viewer, what="Task", patient_id=task.patient_id)
    with transaction.atomic():
        refuse_if_locked(viewer.organization_id, details.at, ContactRefused)
        contact = Contact.objects.create(
            patient=patient,
            organization_id=viewer.organization_id,
            enrollment=_serving_enrollment(patient.pk, viewer.organization_id),
            at=details.at,
            mode=details.mode,
            with_whom=details.with_whom,
            duration_minutes=details.duration_minutes,
            successful=details.successful,
            note=details.note,
            task=task,
            by_id=viewer.user_id,
            recorded_at=timezone.now(),
        )
        ContactService.objects.bulk_create(
            ContactService(contact=contact, service=service) for service in details.services
        )
        record(
            viewer.actor,
            Action.CREATE,
            patient_ids=[patient.pk],
            resource_type="Contact",
            resource_id=str(contact.pk),
            detail={
                "at": details.at.isoformat(),
                "mode": details.mode,
                "successful": details.successful,
                "services": list(details.services),
                "task": task.pk if task is not None else None,
            },
        )
        if task is not None and closes_task:
            _complete_task(viewer, task)
    return contact


def do_edit_contact(
    viewer: Viewer,
    contact: Contact,
    *,
    at: dt.datetime,
    mode: str,
    with_whom: str,
    duration_minutes: int,
    successful: bool,
    note: str = "",
    services: list[str],
) -> Contact:
    """Correct a contact (who logged it, or a supervisor); refused when either month is locked."""
    _authorize(viewer, contact.patient_id, may_edit_contact(viewer, contact))
    details = validated(
        at=at,
        mode=mode,
        with_whom=with_whom,
        duration_minutes=duration_minutes,
        successful=successful,
        note=note,
        services=services,
    )
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        refuse_if_locked(locked.organization_id, locked.at, ContactRefused)
        refuse_if_locked(locked.organization_id, details.at, ContactRefused)
        before = {
            "at": locked.at.isoformat(),
            "mode": locked.mode,
            "with_whom": locked.with_whom,
            "duration_minutes": locked.duration_minutes,
            "successful": locked.successful,
            "services": sorted(locked.services.values_list("service", flat=True)),
        }
        locked.at, locked.mode, locked.with_whom = details.at, details.mode, details.with_whom
        locked.duration_minutes, locked.successful = details.duration_minutes, details.successful
        note_changed = locked.note != details.note
        locked.note = details.note
        locked.save()
        locked.services.exclude(service__in=details.services).delete()
        have = set(locked.services.values_list("service", flat=True))
        ContactService.objects.bulk_create(
            ContactService(contact=locked, service=service)
            for service in details.services
            if service not in have
        )
        after = {
            "at": details.at.isoformat(),
            "mode": details.mode,
            "with_whom": details.with_whom,
            "duration_minutes": details.duration_minutes,
            "successful": details.successful,
            "services": sorted(details.services),
        }
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[locked.patient_id],
            resource_type="Contact",
            resource_id=str(locked.pk),
            detail={
                "old": {key: value for key, value in before.items() if after[key] != value},
                "new": {key: value for key, value in after.items() if before[key] != value},
                "note_changed": note_changed,
            },
        )
    contact.refresh_from_db()
    return locked
