"""Every change to a care team and a care plan: authorized, validated, versioned, audited.

Care team: members join and leave (users of the agency, or contacts who are
not users); the lead care manager changes only by a handoff with a note.

Care plan: each save carries the version it was based on and moves
``CarePlan.version`` with ``UPDATE ... WHERE version = <base>``: a save based on
an old version changes nothing and raises ``CarePlanConflict`` (the screen then
shows both and lets the person re-apply).  A save applies only the fields the
person changed relative to the version their form showed (``origin``), so
re-applying on top of someone else's save keeps both.  Every save writes a
``CarePlanVersion`` with the whole plan (``snapshot.take``).

Authorization comes first and outside the transaction, so that a refusal's
audit row stands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wraparound.accounts.models import Membership, Role
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action
from wraparound.careplans import snapshot
from wraparound.careplans.models import (
    CarePlan,
    CarePlanVersion,
    CareTeam,
    CareTeamMember,
    Goal,
    Intervention,
    LeadHandoff,
    Problem,
)
from wraparound.core.models import CareOrganization
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import Viewer, deny
from wraparound.registry.models import Condition, Patient
from wraparound.worklists.actions import do_create_task
from wraparound.worklists.models import Task

MemberRole = CareTeamMember.Role
MANAGING_ROLES = frozenset({Role.SUPERVISOR, Role.PROGRAM_ADMINISTRATOR})
# The care-team roles whose users may change the team and the plan.
EDITING_MEMBER_ROLES = (MemberRole.LEAD_CARE_MANAGER, MemberRole.CARE_MANAGER)
# People on the team who are not users of Wraparound.
CONTACT_ROLES = (MemberRole.FAMILY_CAREGIVER, MemberRole.COMMUNITY_CONTACT)
REVIEW_TASK_TITLE = gettext_noop("Review the care plan")
DISCHARGE_REVIEW_TASK_TITLE = gettext_noop("Review the care plan after the hospital discharge")
DISCHARGE_REVIEW_DAYS = 7


class CarePlanRefused(Exception):
    """A change the care team or plan does not allow; the message says why, in words for the screen."""


class CarePlanConflict(Exception):
    """Someone saved the plan after the version this change was based on; nothing was written."""

    def __init__(self, plan: CarePlan, base_version: int) -> None:
        super().__init__(f"care plan {plan.pk} is at version {plan.version}, not {base_version}")
        self.plan = plan
        self.base_version = base_version


# --- who may change a team and a plan ---------------------------------------------------


def may_edit(viewer: Viewer, patient_id: uuid.UUID | str, organization_id: int | None) -> bool:
    """The one rule for changing a patient's care team and care plan.

    The supervisors and program administrators of the agency that holds the
    team (or plan), and the users on the patient's active care team as lead
    care manager or care manager (from their start, until they leave).
    """
    if viewer.user_id is None or viewer.acting is None:
        return False
    if viewer.role in MANAGING_ROLES and viewer.organization_id == organization_id:
        return True
    today = timezone.localdate()
    return (
        CareTeamMember.objects.filter(
            care_team__patient_id=patient_id,
            care_team__status=CareTeam.Status.ACTIVE,
            user_id=viewer.user_id,
            role__in=EDITING_MEMBER_ROLES,
            start__lte=today,
        )
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .exists()
    )


def _require_edit(viewer: Viewer, patient_id: Any, organization_id: int | None, what: str) -> None:
    if not may_edit(viewer, patient_id, organization_id):
        raise deny(viewer, what=what, patient_id=patient_id)


def active_team(patient_id: uuid.UUID | str) -> CareTeam | None:
    return CareTeam.objects.filter(patient_id=patient_id, status=CareTeam.Status.ACTIVE).first()


def current_lead(team: CareTeam) -> CareTeamMember | None:
    return team.members.filter(role=MemberRole.LEAD_CARE_MANAGER, end__isnull=True).first()


# --- care team ------------------------------------------------------------------------------


@transaction.atomic
def do_add_care_team_member(
    *,
    patient: Patient,
    organization: CareOrganization,
    user_id: int | None,
    role: str,
    start: dt.date | None = None,
    name: str = "",
) -> CareTeamMember:
    """Put someone on the patient's active care team (created, led by ``organization``, if none).

    The caller has authorized; the enrollment's assignment and the demo use it.
    """
    team = CareTeam.objects.filter(patient=patient, status=CareTeam.Status.ACTIVE).first()
    if team is None:
        team = CareTeam.objects.create(patient=patient, organization=organization)
    member, _created = CareTeamMember.objects.get_or_create(
        care_team=team,
        user_id=user_id,
        role=role,
        end=None,
        defaults={"organization": organization, "start": start or timezone.localdate(), "name": name},
    )
    return member


def _agency_user(team: CareTeam, user_id: int, roles: tuple[str, ...] | None = None) -> bool:
    memberships = Membership.objects.filter(
        user_id=user_id, organization_id=team.organization_id, is_active=True
    )
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def do_join_care_team(
    viewer: Viewer,
    team: CareTeam,
    *,
    role: str,
    user_id: int | None = None,
    name: str = "",
) -> CareTeamMember:
    """A user of the agency, or a contact who is not a user (by name), joins the team."""
    _require_edit(viewer, team.patient_id, team.organization_id, "CareTeam")
    name = name.strip()
    if role not in MemberRole.values:
        raise CarePlanRefused(_("Choose a role."))
    if role == MemberRole.LEAD_CARE_MANAGER:
        raise CarePlanRefused(_("The team has one lead care manager: hand the lead over instead."))
    if user_id is None:
        if role not in CONTACT_ROLES or not name:
            raise CarePlanRefused(
                _("A person who is not a user joins as a family caregiver or a community contact, by name.")
            )
    elif not _agency_user(team, user_id):
        raise CarePlanRefused(_("Choose a user of this agency."))
    with transaction.atomic():
        if user_id is not None and team.members.filter(user_id=user_id, role=role, end__isnull=True).exists():
            raise CarePlanRefused(_("This person already has this role on the team."))
        member = CareTeamMember.objects.create(
            care_team=team,
            user_id=user_id,
            organization_id=team.organization_id if user_id is not None else None,
            name=name if user_id is None else "",
            role=role,
            start=timezone.localdate(),
        )
        record(
            viewer.actor,
            Action.CREATE,
            patient_ids=[team.patient_id],
            resource_type="CareTeamMember",
            resource_id=str(member.pk),
            detail={"role": role, "user_id": user_id, "contact": user_id is None},
        )
    return member


def do_end_membership(viewer: Viewer, member: CareTeamMember) -> CareTeamMember:
    """Someone leaves the team today (the lead leaves only by handing the lead over)."""
    team = member.care_team
    _require_edit(viewer, team.patient_id, team.organization_id, "CareTeam")
    if member.role == MemberRole.LEAD_CARE_MANAGER and member.end is None:
        raise CarePlanRefused(_("Hand the lead over to another care manager first."))
    if member.end is not None:
        raise CarePlanRefused(_("This membership has already ended."))
    with transaction.atomic():
        member.end = timezone.localdate()
        member.save(update_fields=["end"])
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[team.patient_id],
            resource_type="CareTeamMember",
            resource_id=str(member.pk),
            detail={"ended": member.end.isoformat(), "role": member.role},
        )
    return member


def do_hand_off_lead(
    viewer: Viewer, care_team: CareTeam, to_user: AbstractBaseUser, note: str
) -> LeadHandoff:
    """The lead passes to another care manager of the agency, with a note for them.

    The old lead's membership ends today, the new one's starts; the serving
    enrollment's care manager follows.
    """
    _require_edit(viewer, care_team.patient_id, care_team.organization_id, "CareTeam")
    note = note.strip()
    if not note:
        raise CarePlanRefused(_("Write a handoff note for the new lead care manager."))
    if not _agency_user(care_team, to_user.pk, (Role.CARE_MANAGER,)):
        raise CarePlanRefused(_("Hand the lead to a care manager of this agency."))
    assert viewer.user_id is not None
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        CareTeam.objects.select_for_update().get(pk=care_team.pk)  # one handoff at a time per team
        lead = current_lead(care_team)
        if lead is not None and lead.user_id == to_user.pk:
            raise CarePlanRefused(_("This care manager already leads the team."))
        if lead is not None:
            lead.end = today
            lead.save(update_fields=["end"])
        care_team.members.filter(user_id=to_user.pk, role=MemberRole.CARE_MANAGER, end__isnull=True).update(
            end=today
        )
        CareTeamMember.objects.create(
            care_team=care_team,
            user_id=to_user.pk,
            organization_id=care_team.organization_id,
            role=MemberRole.LEAD_CARE_MANAGER,
            start=today,
        )
        handoff = LeadHandoff.objects.create(
            care_team=care_team,
            from_user_id=lead.user_id if lead is not None else None,
            to_user_id=to_user.pk,
            note=note,
            at=now,
            by_id=viewer.user_id,
        )
        Enrollment.objects.filter(
            patient_id=care_team.patient_id,
            organization_id=care_team.organization_id,
            status__in=Enrollment.SERVING,
        ).update(care_manager_id=to_user.pk)
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[care_team.patient_id],
            resource_type="CareTeam",
            resource_id=str(care_team.pk),
            detail={
                "handoff": handoff.pk,
                "from_user_id": handoff.from_user_id,
                "to_user_id": to_user.pk,
            },
        )
    return handoff


# --- care plan: creation and review tasks ------------------------------------------------


def review_cadence() -> dt.timedelta:
    return dt.timedelta(days=settings.CARE_PLAN_REVIEW_DAYS)


def _lead_user_id(patient_id: uuid.UUID | str) -> int | None:
    return (
        CareTeamMember.objects.filter(
            care_team__patient_id=patient_id,
            care_team__status=CareTeam.Status.ACTIVE,
            role=MemberRole.LEAD_CARE_MANAGER,
            end__isnull=True,
        )
        .values_list("user_id", flat=True)
        .first()
    )


def _review_task(actor: Actor, plan: CarePlan, due: dt.date, title: str, key: str) -> Task:
    return do_create_task(
        actor,
        patient=plan.patient_id,
        organization=plan.organization_id,
        title=title,
        source=Task.Source.CARE_PLAN_REVIEW,
        due_on=due,
        assignee_id=_lead_user_id(plan.patient_id),
        care_plan=plan,
        dedupe_key=key,
    )


def schedule_review(actor: Actor, plan: CarePlan, due: dt.date) -> Task:
    """The task to review the plan by ``due``, for the lead care manager (once per plan and date)."""
    return _review_task(actor, plan, due, REVIEW_TASK_TITLE, f"careplan-review:{plan.pk}:{due.isoformat()}")


def do_start_care_plan(viewer: Viewer, enrollment: Enrollment) -> CarePlan:
    """The enrollment's care plan, created (version 1, a review due) if it has none yet."""
    _require_edit(viewer, enrollment.patient_id, enrollment.organization_id, "CarePlan")
    existing = CarePlan.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise CarePlanRefused(_("A care plan is made once the patient is enrolled."))
    assert viewer.user_id is not None
    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        plan = CarePlan.objects.create(
            enrollment=enrollment,
            patient_id=enrollment.patient_id,
            organization_id=enrollment.organization_id,
            version=1,
            next_review_due=today + review_cadence(),
            created_at=now,
            updated_at=now,
            updated_by_id=viewer.user_id,
        )
        CarePlanVersion.objects.create(
            care_plan=plan,
            number=1,
            author_id=viewer.user_id,
            at=now,
            summary=_("Care plan created"),
            snapshot=snapshot.take(plan),
        )
        record(
            viewer.actor,
            Action.CREATE,
            patient_ids=[plan.patient_id],
            resource_type="CarePlan",
            resource_id=str(plan.pk),
            detail={"version": 1},
        )
        assert plan.next_review_due is not None
        schedule_review(viewer.actor, plan, plan.next_review_due)
    return plan


