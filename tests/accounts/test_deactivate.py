"""Switching an account off ends every session it has, at once."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from wraparound.accounts import otp
from wraparound.accounts.actions import do_deactivate_user, do_reset_second_factor
from wraparound.accounts.models import UserSession
from wraparound.audit.actions import Actor
from wraparound.audit.models import Action, AuditEvent

from .conftest import PASSWORD
from .helpers import give_authenticator, sign_in, totp_code

ADMIN = Actor(user_id=None, username="sysadmin")


def signed_in_client(user: User) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    client.post(reverse("accounts:verify"), {"code": totp_code(give_authenticator(user))})
    assert client.get("/patients/").status_code == 200
    return client


def test_deactivating_ends_all_sessions_and_is_audited(alice: User, amir: User) -> None:
    laptop = signed_in_client(alice)
    forced = Client()
    sign_in(forced, alice)  # a session no UserSession row lists
    amirs = Client()
    amirs.post(reverse("login"), {"username": "amir", "password": PASSWORD})

    ended = do_deactivate_user(actor=ADMIN, user=alice)

    assert ended == 2
    assert laptop.get("/patients/").status_code == 302
    assert forced.get("/patients/").status_code == 302
    assert amirs.get(reverse("accounts:session_status")).status_code == 200
    assert not UserSession.objects.filter(user=alice).exists()
    assert Session.objects.count() == 1
    alice.refresh_from_db()
    assert alice.is_active is False
    event = AuditEvent.objects.get(action=Action.ACCOUNT_CHANGE)
    assert (event.username, event.resource_type, event.resource_id) == ("sysadmin", "User", str(alice.pk))
    assert event.detail == '{"is_active":{"new":false,"old":true},"sessions_ended":2,"username":"alice"}'


def test_a_deactivated_user_cannot_sign_in(client: Client, alice: User) -> None:
    do_deactivate_user(actor=ADMIN, user=alice)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_resetting_the_second_factor_sends_the_user_to_enroll_again(alice: User) -> None:
    laptop = signed_in_client(alice)
    otp.replace_recovery_codes(alice.pk)
    do_reset_second_factor(actor=ADMIN, user=alice, reason="lost phone (ticket 4411)")
    assert laptop.get("/patients/").status_code == 302
    assert not otp.has_confirmed_device(alice)
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/enroll/")
    assert AuditEvent.objects.get(action=Action.ACCOUNT_CHANGE).reason == "lost phone (ticket 4411)"
