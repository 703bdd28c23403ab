"""A worklist page's rows, ready to print: every label, date and link worked out in Python.

The templates only place these values; a row costs a few attribute lookups instead of URL
resolutions, includes and translations inside the loop (``web.links.LinkPattern``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from wraparound.careplans.models import CareTeamMember
from wraparound.risk.models import Tier
from wraparound.web.formatting import us_date, us_datetime
from wraparound.web.links import LinkPattern
from wraparound.worklists.models import Alert, Task
from wraparound.worklists.ranking import Item

NONE = "—"
# Choice labels looked up in plain dicts: Django's get_FOO_display() rebuilds a hashable copy of
# the field's choices on every call, which a page of fifty rows pays a few hundred times.
TIERS = dict(Tier.choices)
PRIORITIES = dict(Task.Priority.choices)
RECURRENCES = dict(Task.Recurrence.choices)
ROLE_LABELS = dict(CareTeamMember.Role.choices)
ALERT_KINDS = dict(Alert.Kind.choices)


def _label(labels: dict[Any, Any], value: object) -> str:
    return str(labels.get(value, value))


@dataclass(frozen=True)
class Row:
    kind: str  # "task" or "alert"
    bucket: str  # the Bucket's name, lower case (data-bucket)
    bucket_label: str
    bucket_tone: str
    pk: int
    patient_id: uuid.UUID
    patient_name: str
    patient_url: str
    title: str
    note: str  # after the title, muted: how often a recurring task comes back; an alert's kind
    in_progress: bool
    due: str
    tier: str
    priority: str
    assigned_to: str
    action_url: str  # complete the task, or acknowledge the alert
    start_url: str  # "" when the task is already started (or for an alert)
    reassign_url: str
    log_contact_url: str  # "" when contacts are not installed


class RowMaker:
    """Built once per page: the link patterns, and where actions send the user back to."""

    def __init__(self, *, here: str, log_contact: bool) -> None:
        self.patient = LinkPattern("web:patient_detail", patient_id=uuid.UUID)
        self.complete = LinkPattern("worklists:task_step", task_id=int, step="complete")
        self.start = LinkPattern("worklists:task_step", task_id=int, step="start")
        self.reassign = LinkPattern("worklists:task_reassign", task_id=int)
        self.acknowledge = LinkPattern("worklists:alert_acknowledge", alert_id=int)
        self.log_contact = LinkPattern("worklists:log_contact", patient_id=uuid.UUID) if log_contact else None
        self.back = quote(here, safe="")

    def rows(self, items: Sequence[Item]) -> list[Row]:
        return [self.row(item) for item in items]

    def row(self, item: Item) -> Row:
        patient = item.patient
        profile = getattr(patient, "risk_profile", None)
        contact = self.log_contact(patient_id=patient.pk) if self.log_contact is not None else ""
        common: dict[str, Any] = {
            "bucket": item.bucket.name.lower(),
            "bucket_label": item.bucket.label,
            "bucket_tone": item.bucket.tone,
            "patient_id": patient.pk,
            "patient_name": patient.display_name,
            "patient_url": self.patient(patient_id=patient.pk),
            "tier": _label(TIERS, profile.tier) if profile is not None else NONE,
        }
        if item.task is not None:
            task = item.task
            if task.assignee is not None:
                assigned_to = task.assignee.get_full_name() or task.assignee.get_username()
            else:
                assigned_to = _label(ROLE_LABELS, task.assignee_role) if task.assignee_role else NONE
            return Row(
                kind="task",
                pk=task.pk,
                title=task.title,
                note=_label(RECURRENCES, task.recurrence) if task.recurrence else "",
                in_progress=task.status == task.Status.IN_PROGRESS,
                due=us_date(task.due_on) or NONE,
                priority=_label(PRIORITIES, task.priority),
                assigned_to=assigned_to,
                action_url=self.complete(task_id=task.pk),
                start_url=self.start(task_id=task.pk) if task.status == task.Status.OPEN else "",
                reassign_url=f"{self.reassign(task_id=task.pk)}?next={self.back}",
                log_contact_url=f"{contact}?task={task.pk}" if contact else "",
                **common,
            )
        alert = item.alert
        assert alert is not None
        return Row(
            kind="alert",
            pk=alert.pk,
            title=alert.title,
            note=_label(ALERT_KINDS, alert.kind),
            in_progress=False,
            due=us_datetime(alert.occurred_at),
            priority=NONE,
            assigned_to=NONE,
            action_url=self.acknowledge(alert_id=alert.pk),
            start_url="",
            reassign_url="",
            log_contact_url=contact,
            **common,
        )
