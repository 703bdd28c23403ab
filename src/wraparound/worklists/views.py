"""The care manager's workspace: my worklist, the agency's open tasks, the supervisor's view.

Lists are filtered in the query (``registry.access.access_patients``) and every patient a page
shows is audited (``record_shown``); changes go through ``worklists.actions``, which authorize.
Query counts do not grow with the number of rows (``worklists.ranking``, ``worklists.supervisor``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wraparound.accounts.models import Membership, Role
from wraparound.careplans.models import CareTeamMember
from wraparound.registry.access import Viewer, deny, record_shown
from wraparound.risk.models import Tier
from wraparound.worklists import actions, ranking, supervisor
from wraparound.worklists.models import Alert, Task
from wraparound.worklists.rows import RowMaker

PAGE_SIZE = ranking.PAGE_SIZE
STEPS = {
    "complete": actions.do_complete_task,
    "start": actions.do_start_task,
    "cancel": actions.do_cancel_task,
}
# Roles a task may go to on the patient's care team (people who use Wraparound).
TEAM_ROLES = [
    (role.value, role.label)
    for role in CareTeamMember.Role
    if role not in (CareTeamMember.Role.FAMILY_CAREGIVER, CareTeamMember.Role.COMMUNITY_CONTACT)
]
STEP_MESSAGES = {
    "complete": gettext_lazy("Task completed."),
    "start": gettext_lazy("Task started."),
    "cancel": gettext_lazy("Task cancelled."),
}


@dataclass(frozen=True)
class Person:
    pk: int
    name: str


class WorklistFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("Tasks and alerts")),
            ("tasks", gettext_lazy("Tasks")),
            ("alerts", gettext_lazy("Alerts")),
        ],
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Any priority")), *Task.Priority.choices],
    )
    tier = forms.ChoiceField(
        label=gettext_lazy("Risk tier"),
        required=False,
        choices=[("", gettext_lazy("Any tier")), *Tier.choices, (ranking.NO_TIER, gettext_lazy("No tier"))],
    )
    due = forms.ChoiceField(
        label=gettext_lazy("Due"),
        required=False,
        choices=[
            ("", gettext_lazy("Any time")),
            ("overdue", gettext_lazy("Overdue")),
            ("today", gettext_lazy("Due today")),
            ("week", gettext_lazy("Due in the next 7 days")),
        ],
    )
    patient = forms.CharField(label=gettext_lazy("Patient name"), required=False, max_length=100)

    def filters(self) -> ranking.Filters:
        if not self.is_bound or not self.is_valid():
            return ranking.Filters()
        data = self.cleaned_data
        return ranking.Filters(
            kind=data.get("kind") or "",
            priority=data.get("priority"),
            tier=data.get("tier") or "",
            due=data.get("due") or "",
            patient=data.get("patient") or "",
            assignee=data.get("assignee") or "",
        )


class AgencyFilterForm(WorklistFilterForm):
    assignee = forms.ChoiceField(label=gettext_lazy("Assigned to"), required=False)

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]  # the agency's list holds tasks only
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("unassigned", _("Nobody (a care-team role)")),
            *((str(person.pk), person.name) for person in people),
        ]


# --- shared pieces -------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Viewer:
    viewer = Viewer.from_request(request)
    if viewer.acting is None or viewer.user_id is None:
        raise deny(viewer, what="Worklist")
    return viewer


def _manager(request: HttpRequest, what: str) -> Viewer:
    viewer = _viewer(request)
    assert viewer.organization_id is not None
    if not actions.manages(viewer, viewer.organization_id):
        raise deny(viewer, what=what)
    return viewer


def _care_managers(organization_id: int | None) -> list[Person]:
    """The agency's active care managers, by name (one query)."""
    memberships = (
        Membership.objects.filter(
            organization_id=organization_id, role=Role.CARE_MANAGER, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return [Person(m.user_id, str(m.user.get_full_name() or m.user.get_username())) for m in memberships]


def _log_contact_available() -> bool:
    """Whether the "log a contact" page exists yet (another part of the workspace provides it)."""
    try:
        reverse("worklists:log_contact", kwargs={"patient_id": uuid.UUID(int=0)})
    except NoReverseMatch:
        return False
    return True


def _back(request: HttpRequest, default: str = "worklists:my_worklist") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _page_context(request: HttpRequest, worklist: ranking.Worklist) -> dict[str, Any]:
    page = worklist.page
    here = request.get_full_path()
    maker = RowMaker(here=here, log_contact=_log_contact_available())
    return {
        "worklist": worklist,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": maker.rows(worklist.items),
        "counts": worklist.counts,
        "today": timezone.localdate(),
        "here": here,
    }


# --- the lists --------------------------------------------------------------------------------


@require_safe
def my_worklist(request: HttpRequest) -> HttpResponse:
    """The care manager's home: overdue, due today, new alerts, then by tier; recent handoffs."""
    viewer = _viewer(request)
    today = timezone.localdate()
    form = WorklistFilterForm(request.GET or None)
    filters = form.filters()
    tasks, alerts = ranking.worklist_sources(viewer, today)
    tasks = ranking.filter_tasks(tasks, filters, today)
    alerts = ranking.filter_alerts(alerts, filters)
    worklist = ranking.build(tasks, alerts, request.GET.get("page"), today)
    handoffs = ranking.handoffs_for(viewer)
    shown = [item.patient for item in worklist.items] + [h.care_team.patient for h in handoffs]
    record_shown(viewer, list({patient.pk: patient for patient in shown}.values()))
    assert viewer.organization_id is not None
    context = {
        **_page_context(request, worklist),
        "form": form,
        "filtered": filters != ranking.Filters(),
        "handoffs": handoffs,
        "is_manager": actions.manages(viewer, viewer.organization_id),
        "user_id": viewer.user_id,
    }
    return render(request, "worklists/worklist.html", context)


@require_safe
def agency_worklist(request: HttpRequest) -> HttpResponse:
    """Every open task of the agency, ranked like a worklist, for a supervisor to rebalance."""
    viewer = _manager(request, "AgencyWorklist")
    today = timezone.localdate()
    care_managers = _care_managers(viewer.organization_id)
    form = AgencyFilterForm(request.GET or None, people=care_managers)
    filters = form.filters()
    tasks = ranking.filter_tasks(ranking.agency_tasks(viewer), filters, today)
    worklist = ranking.build(tasks, None, request.GET.get("page"), today)
    record_shown(viewer, list({item.patient.pk: item.patient for item in worklist.items}.values()))
    context = {
        **_page_context(request, worklist),
        "form": form,
        "filtered": filters != ranking.Filters(),
        "care_managers": care_managers,
    }
    return render(request, "worklists/worklist_agency.html", context)


@require_safe
def supervisor_view(request: HttpRequest) -> HttpResponse:
    """Caseloads by care manager, weighted by tier; overdue work; members without recent contact."""
    viewer = _manager(request, "SupervisorView")
    assert viewer.organization_id is not None
    loads = supervisor.agency_loads(viewer.organization_id, timezone.localdate(), timezone.now())
    chart = supervisor.bar_chart(
        chart_id="weighted-caseloads",
        title=_("Weighted caseload by care manager"),
        description=_("Each serving patient counts by risk tier: %(weights)s.")
        % {"weights": ", ".join(f"{label} {weight}" for label, weight in supervisor.weight_list())},
        bars=[(load.name, load.weighted) for load in loads],
    )
    context = {
        "loads": loads,
        "chart": chart,
        "weight_list": supervisor.weight_list(),
        "tier_labels": supervisor.tier_labels(),
        "contact_days": supervisor.CONTACT_DAYS,
        "review_days": supervisor.REVIEW_AHEAD_DAYS,
    }
    return render(request, "worklists/supervisor.html", context)


# --- quick actions ----------------------------------------------------------------------------


def _task(task_id: int) -> Task:
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    return task


@require_POST
def task_step(request: HttpRequest, task_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such step.")
    viewer = _viewer(request)
    task = _task(task_id)
    try:
        STEPS[step](viewer, task)
    except actions.TaskRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{STEP_MESSAGES[step]} {task.title}")
    return _back(request)


@require_http_methods(["GET", "HEAD", "POST"])
def task_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    """GET: the reassign form for one task (kept off the worklist's rows, which stay light); POST: do it."""
    viewer = _viewer(request)
    task = _task(task_id)
    if request.method != "POST":
        allowed = actions.may_work_on(
            viewer,
            organization_id=task.organization_id,
            patient_id=task.patient_id,
            assignee_id=task.assignee_id,
        )
        if not allowed:
            raise deny(viewer, what="Task", patient_id=task.patient_id)
        nxt = request.GET.get("next", "")
        context = {
            "task": task,
            "care_managers": _care_managers(viewer.organization_id),
            "team_roles": TEAM_ROLES,
            "next": nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else "",
        }
        return render(request, "worklists/task_reassign.html", context)
    chosen = request.POST.get("assignee", "")
    role = chosen.removeprefix("role:") if chosen.startswith("role:") else ""
    if not role and not chosen.isdigit():
        messages.error(request, _("Choose who should do this task."))
        return _back(request)
    try:
        actions.do_reassign_task(viewer, task, assignee_id=None if role else int(chosen), assignee_role=role)
    except actions.TaskRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Task reassigned: %(title)s") % {"title": task.title})
    return _back(request)


@require_POST
def bulk_reassign(request: HttpRequest) -> HttpResponse:
    viewer = _manager(request, "TaskBulkReassign")
    task_ids = [int(value) for value in request.POST.getlist("task") if value.isdigit()]
    chosen = request.POST.get("care_manager", "")
    if not chosen.isdigit():
        messages.error(request, _("Choose a care manager."))
        return _back(request, "worklists:agency_worklist")
    try:
        moved = actions.do_bulk_reassign(viewer, task_ids, int(chosen))
    except actions.TaskRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext("%(count)d task reassigned.", "%(count)d tasks reassigned.", moved) % {"count": moved},
        )
    return _back(request, "worklists:agency_worklist")


@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    viewer = _viewer(request)
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    actions.do_acknowledge_alert(viewer, alert)
    messages.success(request, _("Alert acknowledged: %(title)s") % {"title": alert.title})
    return _back(request)
