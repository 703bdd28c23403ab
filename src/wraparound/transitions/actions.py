"""The writes of transitional care: alerts, closing a stay's steps, and the match-review decisions.

The workflow runs as the system (``Actor.system("mllp")``); people act on the match-review queue
through ``do_resolve_match_review`` and ``do_dismiss_match_review``, and on the ADT feed's failed
messages through ``do_retry_failed``, which authorize before their transaction so that a refusal's
audit row stands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from wraparound.accounts.models import Role
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.core.models import CareOrganization
from wraparound.registry.access import Viewer, access_patients, deny
from wraparound.registry.models import Patient
from wraparound.transitions.models import MatchReview, Stay, Step
from wraparound.worklists.actions import create_once
from wraparound.worklists.models import Alert, Task

REVIEW_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})


class ReviewRefused(Exception):
    """A match-review decision the review's state does not allow; the message says why."""


def do_raise_alert(
    actor: Actor,
    *,
    patient: Patient | uuid.UUID,
    organization: CareOrganization | int,
    kind: str,
    title: str,
    occurred_at: dt.datetime,
    detail: str = "",
    dedupe_key: str = "",
) -> Alert:
    """An alert for the agency; with a ``dedupe_key`` already used for this patient, that alert."""
    return create_once(
        actor,
        Alert,
        patient_id=patient.pk if isinstance(patient, Patient) else patient,
        dedupe_key=dedupe_key[:120],
        audit={"kind": kind},
        organization_id=organization.pk if isinstance(organization, CareOrganization) else organization,
        kind=kind,
        title=title[:200],
        detail=detail,
        occurred_at=occurred_at,
    )


def do_close_steps(actor: Actor, stay: Stay, kinds: frozenset[str] | None = None) -> int:
    """Cancel the open tasks of a stay's steps (a cancelled admission or discharge): how many."""
    steps = Step.objects.filter(stay=stay, task__status__in=Task.OPEN_STATUSES)
    if kinds is not None:
        steps = steps.filter(kind__in=kinds)
    changes = {"status": Task.Status.CANCELLED, "completed_at": timezone.now()}
    return _change_step_tasks(actor, stay, steps, Task.OPEN_STATUSES, changes, "cancelled")


def do_reopen_steps(actor: Actor, stay: Stay, kinds: frozenset[str]) -> int:
    """Open again the tasks of these steps that the workflow itself cancelled (``do_close_steps``:
    a discharge that was then cancelled, A13); a task a person closed stays closed.  How many."""
    steps = Step.objects.filter(
        stay=stay, kind__in=kinds, task__status=Task.Status.CANCELLED, task__completed_by__isnull=True
    )
    changes = {"status": Task.Status.OPEN, "completed_at": None}
    return _change_step_tasks(actor, stay, steps, (Task.Status.CANCELLED,), changes, "reopened")


def _change_step_tasks(
    actor: Actor,
    stay: Stay,
    steps: QuerySet[Step],
    statuses: Sequence[str],
    changes: Mapping[str, object],
    what: str,
) -> int:
    """Update the tasks of these steps still in one of ``statuses``; one audit row.  How many."""
    task_ids = list(steps.values_list("task_id", flat=True))
    if not task_ids:
        return 0
    with transaction.atomic():
        changed = Task.objects.filter(pk__in=task_ids, status__in=statuses).update(**changes)
        record(
            actor,
            Action.UPDATE,
            patient_ids=[stay.patient_id],
            resource_type="Task",
            detail={what: sorted(task_ids), "stay": stay.pk, "reason": stay.status},
        )
    return changed


def may_review(viewer: Viewer) -> bool:
    return viewer.user_id is not None and viewer.role in REVIEW_ROLES


def _open_review(review: MatchReview) -> MatchReview:
    locked = MatchReview.objects.select_for_update().get(pk=review.pk)
    if locked.status != MatchReview.Status.OPEN:
        raise ReviewRefused(gettext("This message was already decided."))
    return locked


def do_resolve_match_review(viewer: Viewer, review: MatchReview, patient_id: uuid.UUID) -> Stay | None:
    """Program staff say which patient the message is about: it is applied to that patient now."""
    from wraparound.transitions.processing import apply_message, refresh_risk  # they import these actions

    if not may_review(viewer):
        raise deny(viewer, what="MatchReview")
    if review.reason == MatchReview.Reason.MERGE:
        raise ReviewRefused(
            gettext("A merge is recorded for review only: registry records are not merged here.")
        )
    allowed = {str(candidate) for candidate in review.candidates}
    if str(patient_id) not in allowed or not access_patients(viewer).filter(pk=patient_id).exists():
        raise deny(viewer, what="MatchReview", patient_id=patient_id)
    with transaction.atomic():
        locked = _open_review(review)
        stay = apply_message(locked.message, patient_id)
        locked.status = MatchReview.Status.RESOLVED
        locked.resolved_patient_id = patient_id
        locked.resolved_by_id = viewer.user_id
        locked.resolved_at = timezone.now()
        locked.save()
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[patient_id],
            resource_type="MatchReview",
            resource_id=str(locked.pk),
            detail={"resolved": True},
        )
    refresh_risk([patient_id])
    return stay


def do_dismiss_match_review(viewer: Viewer, review: MatchReview) -> MatchReview:
    if not may_review(viewer):
        raise deny(viewer, what="MatchReview")
    with transaction.atomic():
        locked = _open_review(review)
        locked.status = MatchReview.Status.DISMISSED
        locked.resolved_by_id = viewer.user_id
        locked.resolved_at = timezone.now()
        locked.save()
        record(
            viewer.actor,
            Action.UPDATE,
            resource_type="MatchReview",
            resource_id=str(locked.pk),
            detail={"dismissed": True},
        )
    return locked


FEED = "AdtFeed"  # what a refusal of the ADT feed page or its retries is audited as


def do_retry_failed(viewer: Viewer, message_ids: Collection[int] | None = None) -> int:
    """Program staff take failed inbox messages (all, or these) again: they are put back for
    processing (``processing.retry_failed``, as ``transitions process --retry-failed`` does), with
    one audit row (no patient: the inbox is interface data).  How many were put back."""
    from wraparound.transitions.processing import retry_failed  # processing imports these actions

    if not may_review(viewer):
        raise deny(viewer, what=FEED)
    with transaction.atomic():
        retried = retry_failed(message_ids)
        if retried:
            record(
                viewer.actor,
                Action.UPDATE,
                resource_type="InboxMessage",
                resource_id=str(retried[0]) if len(retried) == 1 else "",
                detail={"retried": retried, "all_failed": message_ids is None},
            )
    return len(retried)
