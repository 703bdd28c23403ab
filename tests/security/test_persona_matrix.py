"""Who may see whom: every persona against every patient-facing view and action.

Allowed: the page opens and one audit row of the right kind names the patient.
Denied: 403, nothing changed, and an ACCESS_DENIED row names the patient.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from wraparound.audit.models import Action, AuditEvent
from wraparound.consent.actions import do_record_consent
from wraparound.consent.models import Consent
from wraparound.referrals.models import Referral
from wraparound.registry.access import Viewer

from .conftest import World

# persona -> may open Maria's record?
MATRIX = {
    "alice": True,  # care manager on the team
    "nina": True,  # covering nurse on the team
    "rita": False,  # same agency, not on the team
    "bob": False,  # care manager from another agency
    "sam": True,  # supervisor of the serving agency
    "sue": False,  # supervisor of another agency
    "grace": False,  # community-organization worker without a referral
    "andy": False,  # analyst: aggregate data only
    "eve": False,  # not yet broken the glass
}

RECORD_VIEWS = [
    ("web:patient_detail", Action.VIEW),
    ("web:patient_export", Action.EXPORT),
    ("web:patient_print", Action.PRINT),
    ("consent:patient_consents", Action.VIEW),
]


def _rows(world: World, action: Action) -> int:
    return AuditEvent.objects.filter(patient_id=world.patient.pk, action=action).count()


@pytest.mark.parametrize(("persona", "allowed"), sorted(MATRIX.items()))
@pytest.mark.parametrize(("view", "action"), RECORD_VIEWS)
def test_record_views(world: World, persona: str, allowed: bool, view: str, action: Action) -> None:
    client = world.client(persona)
    before_allowed, before_denied = _rows(world, action), _rows(world, Action.ACCESS_DENIED)
    response = client.get(reverse(view, kwargs={"patient_id": world.patient.pk}))
    if allowed:
        assert response.status_code == 200
        assert _rows(world, action) == before_allowed + 1
        assert _rows(world, Action.ACCESS_DENIED) == before_denied
    else:
        assert response.status_code == 403
        assert _rows(world, action) == before_allowed
        denied = AuditEvent.objects.filter(patient_id=world.patient.pk, action=Action.ACCESS_DENIED).last()
        assert denied is not None and denied.username == persona
        assert _rows(world, Action.ACCESS_DENIED) == before_denied + 1
        assert b"Garcia" not in response.content


@pytest.mark.parametrize(("persona", "allowed"), sorted(MATRIX.items()))
def test_search_shows_only_patients_in_scope(world: World, persona: str, allowed: bool) -> None:
    response = world.client(persona).get(reverse("web:patient_list"), {"q": "garcia"})
    if persona == "andy":  # no identifiable lists at all
        assert response.status_code == 403
        assert AuditEvent.objects.filter(username="andy", action=Action.ACCESS_DENIED).exists()
        return
    assert response.status_code == 200
    assert (b"Garcia" in response.content) is allowed
    shown = AuditEvent.objects.filter(username=persona, action=Action.VIEW, patient_id=world.patient.pk)
    assert shown.exists() is allowed  # one VIEW row per patient a list shows


@pytest.mark.parametrize(("persona", "allowed"), sorted(MATRIX.items()))
def test_list_export_holds_only_patients_in_scope(world: World, persona: str, allowed: bool) -> None:
    response = world.client(persona).get(reverse("web:patient_list_export"))
    if persona == "andy":
        assert response.status_code == 403
        return
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert (b"Garcia" in content) is allowed
    assert (b"Lindqvist" in content) is (persona in ("bob", "sue"))


def _viewer(world: World, persona: str) -> Viewer:
    from django.test import RequestFactory

    from wraparound.accounts.acting import acting_membership

    request = RequestFactory().get("/")
    request.user = world.users[persona]
    request.session = {}  # type: ignore[assignment]
    request.acting = acting_membership(request)  # type: ignore[attr-defined]
    return Viewer.from_request(request)


@pytest.mark.parametrize("ended", [False, True], ids=["current-teams", "alices-team-ended"])
@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_visible_among_agrees_with_the_list_rule(world: World, persona: str, ended: bool) -> None:
    """The worklist's check of a few candidates (by team first) gives what the list filter gives."""
    import datetime as dt

    from django.utils import timezone

    from wraparound.careplans.models import CareTeamMember
    from wraparound.registry.access import access_patients, visible_among

    if ended:
        CareTeamMember.objects.filter(user=world.users["alice"]).update(
            end=timezone.localdate() - dt.timedelta(days=1)
        )
    viewer = _viewer(world, persona)
    candidates = [world.patient.pk, world.other_patient.pk]
    expected = sorted(access_patients(viewer).filter(pk__in=candidates).values_list("pk", flat=True))
    assert visible_among(viewer, candidates) == expected
    if persona == "alice":
        assert (world.patient.pk in expected) is not ended


