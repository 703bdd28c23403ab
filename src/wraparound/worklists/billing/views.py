"""The monthly billing report (supervisors and program administrators), its CSV, and locking a month."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wraparound.audit.models import Action
from wraparound.registry.access import Viewer, deny, record_shown
from wraparound.registry.models import Patient
from wraparound.worklists.billing import actions
from wraparound.worklists.billing.locks import locked_message, month_label, parse_month
from wraparound.worklists.billing.report import build_report, report_csv
from wraparound.worklists.billing.rulepacks import NoPackInEffect


def _previous_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _shown(viewer: Viewer, patient_ids: list[str], action: Action) -> None:
    """One audit row per member the report (or its export) shows."""
    record_shown(viewer, [Patient(pk=patient_id) for patient_id in patient_ids], action=action)


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
    try:
        report = build_report(viewer.organization_id, month)
    except NoPackInEffect:
        context = {
            "month": month,
            "month_value": month.strftime("%Y-%m"),
            "month_label": month_label(month),
            "report": None,
        }
        return render(request, "worklists/billing_report.html", context)
    patient_ids = [row.patient_id for row in report.rows]
    if request.GET.get("format") == "csv":
        _shown(viewer, patient_ids, Action.EXPORT)
        response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="billing-{month:%Y-%m}.csv"'
        return response
    _shown(viewer, patient_ids, Action.VIEW)
    context = {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "month_label": month_label(month),
        "report": report,
        "locked_message": locked_message(report.lock) if report.lock else "",
        "may_lock": actions.may_lock(viewer) and report.lock is None,
        "csv_url": reverse("billing:report") + f"?month={month:%Y-%m}&format=csv",
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
