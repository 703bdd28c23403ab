"""Making and closing tasks: the one write path for ``Task`` rows, audited.

Rules and workflows (care-plan reviews, hospital events, recurring contacts)
call ``do_create_task`` with a ``dedupe_key``, so running the same rule twice
makes one task.  Callers authorize (a rule run by the system passes
``Actor.system(...)``); these functions record what was done.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.careplans.models import CarePlan, Goal, Intervention
from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient
from wraparound.worklists.models import Task


def do_create_task(
    actor: Actor,
    *,
    patient: Patient | str,
    organization: CareOrganization | int,
    title: str,
    source: str = Task.Source.MANUAL,
    due_on: dt.date | None = None,
    assignee_id: int | None = None,
    assignee_role: str = "",
    priority: int = Task.Priority.NORMAL,
    detail: str = "",
    recurrence: str = "",
    care_plan: CarePlan | None = None,
    goal: Goal | None = None,
    intervention: Intervention | None = None,
    dedupe_key: str = "",
) -> Task:
    """Create a task (or, with a ``dedupe_key`` already used for this patient, return that one)."""
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    organization_id = organization.pk if isinstance(organization, CareOrganization) else organization
    if dedupe_key:
        existing = Task.objects.filter(patient_id=patient_id, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            task = Task.objects.create(
                patient_id=patient_id,
                organization_id=organization_id,
                title=title,
                detail=detail,
                source=source,
                due_on=due_on,
                assignee_id=assignee_id,
                assignee_role=assignee_role,
                priority=priority,
                recurrence=recurrence,
                care_plan=care_plan,
                goal=goal,
                intervention=intervention,
                dedupe_key=dedupe_key,
                created_at=timezone.now(),
                created_by_id=actor.user_id,
            )
            record(
                actor,
                Action.CREATE,
                patient_ids=[task.patient_id],
                resource_type="Task",
                resource_id=str(task.pk),
                detail={"source": source, "due_on": due_on.isoformat() if due_on else None},
            )
    except IntegrityError:
        if not dedupe_key:
            raise
        return Task.objects.get(patient_id=patient_id, dedupe_key=dedupe_key)  # a concurrent rule run
    return task
