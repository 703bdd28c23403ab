from __future__ import annotations

from django.urls import path

from wraparound.worklists.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_report, name="report"),
    path("lock/", views.lock_month, name="lock_month"),
]
