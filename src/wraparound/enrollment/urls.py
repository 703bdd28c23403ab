from __future__ import annotations

from django.urls import path

from wraparound.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("enrollment/", views.pipeline, name="pipeline"),
    path("enrollment/outreach/", views.outreach_worklist, name="outreach_worklist"),
    path("patients/<uuid:patient_id>/enrollment/", views.patient_enrollment, name="patient_enrollment"),
    path(
        "patients/<uuid:patient_id>/enrollment/<int:enrollment_id>/<slug:step>/",
        views.enrollment_step,
        name="enrollment_step",
    ),
]
