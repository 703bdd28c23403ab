"""The transitions screens: the dashboard, a patient's stays, the match-review queue and the ADT feed."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from wraparound.registry.access import (
    NO_RECORD_ROLES,
    Viewer,
    access_patient,
    access_patients,
    deny,
    record_shown,
)
from wraparound.registry.models import Patient
from wraparound.transitions import actions, dashboard, feed
from wraparound.transitions.models import MatchReview, Stay
from wraparound.web.banner import patient_banner, patient_tabs
from wraparound.web.charts import ReferenceLine, line_chart

PAGE_SIZE = 50


def _require_record_role(viewer: Viewer, what: str) -> None:
    if viewer.acting is None or viewer.role in NO_RECORD_ROLES:
        raise deny(viewer, what=what)


@require_safe
def transition_list(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    _require_record_role(viewer, "TransitionsDashboard")
    today = timezone.localdate()
    stays = dashboard.hospital_stays(access_patients(viewer))
    admitted = list(dashboard.in_hospital(stays))
    discharged = list(dashboard.discharged_with_open_steps(stays))
    overdue = list(dashboard.overdue_steps(stays, today))
    by_agency, by_care_manager, trend = dashboard.follow_up_rates(stays, today)
    record_shown(
        viewer, {stay.patient for stay in admitted + discharged} | {step.stay.patient for step in overdue}
    )
    context = {
        "admitted": admitted,
        "discharged": discharged,
        "overdue": overdue,
        "by_agency": by_agency,
        "by_care_manager": by_care_manager,
        "trend": trend,
        "today": today,
        "may_review": actions.may_review(viewer),
        "open_reviews": MatchReview.objects.filter(status=MatchReview.Status.OPEN).count()
        if actions.may_review(viewer)
        else 0,
        "trend_chart": line_chart(
            chart_id="follow-up-trend",
            title=_("Follow-up after discharge"),
            description=_("Share of discharges with a follow-up visit in time, by week of discharge."),
            series=trend,
            unit="%",
            reference_lines=[ReferenceLine(100, _("All discharges"))],
            width=640,
        ),
    }
    return render(request, "transitions/dashboard.html", context)


@require_safe
def patient_encounters(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    viewer = Viewer.from_request(request)
    access = access_patient(viewer, patient_id, resource_type="Stay")
    stays = (
        Stay.objects.filter(patient=access.patient)
        .select_related("index_stay")
        .prefetch_related("steps__task__assignee")
        .order_by("-admitted_at", "-id")
    )
    context = {
        "patient": access.patient,
        "banner": patient_banner(access),
        "tabs": patient_tabs(request, access.patient),
        "stays": stays,
    }
    return render(request, "transitions/patient_encounters.html", context)


def _require_reviewer(viewer: Viewer, what: str = "MatchReview") -> None:
    if not actions.may_review(viewer):
        raise deny(viewer, what=what)


@require_safe
def match_review(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    _require_reviewer(viewer)
    chosen = request.GET.get("reason", "")
    rows = MatchReview.objects.filter(status=MatchReview.Status.OPEN).select_related("message")
    if chosen in MatchReview.Reason.values:
        rows = rows.filter(reason=chosen)
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    candidate_ids = {candidate for review in page for candidate in review.candidates}
    visible = {
        str(patient.pk): patient for patient in access_patients(viewer).filter(pk__in=list(candidate_ids))
    }
    record_shown(viewer, visible.values())
    reviews = [(review, [visible.get(str(candidate)) for candidate in review.candidates]) for review in page]
    context = {
        "page": page,
        "reviews": reviews,
        "chosen": chosen,
        "reasons": MatchReview.Reason.choices,
    }
    return render(request, "transitions/match_review.html", context)


@require_POST
def match_review_decide(request: HttpRequest, review_id: int) -> HttpResponse:
    viewer = Viewer.from_request(request)
    _require_reviewer(viewer)
    review = get_object_or_404(MatchReview, pk=review_id)
    try:
        if request.POST.get("decision") == "dismiss":
            actions.do_dismiss_match_review(viewer, review)
            messages.success(request, _("Message dismissed."))
        else:
            try:
                chosen = uuid.UUID(request.POST.get("patient_id", ""))
            except ValueError:
                messages.error(request, _("Choose the patient the message is about."))
                return redirect("transitions:match_review")
            patient = get_object_or_404(Patient, pk=chosen)
            actions.do_resolve_match_review(viewer, review, patient.pk)
            messages.success(request, _("Message matched to %(name)s.") % {"name": patient.display_name})
    except actions.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect("transitions:match_review")


@require_safe
def feed_view(request: HttpRequest) -> HttpResponse:
    """The ADT feed: is the HL7 v2 interface healthy?  For the people who use the match-review queue."""
    viewer = Viewer.from_request(request)
    _require_reviewer(viewer, what=actions.FEED)
    now = timezone.now()
    hours = feed.hourly_counts(now)
    failed = Paginator(feed.failed_messages(), PAGE_SIZE).get_page(request.GET.get("page"))
    quarantined = Paginator(feed.quarantined_messages(), PAGE_SIZE).get_page(
        request.GET.get("quarantine_page")
    )
    context = {
        "summary": feed.summary(now),
        "lag_minutes": int(feed.LAG_WARNING.total_seconds() // 60),
        "hours": hours,
        "hours_total": sum(hour.count for hour in hours),
        "hourly_chart": feed.hourly_chart(chart_id="feed-hourly", hours=hours),
        "senders": feed.senders(now),
        "page": failed,
        "page_range": failed.paginator.get_elided_page_range(failed.number, on_each_side=2, on_ends=1),
        "quarantine_page": quarantined,
        "quarantine_page_range": quarantined.paginator.get_elided_page_range(
            quarantined.number, on_each_side=2, on_ends=1
        ),
    }
    return render(request, "transitions/feed.html", context)


def _back_to_feed(request: HttpRequest) -> HttpResponse:
    """To the page of failed messages the operator was on (POST, redirect, GET)."""
    url = reverse("transitions:feed")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@require_POST
def feed_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    viewer = Viewer.from_request(request)
    _require_reviewer(viewer, what=actions.FEED)
    if actions.do_retry_failed(viewer, [message_id]):
        messages.success(request, _("The message was put back for processing: the processor takes it again."))
    else:
        messages.info(request, _("This message is not failed any more: there was nothing to retry."))
    return _back_to_feed(request)


@require_POST
def feed_retry_all(request: HttpRequest) -> HttpResponse:
    viewer = Viewer.from_request(request)
    _require_reviewer(viewer, what=actions.FEED)
    retried = actions.do_retry_failed(viewer)
    if retried:
        messages.success(
            request,
            ngettext(
                "%(count)d failed message was put back for processing: the processor takes it again.",
                "%(count)d failed messages were put back for processing: the processor takes them again.",
                retried,
            )
            % {"count": retried},
        )
    else:
        messages.info(request, _("No message is failed: there was nothing to retry."))
    return redirect("transitions:feed")
