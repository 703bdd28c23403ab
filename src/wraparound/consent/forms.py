from __future__ import annotations

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from wraparound.accounts.models import Role
from wraparound.consent.models import Category, Consent
from wraparound.core.models import CareOrganization


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Purpose"), choices=Consent.Scope.choices)
    grantee_organization = forms.ModelChoiceField(
        label=_("Shared with (organization)"), queryset=CareOrganization.objects.order_by("name")
    )
    grantee_role = forms.ChoiceField(
        label=_("Only this role there (optional)"),
        choices=[("", _("Any role")), *Role.choices],
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=_("What may be shared"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.ChoiceField(label=_("How the patient consented"), choices=Consent.Evidence.choices)
    document = forms.FileField(label=_("Signed document"), required=False)
    attestation = forms.CharField(
        label=_("Attestation of verbal consent"),
        help_text=_("Who heard the patient consent, when, and what was read back."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("evidence") == Consent.Evidence.SIGNED_DOCUMENT and not data.get("document"):
            self.add_error("document", _("Attach the signed consent."))
        if data.get("evidence") == Consent.Evidence.VERBAL and not str(data.get("attestation", "")).strip():
            self.add_error("attestation", _("Say who heard the verbal consent."))
        end, start = data.get("period_end"), data.get("period_start")
        if end and start and end < start:
            self.add_error("period_end", _("The end comes before the start."))
        return data

    def document_fingerprint(self) -> tuple[str, str]:
        document = self.cleaned_data.get("document")
        if not document:
            return "", ""
        digest = hashlib.sha256()
        for chunk in document.chunks():
            digest.update(chunk)
        return document.name, digest.hexdigest()
