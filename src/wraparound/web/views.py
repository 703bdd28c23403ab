"""The frame's own screens: the patient list (search) and the patient summary."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from wraparound.registry.access import access_patient, access_patients
from wraparound.registry.models import Patient
from wraparound.web import observations, patient_summary
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.web.formatting import language_label, sex_label
from wraparound.web.patient_search import parse_patient_query, search_patients

PAGE_SIZE = 25


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    age: int | None
    sex: str
    language: str


def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:patient_list")


@login_required
@require_safe
def patient_list(request: HtmxHttpRequest) -> HttpResponse:
    query = parse_patient_query(request.GET.get("q", ""))
    patients = search_patients(access_patients(request.user), query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
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
    context = {"query": query, "page": page, "page_range": page_range, "rows": rows}
    if request.htmx and request.htmx.target == "patient-results":
        return render(request, "web/patient_results.html", context)
    return render(request, "web/patient_list.html", context)


@login_required
@require_safe
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    patient = access_patient(request.user, patient_id)
    active_conditions, other_conditions = patient_summary.conditions(patient)
    encounters, encounter_total = patient_summary.encounter_rows(patient)
    active_medications, past_medications, past_medication_total = patient_summary.medications(patient)
    blood_pressure = observations.blood_pressure_readings(patient)
    hba1c = observations.hba1c_values(patient)
    context = {
        "patient": patient,
        "banner": patient_banner(patient),
        "tabs": patient_tabs(request, patient),
        "identifiers": patient_summary.identifier_rows(patient),
        "active_conditions": active_conditions,
        "other_conditions": other_conditions,
        "encounters": encounters,
        "encounter_total": encounter_total,
        "latest_results": observations.latest_results(patient),
        "blood_pressure": blood_pressure,
        "blood_pressure_chart": observations.blood_pressure_chart(blood_pressure),
        "hba1c": hba1c,
        "hba1c_chart": observations.hba1c_chart(hba1c),
        "active_medications": active_medications,
        "past_medications": past_medications,
        "past_medication_total": past_medication_total,
        "allergies": patient_summary.allergies(patient),
        "immunizations": patient_summary.immunizations(patient),
    }
    return render(request, "web/patient_detail.html", context)
