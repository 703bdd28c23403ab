"""Personas for the sign-in tests: who must use a second factor, and who need not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization

from .helpers import give_authenticator, sign_in

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def agency(db: None) -> CareOrganization:
    return CareOrganization.objects.create(
        name="Riverbend Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )


def _member(username: str, agency: CareOrganization, role: str, first: str, last: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
    Membership.objects.create(user=user, organization=agency, role=role)
    return user


@pytest.fixture
def alice(agency: CareOrganization) -> User:
    """Alice Carter, a care manager with an authenticator app."""
    user = _member("alice", agency, Role.CARE_MANAGER, "Alice", "Carter")
    give_authenticator(user)
    return user


@pytest.fixture
def bob(agency: CareOrganization) -> User:
    """Bob Nguyen, a nurse who has not set up an authenticator yet."""
    return _member("bob", agency, Role.NURSE, "Bob", "Nguyen")


@pytest.fixture
def amir(agency: CareOrganization) -> User:
    """Amir Said, an analyst (aggregate data only): no second factor required."""
    return _member("amir", agency, Role.ANALYST, "Amir", "Said")


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    sign_in(client, alice)
    return client
