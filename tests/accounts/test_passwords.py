"""Passwords: Argon2 hashes, NIST 800-63B rules (12 to 128 characters, not common, not the user's name)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse


def test_new_passwords_are_hashed_with_argon2(db: None) -> None:
    user = User.objects.create_user("dana", password="a long passphrase of words")
    assert user.password.startswith("argon2$argon2id$")


def test_an_old_pbkdf2_hash_still_signs_in_and_is_upgraded(client: Client, db: None) -> None:
    user = User.objects.create_user("analyst-old", password=None)
    User.objects.filter(pk=user.pk).update(
        password=make_password("an older passphrase", hasher="pbkdf2_sha256")
    )
    response = client.post(reverse("login"), {"username": "analyst-old", "password": "an older passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "too short"),
        ("x" * 129, "too long"),
        ("password1234", "too common"),
        ("dana.whitfield", "too similar"),
    ],
)
def test_weak_passwords_are_refused(db: None, password: str, problem: str) -> None:
    user = User(username="dana.whitfield", first_name="Dana", last_name="Whitfield")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert problem in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "nocomposition", "x" * 128, "ünïcødé pässwörd"]
)
def test_long_passwords_need_no_digits_or_symbols(db: None, password: str) -> None:
    validate_password(password, User(username="dana.whitfield"))