def do_request_review_after_discharge(
    actor: Actor, patient_id: uuid.UUID | str, discharged_on: dt.date
) -> Task | None:
    """A hospital discharge: review the enrolled patient's care plan within 7 days (None: no plan)."""
    plan = (
        CarePlan.objects.filter(patient_id=patient_id, enrollment__status=Enrollment.Status.ENROLLED)
        .order_by("-created_at")
        .first()
    )
    if plan is None:
        return None
    due = discharged_on + dt.timedelta(days=DISCHARGE_REVIEW_DAYS)
    key = f"careplan-review-discharge:{plan.pk}:{discharged_on.isoformat()}"
    return _review_task(actor, plan, due, DISCHARGE_REVIEW_TASK_TITLE, key)


# --- care plan: edits ---------------------------------------------------------------------

EditKind = Literal["problem", "goal", "intervention", "narrative", "acknowledgement", "review"]
SECTION_OF: dict[str, str] = {"problem": "problems", "goal": "goals", "intervention": "interventions"}
ITEM_MODELS: dict[str, type[Problem] | type[Goal] | type[Intervention]] = {
    "problem": Problem,
    "goal": Goal,
    "intervention": Intervention,
}


@dataclass(frozen=True)
class Edit:
    """One save: a problem, goal or intervention (added, or ``item_id`` changed), or the plan's own fields.

    ``values`` are model field names (links as ``*_id``) to Python values.
    """

    kind: EditKind
    values: dict[str, Any] = field(default_factory=dict)
    item_id: int | None = None


