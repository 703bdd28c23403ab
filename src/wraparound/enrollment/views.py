"""The enrollment pipeline's screens: the agency's board, and the enrollment tab of a patient."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from wraparound.accounts.models import Role
from wraparound.enrollment import actions, board, caseload
from wraparound.enrollment.models import Enrollment, EnrollmentConsent, OutreachAttempt
from wraparound.registry.access import Viewer, access_patient, access_patients, deny, record_shown
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.web.charts import line_chart

BOARD_ROLES = actions.OUTREACH_ROLES
PAGE_SIZE = 50


@require_safe
def pipeline(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if viewer.acting is None or viewer.role not in BOARD_ROLES:
        raise deny(viewer, what="EnrollmentPipeline")
    agency = Enrollment.objects.filter(organization_id=viewer.organization_id)
    chosen = request.GET.get("status", Enrollment.Status.OUTREACH)
    if chosen not in Enrollment.Status.values:
        chosen = Enrollment.Status.OUTREACH
    rows = (
        agency.filter(status=chosen, patient__in=access_patients(viewer))
        .select_related("patient", "care_manager")
        .order_by("status_changed_at", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_shown(viewer, [row.patient for row in page])
    trend = board.weekly_trend(agency)
    context = {
        "columns": board.columns(agency),
        "chosen": chosen,
        "chosen_label": Enrollment.Status(chosen).label,
        "page": page,
        "now": timezone.now(),
        "trend_chart": line_chart(
            chart_id="pipeline-trend",
            title=_("Pipeline over the last 12 weeks"),
            description=_("People in outreach and enrolled at the end of each week."),
            series=trend,
            unit="",
            width=640,
        ),
        "trend": trend,
    }
    return render(request, "enrollment/pipeline.html", context)


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class AssignForm(forms.Form):
    care_manager = PersonChoiceField(
        label=gettext_lazy("Care manager"), queryset=get_user_model().objects.none()
    )


class OutreachForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    mode = forms.ChoiceField(label=gettext_lazy("How"), choices=OutreachAttempt.Mode.choices)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OutreachAttempt.Outcome.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentToEnrollForm(forms.Form):
    obtained_on = forms.DateField(
        label=gettext_lazy("Consent obtained on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.ChoiceField(label=gettext_lazy("Evidence"), choices=EnrollmentConsent.Evidence.choices)
    attestation = forms.CharField(
        label=gettext_lazy("Attestation of verbal consent"),
        help_text=gettext_lazy("Who heard the patient consent, when, and what was read back."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Enrollment.DischargeReason.choices)


def _care_managers(enrollment: Enrollment) -> Any:
    return (
        get_user_model()
        .objects.filter(
            memberships__organization_id=enrollment.organization_id,
            memberships__role=Role.CARE_MANAGER,
            memberships__is_active=True,
        )
        .order_by("last_name", "first_name")
    )


@require_safe
def patient_enrollment(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="Enrollment")
    enrollments = list(
        access.patient.enrollments.select_related("organization", "care_manager").order_by("-created_at")
    )
    current = enrollments[0] if enrollments else None
    next_steps = sorted(actions.ALLOWED.get(current.status, ())) if current else []
    suggestions = (
        caseload.suggest_care_managers(current)
        if current is not None and "assigned" in next_steps and actions.may_manage(viewer, current)
        else []
    )
    assign = AssignForm(initial={"care_manager": suggestions[0].care_manager.pk} if suggestions else None)
    if current is not None:
        assign.fields["care_manager"].queryset = _care_managers(current)  # type: ignore[attr-defined]
    context = {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "current": current,
        "others": enrollments[1:],
        "history": current.transitions.select_related("by") if current else [],
        "attempts": current.outreach_attempts.select_related("by") if current else [],
        "consents": current.consents.select_related("obtained_by") if current else [],
        "assign_form": assign,
        "outreach_form": OutreachForm(initial={"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        "consent_form": ConsentToEnrollForm(initial={"obtained_on": timezone.localdate()}),
        "discharge_form": DischargeForm(),
        "next_steps": next_steps,
        "suggestions": suggestions,
        "caseload_version": caseload.load_rules().version,
    }
    return render(request, "enrollment/patient_enrollment.html", context)


def _step(
    request: HttpRequest, enrollment: Enrollment, viewer: Viewer, step: str
) -> Callable[[], object] | None:
    data = request.POST
    if step == "assign":
        form: forms.Form = AssignForm(data)
        form.fields["care_manager"].queryset = _care_managers(enrollment)  # type: ignore[attr-defined]
        return (
            (lambda: actions.do_assign(viewer, enrollment, form.cleaned_data["care_manager"]))
            if form.is_valid()
            else None
        )
    if step == "outreach":
        return lambda: actions.do_start_outreach(viewer, enrollment, data.get("note", ""))
    if step == "attempt":
        form = OutreachForm(data)
        if not form.is_valid():
            return None
        return lambda: actions.do_log_outreach(viewer, enrollment, **form.cleaned_data)
    if step == "consent":
        form = ConsentToEnrollForm(data)
        if not form.is_valid():
            return None
        return lambda: actions.do_record_consent_to_enroll(viewer, enrollment, **form.cleaned_data)
    if step == "enroll":
        return lambda: actions.do_enroll(viewer, enrollment)
    if step == "decline":
        return lambda: actions.do_decline(viewer, enrollment, data.get("note", ""))
    if step == "unreachable":
        return lambda: actions.do_mark_unreachable(viewer, enrollment, data.get("note", ""))
    if step == "discharge":
        form = DischargeForm(data)
        return (
            (lambda: actions.do_discharge(viewer, enrollment, form.cleaned_data["reason"]))
            if form.is_valid()
            else None
        )
    return None


@require_POST
def enrollment_step(
    request: HttpRequest, patient_id: uuid.UUID, enrollment_id: int, step: str
) -> HttpResponse:
    viewer = Viewer.from_request(request)
    enrollment = get_object_or_404(Enrollment, pk=enrollment_id, patient_id=patient_id)
    if not actions.may_work(viewer, enrollment):  # before the form is even read
        raise deny(viewer, what="Enrollment", patient_id=enrollment.patient_id)
    run = _step(request, enrollment, viewer, step)
    if run is None:
        messages.error(request, _("Check the form: something is missing or not valid."))
    else:
        try:
            run()
        except actions.TransitionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Saved."))
    return redirect("enrollment:patient_enrollment", patient_id=patient_id)


TIER_ORDER = {"high": 0, "rising": 1, "moderate": 2, "low": 3}


@require_safe
def outreach_worklist(request: HttpRequest) -> HttpResponse:
    """Who to reach first: open outreach of the agency (a care manager's own), highest risk tier first."""
    viewer = Viewer.from_request(request)
    if viewer.acting is None or viewer.role not in BOARD_ROLES:
        raise deny(viewer, what="OutreachWorklist")
    rows = Enrollment.objects.filter(
        organization_id=viewer.organization_id,
        status__in=[Enrollment.Status.ASSIGNED, Enrollment.Status.OUTREACH],
        patient__in=access_patients(viewer),
    )
    if viewer.role not in actions.MANAGING_ROLES:
        rows = rows.filter(care_manager_id=viewer.user_id)
    tier_rank = Case(
        *(When(patient__risk_profile__tier=tier, then=Value(rank)) for tier, rank in TIER_ORDER.items()),
        default=Value(len(TIER_ORDER)),
        output_field=IntegerField(),
    )
    ordered = (
        rows.select_related("patient", "patient__risk_profile", "care_manager")
        .annotate(
            tier_rank=tier_rank,
            attempts=Count("outreach_attempts"),
            last_attempt=Max("outreach_attempts__at"),
        )
        .order_by("tier_rank", "-patient__risk_profile__hcc_v24", "status_changed_at", "id")
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    record_shown(viewer, [row.patient for row in page])
    return render(request, "enrollment/outreach_worklist.html", {"page": page, "now": timezone.now()})
