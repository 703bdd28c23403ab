"""The frame's own screens: the patient list (search) and the patient summary."""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from wraparound.accounts.acting import choose_membership
from wraparound.accounts.models import Role
from wraparound.audit.models import Action
from wraparound.registry.access import (
    NO_RECORD_ROLES,
    PatientAccess,
    Viewer,
    access_patient,
    access_patients,
    deny,
    do_break_glass,
    may_break_glass,
    record_shown,
)
from wraparound.registry.models import Patient
from wraparound.web import observations, patient_summary
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.web.context_processors import navigation
from wraparound.web.eligibility_risk import eligibility_and_risk
from wraparound.web.formatting import language_label, sex_label
from wraparound.web.patient_export import export_rows
from wraparound.web.patient_search import parse_patient_query, search_patients

PAGE_SIZE = 25
EXPORT_LIMIT = 10_000


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    age: int | None
    sex: str
    language: str


def _url_or_blank(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """A care manager's worklist; for other roles, the first other screen in the navigation they may use."""
    entries = navigation(request)
    acting = getattr(request, "acting", None)
    worklist = next((entry for entry in entries if entry.url == _url_or_blank("worklists:my_worklist")), None)
    if worklist is not None and acting is not None and acting.role == Role.CARE_MANAGER:
        return redirect(worklist.url)
    others = [entry for entry in entries if entry is not worklist] or entries
    if others:
        return redirect(others[0].url)
    return render(request, "web/home.html", {"memberships": getattr(request, "memberships", [])})


def _list_viewer(request: HttpRequest) -> Viewer:
    """The viewer of a patient list; roles that see no identifiable lists are refused (and audited)."""
    viewer = Viewer.from_request(request)
    granted = viewer.acting is not None and viewer.acting.grants_identifiable_access
    if settings.AUTHORIZATION_ENABLED and viewer.role in NO_RECORD_ROLES and not granted:
        raise deny(viewer, what="PatientList")
    return viewer


@require_safe
def patient_list(request: HtmxHttpRequest) -> HttpResponse:
    viewer = _list_viewer(request)
    query = parse_patient_query(request.GET.get("q", ""))
    patients = search_patients(access_patients(viewer), query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    record_shown(viewer, page.object_list)
    today = timezone.localdate()
    rows = [
        PatientRow(
            patient=patient,
            age=patient.age_on(today),
            sex=sex_label(patient.gender),
            language=language_label(patient.language_code, patient.language),
        )
        for patient in page
    ]
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    context = {
        "query": query,
        "page": page,
        "page_range": page_range,
        "rows": rows,
        "may_break_glass": may_break_glass(viewer),
    }
    if request.htmx and request.htmx.target == "patient-results":
        return render(request, "web/patient_results.html", context)
    return render(request, "web/patient_list.html", context)


@require_safe
def patient_list_export(request: HttpRequest) -> HttpResponse:
    """The patients the search finds, as CSV (every row audited as an export)."""
    viewer = _list_viewer(request)
    query = parse_patient_query(request.GET.get("q", ""))
    patients = list(search_patients(access_patients(viewer), query)[:EXPORT_LIMIT])
    record_shown(viewer, patients, action=Action.EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="patients.csv"'
    writer = csv.writer(response)
    writer.writerow(["name", "birth_date", "sex", "medicaid_id"])
    for patient in patients:
        writer.writerow(
            [
                patient.display_name,
                patient.birth_date.isoformat() if patient.birth_date else "",
                patient.gender,
                patient.medicaid_id,
            ]
        )
    return response


def _denied(
    request: HttpRequest, viewer: Viewer, patient_id: uuid.UUID, error: PermissionDenied
) -> HttpResponse:
    context = {"patient_id": patient_id, "may_break_glass": may_break_glass(viewer), "message": str(error)}
    return render(request, "web/access_denied.html", context, status=403)


@require_safe
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    try:
        access = access_patient(viewer, patient_id)
    except PermissionDenied as error:
        return _denied(request, viewer, patient_id, error)
    return render(request, "web/patient_detail.html", _summary_context(request, access))


@require_safe
def patient_print(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The summary laid out for paper (audited as a print, not a view)."""
    access = access_patient(Viewer.from_request(request), patient_id, action=Action.PRINT)
    context = {**_summary_context(request, access), "printing": True}
    return render(request, "web/patient_detail.html", context)


def _summary_context(request: HttpRequest, access: PatientAccess) -> dict[str, object]:
    active_conditions, other_conditions = patient_summary.conditions(access)
    encounters, encounter_total = patient_summary.encounter_rows(access)
    active_medications, past_medications, past_medication_total = patient_summary.medications(access)
    blood_pressure = observations.blood_pressure_readings(access)
    hba1c = observations.hba1c_values(access)
    return {
        "patient": access.patient,
        "access": access,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "identifiers": patient_summary.identifier_rows(access),
        "active_conditions": active_conditions,
        "other_conditions": other_conditions,
        "encounters": encounters,
        "encounter_total": encounter_total,
        "latest_results": observations.latest_results(access),
        "blood_pressure": blood_pressure,
        "blood_pressure_chart": observations.blood_pressure_chart(blood_pressure),
        "hba1c": hba1c,
        "hba1c_chart": observations.hba1c_chart(hba1c),
        "active_medications": active_medications,
        "past_medications": past_medications,
        "past_medication_total": past_medication_total,
        "allergies": patient_summary.allergies(access),
        "immunizations": patient_summary.immunizations(access),
        "eligibility_risk": eligibility_and_risk(access),
    }


@require_safe
def patient_export(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The patient's clinical record as CSV: what this viewer may see, nothing segmented."""
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, action=Action.EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="patient-{access.patient.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "date", "code_system", "code", "display", "status"])
    for row in export_rows(access):
        writer.writerow(row)
    return response


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for emergency access"),
        help_text=gettext_lazy(
            "Say why you need this record now. The privacy officer reviews every emergency access."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
    )
    acknowledge = forms.BooleanField(
        label=gettext_lazy("I understand that this access is recorded, limited in time and reviewed."),
    )


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if not may_break_glass(viewer):
        raise deny(viewer, what="BreakGlass", patient_id=patient_id)
    patient = get_object_or_404(Patient.objects.only("pk"), pk=patient_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_break_glass(viewer, patient, form.cleaned_data["reason"])
        return redirect("web:patient_detail", patient_id=patient.pk)
    hours = settings.BREAK_GLASS_HOURS
    return render(request, "web/break_glass.html", {"form": form, "patient_id": patient.pk, "hours": hours})


@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    """Act for another of the user's organizations (or roles); what they may see follows at once."""
    try:
        membership_id = int(request.POST.get("membership", ""))
    except ValueError:
        membership_id = 0
    if choose_membership(request, membership_id) is None:
        raise PermissionDenied("You do not hold that membership.")
    return redirect("web:patient_list")
