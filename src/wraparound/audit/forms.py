"""The audit report's filters and the break-glass sign-off."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wraparound.audit.models import Action
from wraparound.audit.reports import DEFAULT_SORT, SORTS

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReportFilterForm(forms.Form):
    """GET parameters of the report and of its CSV export (the same, so the export matches the screen)."""

    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Patient"),
        required=False,
        max_length=100,
        help_text=_("Medicaid ID or name"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    user = forms.CharField(
        label=_("User"),
        required=False,
        max_length=150,
        help_text=_("User name, in full"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    start = forms.DateField(label=_("From"), required=False, input_formats=DATE_FORMATS, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, input_formats=DATE_FORMATS, widget=DateInput())
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *Action.choices]
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput)

    def clean_sort(self) -> str:
        return str(self.cleaned_data.get("sort") or DEFAULT_SORT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        help_text=_("What you checked and found: was the emergency access justified?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
