"""A patient's consents: the list, recording a new one, revoking one."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wraparound.consent.actions import do_record_consent, do_revoke_consent
from wraparound.consent.forms import ConsentForm
from wraparound.consent.models import Category, Consent
from wraparound.registry.access import Viewer, access_patient
from wraparound.web.banner import patient_banner, patient_tabs


@require_http_methods(["GET", "POST"])
def patient_consents(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="Consent")
    form = ConsentForm(
        request.POST or None, request.FILES or None, initial={"period_start": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        document_name, document_sha256 = form.document_fingerprint()
        data = form.cleaned_data
        do_record_consent(
            viewer,
            patient_id=access.patient.pk,
            scope=data["scope"],
            categories=data["categories"],
            evidence=data["evidence"],
            grantee_organization=data["grantee_organization"],
            grantee_role=data["grantee_role"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            document_name=document_name,
            document_sha256=document_sha256,
            attestation=data["attestation"],
        )
        messages.success(request, _("Consent recorded."))
        return redirect("consent:patient_consents", patient_id=access.patient.pk)
    labels = dict(Category.choices)
    consents = [
        (consent, [labels.get(c, c) for c in consent.categories], consent.is_in_force(timezone.localdate()))
        for consent in access.patient.consents.select_related("grantee_organization", "recorded_by").order_by(
            "-recorded_at"
        )
    ]
    context = {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "consents": consents,
        "form": form,
    }
    return render(request, "consent/patient_consents.html", context)


@require_POST
def revoke_consent(request: HttpRequest, patient_id: uuid.UUID, consent_id: int) -> HttpResponse:
    viewer = Viewer.from_request(request)
    consent = get_object_or_404(Consent, pk=consent_id, patient_id=patient_id)
    if consent.status != Consent.Status.ACTIVE:
        raise PermissionDenied("Only a consent in force can be revoked.")
    do_revoke_consent(viewer, consent)
    messages.success(request, _("Consent revoked. It no longer applies, from now on."))
    return redirect("consent:patient_consents", patient_id=patient_id)
