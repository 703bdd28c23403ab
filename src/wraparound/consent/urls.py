from __future__ import annotations

from django.urls import path

from wraparound.consent import views

app_name = "consent"

urlpatterns = [
    path("patients/<uuid:patient_id>/consents/", views.patient_consents, name="patient_consents"),
    path(
        "patients/<uuid:patient_id>/consents/<int:consent_id>/revoke/",
        views.revoke_consent,
        name="revoke_consent",
    ),
]