def _check_links(plan: CarePlan, values: dict[str, Any]) -> None:
    """Links point inside this plan (and the condition is the patient's)."""
    checks: tuple[tuple[str, Any], ...] = (
        ("problem_id", plan.problems),
        ("goal_id", plan.goals),
        ("owner_id", CareTeamMember.objects.filter(care_team__patient_id=plan.patient_id)),
        ("condition_id", Condition.objects.filter(patient_id=plan.patient_id)),
    )
    for name, rows in checks:
        if values.get(name) is not None and not rows.filter(pk=values[name]).exists():
            raise CarePlanRefused(_("Choose from this patient's care plan and care team."))


def _origin_values(plan: CarePlan, edit: Edit, origin: int) -> dict[str, Any] | None:
    """The edited thing as the person's form showed it (None: a new item)."""
    if edit.kind in SECTION_OF and edit.item_id is None:
        return None
    base = CarePlanVersion.objects.filter(care_plan=plan, number=origin).values_list("snapshot", flat=True)
    taken: snapshot.Snapshot = base.first() or snapshot.take(plan)
    if edit.kind in SECTION_OF:
        assert edit.item_id is not None
        item = snapshot.find(taken, SECTION_OF[edit.kind], edit.item_id)
        if item is None:
            raise CarePlanRefused(_("This item is not in the care plan."))
        return item
    return taken


