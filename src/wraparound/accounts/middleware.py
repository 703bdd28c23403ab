"""Per-request security context."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wraparound.accounts.acting import acting_membership


class ActingMembershipMiddleware:
    """``request.acting``: the Membership the user acts in (None when signed out or without one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.acting = acting_membership(request)  # type: ignore[attr-defined]
        return self.get_response(request)
