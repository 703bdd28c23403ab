"""The second factor: TOTP authenticator apps, and single-use recovery codes (django-otp).

A user enrolls one authenticator app: an unconfirmed ``TOTPDevice`` is shown as a QR code
and as a text secret, and confirmed by a first code.  Confirming creates ten recovery
codes (a ``StaticDevice``), shown once; each works once, in place of a TOTP code.
"""

from __future__ import annotations

import base64
import re
import time
from typing import TYPE_CHECKING

import django_otp  # type: ignore[import-untyped]
import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device as Device  # type: ignore[import-untyped]
from django_otp.oath import totp  # type: ignore[import-untyped]
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice as TOTPDevice  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
_SPACES = re.compile(r"[\s-]+")


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return bool(
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        or StaticDevice.objects.filter(user_id=user.pk, confirmed=True, token_set__isnull=False).exists()
    )


def pending_totp_device(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first call, kept across reloads)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user_id=user.pk, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(device: TOTPDevice) -> str:
    return str(device.config_url)


def qr_svg(url: str, title: str) -> SafeString:
    """The otpauth URL as an inline SVG QR code (no image request, nothing inline for CSP to block)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, title=title, dark="#000", light="#fff", border=4)
    # segno escapes the title itself; the role makes screen readers announce the title as an image.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def normalized(code: str) -> str:
    return _SPACES.sub("", code).lower()


@transaction.atomic
def confirm_totp_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with its first code; returns the new recovery codes, or None if wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(normalized(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    return replace_recovery_codes(device.user_id)


def replace_recovery_codes(user_id: int) -> list[str]:
    """Ten new recovery codes for the user; the old ones stop working."""
    StaticDevice.objects.filter(user_id=user_id).delete()
    static = StaticDevice.objects.create(user_id=user_id, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def verify_second_factor(user: AbstractBaseUser, code: str) -> Device | None:
    """The confirmed device that accepts this code: a TOTP code, else a recovery code (used up).

    Each device throttles its own failures (django-otp: 1, 2, 4, 8... seconds between tries).
    """
    token = normalized(code)
    if not token:
        return None
    with transaction.atomic():
        if token.isdigit() and len(token) == TOTP_DIGITS:
            for totp in TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True):
                if totp.verify_token(token):
                    return totp
            return None
        for static in StaticDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True):
            if static.verify_token(token):
                return static
    return None


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return int(StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count())


def is_recovery_code(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def mark_verified(request: HttpRequest, device: Device) -> None:
    """This session passed the second factor with ``device`` (django-otp keeps its id in the session)."""
    django_otp.login(request, device)


def remove_devices(user_id: int) -> int:
    """Delete the user's authenticator apps and recovery codes; returns how many devices went."""
    removed = int(TOTPDevice.objects.filter(user_id=user_id).delete()[0])
    return removed + int(StaticDevice.objects.filter(user_id=user_id).delete()[0])


def set_totp_device(user_id: int, *, name: str, key: str) -> TOTPDevice:
    """Give the user a confirmed authenticator with a known secret (the demo's; tests')."""
    device, _ = TOTPDevice.objects.update_or_create(
        user_id=user_id, name=name, defaults={"key": key, "confirmed": True}
    )
    return device


def totp_device_named(user_id: int, name: str) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user_id, name=name, confirmed=True).first()


def current_code(device: TOTPDevice, *, steps_ahead: int = 0, now: float | None = None) -> tuple[str, int]:
    """The device's code now (or ``steps_ahead`` steps later), and the seconds the current step has left."""
    now = time.time() if now is None else now
    step = int(device.step)
    code = totp(device.bin_key, step, device.t0, device.digits, device.drift + steps_ahead)
    # totp() reads the clock itself; compute the remaining seconds of the same step.
    left = step - int(now - device.t0) % step
    return str(code).zfill(int(device.digits)), left
