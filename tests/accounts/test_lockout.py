"""Five wrong passwords for one username from one address pause sign-in; the pause grows."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog  # type: ignore[import-untyped]
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.accounts.lockout import cool_off_for
from wraparound.audit.models import Action, AuditEvent

from .conftest import PASSWORD

HOME = "10.1.1.1"


def attempt(client: Client, password: str, address: str = HOME, username: str = "alice") -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def fail(client: Client, times: int, address: str = HOME) -> list[int]:
    return [attempt(client, f"wrong-password-{n}", address) for n in range(times)]


@pytest.mark.parametrize(
    ("lockouts", "minutes"), [(1, 15), (2, 30), (3, 60), (4, 120), (7, 960), (8, 1440), (30, 1440)]
)
def test_the_cool_off_doubles_up_to_a_day(lockouts: int, minutes: int) -> None:
    assert cool_off_for(lockouts) == dt.timedelta(minutes=minutes)


def test_five_failures_lock_the_pair_out_with_a_clear_page(client: Client, alice: User) -> None:
    assert fail(client, 4) == [200, 200, 200, 200]
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Sign-in paused" in content
    assert "too many wrong passwords" in content
    assert 'role="alert"' in content
    # The right password does not help while the pause lasts; it is counted as one more failure.
    assert attempt(client, PASSWORD) == 429
    assert "_auth_user_id" not in client.session
    failures = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, username="alice")
    assert failures.count() == 6
    assert failures.filter(reason="locked out").count() == 2


def test_the_lockout_is_for_that_address_only(client: Client, alice: User) -> None:
    fail(client, 5)
    assert attempt(client, PASSWORD, address="10.2.2.2") == 302


def test_a_successful_sign_in_starts_the_count_again(client: Client, alice: User) -> None:
    fail(client, 4)
    assert attempt(client, PASSWORD) == 302
    client.post(reverse("logout"))
    assert fail(Client(), 4) == [200, 200, 200, 200]


def _expires_in() -> dt.timedelta:
    expiration = AccessAttemptExpiration.objects.get(access_attempt__username="alice")
    return expiration.expires_at - timezone.now()


def _age_everything(by: dt.timedelta) -> None:
    """Move the recorded failures back in time, as if ``by`` had passed."""
    for attempt_row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt_row.pk).update(attempt_time=attempt_row.attempt_time - by)
    for expiration in AccessAttemptExpiration.objects.all():
        AccessAttemptExpiration.objects.filter(pk=expiration.pk).update(expires_at=expiration.expires_at - by)
    for log in AccessFailureLog.objects.all():
        AccessFailureLog.objects.filter(pk=log.pk).update(attempt_time=log.attempt_time - by)


def test_a_second_lockout_lasts_twice_as_long(client: Client, alice: User) -> None:
    fail(client, 5)
    assert dt.timedelta(minutes=14) < _expires_in() <= dt.timedelta(minutes=15)
    _age_everything(dt.timedelta(minutes=16))
    assert fail(client, 4) == [200, 200, 200, 200]  # the first pause is over
    assert attempt(client, "still-wrong") == 429
    assert dt.timedelta(minutes=29) < _expires_in() <= dt.timedelta(minutes=30)
    _age_everything(dt.timedelta(minutes=16))
    assert attempt(client, PASSWORD) == 429  # 16 minutes were enough the first time, not now
    _age_everything(dt.timedelta(minutes=61))
    assert attempt(client, PASSWORD) == 302
