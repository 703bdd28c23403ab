"""Deploy checks: the security core must be on in production (``wraparound check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def security_core_enabled(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name, code in (("AUDIT_ENABLED", "wraparound.E001"), ("AUTHORIZATION_ENABLED", "wraparound.E002")):
        if not getattr(settings, name, True):
            errors.append(
                Error(
                    f"{name} is off.",
                    hint=f"{name}=false is for benchmarks only; unset it (or set it to true) in production.",
                    id=code,
                )
            )
    if not getattr(settings, "MFA_REQUIRED", True):
        errors.append(
            Warning(
                "MFA_REQUIRED is off: users sign in with a password alone.",
                hint="Every role that can see identifiable data should sign in with a second factor.",
                id="wraparound.W001",
            )
        )
    return errors
