"""The organization and role a user acts in for this request (UI.md: switchable when they hold several)."""

from __future__ import annotations

from django.http import HttpRequest

from wraparound.accounts.models import Membership

SESSION_KEY = "acting_membership_id"


def memberships_of(user_id: int | None) -> list[Membership]:
    if user_id is None:
        return []
    return list(
        Membership.objects.filter(user_id=user_id, is_active=True, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name", "role", "id")
    )


def acting_membership(request: HttpRequest, memberships: list[Membership] | None = None) -> Membership | None:
    """The membership chosen in this session, else the user's first; None for a user without one."""
    user = request.user
    if not user.is_authenticated:
        return None
    if memberships is None:
        memberships = memberships_of(user.pk)
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.pk == chosen:
            return membership
    return memberships[0] if memberships else None


def choose_membership(request: HttpRequest, membership_id: int) -> Membership | None:
    """Switch the organization acted for; None (and no change) if the user does not hold it."""
    for membership in memberships_of(request.user.pk):
        if membership.pk == membership_id:
            request.session[SESSION_KEY] = membership.pk
            return membership
    return None
