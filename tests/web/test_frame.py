"""The frame around every screen: top bar, navigation by job, language, sign-in and sign-out."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization


def test_sign_in_page_has_labelled_fields_and_no_patient_tools(client: Client) -> None:
    content = client.get(reverse("login")).content.decode()
    assert '<label class="form-row__label" for="id_username">Username</label>' in content
    assert '<label class="form-row__label" for="id_password">Password</label>' in content
    assert 'class="skip-link" href="#main"' in content
    assert 'role="search"' not in content
    assert "<nav" not in content
    assert "Español" in content


def test_wrong_password_is_announced(client: Client, care_manager: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    content = response.content.decode()
    assert 'role="alert"' in content
    assert "Please enter a correct username and password" in content


def test_the_password_alone_does_not_open_the_patient_list(client: Client, care_manager: User) -> None:
    """A care manager sees identifiable data, so the second factor comes first (tests/accounts)."""
    response = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] != reverse("web:patient_list")
    listing = client.get(reverse("web:patient_list"))
    assert listing.status_code == 302 and "/patients/" not in listing["Location"]


def test_frame_landmarks_search_and_sign_out(alice_client: Client) -> None:
    content = alice_client.get(reverse("web:patient_list")).content.decode()
    assert "<header" in content
    assert '<main id="main"' in content
    assert re.search(
        r'<form class="topbar__search" role="search"[^>]*action="/patients/" method="get"', content
    )
    assert re.search(r'<form class="topbar__signout" method="post" action="/logout/">', content)
    assert "Alice Carter" in content


def test_navigation_shows_only_screens_that_exist(alice_client: Client) -> None:
    content = alice_client.get(reverse("web:patient_list")).content.decode()
    navigation = content[content.index('<nav class="sidenav"') : content.index("</nav>")]
    assert '<a href="/patients/" aria-current="page">Patients</a>' in navigation
    assert '<a href="/enrollment/">Enrollment</a>' in navigation  # a care manager works the pipeline
    assert "My worklist" in navigation
    for missing in ("Referrals", "Reports", "Admin", "Audit"):
        assert missing not in navigation


def test_organization_and_role_from_membership(alice_client: Client, care_manager: User) -> None:
    organization = CareOrganization.objects.create(
        name="Riverbend Care Management", kind=CareOrganization.Kind.CARE_MANAGEMENT_AGENCY
    )
    Membership.objects.create(user=care_manager, organization=organization, role=Role.CARE_MANAGER)
    content = alice_client.get(reverse("web:patient_list")).content.decode()
    assert "Riverbend Care Management" in content
    assert "Care manager" in content


def test_signing_out_is_a_post(alice_client: Client) -> None:
    response = alice_client.post(reverse("logout"))
    assert response.status_code == 302
    assert alice_client.get(reverse("web:patient_list")).status_code == 302


def test_switching_to_spanish(alice_client: Client) -> None:
    response = alice_client.post(reverse("set_language"), {"language": "es", "next": "/patients/"})
    assert response["Location"] == "/patients/"
    content = alice_client.get("/patients/").content.decode()
    assert '<html lang="es">' in content
    assert "Buscar un paciente" in content
    assert "Cerrar sesión" in content


def test_only_the_closest_navigation_entry_is_current() -> None:
    """On /worklist/supervisor/ a supervisor is in "Caseloads", not also in "My worklist"."""
    from types import SimpleNamespace

    from django.test import RequestFactory

    from wraparound.web.context_processors import navigation

    request = RequestFactory().get("/worklist/supervisor/")
    request.acting = SimpleNamespace(role=Role.SUPERVISOR, grants_identifiable_access=False)  # type: ignore[attr-defined]
    current = [item.label for item in navigation(request) if item.is_current]
    assert current == ["Caseloads"]
    request = RequestFactory().get("/worklist/")
    request.acting = SimpleNamespace(role=Role.SUPERVISOR, grants_identifiable_access=False)  # type: ignore[attr-defined]
    assert [item.label for item in navigation(request) if item.is_current] == ["My worklist"]
