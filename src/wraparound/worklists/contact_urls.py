"""The contact screens' routes, as a plain list: ``worklists/urls.py`` (namespace "worklists") adds them."""

from __future__ import annotations

from django.urls import URLPattern, path

from wraparound.worklists import contact_views

urlpatterns: list[URLPattern] = [
    path("patients/<uuid:patient_id>/contacts/", contact_views.patient_contacts, name="patient_contacts"),
    path("patients/<uuid:patient_id>/contacts/new/", contact_views.log_contact, name="log_contact"),
    path(
        "patients/<uuid:patient_id>/contacts/<int:contact_id>/edit/",
        contact_views.edit_contact,
        name="edit_contact",
    ),
]
