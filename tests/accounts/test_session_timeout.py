"""Sessions end after SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE after sign-in."""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from wraparound.accounts import sessions
from wraparound.audit.models import Action, AuditEvent


def shift(client: Client, key: str, seconds: float) -> None:
    """Pretend the session's ``key`` time was ``seconds`` earlier."""
    session = client.session
    session[key] = float(session.get(key, time.time())) - seconds
    session.save()


def messages_on(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def test_a_request_after_the_idle_limit_signs_out_and_comes_back(alice_client: Client) -> None:
    assert alice_client.get("/patients/?q=garcia").status_code == 200
    shift(alice_client, sessions.LAST_SEEN_AT, 901)
    response = alice_client.get("/patients/?q=garcia")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fpatients%2F%3Fq%3Dgarcia"
    assert "You were signed out after 15 minutes without activity." in messages_on(
        alice_client, response["Location"]
    )
    assert alice_client.get("/patients/").status_code == 302
    sign_out = AuditEvent.objects.get(action=Action.SIGN_OUT)
    assert (sign_out.username, sign_out.reason) == ("alice", "idle time-out")


def test_activity_keeps_the_session(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 800)
    assert alice_client.get("/patients/").status_code == 200
    shift(alice_client, sessions.LAST_SEEN_AT, 800)  # 800 s after the last request, not 1600 after the first
    assert alice_client.get("/patients/").status_code == 200


def test_the_status_check_is_not_activity(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 600)
    status = alice_client.get(reverse("accounts:session_status")).json()
    assert status["signed_in"] is True
    assert 298 <= status["idle_remaining"] <= 300
    assert status["idle_seconds"] == 900
    shift(alice_client, sessions.LAST_SEEN_AT, 301)
    response = alice_client.get(reverse("accounts:session_status"))
    assert response.status_code == 401
    assert response.json()["signed_in"] is False


def test_stay_signed_in_is_activity(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 880)
    assert alice_client.get(reverse("accounts:keep_alive")).status_code == 405
    response = alice_client.post(reverse("accounts:keep_alive"))
    assert response.status_code == 200
    assert response.json()["idle_remaining"] >= 899
    shift(alice_client, sessions.LAST_SEEN_AT, 880)
    assert alice_client.get("/patients/").status_code == 200


def test_the_absolute_limit_ends_even_a_busy_session(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.SIGNED_IN_AT, 12 * 3600 + 1)
    response = alice_client.get("/patients/")
    assert response["Location"] == "/login/?next=%2Fpatients%2F"
    assert "Your session reached its limit of 12 hours." in messages_on(alice_client, response["Location"])
    assert AuditEvent.objects.get(action=Action.SIGN_OUT).reason == "absolute time-out"


def test_a_short_idle_limit_is_told_in_seconds(alice_client: Client, settings: Settings) -> None:
    settings.SESSION_IDLE_SECONDS = 20
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 21)
    response = alice_client.get("/patients/")
    assert "You were signed out after 20 seconds without activity." in messages_on(
        alice_client, response["Location"]
    )


def test_an_htmx_request_after_the_limit_redirects_the_page(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 901)
    response = alice_client.get(
        "/patients/?q=ga",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/patients/?q=g"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login/?next=http%3A%2F%2Ftestserver%2Fpatients%2F%3Fq%3Dg"


def test_a_post_after_the_limit_goes_back_to_the_form_page(alice_client: Client) -> None:
    alice_client.get("/patients/")
    shift(alice_client, sessions.LAST_SEEN_AT, 901)
    response = alice_client.post("/patients/", {"note": "typed"})
    assert response["Location"] == "/login/?next=%2Fpatients%2F"


def test_signed_out_the_session_endpoints_answer_401(client: Client) -> None:
    assert client.get(reverse("accounts:session_status")).status_code == 401
    assert client.post(reverse("accounts:keep_alive")).status_code == 401
    assert client.get(reverse("accounts:keep_alive")).status_code == 401


def test_pages_carry_the_time_out_dialog_only_when_signed_in(alice_client: Client) -> None:
    page = alice_client.get("/patients/").content.decode()
    assert 'id="session-timeout"' in page
    assert 'data-idle-seconds="900" data-warning-seconds="120"' in page
    assert "/static/web/session-timeout.js" in page
    signed_out = Client().get(reverse("login")).content.decode()
    assert 'id="session-timeout"' not in signed_out
    assert "/static/web/session-timeout.js" in signed_out  # drafts are kept across sign-in


def test_sign_in_lists_the_session_and_sign_out_removes_it(client: Client, amir: User) -> None:
    client.post(reverse("login"), {"username": "amir", "password": "correct-horse-battery"})
    listed = sessions.UserSession.objects.get(user=amir)
    assert listed.session_key == client.session.session_key
    assert listed.ip_address == "127.0.0.1"
    client.post(reverse("logout"))
    assert not sessions.UserSession.objects.exists()
