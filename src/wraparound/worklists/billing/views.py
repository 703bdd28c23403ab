"""The monthly billing report (supervisors and program administrators), its CSV, and locking a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from wraparound.audit.models import Action
from wraparound.registry.access import Viewer, deny, record_shown
from wraparound.registry.models import Patient
from wraparound.worklists.billing import actions
from wraparound.worklists.billing.locks import locked_message, month_label, parse_month
from wraparound.worklists.billing.report import (
    SHOW_ALL,
    SHOW_BILLABLE,
    SHOW_NOT_BILLABLE,
    BillingReport,
    build_report,
    filter_rows,
    report_csv,
)
from wraparound.worklists.billing.rulepacks import NoPackInEffect

PAGE_SIZE = 50


class BillingFilterForm(forms.Form):
    """Which of the month's members the table lists; the summary and the CSV always cover them all."""

    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            (SHOW_ALL, gettext_lazy("All members")),
            (SHOW_BILLABLE, gettext_lazy("Billable")),
            (SHOW_NOT_BILLABLE, gettext_lazy("Not billable")),
        ],
    )
    name = forms.CharField(label=gettext_lazy("Member name"), required=False, max_length=100)

    def chosen(self) -> tuple[str, str]:
        """(show, name) as asked, or everything when the form is empty or wrong."""
        if not self.is_bound or not self.is_valid():
            return SHOW_ALL, ""
        return self.cleaned_data.get("show") or SHOW_ALL, (self.cleaned_data.get("name") or "").strip()


def _previous_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _shown(viewer: Viewer, patient_ids: list[str], action: Action) -> None:
    """One audit row per member the report (or its export) shows."""
    record_shown(viewer, [Patient(pk=patient_id) for patient_id in patient_ids], action=action)


def _listing(request: HttpRequest, report: BillingReport, form: BillingFilterForm) -> dict[str, Any]:
    """The page of rows the filters leave (the report's counts and total stay the whole month's)."""
    show, name = form.chosen()
    rows = filter_rows(report.rows, show=show, name=name)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": list(page.object_list),
        "show": show,
        "filtered": bool(show or name),
    }


@require_safe
def billing_report(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if not actions.may_see_report(viewer):
        raise deny(viewer, what="BillingReport")
    assert viewer.organization_id is not None
    chosen = parse_month(request.GET.get("month"))
    if request.GET.get("month") and chosen is None:
        messages.error(request, _("Choose a month as year and month, for example 2026-03."))
    month = chosen or _previous_month()
    form = BillingFilterForm(request.GET or None)
    base = {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "month_label": month_label(month),
        "form": form,
    }
    try:
        report = build_report(viewer.organization_id, month)
    except NoPackInEffect:
        return render(request, "worklists/billing_report.html", {**base, "report": None})
    if request.GET.get("format") == "csv":  # every member of the month, whatever the filters
        _shown(viewer, [row.patient_id for row in report.rows], Action.EXPORT)
        response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="billing-{month:%Y-%m}.csv"'
        return response
    listing = _listing(request, report, form)
    _shown(viewer, [row.patient_id for row in listing["rows"]], Action.VIEW)
    context = {
        **base,
        **listing,
        "report": report,
        "locked_message": locked_message(report.lock) if report.lock else "",
        "may_lock": actions.may_lock(viewer) and report.lock is None,
        "csv_url": reverse("billing:report") + f"?month={month:%Y-%m}&format=csv",
        "clear_url": reverse("billing:report") + f"?month={month:%Y-%m}",
    }
    return render(request, "worklists/billing_report.html", context)


@require_POST
def lock_month(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    if not actions.may_lock(viewer):  # before the form is even read
        raise deny(viewer, what="BillingMonthLock")
    month = parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose a month as year and month, for example 2026-03."))
        return redirect("billing:report")
    try:
        actions.do_lock_month(viewer, month)
    except actions.LockRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("%(month)s is locked and submitted for billing.") % {"month": month_label(month)}
        )
    return redirect(reverse("billing:report") + f"?month={month:%Y-%m}")
