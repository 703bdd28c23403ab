"""Assignment suggestions: the agency's care managers ranked by tier-weighted caseload, language, distance."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.personas import stored
from wraparound.accounts.models import Membership, Role
from wraparound.core.models import CareOrganization
from wraparound.enrollment.caseload import (
    CASELOAD_PATH,
    CaseloadRules,
    haversine_miles,
    load_rules,
    suggest_care_managers,
)
from wraparound.enrollment.models import Enrollment
from wraparound.registry.models import Patient
from wraparound.risk.models import RiskProfile

from .conftest import Pipeline

_serial = itertools.count()

# Where the care managers work from, and where the patient lives (the Bronx, New York).
BRONX = (40.8448, -73.8648)
HARLEM = (40.8116, -73.9465)
JAMAICA = (40.7027, -73.789)


def _patient(tier: str | None = None, **fields: Any) -> Patient:
    number = next(_serial)
    patient: Patient = stored(
        Patient, "caseload-test", f"p{number}", family_name=f"Member{number}", given_names="Test", **fields
    )
    if tier is not None:
        RiskProfile.objects.create(patient=patient, tier=tier, computed_at=timezone.now())
    return patient


def _care_manager(agency: CareOrganization, username: str, **facts: Any) -> User:
    user = User.objects.create_user(username, first_name=username.title(), last_name="Tester")
    Membership.objects.create(user=user, organization=agency, role=Role.CARE_MANAGER, **facts)
    return user


def _carries(
    agency: CareOrganization, user: User, *tiers: str | None, status: str = Enrollment.Status.ENROLLED
) -> None:
    for tier in tiers:
        Enrollment.objects.create(
            patient=_patient(tier), organization=agency, status=status, care_manager=user
        )


def _waiting(agency: CareOrganization, **patient_fields: Any) -> Enrollment:
    """The patient the supervisor is about to assign, loaded as the screen loads it."""
    enrollment = Enrollment.objects.create(patient=_patient(**patient_fields), organization=agency)
    return Enrollment.objects.select_related("patient").get(pk=enrollment.pk)


def _ranked(enrollment: Enrollment) -> list[str]:
    return [suggestion.care_manager.username for suggestion in suggest_care_managers(enrollment)]


def test_a_high_tier_patient_weighs_more_than_a_low_tier_one(pipeline: Pipeline) -> None:
    alice = pipeline.users["alice"]
    carol = _care_manager(pipeline.agency, "carol")
    _carries(pipeline.agency, alice, "high", "high")  # 2 patients, weighing 6
    _carries(pipeline.agency, carol, "low", "low", "low", None)  # 4 patients, weighing 4

    suggestions = suggest_care_managers(_waiting(pipeline.agency))

    assert [s.care_manager for s in suggestions] == [carol, alice]
    carol_row, alice_row = suggestions
    assert (carol_row.weighted_caseload, carol_row.patient_count) == (4.0, 4)
    assert (alice_row.weighted_caseload, alice_row.patient_count) == (6.0, 2)
    assert alice_row.tier_counts == {"high": 2, "rising": 0, "moderate": 0, "low": 0, "none": 0}
    assert carol_row.tier_breakdown == [("Low", 3), ("No tier", 1)]
    assert "Lightest weighted caseload (4)" in carol_row.reasons
    assert "Weighted caseload 6" in alice_row.reasons
    assert [s.rank for s in suggestions] == [1, 2]


def test_only_serving_enrollments_count(pipeline: Pipeline) -> None:
    alice = pipeline.users["alice"]
    carol = _care_manager(pipeline.agency, "carol")
    _carries(pipeline.agency, alice, "moderate", status=Enrollment.Status.OUTREACH)
    _carries(pipeline.agency, alice, "rising", status=Enrollment.Status.ASSIGNED)
    for closed in (Enrollment.Status.DISCHARGED, Enrollment.Status.DECLINED, Enrollment.Status.UNREACHABLE):
        _carries(pipeline.agency, carol, "high", "high", status=closed)

    by_name = {s.care_manager.username: s for s in suggest_care_managers(_waiting(pipeline.agency))}

    assert by_name["alice"].weighted_caseload == 3.5  # moderate 1.5 + rising 2
    assert by_name["carol"].weighted_caseload == 0
    assert _ranked(_waiting(pipeline.agency)) == ["carol", "alice"]


def test_a_spanish_speaker_comes_first_for_a_spanish_speaking_patient(pipeline: Pipeline) -> None:
    alice = pipeline.users["alice"]
    Membership.objects.filter(user=alice).update(languages="en")
    lucia = _care_manager(pipeline.agency, "lucia", languages="en, es-US")
    _carries(pipeline.agency, alice, "low")
    _carries(pipeline.agency, lucia, "low", "moderate")  # a little busier

    suggestions = suggest_care_managers(_waiting(pipeline.agency, language_code="es-MX", language="Spanish"))

    assert [s.care_manager for s in suggestions] == [lucia, alice]
    assert suggestions[0].language_match is True and "Speaks Spanish" in suggestions[0].reasons
    assert suggestions[1].language_match is False and "Does not list Spanish" in suggestions[1].reasons


def test_distance_breaks_a_tie(pipeline: Pipeline) -> None:
    alice = pipeline.users["alice"]
    Membership.objects.filter(user=alice).update(base_latitude=JAMAICA[0], base_longitude=JAMAICA[1])
    near = _care_manager(pipeline.agency, "near", base_latitude=HARLEM[0], base_longitude=HARLEM[1])
    _carries(pipeline.agency, alice, "moderate")
    _carries(pipeline.agency, near, "moderate")

    suggestions = suggest_care_managers(_waiting(pipeline.agency, latitude=BRONX[0], longitude=BRONX[1]))

    assert [s.care_manager for s in suggestions] == [near, alice]
    assert suggestions[0].weighted_caseload == suggestions[1].weighted_caseload
    near_miles, far_miles = suggestions[0].distance_miles, suggestions[1].distance_miles
    assert near_miles is not None and far_miles is not None
    assert 4 < near_miles < 5 and 10 < far_miles < 11
    assert f"{near_miles:.1f} mi away" in suggestions[0].reasons


def test_equal_scores_keep_a_stable_order_by_name(pipeline: Pipeline) -> None:
    _care_manager(pipeline.agency, "zoe")
    _care_manager(pipeline.agency, "adam")
    assert _ranked(_waiting(pipeline.agency)) == ["alice", "adam", "zoe"]  # last name, first name


def test_unknown_facts_do_not_crash_and_say_so(pipeline: Pipeline) -> None:
    (suggestion,) = suggest_care_managers(_waiting(pipeline.agency))  # no language, no place, no tiers

    assert suggestion.care_manager == pipeline.users["alice"]
    assert suggestion.language_match is None and suggestion.distance_miles is None
    assert suggestion.weighted_caseload == 0 and suggestion.patient_count == 0
    assert suggestion.reasons == ("Lightest weighted caseload (0)",)
    rules = load_rules()
    expected = rules.load_weight + rules.unknown * (rules.language_weight + rules.distance_weight)
    assert suggestion.score == pytest.approx(expected)


def test_a_patient_language_with_unrecorded_care_manager_languages_is_unknown(pipeline: Pipeline) -> None:
    (suggestion,) = suggest_care_managers(_waiting(pipeline.agency, language_code="vi", latitude=BRONX[0]))
    assert suggestion.language_match is None
    assert suggestion.distance_miles is None  # a latitude without a longitude is no location


def test_inactive_memberships_users_and_other_agencies_are_left_out(pipeline: Pipeline) -> None:
    former = _care_manager(pipeline.agency, "former")
    Membership.objects.filter(user=former).update(is_active=False)
    gone = _care_manager(pipeline.agency, "gone")
    gone.is_active = False
    gone.save()
    supervisor_also_cm = pipeline.users["sam"]  # a supervisor is not a care manager
    _carries(pipeline.other, pipeline.users["bob"], "high")

    ranked = _ranked(_waiting(pipeline.agency))

    assert ranked == ["alice"]
    assert supervisor_also_cm.username not in ranked and "bob" not in ranked


def test_patients_carried_for_another_agency_do_not_count(pipeline: Pipeline) -> None:
    alice = pipeline.users["alice"]
    Membership.objects.create(user=alice, organization=pipeline.other, role=Role.CARE_MANAGER)
    _carries(pipeline.other, alice, "high", "high")

    (suggestion,) = suggest_care_managers(_waiting(pipeline.agency))

    assert suggestion.weighted_caseload == 0


@pytest.mark.parametrize("care_managers", [2, 20])
def test_the_number_of_queries_does_not_grow_with_the_agency(
    pipeline: Pipeline, care_managers: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    tiers = ["high", "rising", "moderate", "low", None]
    for number in range(care_managers - 1):  # alice is the first
        user = _care_manager(
            pipeline.agency, f"cm{number}", languages="en,es", base_latitude=40.7, base_longitude=-73.9
        )
        _carries(pipeline.agency, user, *tiers[: number % 5 + 1])
    enrollment = _waiting(pipeline.agency, language_code="es", latitude=BRONX[0], longitude=BRONX[1])

    with django_assert_num_queries(2):  # the memberships, the caseloads
        suggestions = suggest_care_managers(enrollment)

    assert len(suggestions) == care_managers


def test_the_rules_come_from_the_data_file_and_are_checked() -> None:
    rules = load_rules()
    assert rules.version and CASELOAD_PATH.name == "caseload.toml"
    assert rules.tier_weights["high"] > rules.tier_weights["low"]
    with pytest.raises(ValueError, match="missing"):
        CaseloadRules.from_dict(
            {
                "version": "x",
                "tier_weights": {"high": 3},
                "score_weights": {"load": 1, "language": 1, "distance": 1},
                "scale": {"full_caseload": 1, "far_miles": 1, "unknown": 0.5},
            }
        )


def test_haversine_distance_in_miles() -> None:
    assert haversine_miles(*BRONX, *BRONX) == 0
    assert haversine_miles(40.7128, -74.0060, 42.3601, -71.0589) == pytest.approx(190, abs=2)  # NYC-Boston
