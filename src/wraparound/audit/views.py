"""The privacy officer's screens: the audit report (and its CSV), the break-glass review.

Only a privacy officer acting for an organization opens them; anyone else gets
403 and an ACCESS_DENIED audit row.  What they show is scoped to that
organization (``reports.visible_events``, ``BreakGlassGrant.organization``).
Each view of a screen writes one audit row for the screen, not one per row.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wraparound.accounts.models import BreakGlassGrant, Membership, Role
from wraparound.audit import reports
from wraparound.audit.actions import Actor, BreakGlassReviewError, do_review_break_glass, record
from wraparound.audit.chain import stored_head
from wraparound.audit.forms import BreakGlassReviewForm, ReportFilterForm
from wraparound.audit.models import Action, AuditEvent
from wraparound.audit.reports import PatientLabel, ReportFilters

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

PAGE_SIZE = 50
REPORT_RESOURCE = "AuditReport"
BREAK_GLASS_RESOURCE = "BreakGlassReview"
ROLE_LABELS = dict(Role.choices)
ACTION_LABELS = dict(Action.choices)
# Badge tones (the label always says it in words too).
ACTION_TONES: dict[str, str] = {
    Action.ACCESS_DENIED: "danger",
    Action.SIGN_IN_FAILED: "danger",
    Action.BREAK_GLASS: "warning",
    Action.BREAK_GLASS_REVIEW: "success",
    Action.EXPORT: "info",
    Action.PRINT: "info",
}

View = Callable[..., HttpResponseBase]


def _acting(request: HttpRequest) -> Membership | None:
    acting: Membership | None = getattr(request, "acting", None)
    return acting


def privacy_officer_required(resource_type: str) -> Callable[[View], View]:
    """Let through a privacy officer acting for an organization; refuse (403) and record anyone else."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            acting = _acting(request)
            if acting is None or acting.role != Role.PRIVACY_OFFICER:
                record(
                    Actor.from_request(request),
                    Action.ACCESS_DENIED,
                    resource_type=resource_type,
                    detail={"path": request.path, "method": request.method},
                )
                raise PermissionDenied(_("Only a privacy officer may open the audit log."))
            return view(request, acting, *args, **kwargs)

        return checked

    return decorate


# ---- The audit report --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    event: AuditEvent
    role: str
    action: str
    action_tone: str
    organization: str
    patient: PatientLabel | None


@dataclass(frozen=True)
class SortLink:
    """A sortable column: the sort its link asks for, and aria-sort when it is the current one."""

    next: str
    direction: str


def _sort_link(column: str, current: str) -> SortLink:
    if current == column:
        return SortLink(f"-{column}", "ascending")
    if current == f"-{column}":
        return SortLink(column, "descending")
    return SortLink(f"-{column}" if column == "time" else column, "")


@dataclass(frozen=True)
class ReportQuery:
    form: ReportFilterForm
    filters: ReportFilters | None  # None: the filters are invalid (the form says why)
    patient_matches: list[PatientLabel]
    chosen_patient: PatientLabel | None


def _report_query(request: HttpRequest, organization_id: int) -> ReportQuery:
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return ReportQuery(form, None, [], None)
    data = form.cleaned_data
    patient_ids: tuple[uuid.UUID, ...] | None = None
    matches: list[PatientLabel] = []
    chosen: PatientLabel | None = None
    if data["patient"]:
        patient_ids = (data["patient"],)
        chosen = reports.patient_labels(patient_ids).get(data["patient"]) or PatientLabel(
            data["patient"], _("Patient no longer stored"), ""
        )
    elif data["q"].strip():
        found = reports.find_patients(organization_id, data["q"])
        matches = [PatientLabel(patient.id, patient.display_name, patient.medicaid_id) for patient in found]
        patient_ids = tuple(match.id for match in matches)
    filters = ReportFilters(
        patient_ids=patient_ids,
        username=data["user"].strip(),
        start=data["start"],
        end=data["end"],
        action=data["action"],
        sort=data["sort"],
    )
    return ReportQuery(form, filters, matches, chosen)


def _about(query: ReportQuery) -> tuple[uuid.UUID | None]:
    """The report's own audit row is about the patient chosen, if one is (search matches go in its detail)."""
    return (query.chosen_patient.id if query.chosen_patient else None,)


def _report_rows(events: list[AuditEvent]) -> list[ReportRow]:
    patients = reports.patient_labels(event.patient_id for event in events)
    organizations = reports.organization_names(event.organization_id for event in events)
    return [
        ReportRow(
            event=event,
            role=str(ROLE_LABELS.get(event.role, event.role)),
            action=str(ACTION_LABELS.get(event.action, event.action)),
            action_tone=ACTION_TONES.get(event.action, "neutral"),
            organization=organizations.get(event.organization_id, "") if event.organization_id else "",
            patient=patients.get(event.patient_id) if event.patient_id else None,
        )
        for event in events
    ]


def _filtered_events(organization_id: int, filters: ReportFilters) -> QuerySet[AuditEvent]:
    return reports.filter_events(reports.visible_events(organization_id), filters)


