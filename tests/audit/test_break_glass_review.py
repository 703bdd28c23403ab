"""The privacy officer signs off emergency (break-the-glass) access by their organization's users."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.audit.conftest import Agencies, sign_in, verify
from wraparound.accounts.models import BreakGlassGrant, Role
from wraparound.audit.actions import BreakGlassReviewError, do_review_break_glass
from wraparound.audit.models import Action, AuditEvent

PENDING = reverse("audit:break_glass_pending")
REVIEWED = reverse("audit:break_glass_reviewed")


def grant_for(
    agencies: Agencies, name: str, patient_name: str, hours_ago: int, reason: str
) -> BreakGlassGrant:
    membership = agencies.memberships[name]
    started = timezone.now() - dt.timedelta(hours=hours_ago)
    return BreakGlassGrant.objects.create(
        user=agencies.users[name],
        organization=membership.organization,
        role=membership.role,
        patient=getattr(agencies, patient_name),
        reason=reason,
        started_at=started,
        expires_at=started + dt.timedelta(hours=4),
    )


@pytest.fixture
def grants(agencies: Agencies) -> dict[str, BreakGlassGrant]:
    return {
        "alice-old": grant_for(agencies, "alice", "oscar", 30, "Oscar came to the ER unconscious"),
        "alice-new": grant_for(
            agencies, "alice", "oscar", 1, "Pharmacy called about a dangerous interaction"
        ),
        "bob": grant_for(agencies, "bob", "maria", 5, "Covering the weekend on-call line"),
        "pat": grant_for(agencies, "pat", "oscar", 2, "Checking a complaint"),
        "alice-maria": grant_for(agencies, "alice", "maria", 3, "Her own patient, after hours"),
        "bob-oscar": grant_for(agencies, "bob", "oscar", 4, "Northside's own business"),
    }


def review(client: Client, grant: BreakGlassGrant, note: str) -> Any:
    return client.post(reverse("audit:break_glass_review", args=[grant.pk]), {"note": note})


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    return event


def test_pending_list_oldest_first_for_the_officers_organization(
    agencies: Agencies, grants: dict[str, BreakGlassGrant]
) -> None:
    response = agencies.client("pat").get(PENDING)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Oscar came to the ER") < content.index("Checking a complaint")
    assert content.index("Checking a complaint") < content.index("Pharmacy called")
    assert "Covering the weekend" in content  # Northside's user, but Riverbend's patient
    assert "Northside's own business" not in content  # Northside's user and Northside's patient
    assert "Break-glass review (5)" in content
    assert "Access still open" in content and "Access ended" in content
    assert 'name="csrfmiddlewaretoken"' in content
    event = last_event()
    assert (event.action, event.resource_type, event.username) == (Action.VIEW, "BreakGlassReview", "pat")
    assert orjson.loads(event.detail) == {"grants": 5, "list": "pending"}


def test_sign_off_records_who_when_and_why(agencies: Agencies, grants: dict[str, BreakGlassGrant]) -> None:
    client = agencies.client("pat")
    grant = grants["alice-old"]
    response = review(client, grant, "  Documented in the ER record; justified.  ")
    assert response.status_code == 302
    assert response["Location"] == PENDING
    grant.refresh_from_db()
    assert grant.reviewed_by == agencies.users["pat"]
    assert grant.reviewed_at is not None
    assert grant.review_note == "Documented in the ER record; justified."
    event = last_event()
    assert (event.action, event.username, event.patient_id) == (
        Action.BREAK_GLASS_REVIEW,
        "pat",
        agencies.oscar.id,
    )
    assert (event.resource_type, event.resource_id) == ("BreakGlassGrant", str(grant.pk))
    assert event.reason == "Documented in the ER record; justified."
    assert orjson.loads(event.detail)["grant_user_id"] == agencies.users["alice"].pk
    pending = client.get(PENDING).content.decode()
    assert "Oscar came to the ER" not in pending
    assert "Emergency access signed off." in pending
    reviewed = client.get(REVIEWED).content.decode()
    assert "Oscar came to the ER" in reviewed
    assert "Documented in the ER record; justified." in reviewed
    assert "Pharmacy called" not in reviewed
    assert verify().returncode == 0


def test_a_note_is_required(agencies: Agencies, grants: dict[str, BreakGlassGrant]) -> None:
    before = AuditEvent.objects.filter(action=Action.BREAK_GLASS_REVIEW).count()
    response = review(agencies.client("pat"), grants["alice-old"], "   ")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="form-row form-row--error"' in content
    assert f'id="grant-{grants["alice-old"].pk}-note"' in content
    grants["alice-old"].refresh_from_db()
    assert grants["alice-old"].reviewed_at is None
    assert AuditEvent.objects.filter(action=Action.BREAK_GLASS_REVIEW).count() == before


def test_nobody_signs_off_their_own_emergency_access(
    agencies: Agencies, grants: dict[str, BreakGlassGrant]
) -> None:
    response = review(agencies.client("pat"), grants["pat"], "All fine")
    assert response.status_code == 400
    assert "You cannot sign off your own emergency access" in response.content.decode()
    grants["pat"].refresh_from_db()
    assert grants["pat"].reviewed_at is None


def test_another_organizations_grant_is_not_found(
    agencies: Agencies, grants: dict[str, BreakGlassGrant]
) -> None:
    response = review(agencies.client("pat"), grants["bob-oscar"], "Not mine to review")
    assert response.status_code == 404
    grants["bob-oscar"].refresh_from_db()
    assert grants["bob-oscar"].reviewed_at is None
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS_REVIEW).exists()


def test_a_second_sign_off_changes_nothing(agencies: Agencies, grants: dict[str, BreakGlassGrant]) -> None:
    grant = grants["alice-old"]
    pat = agencies.users["pat"]
    do_review_break_glass(actor_user=pat, actor=agencies.actor("pat"), grant=grant, note="First look")
    stale = BreakGlassGrant.objects.get(pk=grant.pk)
    stale.reviewed_at = None  # another officer's page, loaded before the first sign-off
    with pytest.raises(BreakGlassReviewError) as refused:
        do_review_break_glass(actor_user=pat, actor=agencies.actor("pat"), grant=stale, note="Second look")
    assert refused.value.code == "already_reviewed"
    grant.refresh_from_db()
    assert grant.review_note == "First look"
    assert AuditEvent.objects.filter(action=Action.BREAK_GLASS_REVIEW).count() == 1
    response = review(agencies.client("pat"), grant, "Third look")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review_note == "First look"


@pytest.mark.parametrize("name", ["alice", "sysadmin", "paula"])
def test_only_the_organizations_privacy_officer_signs_off(
    agencies: Agencies, grants: dict[str, BreakGlassGrant], name: str
) -> None:
    client = agencies.client(name)
    response = review(client, grants["alice-maria"], "Looks fine to me")
    grants["alice-maria"].refresh_from_db()
    assert grants["alice-maria"].reviewed_at is None
    if agencies.memberships[name].role == Role.PRIVACY_OFFICER:
        assert response.status_code == 404  # Paula: another organization's grant
        return
    assert response.status_code == 403
    event = last_event()
    assert (event.action, event.resource_type, event.username) == (
        Action.ACCESS_DENIED,
        "BreakGlassReview",
        name,
    )
    for url in (PENDING, REVIEWED):
        assert client.get(url).status_code == 403
        assert last_event().action == Action.ACCESS_DENIED


def test_the_sign_off_needs_a_csrf_token(agencies: Agencies, grants: dict[str, BreakGlassGrant]) -> None:
    client = sign_in(Client(enforce_csrf_checks=True), agencies.users["pat"])
    response = review(client, grants["alice-old"], "Justified")
    assert response.status_code == 403
    grants["alice-old"].refresh_from_db()
    assert grants["alice-old"].reviewed_at is None


def test_the_sign_off_is_a_post(agencies: Agencies, grants: dict[str, BreakGlassGrant]) -> None:
    url = reverse("audit:break_glass_review", args=[grants["alice-old"].pk])
    assert agencies.client("pat").get(url).status_code == 405


def test_nothing_to_review(agencies: Agencies) -> None:
    content = agencies.client("pat").get(PENDING).content.decode()
    assert "Nothing to review." in content
    assert "No emergency access signed off yet." in agencies.client("pat").get(REVIEWED).content.decode()
