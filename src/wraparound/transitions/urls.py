from __future__ import annotations

from django.urls import path

from wraparound.transitions import views

app_name = "transitions"

urlpatterns = [
    path("transitions/", views.transition_list, name="transition_list"),
    path("transitions/match-review/", views.match_review, name="match_review"),
    path("transitions/match-review/<int:review_id>/", views.match_review_decide, name="match_review_decide"),
    path("transitions/feed/", views.feed_view, name="feed"),
    path("transitions/feed/retry/", views.feed_retry_all, name="feed_retry_all"),
    path("transitions/feed/retry/<int:message_id>/", views.feed_retry, name="feed_retry"),
    path("patients/<uuid:patient_id>/encounters/", views.patient_encounters, name="patient_encounters"),
]