@login_required
@require_safe
@privacy_officer_required(REPORT_RESOURCE)
def report(request: HttpRequest, acting: Membership) -> HttpResponse:
    query = _report_query(request, acting.organization_id)
    context: dict[str, Any] = {"form": query.form, "tabs": _tabs(acting, "audit:report"), "query": query}
    if query.filters is None:
        return render(request, "audit/report.html", context, status=400)
    page = Paginator(_filtered_events(acting.organization_id, query.filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = _report_rows(list(page))  # read before the report's own row is written, which it does not show
    record(
        Actor.from_request(request),
        Action.VIEW,
        patient_ids=_about(query),
        resource_type=REPORT_RESOURCE,
        detail={**query.filters.as_detail(), "page": page.number},
    )
    context.update(
        page=page,
        page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        rows=rows,
        sort_time=_sort_link("time", query.filters.sort),
        sort_user=_sort_link("user", query.filters.sort),
    )
    return render(request, "audit/report.html", context)


@login_required
@require_safe
@privacy_officer_required(REPORT_RESOURCE)
def report_csv(request: HttpRequest, acting: Membership) -> HttpResponseBase:
    query = _report_query(request, acting.organization_id)
    if query.filters is None:
        context = {"form": query.form, "tabs": _tabs(acting, "audit:report"), "query": query}
        return render(request, "audit/report.html", context, status=400)
    events = _filtered_events(acting.organization_id, query.filters)
    last_id, _last_hash = stored_head()
    events = events.filter(id__lte=last_id)  # the export's own row stays out of it
    record(
        Actor.from_request(request),
        Action.EXPORT,
        patient_ids=_about(query),
        resource_type=REPORT_RESOURCE,
        detail={**query.filters.as_detail(), "format": "csv", "rows": events.count()},
    )
    response = StreamingHttpResponse(reports.csv_lines(events), content_type="text/csv; charset=utf-8")
    filename = f"audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- Break-glass review ------------------------------------------------------------------


@dataclass
class PendingGrant:
    grant: BreakGlassGrant
    patient: PatientLabel | None
    is_active: bool
    form: BreakGlassReviewForm


def _review_form(grant: BreakGlassGrant, data: Any = None) -> BreakGlassReviewForm:
    return BreakGlassReviewForm(data, auto_id=f"grant-{grant.pk}-%s")


def _grants(acting: Membership) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses by the organization's users, and to the records of patients it serves."""
    mine = Q(organization_id=acting.organization_id) | Q(
        patient_id__in=reports.served_patient_ids(acting.organization_id)
    )
    return BreakGlassGrant.objects.filter(mine).select_related("user", "reviewed_by")


def _pending(acting: Membership, bound: PendingGrant | None = None) -> list[PendingGrant]:
    grants = list(_grants(acting).filter(reviewed_at__isnull=True).order_by("started_at", "id"))
    patients = reports.patient_labels(grant.patient_id for grant in grants)
    now = timezone.now()
    return [
        bound
        if bound is not None and bound.grant.pk == grant.pk
        else PendingGrant(grant, patients.get(grant.patient_id), grant.expires_at > now, _review_form(grant))
        for grant in grants
    ]


def _record_view(request: HttpRequest, listing: str, shown: int) -> None:
    record(
        Actor.from_request(request),
        Action.VIEW,
        resource_type=BREAK_GLASS_RESOURCE,
        detail={"list": listing, "grants": shown},
    )


@login_required
@require_safe
@privacy_officer_required(BREAK_GLASS_RESOURCE)
def break_glass_pending(request: HttpRequest, acting: Membership) -> HttpResponse:
    pending = _pending(acting)
    _record_view(request, "pending", len(pending))
    context = {
        "tabs": _tabs(acting, "audit:break_glass_pending"),
        "pending": pending,
    }
    return render(request, "audit/break_glass_pending.html", context)


@login_required
@require_safe
@privacy_officer_required(BREAK_GLASS_RESOURCE)
def break_glass_reviewed(request: HttpRequest, acting: Membership) -> HttpResponse:
    grants = _grants(acting).filter(reviewed_at__isnull=False).order_by("-reviewed_at", "-id")
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_view(request, "reviewed", len(page.object_list))
    patients = reports.patient_labels(grant.patient_id for grant in page)
    context = {
        "tabs": _tabs(acting, "audit:break_glass_reviewed"),
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": [(grant, patients.get(grant.patient_id)) for grant in page],
    }
    return render(request, "audit/break_glass_reviewed.html", context)


@login_required
@require_POST
@privacy_officer_required(BREAK_GLASS_RESOURCE)
def break_glass_review(request: HttpRequest, acting: Membership, grant_id: int) -> HttpResponse:
    grant = get_object_or_404(_grants(acting), pk=grant_id)
    form = _review_form(grant, request.POST)
    if form.is_valid():
        try:
            do_review_break_glass(
                actor_user=cast("AbstractBaseUser", request.user),
                actor=Actor.from_request(request),
                grant=grant,
                note=form.cleaned_data["note"],
            )
        except BreakGlassReviewError as problem:
            if problem.code == "already_reviewed":
                messages.info(request, str(problem))
                return redirect("audit:break_glass_pending")
            form.add_error("note", str(problem))
        else:
            messages.success(request, _("Emergency access signed off."))
            return redirect("audit:break_glass_pending")
    patient = reports.patient_labels([grant.patient_id]).get(grant.patient_id)
    bound = PendingGrant(grant, patient, grant.expires_at > timezone.now(), form)
    pending = _pending(acting, bound)
    _record_view(request, "pending", len(pending))
    context = {
        "tabs": _tabs(acting, "audit:break_glass_pending"),
        "pending": pending,
    }
    return render(request, "audit/break_glass_pending.html", context, status=400)


# ---- The section's tabs ------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    is_current: bool


def _tabs(acting: Membership, current: str) -> list[Tab]:
    """The audit section's tabs; ``current`` is the URL name of the tab the page belongs to."""
    pending = _grants(acting).filter(reviewed_at__isnull=True).count()
    entries = [
        (_("Audit log"), "audit:report"),
        (_("Break-glass review (%(count)s)") % {"count": pending}, "audit:break_glass_pending"),
        (_("Reviewed"), "audit:break_glass_reviewed"),
    ]
    return [Tab(label, reverse(url_name), url_name == current) for label, url_name in entries]
