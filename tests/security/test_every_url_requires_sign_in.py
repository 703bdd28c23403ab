"""Every URL pattern of the project, present and future: anonymous requests never get in."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages that must open without signing in: signing in itself, and choosing a language for it.
PUBLIC = {"login", "set_language"}
SAMPLE = {"uuid": str(uuid.UUID(int=1)), "int": "1", "str": "x", "slug": "x", "path": "x"}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from _patterns(entry, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield name, prefix + str(entry.pattern)


def _sample_path(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    path = path.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + path


ROUTES = sorted(set(_patterns(get_resolver())))


def test_the_enumeration_sees_the_project() -> None:
    names = {name for name, _ in ROUTES}
    assert {"web:patient_list", "web:patient_detail", "web:patient_export", "web:break_glass"} <= names


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[f"{n or '?'} {r}" for n, r in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_request_is_sent_to_sign_in_or_refused(
    db: None, client: Client, name: str, route: str, method: str
) -> None:
    if name in PUBLIC:
        return  # the sign-in pages themselves (listed above, on purpose)
    response = getattr(client, method)(_sample_path(route))
    if response.status_code in (301, 302):
        assert "/login/" in response["Location"], (
            f"{name} redirects anonymous users to {response['Location']}"
        )
    else:
        # 405 (a method the view does not take) reveals nothing either
        assert response.status_code in (401, 403, 405), f"{name} answered {response.status_code}"
