"""The patient's Contacts tab, and the form that logs (or corrects) a contact.

``?task=<id>`` opens the quick form from the worklist: it shows the task, and completes it with
the contact unless the care manager unticks "Complete the task".
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from wraparound.consent.models import Category
from wraparound.registry.access import PatientAccess, Viewer, access_patient, deny
from wraparound.registry.models import Patient
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.worklists import contacts
from wraparound.worklists.billing.locks import month_of
from wraparound.worklists.models import BillingMonthLock, Contact, CoreService, Task


class ContactForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    mode = forms.ChoiceField(label=gettext_lazy("How"), choices=Contact.Mode.choices)
    with_whom = forms.ChoiceField(label=gettext_lazy("With whom"), choices=Contact.With.choices)
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=contacts.MAX_DURATION_MINUTES
    )
    successful = forms.BooleanField(
        label=gettext_lazy("Successful: the person was reached"), required=False, initial=True
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    services = forms.MultipleChoiceField(
        label=gettext_lazy("Core services delivered"),
        choices=CoreService.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    complete_task = forms.BooleanField(label=gettext_lazy("Complete the task"), required=False, initial=True)

    ROW_FIELDS = ("at", "mode", "with_whom", "duration_minutes", "successful", "note")

    def rows(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ROW_FIELDS]

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in (*self.ROW_FIELDS, "services")}


def _task(request: HttpRequest, patient: Patient, viewer: Viewer) -> Task | None:
    raw = request.POST.get("task") or request.GET.get("task")
    if not raw:
        return None
    try:
        task_id = int(raw)
    except ValueError:
        raise Http404("No such task.") from None
    return get_object_or_404(Task, pk=task_id, patient_id=patient.pk, organization_id=viewer.organization_id)


def _form_page(
    request: HttpRequest,
    access: PatientAccess,
    form: ContactForm,
    *,
    task: Task | None = None,
    contact: Contact | None = None,
    refusal: str = "",
) -> HttpResponse:
    context = {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "form": form,
        "task": task,
        "task_open": task is not None and task.status in Task.OPEN_STATUSES,
        "contact": contact,
        "refusal": refusal,
    }
    return render(request, "worklists/contact_form.html", context, status=200)


def _initial() -> dict[str, Any]:
    return {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 15, "successful": True}


@require_http_methods(["GET", "HEAD", "POST"])
def log_contact(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if not contacts.may_log_contact(viewer):  # before the form is even read
        raise deny(viewer, what="Contact", patient_id=patient_id)
    if request.method != "POST":
        access = access_patient(viewer, patient_id, resource_type="Contact")
        task = _task(request, access.patient, viewer)
        return _form_page(request, access, ContactForm(initial=_initial()), task=task)
    patient = get_object_or_404(Patient, pk=patient_id)
    task = _task(request, patient, viewer)
    form = ContactForm(request.POST)
    refusal = ""
    if form.is_valid():
        try:
            contacts.do_log_contact(
                viewer,
                patient,
                **form.action_arguments(),
                task=task,
                complete_task=task is not None and form.cleaned_data["complete_task"],
            )
        except contacts.ContactRefused as refused:
            refusal = str(refused)
        else:
            messages.success(request, _("Contact logged."))
            return redirect("worklists:patient_contacts", patient_id=patient.pk)
    access = access_patient(viewer, patient_id, resource_type="Contact")
    return _form_page(request, access, form, task=task, refusal=refusal)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_contact(request: HttpRequest, patient_id: uuid.UUID, contact_id: int) -> HttpResponse:
    viewer = Viewer.from_request(request)
    contact = get_object_or_404(Contact, pk=contact_id, patient_id=patient_id)
    if not contacts.may_edit_contact(viewer, contact):
        raise deny(viewer, what="Contact", patient_id=contact.patient_id)
    refusal = ""
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contacts.do_edit_contact(viewer, contact, **form.action_arguments())
            except contacts.ContactRefused as refused:
                refusal = str(refused)
            else:
                messages.success(request, _("Contact corrected."))
                return redirect("worklists:patient_contacts", patient_id=contact.patient_id)
    else:
        form = ContactForm(
            initial={
                "at": timezone.localtime(contact.at).strftime("%Y-%m-%dT%H:%M"),
                "mode": contact.mode,
                "with_whom": contact.with_whom,
                "duration_minutes": contact.duration_minutes,
                "successful": contact.successful,
                "note": contact.note,
                "services": list(contact.services.values_list("service", flat=True)),
            }
        )
    access = access_patient(viewer, patient_id, resource_type="Contact", resource_id=str(contact.pk))
    return _form_page(request, access, form, contact=contact, refusal=refusal)


@require_safe
def patient_contacts(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="Contact")
    shared = access.shows(Category.CARE_PLAN)  # a referral shares only the categories it names
    rows = (
        Contact.objects.filter(patient=access.patient)
        .select_related("by", "organization", "task")
        .prefetch_related("services")
        .order_by("-at", "-id")
        if shared
        else Contact.objects.none()
    )
    listed = list(rows)
    locked = set(
        BillingMonthLock.objects.filter(organization_id__in={c.organization_id for c in listed}).values_list(
            "organization_id", "month"
        )
    )
    in_locked_month = {c.pk for c in listed if (c.organization_id, month_of(c.at)) in locked}
    context = {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "contacts": listed,
        "shared": shared,
        "may_log": contacts.may_log_contact(viewer),
        "editable": {
            contact.pk
            for contact in listed
            if contact.pk not in in_locked_month and contacts.may_edit_contact(viewer, contact)
        },
        "in_locked_month": in_locked_month,
    }
    return render(request, "worklists/contact_list.html", context)
