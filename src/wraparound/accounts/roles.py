"""Which roles must sign in with a second factor (docs/security.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from wraparound.accounts.models import Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Every role that can see identifiable data.  Analysts see aggregate, de-identified data only.
MFA_ROLES: frozenset[str] = frozenset(role.value for role in Role) - {Role.ANALYST.value}


def second_factor_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this user must verify a second factor before reaching anything else.

    Fails closed: staff, superusers and users without any active membership (a consent may
    still name them) must, as must anyone holding one of ``MFA_ROLES``.  Only a user whose
    every active membership is outside ``MFA_ROLES`` (an analyst) may skip it, or everyone
    when ``MFA_REQUIRED`` is switched off.  A user who has a confirmed device is always asked
    for a code, whatever this says (``otp.has_confirmed_device``).
    """
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    roles = set(
        Membership.objects.filter(user_id=user.pk, is_active=True).values_list("role", flat=True).distinct()
    )
    return not roles or bool(roles & MFA_ROLES)