def changed_values(plan: CarePlan, edit: Edit, origin: int) -> dict[str, Any]:
    """The fields this edit changes relative to the version the person started from."""
    if edit.kind == "review":
        return dict(edit.values)
    before = _origin_values(plan, edit, origin)
    if before is None:
        return dict(edit.values)
    return {
        name: value
        for name, value in edit.values.items()
        if snapshot.to_json(value) != before.get(name) and not (value in (None, "") and not before.get(name))
    }


def _summary(edit: Edit, changes: dict[str, Any], plan: CarePlan) -> str:
    if edit.kind == "review":
        note = str(changes.get("note") or "").strip()
        return _("Recorded a review: %(note)s") % {"note": note} if note else _("Recorded a review")
    if edit.kind == "acknowledgement":
        return _("Recorded the patient's acknowledgement")
    if edit.kind == "narrative":
        names = ", ".join(str(snapshot.FIELD_LABELS[name]).lower() for name in changes)
        return _("Changed %(fields)s") % {"fields": names}
    text = str(changes.get("text") or changes.get("description") or "")
    if edit.item_id is not None and not text:
        model = ITEM_MODELS[edit.kind]
        text = str(model._default_manager.get(pk=edit.item_id))
    templates = {
        ("problem", True): _("Added problem: %(text)s"),
        ("problem", False): _("Changed problem: %(text)s"),
        ("goal", True): _("Added goal: %(text)s"),
        ("goal", False): _("Changed goal: %(text)s"),
        ("intervention", True): _("Added intervention: %(text)s"),
        ("intervention", False): _("Changed intervention: %(text)s"),
    }
    return templates[(edit.kind, edit.item_id is None)] % {"text": text[:120]}


