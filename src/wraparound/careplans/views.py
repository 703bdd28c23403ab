"""The care team and care plan tabs of a patient: the team, the plan, its edit forms, history and printout."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wraparound.accounts.models import Role
from wraparound.audit.models import Action
from wraparound.careplans import actions, printing, snapshot
from wraparound.careplans.forms import (
    EDIT_FORMS,
    AddContactForm,
    AddUserMemberForm,
    HandoffForm,
    PlanEditForm,
    ProblemForm,
    initial_for,
)
from wraparound.careplans.models import CarePlan, CarePlanVersion, CareTeam, CareTeamMember
from wraparound.enrollment.models import Enrollment
from wraparound.registry.access import PatientAccess, Viewer, access_patient, deny
from wraparound.registry.models import Condition
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.web.formatting import us_date

ACTIVE_CONDITION_STATUSES = ("active", "recurrence", "relapse")


def _page(request: HttpRequest, access: PatientAccess, **context: Any) -> dict[str, Any]:
    return {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        **context,
    }


# --- care team -----------------------------------------------------------------------------


@require_safe
def care_team(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="CareTeam")
    team = actions.active_team(access.patient.pk)
    members: list[CareTeamMember] = []
    handoffs: list[Any] = []
    can_edit = False
    if team is not None:
        members = list(team.members.select_related("user", "organization").order_by("start", "id"))
        handoffs = list(team.handoffs.select_related("from_user", "to_user", "by").order_by("-at", "-id"))
        can_edit = actions.may_edit(viewer, team.patient_id, team.organization_id)
    context = _page(
        request,
        access,
        team=team,
        current=[member for member in members if member.end is None],
        past=sorted(
            (member for member in members if member.end is not None),
            key=lambda member: (member.end, member.pk),
            reverse=True,
        ),
        handoffs=handoffs,
        can_edit=can_edit,
        user_form=AddUserMemberForm(team=team) if can_edit and team else None,
        contact_form=AddContactForm() if can_edit else None,
        handoff_form=HandoffForm(team=team) if can_edit and team else None,
    )
    return render(request, "careplans/care_team.html", context)


def _editable_team(viewer: Viewer, patient_id: uuid.UUID) -> CareTeam:
    team = actions.active_team(patient_id)
    if team is None:
        raise Http404("No care team.")
    if not actions.may_edit(viewer, team.patient_id, team.organization_id):  # before the form is read
        raise deny(viewer, what="CareTeam", patient_id=team.patient_id)
    return team


def _saved_or_refused(request: HttpRequest, run: Any) -> None:
    try:
        run()
    except actions.CarePlanRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Saved."))


@require_POST
def care_team_add(request: HttpRequest, patient_id: uuid.UUID, kind: str) -> HttpResponse:
    viewer = Viewer.from_request(request)
    team = _editable_team(viewer, patient_id)
    if kind == "user":
        form: forms.Form = AddUserMemberForm(request.POST, team=team)
        if form.is_valid():
            _saved_or_refused(
                request,
                lambda: actions.do_join_care_team(
                    viewer, team, role=form.cleaned_data["role"], user_id=form.cleaned_data["user"].pk
                ),
            )
        else:
            messages.error(request, _("Check the form: something is missing or not valid."))
    elif kind == "contact":
        form = AddContactForm(request.POST)
        if form.is_valid():
            _saved_or_refused(
                request,
                lambda: actions.do_join_care_team(
                    viewer, team, role=form.cleaned_data["role"], name=form.cleaned_data["name"]
                ),
            )
        else:
            messages.error(request, _("Check the form: something is missing or not valid."))
    else:
        raise Http404("No such kind of member.")
    return redirect("careplans:care_team", patient_id=patient_id)


@require_POST
def care_team_end(request: HttpRequest, patient_id: uuid.UUID, member_id: int) -> HttpResponse:
    viewer = Viewer.from_request(request)
    team = _editable_team(viewer, patient_id)
    member = get_object_or_404(CareTeamMember, pk=member_id, care_team=team)
    _saved_or_refused(request, lambda: actions.do_end_membership(viewer, member))
    return redirect("careplans:care_team", patient_id=patient_id)


@require_POST
def care_team_handoff(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    team = _editable_team(viewer, patient_id)
    form = HandoffForm(request.POST, team=team)
    if form.is_valid():
        _saved_or_refused(
            request,
            lambda: actions.do_hand_off_lead(
                viewer, team, form.cleaned_data["to_user"], form.cleaned_data["note"]
            ),
        )
    else:
        messages.error(request, _("Choose the new lead care manager and write a handoff note."))
    return redirect("careplans:care_team", patient_id=patient_id)


# --- care plan -----------------------------------------------------------------------------


def current_plan(patient_id: uuid.UUID | str) -> CarePlan | None:
    return (
        CarePlan.objects.filter(patient_id=patient_id)
        .select_related("updated_by", "organization")
        .order_by("-created_at", "-id")
        .first()
    )


def _enrolled(patient_id: uuid.UUID | str) -> Enrollment | None:
    return (
        Enrollment.objects.filter(patient_id=patient_id, status=Enrollment.Status.ENROLLED)
        .order_by("-created_at")
        .first()
    )


def _plan_tree(plan: CarePlan) -> dict[str, Any]:
    """Problems, goals and interventions, each with what hangs under it: three queries, any size."""
    problems = list(plan.problems.select_related("condition"))
    goals = list(plan.goals.all())
    interventions = list(plan.interventions.select_related("owner__user"))
    by_goal: dict[int | None, list[Any]] = defaultdict(list)
    for intervention in interventions:
        intervention.owner_name = snapshot.member_name(intervention.owner)  # type: ignore[attr-defined]
        by_goal[intervention.goal_id].append(intervention)
    problem_text = {problem.pk: problem.description for problem in problems}
    for goal in goals:
        goal.problem_text = problem_text.get(goal.problem_id or 0, "")  # type: ignore[attr-defined]
        goal.planned = by_goal.get(goal.pk, [])  # type: ignore[attr-defined]
    return {"problems": problems, "goals": goals, "unlinked_interventions": by_goal.get(None, [])}


@require_safe
def care_plan(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="CarePlan")
    plan = current_plan(access.patient.pk)
    enrollment = _enrolled(access.patient.pk)
    if (
        plan is None
        and enrollment is not None
        and viewer.role == Role.CARE_MANAGER
        and actions.may_edit(viewer, enrollment.patient_id, enrollment.organization_id)
    ):
        actions.do_start_care_plan(viewer, enrollment)  # the care manager's first look makes it
        plan = current_plan(access.patient.pk)
    can_edit = plan is not None and actions.may_edit(viewer, plan.patient_id, plan.organization_id)
    can_start = (
        plan is None
        and enrollment is not None
        and actions.may_edit(viewer, enrollment.patient_id, enrollment.organization_id)
    )
    context = _page(
        request,
        access,
        plan=plan,
        can_edit=can_edit,
        can_start=can_start,
        **(_plan_tree(plan) if plan is not None else {}),
    )
    return render(request, "careplans/care_plan.html", context)


@require_POST
def care_plan_start(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    enrollment = _enrolled(patient_id)
    if enrollment is None:
        messages.error(request, _("A care plan is made once the patient is enrolled."))
    else:
        _saved_or_refused(request, lambda: actions.do_start_care_plan(viewer, enrollment))
    return redirect("careplans:care_plan", patient_id=patient_id)


def _item(plan: CarePlan, kind: str, item_id: int | None) -> Any:
    if item_id is None:
        return None
    model = actions.ITEM_MODELS.get(kind)
    if model is None:
        raise Http404("This part of the plan has no items.")
    return get_object_or_404(model._default_manager, pk=item_id, care_plan=plan)


def _edit_form(kind: str, access: PatientAccess, plan: CarePlan, item: Any, data: Any = None) -> PlanEditForm:
    form_class = EDIT_FORMS[kind]
    initial = initial_for(kind, plan, item)
    if form_class is ProblemForm:
        conditions = access.records(Condition).filter(
            Q(status__in=ACTIVE_CONDITION_STATUSES) | Q(pk=getattr(item, "condition_id", None))
        )
        return ProblemForm(data, plan=plan, initial=initial, conditions=conditions.order_by("display"))
    return form_class(data, plan=plan, initial=initial)


def _version(data: Any, name: str, default: int) -> int:
    try:
        return int(data.get(name, default))
    except (TypeError, ValueError):
        return default


@require_http_methods(["GET", "HEAD", "POST"])
def care_plan_edit(
    request: HttpRequest, patient_id: uuid.UUID, kind: str, item_id: int | None = None
) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if kind not in EDIT_FORMS:
        raise Http404("No such form.")
    access = access_patient(viewer, patient_id, resource_type="CarePlan")
    plan = current_plan(access.patient.pk)
    if plan is None:
        raise Http404("No care plan yet.")
    if not actions.may_edit(viewer, plan.patient_id, plan.organization_id):
        raise deny(viewer, what="CarePlan", patient_id=plan.patient_id)
    item = _item(plan, kind, item_id)
    if request.method != "POST":
        form = _edit_form(kind, access, plan, item)
        return _render_form(request, access, plan, form, item, plan.version, plan.version)
    form = _edit_form(kind, access, plan, item, request.POST)
    base = _version(request.POST, "base_version", plan.version)
    origin = _version(request.POST, "origin_version", base)
    if not form.is_valid():
        return _render_form(request, access, plan, form, item, base, origin, status=400)
    try:
        saved = actions.do_save_care_plan(
            viewer, plan, form.edit(item_id), base_version=base, origin_version=origin
        )
    except actions.CarePlanConflict as conflict:
        return _render_conflict(request, access, conflict.plan, form, kind, item_id, origin)
    except actions.CarePlanRefused as refused:
        messages.error(request, str(refused))
        return _render_form(request, access, plan, form, item, base, origin, status=400)
    messages.success(request, _("Saved as version %(number)s.") % {"number": saved.number})
    return redirect("careplans:care_plan", patient_id=patient_id)


def _render_form(
    request: HttpRequest,
    access: PatientAccess,
    plan: CarePlan,
    form: PlanEditForm,
    item: Any,
    base: int,
    origin: int,
    status: int = 200,
) -> HttpResponse:
    context = _page(request, access, plan=plan, form=form, item=item, base=base, origin=origin)
    return render(request, "careplans/care_plan_edit.html", context, status=status)


def _shown(form: PlanEditForm, changed: set[str]) -> list[tuple[str, str]]:
    """The fields of the submitted form that the person changed, as label → value in words."""
    rows: list[tuple[str, str]] = []
    for name, form_field in form.fields.items():
        if form.model_field(name) not in changed:
            continue
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            text = "—"
        elif hasattr(form_field, "choices") and not isinstance(form_field, forms.ModelChoiceField):
            text = str(dict(form_field.choices).get(value, value))
        elif hasattr(value, "isoformat"):
            text = us_date(value)
        elif isinstance(form_field, forms.ModelChoiceField):
            text = str(form_field.label_from_instance(value))
        else:
            text = str(value)
        rows.append((str(form_field.label), text))
    return rows


def _render_conflict(
    request: HttpRequest,
    access: PatientAccess,
    plan: CarePlan,
    form: PlanEditForm,
    kind: str,
    item_id: int | None,
    origin: int,
) -> HttpResponse:
    """Both edits side by side: theirs (saved) and yours (not saved yet), to re-apply or discard."""
    versions = {
        version.number: version
        for version in CarePlanVersion.objects.filter(
            care_plan=plan, number__in=[origin, plan.version]
        ).select_related("author")
    }
    latest = versions.get(plan.version)
    since = (
        snapshot.diff(versions[origin].snapshot if origin in versions else None, latest.snapshot)
        if latest is not None
        else []
    )
    their_versions = list(
        CarePlanVersion.objects.filter(care_plan=plan, number__gt=origin)
        .select_related("author")
        .order_by("number")
    )
    keep = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "base_version", "origin_version")
        for value in values
    ]
    context = _page(
        request,
        access,
        plan=plan,
        latest=latest,
        their_versions=their_versions,
        their_changes=present(since),
        yours=_shown(form, set(actions.changed_values(plan, form.edit(item_id), origin))),
        keep=keep,
        base=plan.version,
        origin=origin,
        kind=kind,
        item_id=item_id,
        form_title=form.title,
    )
    return render(request, "careplans/care_plan_conflict.html", context, status=409)


# --- history -------------------------------------------------------------------------------

CHANGE_TONES = {"added": "success", "removed": "danger", "changed": "info"}


def present(differences: list[snapshot.Difference]) -> list[dict[str, Any]]:
    """Differences as the templates show them: words for every value."""
    labels = {"added": _("Added"), "removed": _("Removed"), "changed": _("Changed")}
    return [
        {
            "section": difference.section_label,
            "change": labels[difference.change],
            "tone": CHANGE_TONES[difference.change],
            "is_added": difference.change == "added",
            "title": difference.title,
            "fields": [
                (
                    change.label,
                    snapshot.readable(difference.section, change.name, change.before),
                    snapshot.readable(difference.section, change.name, change.after),
                )
                for change in difference.fields
            ],
        }
        for difference in differences
    ]


@require_safe
def care_plan_history(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="CarePlan")
    plan = current_plan(access.patient.pk)
    if plan is None:
        raise Http404("No care plan yet.")
    versions = list(plan.versions.select_related("author").order_by("number"))
    numbers = {version.number: version for version in versions}
    chosen_from = _version(request.GET, "from", 0)
    chosen_to = _version(request.GET, "to", 0)
    comparison = None
    if chosen_from in numbers and chosen_to in numbers and chosen_from != chosen_to:
        old, new = numbers[min(chosen_from, chosen_to)], numbers[max(chosen_from, chosen_to)]
        comparison = {"old": old, "new": new, "changes": present(snapshot.diff(old.snapshot, new.snapshot))}
    entries = [
        {
            "version": version,
            "changes": present(
                snapshot.diff(versions[index - 1].snapshot if index else None, version.snapshot)
            ),
        }
        for index, version in enumerate(versions)
    ]
    entries.reverse()
    context = _page(
        request,
        access,
        plan=plan,
        versions=list(reversed(versions)),
        entries=entries if comparison is None else [],
        comparison=comparison,
        chosen_from=chosen_from or (versions[-2].number if len(versions) > 1 else plan.version),
        chosen_to=chosen_to or plan.version,
    )
    return render(request, "careplans/care_plan_history.html", context)


# --- printout ------------------------------------------------------------------------------


@require_safe
def care_plan_pdf(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The plan as PDF, in the patient's language (or ``?lang=en|es``): audited as a print."""
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, action=Action.PRINT, resource_type="CarePlan")
    plan = current_plan(access.patient.pk)
    if plan is None:
        raise Http404("No care plan yet.")
    language = printing.language_for(access.patient, request.GET.get("lang"))
    lead = (
        CareTeamMember.objects.filter(
            care_team__patient_id=plan.patient_id,
            care_team__status=CareTeam.Status.ACTIVE,
            role=CareTeamMember.Role.LEAD_CARE_MANAGER,
            end__isnull=True,
        )
        .select_related("user")
        .first()
    )
    printed = printing.PrintedPlan(
        patient=access.patient,
        version=plan.version,
        snapshot=snapshot.take(plan),
        lead_care_manager=snapshot.member_name(lead),
        organization=plan.organization.name,
    )
    response = HttpResponse(printing.render_pdf(printed, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="care-plan-{language}.pdf"'
    return response
