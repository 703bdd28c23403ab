"""The demo users' second factor: an authenticator whose secret comes from the user name.

Demo only.  Anyone who knows the scheme can compute these codes, so ``wraparound totp``
prints codes only for a demo user name whose device still holds exactly this secret.
"""

from __future__ import annotations

import hashlib
import hmac

from wraparound.accounts import otp

DEMO_DEVICE_NAME = "Demo authenticator"
_DEMO_TOTP_SALT = b"wraparound-demo-totp-v1"


def demo_totp_key(username: str) -> str:
    """The demo user's TOTP secret, hex-encoded (20 bytes), derived from the user name."""
    return hmac.new(_DEMO_TOTP_SALT, username.encode(), hashlib.sha1).hexdigest()


def ensure_demo_totp_device(user_id: int, username: str) -> None:
    otp.set_totp_device(user_id, name=DEMO_DEVICE_NAME, key=demo_totp_key(username))


def demo_device(user_id: int, username: str) -> otp.TOTPDevice | None:
    """The demo user's device, or None when there is none or its secret is not the demo's."""
    device = otp.totp_device_named(user_id, DEMO_DEVICE_NAME)
    if device is None or device.key != demo_totp_key(username):
        return None
    return device
