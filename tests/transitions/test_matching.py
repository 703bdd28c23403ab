"""The patient of a message: by MRN, by Medicaid ID, by demographics; anything uncertain goes to review."""

from __future__ import annotations

from wraparound.transitions.models import MatchReview, Stay
from wraparound.transitions.processing import process_inbox
from wraparound.worklists.models import Alert

from .conftest import World, adt, give_mrn, make_patient, send

NOBODY = "999999^^^GHH^MR"


def test_by_mrn_of_the_facility(world: World) -> None:
    make_patient("twin")  # same demographics, no MRN: the identifier decides
    send(adt("A01", when="20260302081500", admitted="20260302080000"))
    assert process_inbox().outcomes == {"matched_identifier": 1}
    assert Stay.objects.get().patient_id == world.maria.pk


def test_an_mrn_of_another_facility_does_not_count(world: World) -> None:
    other = make_patient("other", given_names="Ana", family_name="Lopez", postal_code="02110")
    give_mrn(other, "555", system="urn:hospital:OTHER")
    send(adt("A01", when="20260302081500", pid3="555^^^GHH^MR", name="LOPEZ^ANA", postal_code="02999"))
    process_inbox()
    assert MatchReview.objects.get().reason == MatchReview.Reason.NOT_FOUND
    assert not Stay.objects.exists()


def test_by_medicaid_id(world: World) -> None:
    send(adt("A01", when="20260302081500", pid3="MA100234567^^^NYMEDICAID^MA", name="GARCIA^M"))
    assert process_inbox().outcomes == {"matched_medicaid": 1}
    assert Stay.objects.get().patient_id == world.maria.pk


def test_by_demographics_when_no_identifier_is_known(world: World) -> None:
    send(adt("A01", when="20260302081500", pid3=NOBODY, name="GARCIA^MARIA^ELENA"))
    assert process_inbox().outcomes == {"matched_demographics": 1}
    assert Stay.objects.get().patient_id == world.maria.pk


def test_demographics_that_fit_two_patients_go_to_review(world: World) -> None:
    twin = make_patient("twin")
    send(adt("A01", when="20260302081500", pid3=NOBODY))
    assert process_inbox().outcomes == {"ambiguous": 1}
    review = MatchReview.objects.get()
    assert review.reason == MatchReview.Reason.AMBIGUOUS
    assert set(review.candidates) == {str(world.maria.pk), str(twin.pk)}
    assert review.summary["family_name"] == "GARCIA"
    assert not Stay.objects.exists() and not Alert.objects.exists()  # nothing is guessed


def test_one_demographic_difference_is_no_match(world: World) -> None:
    send(adt("A01", when="20260302081500", pid3=NOBODY, postal_code="01104"))
    process_inbox()
    assert MatchReview.objects.get().reason == MatchReview.Reason.NOT_FOUND


def test_an_mrn_shared_by_two_patients_is_ambiguous(world: World) -> None:
    other = make_patient("other", given_names="Ana", family_name="Lopez")
    give_mrn(other, "100200")
    send(adt("A01", when="20260302081500"))
    process_inbox()
    assert MatchReview.objects.get().reason == MatchReview.Reason.AMBIGUOUS


def test_a_merge_is_recorded_for_review_only(world: World) -> None:
    send(adt("A40", when="20260302081500", merged_from="100999^^^GHH^MR"))
    process_inbox()
    review = MatchReview.objects.get()
    assert review.reason == MatchReview.Reason.MERGE
    assert review.candidates == [str(world.maria.pk)]
    assert review.summary["prior_identifiers"] == [{"value": "100999", "authority": "GHH", "type": "MR"}]
    assert not Stay.objects.exists()