def _write_item(plan: CarePlan, edit: Edit, changes: dict[str, Any], now: dt.datetime) -> None:
    model = ITEM_MODELS[edit.kind]
    if edit.item_id is None:
        model._default_manager.create(care_plan=plan, created_at=now, **changes)
    elif changes:
        model._default_manager.filter(pk=edit.item_id, care_plan=plan).update(**changes)


def _plan_changes(edit: Edit, changes: dict[str, Any]) -> dict[str, Any]:
    if edit.kind == "review":
        reviewed_on: dt.date = changes.get("reviewed_on") or timezone.localdate()
        return {"last_reviewed_on": reviewed_on, "next_review_due": reviewed_on + review_cadence()}
    if edit.kind == "acknowledgement":
        return {**changes, "status": CarePlan.Status.ACTIVE}
    if edit.kind == "narrative":
        return changes
    return {}


def do_save_care_plan(
    viewer: Viewer, plan: CarePlan, edit: Edit, *, base_version: int, origin_version: int | None = None
) -> CarePlanVersion:
    """Save one edit on top of ``base_version``; raises ``CarePlanConflict`` when the plan moved on.

    ``origin_version`` is the version the person's form first showed (the same as
    the base, unless they are re-applying their change after a conflict).
    """
    _require_edit(viewer, plan.patient_id, plan.organization_id, "CarePlan")
    items = ITEM_MODELS[edit.kind]._default_manager if edit.kind in ITEM_MODELS else None
    if (
        items is not None
        and edit.item_id is not None
        and not items.filter(pk=edit.item_id, care_plan=plan).exists()
    ):
        raise CarePlanRefused(_("This item is not in the care plan."))
    _check_links(plan, edit.values)
    if edit.kind == "review" and (edit.values.get("reviewed_on") or dt.date.min) > timezone.localdate():
        raise CarePlanRefused(_("A review cannot be recorded in the future."))
    changes = changed_values(plan, edit, origin_version or base_version)
    if not changes and edit.kind != "review":
        raise CarePlanRefused(_("Nothing to save: no field was changed."))
    assert viewer.user_id is not None
    now = timezone.now()
    with transaction.atomic():
        plan_fields = _plan_changes(edit, changes)
        moved = CarePlan.objects.filter(pk=plan.pk, version=base_version).update(
            version=base_version + 1, updated_at=now, updated_by_id=viewer.user_id, **plan_fields
        )
        if not moved:
            plan.refresh_from_db()
            raise CarePlanConflict(plan, base_version)
        if edit.kind in ITEM_MODELS:
            _write_item(plan, edit, changes, now)
        plan.refresh_from_db()
        version = CarePlanVersion.objects.create(
            care_plan=plan,
            number=plan.version,
            author_id=viewer.user_id,
            at=now,
            summary=_summary(edit, changes, plan)[:255],
            snapshot=snapshot.take(plan),
        )
        record(
            viewer.actor,
            Action.UPDATE,
            patient_ids=[plan.patient_id],
            resource_type="CarePlan",
            resource_id=str(plan.pk),
            detail={"version": plan.version, "edit": edit.kind, "fields": sorted(changes)},
        )
        if edit.kind == "review":
            assert plan.next_review_due is not None
            schedule_review(viewer.actor, plan, plan.next_review_due)
    return version
