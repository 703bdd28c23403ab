"""Lockout after repeated failed passwords, with a back-off (django-axes callables; docs/security.md).

django-axes counts failures per username + address and refuses the pair once it reaches
``AXES_FAILURE_LIMIT``.  How long the refusal lasts is ``cool_off``: every ``limit`` failures
of the pair in the last 24 hours (since its last successful sign-in) is one lockout, and the
k-th lockout lasts 15 minutes x 2^(k-1), at most 24 hours:

    failures 5-9 -> 15 min,  10-14 -> 30 min,  15-19 -> 1 h,  ...  40 or more -> 24 h

Failures while locked out count too (and restart the cool-off), so hammering makes it longer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_username, get_failure_limit  # type: ignore[import-untyped]
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # type: ignore[import-untyped]
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wraparound.audit.actions import client_address

BASE_COOL_OFF = dt.timedelta(minutes=15)
LONGEST_COOL_OFF = dt.timedelta(hours=24)
HISTORY = dt.timedelta(hours=24)


def cool_off_for(lockouts: int) -> dt.timedelta:
    """15 min for the first lockout, doubling with each one after, at most 24 h."""
    doublings = min(max(lockouts, 1) - 1, 16)
    return min(BASE_COOL_OFF * (1 << doublings), LONGEST_COOL_OFF)


def cool_off(request: HttpRequest | None) -> dt.timedelta:
    """``AXES_COOLOFF_TIME``: the cool-off for the username + address of this sign-in attempt.

    Axes asks while it decides about the current attempt, before logging it; so the current
    attempt counts as one more failure.
    """
    if request is None:
        return BASE_COOL_OFF
    username = _attempted_username(request)
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    if not username or not address:
        return BASE_COOL_OFF
    limit = get_failure_limit(request, None)
    failures = recent_failures(username, address) + 1
    return cool_off_for(failures // max(limit, 1))


def recent_failures(username: str, address: str) -> int:
    """Failed passwords for the pair in the last 24 hours, since its last successful sign-in."""
    since = timezone.now() - HISTORY
    last_success = AccessLog.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time")
    )["last"]
    if last_success is not None and last_success > since:
        since = last_success
    return int(
        AccessFailureLog.objects.filter(username=username, ip_address=address, attempt_time__gt=since).count()
    )


def locked_until(username: str, address: str | None) -> dt.datetime | None:
    """When the pair's current lockout ends (None when unknown)."""
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=address, expiration__isnull=False)
        .select_related("expiration")
        .order_by("-expiration__expires_at")
        .first()
    )
    if attempt is None:
        return None
    expires_at: dt.datetime = attempt.expiration.expires_at
    return expires_at


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a page that says what happened and what to do, with status 429."""
    username = _attempted_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    until = locked_until(username, address) if username else None
    return render(request, "accounts/locked_out.html", {"locked_until": until}, status=429)


def _attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    return str(get_client_username(request, credentials) or "")[:150]
