"""The demo tests' world: a few patients given to the demo's organizations, users and caseloads
with the demo's own pieces, not the full 2,000-member demo."""

from __future__ import annotations

import pytest

from tests.personas import stored
from wraparound.cli.demo import ensure_demo_caseloads, ensure_demo_organizations_and_users
from wraparound.core.models import CareOrganization
from wraparound.registry.models import Patient

PATIENTS = 60
FAMILIES = ("Alvarez", "Brown", "Chen", "Diaz", "Evans", "Fofana", "Garcia", "Hughes", "Ibrahim", "Jones")


@pytest.fixture
def demo_world(db: None) -> CareOrganization:
    for n in range(PATIENTS):
        family = FAMILIES[n % len(FAMILIES)]
        given = f"Member{n:02d}"
        stored(
            Patient,
            "demo-test",
            f"p{n:02d}",
            given_names=given,
            family_name=family,
            search_name=f"{given} {family}".lower(),
            language_code="es" if n % 3 == 0 else "en",
            medicaid_id=f"DM{n:08d}",
        )
    ensure_demo_organizations_and_users()
    assert ensure_demo_caseloads() == PATIENTS
    return CareOrganization.objects.get(name="Riverbend Care Management")
