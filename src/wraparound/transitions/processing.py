"""Turning the HL7 v2 inbox into stays, alerts and tasks, each message exactly once.

``process_inbox`` takes the ``received`` rows in event-time order (EVN-2, else MSH-7), so that one
patient's events are applied in the order they happened; a message that arrives after a later
event of its visit is still handled (``stays``).  Each message is claimed with a conditional update
(``status = received``) inside the transaction that writes its effects and marks it processed: a
second worker, or a second run, finds nothing to do.  A message whose processing raised is marked
``failed`` with the error, and its effects are rolled back.  After a run, the risk profiles of the
patients whose stays changed are computed again (risk counts the feed's admissions and ED visits).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from wraparound.audit.actions import Actor
from wraparound.hl7v2.models import InboxMessage
from wraparound.transitions.adt import AdtEvent, read_event
from wraparound.transitions.matching import match_patient
from wraparound.transitions.models import MatchReview, Stay
from wraparound.transitions.stays import apply_event
from wraparound.transitions.workflow import run_workflow

logger = logging.getLogger(__name__)
ACTOR_NAME = "mllp"


@dataclass
class ProcessingReport:
    processed: int = 0
    failed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    risk_profiles: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "processed": self.processed,
            "failed": self.failed,
            **dict(self.outcomes),
            "risk_profiles": self.risk_profiles,
        }


def apply_message(message: InboxMessage, patient_id: uuid.UUID, event: AdtEvent | None = None) -> Stay:
    """A message about a known patient: its stay, then the workflow (in the caller's transaction)."""
    event = event or read_event(message)
    stay = apply_event(message, event, patient_id)
    run_workflow(stay, Actor.system(ACTOR_NAME))
    return stay


def _to_review(
    message: InboxMessage, event: AdtEvent, reason: str, candidates: tuple[uuid.UUID, ...]
) -> None:
    MatchReview.objects.get_or_create(
        message=message,
        defaults={
            "reason": reason,
            "summary": event.summary(),
            "candidates": [str(candidate) for candidate in candidates],
            "created_at": timezone.now(),
        },
    )


def _apply(message: InboxMessage) -> str:
    event = read_event(message)
    result = match_patient(event)
    if message.trigger_event == "A40":
        # A merge at the hospital: recorded for people to look at; registry patients are never merged.
        _to_review(message, event, MatchReview.Reason.MERGE, result.candidates)
        return "merge"
    if result.patient_id is None:
        reason = MatchReview.Reason.AMBIGUOUS if result.candidates else MatchReview.Reason.NOT_FOUND
        _to_review(message, event, reason, result.candidates)
        return str(reason)
    apply_message(message, result.patient_id, event)
    return f"matched_{result.method}"


CONFLICT_RETRIES = 3


def process_message(message_id: int) -> str | None:
    """Process one inbox row if it is still ``received``: the outcome, or None when it was not.

    Two workers may take the first two messages of a new visit at once; the second to commit its
    stay breaks a unique constraint.  Its transaction, claim included, is rolled back, and the
    message is taken again: now the stay is there to update."""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return _process_once(message_id)
        except IntegrityError as conflict:
            if attempt == CONFLICT_RETRIES:
                return _failed(message_id, conflict)
            logger.info("transitions: message %s met a concurrent write; taking it again", message_id)
    raise AssertionError("unreachable")


def _process_once(message_id: int) -> str | None:
    try:
        with transaction.atomic():
            claimed = InboxMessage.objects.filter(pk=message_id, status=InboxMessage.Status.RECEIVED).update(
                status=InboxMessage.Status.PROCESSED,
                processed_at=timezone.now(),
                attempts=F("attempts") + 1,
                error="",
            )
            if not claimed:
                return None
            return _apply(InboxMessage.objects.get(pk=message_id))
    except IntegrityError:
        raise  # process_message takes it again
    except Exception as error:  # one bad message must not stop the feed
        return _failed(message_id, error)


def _failed(message_id: int, error: BaseException) -> str:
    logger.error("transitions: message %s failed: %r", message_id, error, exc_info=error)
    InboxMessage.objects.filter(pk=message_id, status=InboxMessage.Status.RECEIVED).update(
        status=InboxMessage.Status.FAILED,
        attempts=F("attempts") + 1,
        error=f"{type(error).__name__}: {error}"[:2000],
    )
    return "failed"


def pending(limit: int | None = None) -> list[int]:
    rows = InboxMessage.objects.filter(status=InboxMessage.Status.RECEIVED).order_by(
        F("event_time").asc(nulls_last=True), "id"
    )
    ids = rows.values_list("id", flat=True)
    return list(ids[:limit] if limit is not None else ids)


RETRY_CHUNK = 500  # ids per UPDATE: well under SQLite's limit of parameters


def retry_failed(message_ids: Collection[int] | None = None) -> list[int]:
    """Put ``failed`` messages (all of them, or these) back to ``received``, so that the next run of
    ``process_inbox`` takes them again: the ids put back.  A message no longer failed is left alone,
    so that retrying twice (a double click, two operators) takes it once."""
    with transaction.atomic():
        rows = InboxMessage.objects.filter(status=InboxMessage.Status.FAILED)
        if message_ids is not None:
            rows = rows.filter(pk__in=list(message_ids))
        ids = list(rows.select_for_update().order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), RETRY_CHUNK):
            InboxMessage.objects.filter(
                pk__in=ids[start : start + RETRY_CHUNK], status=InboxMessage.Status.FAILED
            ).update(status=InboxMessage.Status.RECEIVED)
    return ids


def process_inbox(limit: int | None = None) -> ProcessingReport:
    """Every ``received`` message (the ``limit`` earliest by event time), in event-time order."""
    report = ProcessingReport()
    applied: list[int] = []
    for message_id in pending(limit):
        outcome = process_message(message_id)
        if outcome is None:
            continue
        if outcome == "failed":
            report.failed += 1
        else:
            report.processed += 1
            if outcome.startswith("matched_"):
                applied.append(message_id)
        report.outcomes[outcome] += 1
    if applied:
        patients = Stay.objects.filter(applied__message_id__in=applied).values_list("patient_id", flat=True)
        report.risk_profiles = refresh_risk(set(patients))
    return report


def refresh_risk(patient_ids: Collection[uuid.UUID]) -> int:
    """The risk profiles of these patients computed again, now that a stay of theirs changed: how
    many.  A failure here is logged and left to the next recompute; it never fails the feed."""
    from wraparound.risk.actions import do_compute_risk  # risk reads the stays this module writes

    try:
        return do_compute_risk(sorted(patient_ids)).patients
    except Exception:
        logger.exception("transitions: risk profiles of %d patients not recomputed", len(patient_ids))
        return 0


@task()
def process_inbox_task(limit: int | None = None) -> dict[str, int]:
    """The background job: ``wraparound worker`` runs it when it is queued."""
    return process_inbox(limit).as_dict()
