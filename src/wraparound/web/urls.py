from __future__ import annotations

from django.urls import path

from wraparound.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("acting-for/", views.switch_membership, name="switch_membership"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/export.csv", views.patient_list_export, name="patient_list_export"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<uuid:patient_id>/export.csv", views.patient_export, name="patient_export"),
    path("patients/<uuid:patient_id>/print/", views.patient_print, name="patient_print"),
    path("patients/<uuid:patient_id>/break-glass/", views.break_glass, name="break_glass"),
]
