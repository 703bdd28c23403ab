"""Session bookkeeping: sign-in time, last activity, and the ``UserSession`` rows (docs/security.md).

The session holds two Unix times: ``SIGNED_IN_AT`` (for the absolute lifetime,
``SESSION_COOKIE_AGE``) and ``LAST_SEEN_AT`` (for the inactivity time-out,
``SESSION_IDLE_SECONDS``).  Every request but the status check counts as activity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from wraparound.accounts.models import UserSession
from wraparound.audit.actions import USER_AGENT_LENGTH, client_address

if TYPE_CHECKING:
    from django.http import HttpRequest

SIGNED_IN_AT = "wa_signed_in_at"
LAST_SEEN_AT = "wa_last_seen_at"
LISTED_AT = "wa_listed_at"
# The session is saved when its last-seen time is this much behind (so not on every request): the
# time-out can then come up to this early, never late.  At most 10 s, and 1/30 of a short limit.
LAST_SEEN_RESOLUTION = 10
# UserSession.last_seen_at is for people reading the list, not for the time-out: written at most this often.
USER_SESSION_RESOLUTION = 60


@dataclass(frozen=True)
class SessionClock:
    """Where a signed-in session stands, in seconds."""

    idle_seconds: int
    absolute_seconds: int
    idle_for: float
    signed_in_for: float

    @property
    def idle_expired(self) -> bool:
        return self.idle_for >= self.idle_seconds

    @property
    def absolute_expired(self) -> bool:
        return self.signed_in_for >= self.absolute_seconds

    @property
    def idle_remaining(self) -> int:
        return max(0, int(self.idle_seconds - self.idle_for))

    @property
    def absolute_remaining(self) -> int:
        return max(0, int(self.absolute_seconds - self.signed_in_for))


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_SECONDS)


def absolute_seconds() -> int:
    return int(settings.SESSION_COOKIE_AGE)


def clock(session: SessionBase, now: float | None = None) -> SessionClock:
    """The session's clock; a session without times (``force_login``) starts now."""
    now = time.time() if now is None else now
    signed_in_at = float(session.setdefault(SIGNED_IN_AT, now))
    last_seen_at = float(session.setdefault(LAST_SEEN_AT, now))
    return SessionClock(idle_seconds(), absolute_seconds(), now - last_seen_at, now - signed_in_at)


def touch(request: HttpRequest, now: float | None = None) -> None:
    """Count this request as activity."""
    now = time.time() if now is None else now
    session = request.session
    if now - float(session.get(LAST_SEEN_AT, 0)) < min(LAST_SEEN_RESOLUTION, idle_seconds() / 30):
        return
    session[LAST_SEEN_AT] = now
    if now - float(session.get(LISTED_AT, 0)) >= USER_SESSION_RESOLUTION and session.session_key:
        session[LISTED_AT] = now
        UserSession.objects.filter(session_key=session.session_key).update(last_seen_at=timezone.now())


def start(request: HttpRequest) -> None:
    """After ``login()``: start the clocks and list the session under the user."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session[LISTED_AT] = now
    if request.session.session_key is None:
        request.session.save()
    seen = timezone.now()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user_id": request.user.pk,
            "created_at": seen,
            "last_seen_at": seen,
            "ip_address": client_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        },
    )


def rotate(request: HttpRequest) -> None:
    """A new session key (after the second factor), keeping the ``UserSession`` row pointing at it."""
    old_key = request.session.session_key
    request.session.cycle_key()
    if old_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_all_sessions(user_id: int) -> int:
    """Delete every session of the user: those listed in ``UserSession``, and any other found.

    Returns how many sessions were ended.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = set(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    keys |= _unlisted_session_keys(user_id)
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user_id=user_id).delete()
    return len(keys)


def _unlisted_session_keys(user_id: int) -> set[str]:
    """Sessions the list does not know (made by ``force_login``, or before it existed): database sessions only."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return set()
    from django.contrib.sessions.models import Session

    keys = set()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            keys.add(session.session_key)
    return keys
