"""Signing in from tests, through the second factor.

``sign_in(client, user)``: a Django test client signed in as ``user`` with a verified second
factor (the user gets an authenticator first if they have none), as ``client.force_login``
did before MFA.  ``totp_code(device)``: a code the device accepts now.  Browser tests type
that code into the code step (tests/browser/conftest.py).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
from django_otp.oath import hotp  # type: ignore[import-untyped]
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from wraparound.accounts import sessions

# RFC 6238's test secret ("12345678901234567890"), hex-encoded.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"
TEST_DEVICE_NAME = "Test authenticator"


def give_authenticator(user: AbstractBaseUser, key: str = TEST_TOTP_KEY) -> Any:
    """The user's confirmed authenticator app (created with ``key`` if they have none)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user_id=user.pk, name=TEST_DEVICE_NAME, key=key, confirmed=True)
    return device


def totp_code(device: Any) -> str:
    """A code ``device`` accepts now: the current one, or the next when the current one was used.

    Each time step's code works once (django-otp remembers the last step used), and the device
    accepts one step ahead; a test that signs in twice within 30 seconds gets the next step's code.
    """
    device.refresh_from_db()
    while True:
        now_step = int((time.time() - device.t0) // device.step) + device.drift
        step = max(now_step, device.last_t + 1)
        if step <= now_step + device.tolerance:
            return str(hotp(device.bin_key, step, device.digits)).zfill(device.digits)
        time.sleep(1)


def sign_in(client: Client, user: AbstractBaseUser) -> Any:
    """Sign ``client`` in as ``user``, second factor verified; returns the device it used."""
    device = give_authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    now = time.time()
    for key in (sessions.SIGNED_IN_AT, sessions.LAST_SEEN_AT, sessions.LISTED_AT):
        session[key] = now
    session.save()
    return device
