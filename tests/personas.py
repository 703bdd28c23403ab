"""Links that open a patient's record to a persona, as the product makes them (care teams)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import User

from wraparound.accounts.models import Membership
from wraparound.audit.actions import Actor
from wraparound.careplans.actions import do_add_care_team_member
from wraparound.careplans.models import CareTeamMember
from wraparound.registry.access import Viewer
from wraparound.registry.models import Patient, StoredResource

RECEIVED = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def stored(model: type[StoredResource], source: str, source_id: str, **fields: Any) -> Any:
    """A registry row as an import would leave it (no FHIR JSON beyond type and id)."""
    return model._default_manager.create(
        id=model.identity(source, source_id),
        source=source,
        source_id=source_id,
        resource={"resourceType": model.FHIR_TYPE, "id": source_id},
        content_hash=hashlib.md5(source_id.encode(), usedforsecurity=False).hexdigest(),
        received_at=RECEIVED,
        updated_at=RECEIVED,
        **fields,
    )


def put_on_care_team(user: User, patient: Patient, role: str = CareTeamMember.Role.LEAD_CARE_MANAGER) -> None:
    """``user`` joins the patient's care team, for the organization of their first membership."""
    membership = Membership.objects.filter(user=user).select_related("organization").order_by("id").first()
    assert membership is not None, f"{user.username} needs a membership first"
    do_add_care_team_member(patient=patient, organization=membership.organization, user_id=user.pk, role=role)


def viewer_of(user: User) -> Viewer:
    """The viewer ``user`` is when acting in their (only) membership, as a signed-in request makes it."""
    acting = Membership.objects.select_related("organization").get(user=user)
    actor = Actor(
        user_id=user.pk, username=user.username, organization_id=acting.organization_id, role=acting.role
    )
    return Viewer(user, acting, actor)
