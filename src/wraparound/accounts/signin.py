"""The sign-in steps, each audited: password, then (when needed) a second factor; and sign-out.

After the password ``login()`` runs, but a user who has a confirmed device, or whose
roles require one (``roles.second_factor_required``), reaches nothing but the
verification, enrollment and sign-out pages until a code is verified
(``session_middleware.SecondFactorMiddleware``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wraparound.accounts import sessions
from wraparound.accounts.acting import acting_membership
from wraparound.accounts.otp import Device, has_confirmed_device, is_recovery_code, mark_verified
from wraparound.accounts.roles import second_factor_required
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

RECOVERY_CODES_SESSION_KEY = "wa_new_recovery_codes"


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this session has passed a second factor (set by django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Signed in with a password, and a code is still owed."""
    if not user.is_authenticated or is_verified(user):
        return False
    return has_confirmed_device(user) or second_factor_required(user)


def safe_next(request: HttpRequest, candidate: str | None = None) -> str:
    """``next`` from the request when it stays on this site, else the home page."""
    target = candidate if candidate is not None else request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def password_accepted(request: HttpRequest, user: User, next_url: str) -> str:
    """The password was right: sign in, and say where to go (the code step, enrollment, or ``next``)."""
    login(request, user)
    request.acting = acting_membership(request)  # type: ignore[attr-defined]  # for the audit rows
    sessions.start(request)
    if has_confirmed_device(user):
        return with_next("accounts:verify", next_url)
    if second_factor_required(user):
        return with_next("accounts:enroll", next_url)
    record(Actor.from_request(request), Action.SIGN_IN, detail={"second_factor": "none"})
    return next_url


def password_refused(request: HttpRequest, username: str) -> None:
    locked_out = bool(getattr(request, "axes_locked_out", False))
    record(
        Actor.from_request(request, username=username),
        Action.SIGN_IN_FAILED,
        reason="locked out" if locked_out else "wrong username or password",
        detail={"step": "password", "locked_out": locked_out},
    )


def code_refused(request: HttpRequest) -> None:
    record(
        Actor.from_request(request),
        Action.SIGN_IN_FAILED,
        reason="wrong code",
        detail={"step": "second_factor"},
    )


def second_factor_accepted(request: HttpRequest, device: Device, *, enrolled: bool = False) -> None:
    """Mark the session verified by ``device``, give it a new key, audit the sign-in."""
    mark_verified(request, device)
    sessions.rotate(request)
    kind = "recovery_code" if is_recovery_code(device) else "totp"
    actor = Actor.from_request(request)
    if enrolled:
        record(actor, Action.ACCOUNT_CHANGE, reason="authenticator app enrolled", detail={"device": "totp"})
    record(actor, Action.SIGN_IN, detail={"second_factor": kind})


def sign_out(request: HttpRequest, reason: str = "") -> None:
    if request.user.is_authenticated:
        record(Actor.from_request(request), Action.SIGN_OUT, reason=reason)
    sessions.forget(request.session.session_key)
    logout(request)


def timed_out_response(request: HttpRequest, clock: sessions.SessionClock) -> HttpResponse:
    """Sign out a session past its idle or absolute limit, and send the browser to sign in again."""
    if clock.absolute_expired:
        reason = "absolute time-out"
        text = ngettext(
            "Your session reached its limit of %(hours)d hour. Sign in again to go on.",
            "Your session reached its limit of %(hours)d hours. Sign in again to go on.",
            max(1, round(clock.absolute_seconds / 3600)),
        ) % {"hours": max(1, round(clock.absolute_seconds / 3600))}
    else:
        reason = "idle time-out"
        text = idle_message(clock.idle_seconds)
    was_htmx = request.headers.get("HX-Request") == "true"
    if was_htmx:
        back_to = safe_next(request, request.headers.get("HX-Current-URL", ""))
    elif request.method in ("GET", "HEAD"):
        back_to = request.get_full_path()
    else:
        back_to = request.path  # the form's page; what was typed waits in the browser (session-timeout.js)
    sign_out(request, reason=reason)
    messages.info(request, text)
    login_url = with_next("login", back_to)
    if (
        request.path == reverse("accounts:session_status")
        or request.headers.get("Accept") == "application/json"
    ):
        return JsonResponse({"signed_in": False, "login_url": login_url}, status=401)
    if was_htmx:
        response = HttpResponse(status=401)
        response["HX-Redirect"] = login_url
        return response
    return HttpResponseRedirect(login_url)


def idle_message(idle_seconds: int) -> str:
    if idle_seconds >= 120 or idle_seconds % 60 == 0:
        minutes = max(1, round(idle_seconds / 60))
        return ngettext(
            "You were signed out after %(count)d minute without activity.",
            "You were signed out after %(count)d minutes without activity.",
            minutes,
        ) % {"count": minutes}
    return ngettext(
        "You were signed out after %(count)d second without activity.",
        "You were signed out after %(count)d seconds without activity.",
        idle_seconds,
    ) % {"count": idle_seconds}


def recovery_code_used_message(left: int) -> str:
    if left == 0:
        return _("You used your last recovery code. Ask your system administrator for new ones.")
    return ngettext(
        "You signed in with a recovery code. %(count)d code is left.",
        "You signed in with a recovery code. %(count)d codes are left.",
        left,
    ) % {"count": left}
