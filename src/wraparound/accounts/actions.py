"""Changes to user accounts, each with its audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from wraparound.accounts import otp, sessions
from wraparound.audit.actions import Actor, record
from wraparound.audit.models import Action

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def do_deactivate_user(*, actor: Actor, user: AbstractBaseUser) -> int:
    """Switch the account off and end every session it has; returns how many sessions ended."""
    with transaction.atomic():
        was_active = user.is_active
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = sessions.end_all_sessions(user.pk)
        record(
            actor,
            Action.ACCOUNT_CHANGE,
            resource_type="User",
            resource_id=str(user.pk),
            reason="account deactivated",
            detail={
                "username": user.get_username(),
                "is_active": {"old": was_active, "new": False},
                "sessions_ended": ended,
            },
        )
    return ended


def do_reset_second_factor(*, actor: Actor, user: AbstractBaseUser, reason: str) -> None:
    """A lost phone: remove the user's authenticator and recovery codes, and end their sessions.

    At the next sign-in they enroll again (when their roles require a second factor).
    """
    with transaction.atomic():
        removed = otp.remove_devices(user.pk)
        ended = sessions.end_all_sessions(user.pk)
        record(
            actor,
            Action.ACCOUNT_CHANGE,
            resource_type="User",
            resource_id=str(user.pk),
            reason=reason or "second factor reset",
            detail={"username": user.get_username(), "devices_removed": removed, "sessions_ended": ended},
        )
