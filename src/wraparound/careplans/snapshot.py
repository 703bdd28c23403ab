"""The whole care plan as JSON (what each ``CarePlanVersion`` keeps), and what changed between two.

A snapshot is plain data: the plan's own fields, then its problems, goals and
interventions as lists of dicts keyed by their row ids, with the text a person
reads beside every link (the linked condition's name, the owner's name), so
that an old version still reads right after the rows it named have changed.
``diff(old, new)`` compares two snapshots item by item (matched on id) and
field by field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wraparound.careplans.models import CarePlan, CareTeamMember, Goal, Intervention, Problem

Snapshot = dict[str, Any]

PLAN_FIELDS = (
    "status",
    "strengths",
    "preferences",
    "family_role",
    "acknowledged_on",
    "acknowledgement",
    "acknowledgement_note",
    "last_reviewed_on",
    "next_review_due",
)
# What each kind of item keeps (the model's field names; links as *_id), and what the diff shows.
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "problems": ("kind", "description", "condition_id", "condition", "status"),
    "goals": ("text", "measure", "target", "target_date", "status", "problem_id", "problem"),
    "interventions": ("description", "owner_id", "owner", "due_on", "status", "goal_id", "goal"),
}
SHOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "plan": PLAN_FIELDS,
    "problems": ("kind", "description", "condition", "status"),
    "goals": ("text", "measure", "target", "target_date", "status", "problem"),
    "interventions": ("description", "owner", "due_on", "status", "goal"),
}
FIELD_LABELS: dict[str, Promise] = {
    "status": _("Status"),
    "strengths": _("Strengths"),
    "preferences": _("Preferences"),
    "family_role": _("Family's role"),
    "acknowledged_on": _("Acknowledged on"),
    "acknowledgement": _("Acknowledgement"),
    "acknowledgement_note": _("Acknowledgement note"),
    "last_reviewed_on": _("Last reviewed on"),
    "next_review_due": _("Next review due"),
    "kind": _("Kind"),
    "description": _("Description"),
    "condition": _("Condition"),
    "text": _("Goal, in the patient's words"),
    "measure": _("Measure"),
    "target": _("Target"),
    "target_date": _("Target date"),
    "problem": _("Problem"),
    "owner": _("Owner"),
    "due_on": _("Due on"),
    "goal": _("Goal"),
}
SECTION_LABELS: dict[str, Promise] = {
    "plan": _("The plan"),
    "problems": _("Problem"),
    "goals": _("Goal"),
    "interventions": _("Intervention"),
}
CHOICES: dict[tuple[str, str], type[Any]] = {
    ("plan", "status"): CarePlan.Status,
    ("plan", "acknowledgement"): CarePlan.Acknowledgement,
    ("problems", "kind"): Problem.Kind,
    ("problems", "status"): Problem.Status,
    ("goals", "status"): Goal.Status,
    ("interventions", "status"): Intervention.Status,
}


def to_json(value: Any) -> Any:
    """A field's value as the snapshot stores it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def member_name(member: CareTeamMember | None) -> str:
    if member is None:
        return ""
    if member.user is not None:
        return str(member.user.get_full_name() or member.user.get_username())
    return member.name


def take(plan: CarePlan) -> Snapshot:
    """The plan as it is in the database now: three queries, whatever its size."""
    snapshot: Snapshot = {name: to_json(getattr(plan, name)) for name in PLAN_FIELDS}
    problems = list(plan.problems.select_related("condition").order_by("created_at", "id"))
    goals = list(plan.goals.order_by("created_at", "id"))
    interventions = list(plan.interventions.select_related("owner__user").order_by("created_at", "id"))
    problem_text = {problem.pk: problem.description for problem in problems}
    goal_text = {goal.pk: goal.text for goal in goals}
    snapshot["problems"] = [
        {
            "id": problem.pk,
            "kind": problem.kind,
            "description": problem.description,
            "condition_id": str(problem.condition_id) if problem.condition_id else None,
            "condition": problem.condition.display if problem.condition is not None else "",
            "status": problem.status,
        }
        for problem in problems
    ]
    snapshot["goals"] = [
        {
            "id": goal.pk,
            "text": goal.text,
            "measure": goal.measure,
            "target": goal.target,
            "target_date": to_json(goal.target_date),
            "status": goal.status,
            "problem_id": goal.problem_id,
            "problem": problem_text.get(goal.problem_id or 0, ""),
        }
        for goal in goals
    ]
    snapshot["interventions"] = [
        {
            "id": intervention.pk,
            "description": intervention.description,
            "owner_id": intervention.owner_id,
            "owner": member_name(intervention.owner),
            "due_on": to_json(intervention.due_on),
            "status": intervention.status,
            "goal_id": intervention.goal_id,
            "goal": goal_text.get(intervention.goal_id or 0, ""),
        }
        for intervention in interventions
    ]
    return snapshot


def find(snapshot: Snapshot, section: str, item_id: int) -> dict[str, Any] | None:
    return next((item for item in snapshot.get(section, []) if item.get("id") == item_id), None)


# --- differences ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.name, self.name))


@dataclass(frozen=True)
class Difference:
    """One item (or the plan itself) that was added, removed or changed."""

    section: str  # "plan", "problems", "goals", "interventions"
    change: str  # "added", "removed", "changed"
    item_id: int | None
    title: str  # what a reader recognizes the item by
    fields: tuple[FieldChange, ...] = field(default=())

    @property
    def section_label(self) -> str:
        return str(SECTION_LABELS[self.section])


def readable(section: str, name: str, value: Any) -> str:
    """A stored value as words: choice labels, US dates, "—" for nothing."""
    if value in (None, ""):
        return "—"
    choices = CHOICES.get((section, name))
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if isinstance(value, str) and name.endswith(("_on", "_date", "_due")):
        try:
            return dt.date.fromisoformat(value).strftime("%m/%d/%Y")
        except ValueError:
            return value
    return str(value)


def _title(section: str, item: dict[str, Any]) -> str:
    return str(item.get("text") or item.get("description") or "")


def _item_fields(section: str, before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in SHOWN_FIELDS[section]
        if before.get(name) != after.get(name)
    )


def diff(old: Snapshot | None, new: Snapshot) -> list[Difference]:
    """What changed from ``old`` to ``new`` (``old`` None: everything in ``new`` was added)."""
    old = old or {}
    differences: list[Difference] = []
    plan_changes = tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in PLAN_FIELDS
        if old.get(name) != new.get(name) and (old or new.get(name) not in (None, ""))
    )
    if plan_changes:
        differences.append(Difference("plan", "changed", None, "", plan_changes))
    for section in ITEM_FIELDS:
        before = {item["id"]: item for item in old.get(section, [])}
        after = {item["id"]: item for item in new.get(section, [])}
        for item_id, item in after.items():
            if item_id not in before:
                shown = tuple(
                    FieldChange(name, None, item.get(name))
                    for name in SHOWN_FIELDS[section]
                    if item.get(name) not in (None, "")
                )
                differences.append(Difference(section, "added", item_id, _title(section, item), shown))
                continue
            changed = _item_fields(section, before[item_id], item)
            if changed:
                differences.append(Difference(section, "changed", item_id, _title(section, item), changed))
        for item_id, item in before.items():
            if item_id not in after:
                differences.append(Difference(section, "removed", item_id, _title(section, item)))
    return differences
