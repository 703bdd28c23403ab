"""Session time-outs and the second-factor gate (placed in MIDDLEWARE after MessageMiddleware).

``SessionTimeoutMiddleware`` signs out a session idle for ``SESSION_IDLE_SECONDS`` or older
than ``SESSION_COOKIE_AGE`` and sends the browser to sign in again with ``?next=`` back to
the page; every other request of a signed-in user counts as activity, except the page
script's status check (``accounts:session_status``).

``SecondFactorMiddleware`` keeps a user who signed in with a password but still owes a code
(``signin.needs_second_factor``) to the views marked ``second_factor_exempt`` or
``login_not_required``: everything else redirects to the code step, or to enrollment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from wraparound.accounts import otp, sessions, signin


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            clock = sessions.clock(request.session)
            if clock.idle_expired or clock.absolute_expired:
                return signin.timed_out_response(request, clock)
            if request.path_info != reverse("accounts:session_status"):
                sessions.touch(request)
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True) or getattr(
            view_func, "second_factor_exempt", False
        ):
            return None
        user = request.user
        if not signin.needs_second_factor(user):
            return None
        back_to = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
        step = "accounts:verify" if otp.has_confirmed_device(user) else "accounts:enroll"  # type: ignore[arg-type]
        return HttpResponseRedirect(signin.with_next(step, signin.safe_next(request, back_to)))
