from __future__ import annotations

from django.urls import path

from wraparound.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.report, name="report"),
    path("export.csv", views.report_csv, name="report_csv"),
    path("break-glass/", views.break_glass_pending, name="break_glass_pending"),
    path("break-glass/reviewed/", views.break_glass_reviewed, name="break_glass_reviewed"),
    path("break-glass/<int:grant_id>/review/", views.break_glass_review, name="break_glass_review"),
]
