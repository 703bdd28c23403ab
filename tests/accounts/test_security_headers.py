"""Every response carries the browser-side protections; pages have no inline script or style."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse


def test_headers_on_the_sign_in_page(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_form_carries_a_csrf_token(alice_client: Client) -> None:
    for url in (reverse("login"), "/patients/"):
        page = alice_client.get(url).content.decode()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", page, flags=re.S):
            assert 'name="csrfmiddlewaretoken"' in form, form[:200]


def test_pages_have_no_inline_script_or_style(alice_client: Client) -> None:
    for url in (reverse("login"), "/patients/", reverse("accounts:verify")):
        page = alice_client.get(url, follow=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_csrf_is_enforced(alice_client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("login"), {"username": "alice", "password": "x"}).status_code == 403
