"""``{% session_timeout %}``: the time-out warning dialog and the page script (web/session-timeout.js)."""

from __future__ import annotations

from typing import Any

from django import template

from wraparound.accounts import sessions

register = template.Library()

# Warn this long before the idle time-out; when the time-out is short, at half of it.
WARNING_SECONDS = 120


def warning_seconds(idle_seconds: int) -> int:
    return WARNING_SECONDS if idle_seconds >= 2 * WARNING_SECONDS else max(1, idle_seconds // 2)


@register.inclusion_tag("accounts/session_timeout.html", takes_context=True)
def session_timeout(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    idle = sessions.idle_seconds()
    return {
        "signed_in": signed_in,
        "idle_seconds": idle,
        "warning_seconds": warning_seconds(idle),
        "csrf_token": context.get("csrf_token"),
    }
