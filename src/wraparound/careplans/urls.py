from __future__ import annotations

from django.urls import path

from wraparound.careplans import views

app_name = "careplans"

urlpatterns = [
    path("patients/<uuid:patient_id>/care-team/", views.care_team, name="care_team"),
    path("patients/<uuid:patient_id>/care-team/add/<slug:kind>/", views.care_team_add, name="care_team_add"),
    path(
        "patients/<uuid:patient_id>/care-team/<int:member_id>/end/",
        views.care_team_end,
        name="care_team_end",
    ),
    path("patients/<uuid:patient_id>/care-team/handoff/", views.care_team_handoff, name="care_team_handoff"),
    path("patients/<uuid:patient_id>/care-plan/", views.care_plan, name="care_plan"),
    path("patients/<uuid:patient_id>/care-plan/start/", views.care_plan_start, name="care_plan_start"),
    path("patients/<uuid:patient_id>/care-plan/history/", views.care_plan_history, name="care_plan_history"),
    path("patients/<uuid:patient_id>/care-plan/care-plan.pdf", views.care_plan_pdf, name="care_plan_pdf"),
    path(
        "patients/<uuid:patient_id>/care-plan/edit/<slug:kind>/",
        views.care_plan_edit,
        name="care_plan_edit",
    ),
    path(
        "patients/<uuid:patient_id>/care-plan/edit/<slug:kind>/<int:item_id>/",
        views.care_plan_edit,
        name="care_plan_edit_item",
    ),
]
