from __future__ import annotations

from django.urls import path

from wraparound.worklists import contact_urls, views

app_name = "worklists"

urlpatterns = [
    path("worklist/", views.my_worklist, name="my_worklist"),
    path("worklist/agency/", views.agency_worklist, name="agency_worklist"),
    path("worklist/agency/reassign/", views.bulk_reassign, name="bulk_reassign"),
    path("worklist/supervisor/", views.supervisor_view, name="supervisor"),
    path("worklist/tasks/<int:task_id>/reassign/", views.task_reassign, name="task_reassign"),
    path("worklist/tasks/<int:task_id>/<slug:step>/", views.task_step, name="task_step"),
    path("worklist/alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    *contact_urls.urlpatterns,
]
