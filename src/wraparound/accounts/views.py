"""Sign-in, the second factor, sign-out, and the session checks the page's script makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from wraparound.accounts import otp, sessions, signin
from wraparound.accounts.forms import CodeForm, EnrollForm

View = TypeVar("View", bound=Callable[..., HttpResponse])


def second_factor_exempt(view: View) -> View:
    """Reachable between the password and the code (``SecondFactorMiddleware`` lets it through)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = signin.safe_next(request)
    if request.method == "POST":
        form = AuthenticationForm(request, data=request.POST)
        if form.is_valid():
            return redirect(signin.password_accepted(request, form.get_user(), next_url))
        # A lockout is turned into its own page by AxesMiddleware (accounts.lockout.lockout_response).
        signin.password_refused(request, username=request.POST.get("username", ""))
    else:
        form = AuthenticationForm(request)
    return render(
        request,
        "web/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@second_factor_exempt
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = signin.safe_next(request)
    user = request.user
    if signin.is_verified(user):
        return redirect(next_url)
    if not otp.has_confirmed_device(user):  # type: ignore[arg-type]
        return redirect(signin.with_next("accounts:enroll", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify_second_factor(user, form.cleaned_data["code"])  # type: ignore[arg-type]
        if device is not None:
            signin.second_factor_accepted(request, device)
            if otp.is_recovery_code(device):
                messages.warning(
                    request,
                    signin.recovery_code_used_message(otp.recovery_codes_left(user)),  # type: ignore[arg-type]
                )
            return redirect(next_url)
        signin.code_refused(request)
        form.add_error(
            "code",
            _(
                "That code did not work. Wait for the next code, check that your phone's clock is right, and try again."
            ),
        )
    return render(request, "accounts/verify.html", {"form": form, "next": next_url, "navigation": []})


@second_factor_exempt
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enroll(request: HttpRequest) -> HttpResponse:
    next_url = signin.safe_next(request)
    user = request.user
    if signin.is_verified(user):
        return redirect(next_url)
    if otp.has_confirmed_device(user):  # type: ignore[arg-type]
        return redirect(signin.with_next("accounts:verify", next_url))
    device = otp.pending_totp_device(user)  # type: ignore[arg-type]
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_totp_device(device, form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            signin.second_factor_accepted(request, device, enrolled=True)
            request.session[signin.RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(signin.with_next("accounts:recovery_codes", next_url))
        signin.code_refused(request)
        form.add_error("code", _("That code did not work. Enter the code the app shows now."))
    context = {
        "form": form,
        "next": next_url,
        "navigation": [],
        "qr_svg": otp.qr_svg(otp.otpauth_url(device), _("QR code to add Wraparound to an authenticator app")),
        "secret": otp.base32_secret(device),
    }
    return render(request, "accounts/enroll.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes made at enrollment, shown this once."""
    codes = request.session.pop(signin.RECOVERY_CODES_SESSION_KEY, None)
    next_url = signin.safe_next(request)
    if not codes:
        return redirect(next_url)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url, "navigation": []}
    )


@second_factor_exempt
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    signin.sign_out(request)
    return redirect("login")


@login_not_required
@never_cache
def session_status(request: HttpRequest) -> HttpResponse:
    """How long the session has left, for the page's script; does not count as activity."""
    if request.method not in ("GET", "HEAD"):
        return _not_signed_in() if not request.user.is_authenticated else HttpResponseNotAllowed(["GET"])
    return _status(request)


@login_not_required
@never_cache
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The "Stay signed in" button: a POST, which (like every request) counts as activity."""
    if not request.user.is_authenticated:
        return _not_signed_in()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _status(request)


def _status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _not_signed_in()
    clock = sessions.clock(request.session)
    return JsonResponse(
        {
            "signed_in": True,
            "idle_seconds": clock.idle_seconds,
            "idle_remaining": clock.idle_remaining,
            "absolute_remaining": clock.absolute_remaining,
        }
    )


def _not_signed_in() -> HttpResponse:
    return JsonResponse({"signed_in": False}, status=401)