@pytest.mark.parametrize(("persona", "allowed"), sorted(MATRIX.items()))
def test_recording_a_consent(world: World, persona: str, allowed: bool) -> None:
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.users[persona]
    from wraparound.accounts.acting import acting_membership

    request.session = {}  # type: ignore[assignment]
    request.acting = acting_membership(request)  # type: ignore[attr-defined]
    viewer = Viewer.from_request(request)

    def record() -> Consent:
        return do_record_consent(
            viewer,
            patient_id=world.patient.pk,
            scope=Consent.Scope.CARE_COORDINATION,
            categories=["conditions"],
            evidence=Consent.Evidence.VERBAL,
            attestation="Heard by phone, read back",
            grantee_organization=world.northside,
        )

    if allowed:
        assert record().pk is not None
        assert _rows(world, Action.CONSENT_CHANGE) == 1
    else:
        with pytest.raises(PermissionDenied):
            record()
        assert not Consent.objects.exists()
        assert _rows(world, Action.ACCESS_DENIED) == 1


def test_community_worker_sees_what_a_referral_shares_and_nothing_more(world: World) -> None:
    Referral.objects.create(
        patient=world.patient,
        referring_organization=world.riverbend,
        receiving_organization=world.food_bank,
        need="Food insecurity",
        shared_categories=["social_needs"],
    )
    response = world.client("grace").get(
        reverse("web:patient_detail", kwargs={"patient_id": world.patient.pk})
    )
    assert response.status_code == 200
    assert b"Garcia" in response.content
    assert b"Diabetes mellitus type 2" not in response.content  # conditions were not shared
    export = world.client("grace").get(reverse("web:patient_export", kwargs={"patient_id": world.patient.pk}))
    assert b"Diabetes" not in export.content


def test_breaking_the_glass_opens_the_record_for_a_while_with_a_banner(world: World) -> None:
    client = world.client("eve")
    url = reverse("web:patient_detail", kwargs={"patient_id": world.patient.pk})
    denied = client.get(url)
    assert denied.status_code == 403
    assert b"Break the glass" in denied.content
    glass = reverse("web:break_glass", kwargs={"patient_id": world.patient.pk})
    refused = client.post(glass, {"reason": "short", "acknowledge": "on"})
    assert refused.status_code == 200  # the form again, with the error: a reason is required
    assert client.get(url).status_code == 403
    opened = client.post(
        glass, {"reason": "Found unresponsive at the shelter; need medication list", "acknowledge": "on"}
    )
    assert opened.status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    assert b"Emergency access" in page.content
    row = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert row.username == "eve" and "unresponsive" in row.reason
    assert world.users["eve"].break_glass_grants.get().reviewed_at is None  # on the review list


def test_analyst_and_community_worker_cannot_break_the_glass(world: World) -> None:
    for persona in ("andy", "grace"):
        glass = reverse("web:break_glass", kwargs={"patient_id": world.patient.pk})
        response = world.client(persona).post(
            glass, {"reason": "I would like to see it please", "acknowledge": "on"}
        )
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


def test_an_analyst_granted_identifiable_access_sees_the_served_patients_only(world: World) -> None:
    from wraparound.accounts.models import Membership

    Membership.objects.filter(user=world.users["andy"]).update(grants_identifiable_access=True)
    client = world.client("andy")
    assert (
        client.get(reverse("web:patient_detail", kwargs={"patient_id": world.patient.pk})).status_code == 200
    )
    assert (
        client.get(reverse("web:patient_detail", kwargs={"patient_id": world.other_patient.pk})).status_code
        == 403
    )
    listing = client.get(reverse("web:patient_list")).content
    assert b"Garcia" in listing and b"Lindqvist" not in listing
