"""Signing in: the password, then a code from the authenticator app (or a recovery code)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken  # type: ignore[import-untyped]
from pytest_django.fixtures import Settings

from wraparound.accounts import otp
from wraparound.accounts.models import UserSession
from wraparound.audit.models import Action, AuditEvent

from .conftest import PASSWORD
from .helpers import give_authenticator, totp_code

HOME = "/"  # the role-aware home (web:home), where signing in lands without a next


def password_step(client: Client, username: str, password: str = PASSWORD, next_url: str = "") -> str:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def audit_actions(username: str) -> list[str]:
    return list(AuditEvent.objects.filter(username=username).values_list("action", flat=True))


def test_the_password_leads_to_the_code_step(client: Client, alice: User) -> None:
    location = password_step(client, "alice", next_url="/patients/?q=garcia")
    assert location == "/accounts/verify/?next=%2Fpatients%2F%3Fq%3Dgarcia"
    page = client.get(location).content.decode()
    assert "Enter your code" in page
    assert 'autocomplete="one-time-code"' in page


def test_until_the_code_only_the_code_step_and_sign_out_open(client: Client, alice: User) -> None:
    password_step(client, "alice")
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/verify/?next=%2Fpatients%2F"
    assert client.get(reverse("accounts:verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/patients/")["Location"].startswith("/login/")


def test_a_right_code_signs_in_and_goes_back_to_the_page(client: Client, alice: User) -> None:
    password_step(client, "alice")
    device = give_authenticator(alice)
    response = client.post(reverse("accounts:verify"), {"code": totp_code(device), "next": "/patients/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/patients/?q=x"
    assert client.get("/patients/").status_code == 200
    assert audit_actions("alice") == [Action.SIGN_IN]
    signed_in = AuditEvent.objects.get(username="alice")
    assert signed_in.detail == '{"second_factor":"totp"}'
    assert (signed_in.user_id, signed_in.role, signed_in.ip_address) == (
        alice.pk,
        "care_manager",
        "127.0.0.1",
    )
    assert signed_in.organization_id is not None


def test_the_session_gets_a_new_key_when_the_code_is_right(client: Client, alice: User) -> None:
    password_step(client, "alice")
    after_password = client.session.session_key
    client.post(reverse("accounts:verify"), {"code": totp_code(give_authenticator(alice))})
    after_code = client.session.session_key
    assert after_code != after_password
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [after_code]


def test_a_wrong_code_is_refused_and_audited(client: Client, alice: User) -> None:
    password_step(client, "alice")
    right = totp_code(give_authenticator(alice))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get("/patients/").status_code == 302
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.username == "alice"
    assert failed.reason == "wrong code"


def test_a_code_works_once(client: Client, alice: User) -> None:
    device = give_authenticator(alice)
    password_step(client, "alice")
    code = totp_code(device)
    client.post(reverse("accounts:verify"), {"code": code})
    other = Client()
    password_step(other, "alice")
    response = other.post(reverse("accounts:verify"), {"code": code})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()


def test_a_recovery_code_signs_in_once(client: Client, alice: User) -> None:
    codes = otp.replace_recovery_codes(alice.pk)
    password_step(client, "alice")
    response = client.post(reverse("accounts:verify"), {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[0][0] == HOME
    assert "You signed in with a recovery code. 9 codes are left." in response.content.decode()
    assert AuditEvent.objects.get(action=Action.SIGN_IN).detail == '{"second_factor":"recovery_code"}'
    again = Client()
    password_step(again, "alice")
    assert again.post(reverse("accounts:verify"), {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0


def test_a_wrong_password_is_audited_with_the_attempted_username(client: Client, alice: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "not-her-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert (failed.username, failed.user_id, failed.reason) == ("alice", None, "wrong username or password")
    client.post(reverse("login"), {"username": "nobody-here", "password": "whatever-it-is"})
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, username="nobody-here").count() == 1


def test_sign_out_is_a_post_and_is_audited(alice_client: Client) -> None:
    assert alice_client.get(reverse("logout")).status_code == 405
    response = alice_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert audit_actions("alice") == [Action.SIGN_OUT]
    assert alice_client.get("/patients/").status_code == 302


def test_an_analyst_without_a_device_signs_in_with_the_password(client: Client, amir: User) -> None:
    assert password_step(client, "amir") == HOME
    assert audit_actions("amir") == [Action.SIGN_IN]
    signed_in = AuditEvent.objects.get(username="amir")
    assert (signed_in.detail, signed_in.role) == ('{"second_factor":"none"}', "analyst")


def test_a_user_without_any_role_must_use_a_second_factor(client: Client, db: None) -> None:
    User.objects.create_user("nora", password=PASSWORD)
    assert password_step(client, "nora").startswith("/accounts/enroll/")


@pytest.mark.parametrize("mfa_required", [True, False])
def test_a_user_with_a_device_always_gives_a_code(
    client: Client, alice: User, settings: Settings, mfa_required: bool
) -> None:
    settings.MFA_REQUIRED = mfa_required
    assert password_step(client, "alice").startswith("/accounts/verify/")


def test_with_mfa_switched_off_a_nurse_without_a_device_signs_in(
    client: Client, bob: User, settings: Settings
) -> None:
    settings.MFA_REQUIRED = False
    assert password_step(client, "bob") == HOME


def test_a_nurse_without_a_device_enrolls_then_sees_recovery_codes_once(client: Client, bob: User) -> None:
    location = password_step(client, "bob", next_url="/patients/")
    assert location == "/accounts/enroll/?next=%2Fpatients%2F"
    assert client.get("/patients/")["Location"] == "/accounts/enroll/?next=%2Fpatients%2F"
    page = client.get(location).content.decode()
    assert re.search(r'<svg role="img"[^>]*class="segno"', page)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    device = otp.pending_totp_device(bob)
    assert otp.base32_secret(device) == secret.group(1)
    assert client.get(location).content.decode().count(secret.group(1)) == 1  # the same secret on reload

    response = client.post(reverse("accounts:enroll"), {"code": totp_code(device), "next": "/patients/"})
    assert response["Location"] == "/accounts/recovery-codes/?next=%2Fpatients%2F"
    codes_page = client.get(response["Location"]).content.decode()
    codes = re.findall(r'<li><code class="code">([a-z2-7]{8})</code></li>', codes_page)
    assert len(codes) == 10
    assert 'href="/patients/"' in codes_page
    assert client.get(response["Location"])["Location"] == "/patients/"  # shown once
    assert client.get("/patients/").status_code == 200
    assert otp.has_confirmed_device(bob)
    events = list(AuditEvent.objects.filter(username="bob").values_list("action", "reason"))
    assert events == [(Action.ACCOUNT_CHANGE, "authenticator app enrolled"), (Action.SIGN_IN, "")]


def test_enrollment_refuses_a_wrong_code(client: Client, bob: User) -> None:
    password_step(client, "bob")
    response = client.post(reverse("accounts:enroll"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert not otp.has_confirmed_device(bob)


def test_enrollment_is_closed_to_a_user_who_has_a_device(client: Client, alice: User) -> None:
    password_step(client, "alice")
    assert client.get(reverse("accounts:enroll"))["Location"].startswith("/accounts/verify/")


def test_next_must_stay_on_the_site(client: Client, alice: User) -> None:
    location = password_step(client, "alice", next_url="https://evil.example.com/")
    assert location == "/accounts/verify/?next=%2F"  # home instead
