"""The demo users sign in with a code too: `wraparound totp USERNAME` prints it, for demo users only."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from wraparound.accounts import otp
from wraparound.cli.demo import DEMO_PASSWORD, ensure_demo_organizations_and_users
from wraparound.cli.demo_totp import DEMO_DEVICE_NAME, demo_totp_key


def printed_code(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("totp", username, stdout=out, stderr=err)
    assert "valid for" in err.getvalue()
    return out.getvalue().strip()


def test_every_demo_user_has_a_demo_authenticator(db: None) -> None:
    users = ensure_demo_organizations_and_users()
    ensure_demo_organizations_and_users()  # idempotent
    for demo in users:
        user = User.objects.get(username=demo.username)
        device = otp.totp_device_named(user.pk, DEMO_DEVICE_NAME)
        assert device is not None
        assert device.key == demo_totp_key(demo.username)
    assert demo_totp_key("caremanager") != demo_totp_key("nurse")


def test_the_printed_code_signs_the_demo_care_manager_in(client: Client, db: None) -> None:
    ensure_demo_organizations_and_users()
    location = client.post(reverse("login"), {"username": "caremanager", "password": DEMO_PASSWORD})[
        "Location"
    ]
    assert location.startswith("/accounts/verify/")
    code = printed_code("caremanager")
    assert len(code) == 6
    assert code.isdigit()
    response = client.post(reverse("accounts:verify"), {"code": code})
    assert response["Location"] == "/"  # home, which sends a care manager on to the worklist
    assert client.get("/")["Location"] == "/worklist/"


def test_codes_are_printed_for_demo_users_only(db: None) -> None:
    ensure_demo_organizations_and_users()
    User.objects.create_user("alice", password="correct-horse-battery")
    with pytest.raises(CommandError, match="not a demo user"):
        printed_code("alice")


def test_no_code_for_a_demo_name_whose_device_is_not_the_demos(db: None) -> None:
    ensure_demo_organizations_and_users()
    nurse = User.objects.get(username="nurse")
    otp.set_totp_device(nurse.pk, name=DEMO_DEVICE_NAME, key="00" * 20)
    with pytest.raises(CommandError, match="no demo authenticator"):
        printed_code("nurse")
