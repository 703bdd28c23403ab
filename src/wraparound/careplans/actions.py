"""Changes to care teams (the workspace issue adds the rest of the care plan)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from wraparound.careplans.models import CareTeam, CareTeamMember
from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient


@transaction.atomic
def do_add_care_team_member(
    *,
    patient: Patient,
    organization: CareOrganization,
    user_id: int | None,
    role: str,
    start: dt.date | None = None,
    name: str = "",
) -> CareTeamMember:
    """Put someone on the patient's active care team (created, led by ``organization``, if none)."""
    team = CareTeam.objects.filter(patient=patient, status=CareTeam.Status.ACTIVE).first()
    if team is None:
        team = CareTeam.objects.create(patient=patient, organization=organization)
    member, _ = CareTeamMember.objects.get_or_create(
        care_team=team,
        user_id=user_id,
        role=role,
        end=None,
        defaults={"organization": organization, "start": start or timezone.localdate(), "name": name},
    )
    return member
