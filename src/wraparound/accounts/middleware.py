"""Per-request security context."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from wraparound.accounts.acting import acting_membership, memberships_of


class ActingMembershipMiddleware:
    """``request.acting``: the Membership the user acts in (None when signed out or without one);
    ``request.memberships``: all the user's active ones (the top bar's switcher)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = memberships_of(request.user.pk) if request.user.is_authenticated else []
        request.memberships = memberships  # type: ignore[attr-defined]
        request.acting = acting_membership(request, memberships)  # type: ignore[attr-defined]
        return self.get_response(request)
