"""Member-months worked by hand: who is billable for March 2026 under health-home-2025, and why."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from wraparound.worklists.billing.engine import Basis, MemberMonth, Reason, member_months
from wraparound.worklists.billing.rulepacks import BillingPack, Rates, pack_for

from .test_billing_world import MARCH, World, build_world, local


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def pack() -> BillingPack:
    return pack_for(MARCH)


def _march(world: World, pack: BillingPack) -> dict[str, MemberMonth]:
    return {member.patient.family_name: member for member in member_months(world.agency.pk, MARCH, pack)}


ENROLLED_SINCE_JANUARY = [
    ("identified", local(2025, 12, 1)),
    ("assigned", local(2025, 12, 2)),
    ("outreach", local(2025, 12, 3)),
    ("enrolled", local(2026, 1, 10)),
]


def test_enrolled_with_a_core_service_contact_is_billable(world: World, pack: BillingPack) -> None:
    garcia = world.member("Garcia", ENROLLED_SINCE_JANUARY)
    contact = world.contact(garcia, local(2026, 3, 12), ("care_coordination", "transitional_care"))
    month = _march(world, pack)["Garcia"]
    assert month.basis == Basis.ENROLLED and month.billable
    assert month.reason_code == Reason.ENROLLED_CORE_SERVICE
    assert month.reason == (
        "Enrolled; Care coordination and health promotion, Comprehensive transitional care delivered on 03/12/2026."
    )
    [evidence] = month.evidence
    assert (evidence.kind, evidence.id, evidence.qualifies) == ("contact", contact.pk, True)
    assert evidence.services == ("care_coordination", "transitional_care")


@pytest.mark.parametrize(
    ("contacts", "reason"),
    [
        ([], Reason.ENROLLED_NO_CONTACT),
        ([(("care_management",), False)], Reason.ENROLLED_NO_SUCCESSFUL_CONTACT),
        ([((), True)], Reason.ENROLLED_NO_CORE_SERVICE),
        ([((), True), (("care_management",), False)], Reason.ENROLLED_NO_CORE_SERVICE),
    ],
    ids=["no contact", "only an unsuccessful contact", "a contact with no service", "neither together"],
)
def test_enrolled_without_a_qualifying_contact_is_not_billable(
    world: World, pack: BillingPack, contacts: list[tuple[tuple[str, ...], bool]], reason: Reason
) -> None:
    lee = world.member("Lee", ENROLLED_SINCE_JANUARY)
    for services, successful in contacts:
        world.contact(lee, local(2026, 3, 5), services, successful=successful)
    world.contact(lee, local(2026, 2, 27))  # February's contact counts for February only
    world.contact(lee, local(2026, 3, 20), agency=world.other)  # another agency's contact never counts
    month = _march(world, pack)["Lee"]
    assert month.basis == Basis.ENROLLED and not month.billable
    assert month.reason_code == reason
    assert len(month.evidence) == len(contacts)


IN_OUTREACH_SINCE_MARCH = [
    ("identified", local(2026, 2, 20)),
    ("assigned", local(2026, 2, 25)),
    ("outreach", local(2026, 3, 2)),
]


def test_outreach_month_with_mail_only_is_not_billable(world: World, pack: BillingPack) -> None:
    okafor = world.member("Okafor", IN_OUTREACH_SINCE_MARCH)
    world.attempt(okafor, local(2026, 3, 4), "mail")
    world.attempt(okafor, local(2026, 3, 18), "mail", "returned_mail")
    month = _march(world, pack)["Okafor"]
    assert month.basis == Basis.OUTREACH and not month.billable
    assert month.reason_code == Reason.OUTREACH_MAIL_ONLY
    assert [item.qualifies for item in month.evidence] == [False, False]


def test_outreach_month_with_a_phone_attempt_is_billable(world: World, pack: BillingPack) -> None:
    okafor = world.member("Okafor", IN_OUTREACH_SINCE_MARCH)
    world.attempt(okafor, local(2026, 3, 4), "mail")
    phone = world.attempt(okafor, local(2026, 3, 9), "phone", "no_answer")
    month = _march(world, pack)["Okafor"]
    assert month.basis == Basis.OUTREACH and month.billable
    assert month.reason_code == Reason.OUTREACH_ATTEMPT
    assert (
        month.reason
        == "In outreach; qualifying attempt (phone) on 03/09/2026 (outreach month 1 of at most 3)."
    )
    assert [(item.id, item.qualifies) for item in month.evidence if item.qualifies] == [(phone.pk, True)]


def test_outreach_without_any_attempt_is_not_billable(world: World, pack: BillingPack) -> None:
    world.member("Nguyen", IN_OUTREACH_SINCE_MARCH)
    month = _march(world, pack)["Nguyen"]
    assert (month.basis, month.billable, month.reason_code) == (
        Basis.OUTREACH,
        False,
        Reason.OUTREACH_NO_ATTEMPT,
    )


def test_outreach_past_the_limit_is_not_billable(world: World, pack: BillingPack) -> None:
    """In outreach since November: no attempt in November, then December, January, February billed."""
    haddad = world.member("Haddad", [("assigned", local(2025, 11, 3)), ("outreach", local(2025, 11, 4))])
    for month in ((2025, 12), (2026, 1), (2026, 2), (2026, 3)):
        world.attempt(haddad, local(*month, 6), "phone")
    world.attempt(haddad, local(2026, 1, 20), "text")  # a second attempt in a month counts once
    assert pack.max_outreach_months == 3
    march = _march(world, pack)["Haddad"]
    assert march.basis == Basis.OUTREACH and not march.billable
    assert march.reason_code == Reason.OUTREACH_LIMIT
    assert "already billed 3 outreach months" in march.reason
    assert [item.qualifies for item in march.evidence] == [False]  # nothing counted past the limit
    february = {
        m.patient.family_name: m for m in member_months(world.agency.pk, MARCH.replace(month=2), pack)
    }
    assert february["Haddad"].billable and february["Haddad"].reason_params["number"] == 3


def test_a_new_outreach_episode_counts_its_months_afresh(world: World, pack: BillingPack) -> None:
    smith = world.member(
        "Smith",
        [
            ("outreach", local(2025, 10, 1)),
            ("unreachable", local(2026, 1, 31)),
            ("outreach", local(2026, 3, 1, 9)),
        ],
    )
    for month in ((2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 3)):
        world.attempt(smith, local(*month, 15), "in_person")
    march = _march(world, pack)["Smith"]
    assert march.billable and march.reason_params["number"] == 1


def test_enrollment_overrides_outreach_in_the_month_it_happens(world: World, pack: BillingPack) -> None:
    rodriguez = world.member(
        "Rodriguez",
        [("assigned", local(2026, 2, 1)), ("outreach", local(2026, 2, 2)), ("enrolled", local(2026, 3, 15))],
    )
    world.attempt(rodriguez, local(2026, 3, 3), "phone")
    month = _march(world, pack)["Rodriguez"]
    assert month.basis == Basis.ENROLLED and not month.billable  # enrolled: the phone attempt does not count
    assert month.reason_code == Reason.ENROLLED_NO_CONTACT


def test_who_is_listed(world: World, pack: BillingPack) -> None:
    world.member("Ivanova", [("identified", local(2026, 2, 1))])
    world.member("Brown", [("enrolled", local(2025, 6, 1)), ("discharged", local(2026, 2, 28))])
    world.member("Kowalski", [("enrolled", local(2025, 6, 1)), ("discharged", local(2026, 3, 3))])
    world.member("Johnson", [("enrolled", local(2026, 4, 2))])  # after March
    world.member("Mei", ENROLLED_SINCE_JANUARY, agency=world.other)
    months = _march(world, pack)
    assert sorted(months) == ["Ivanova", "Kowalski"]
    assert (months["Ivanova"].basis, months["Ivanova"].reason_code) == (Basis.NONE, Reason.NOT_IN_OUTREACH)
    assert months["Kowalski"].basis == Basis.ENROLLED  # enrolled on March 1 and 2


def test_rates_by_tier_when_the_pack_has_them(world: World, pack: BillingPack) -> None:
    with_rates = dataclasses.replace(
        pack,
        rates=Rates(
            outreach=Decimal("135.00"), enrolled={"high": Decimal("300.00"), "default": Decimal("150.00")}
        ),
    )
    high = world.member("Garcia", ENROLLED_SINCE_JANUARY, tier="high")
    low = world.member("Lee", ENROLLED_SINCE_JANUARY, tier="low")
    reached = world.member("Okafor", IN_OUTREACH_SINCE_MARCH)
    unreached = world.member("Nguyen", IN_OUTREACH_SINCE_MARCH)
    world.contact(high, local(2026, 3, 3))
    world.contact(low, local(2026, 3, 4))
    world.attempt(reached, local(2026, 3, 5), "video")
    months = _march(world, with_rates)
    assert (months["Garcia"].tier, months["Garcia"].amount) == ("high", Decimal("300.00"))
    assert (months["Lee"].tier, months["Lee"].amount) == ("low", Decimal("150.00"))
    assert months["Okafor"].amount == Decimal("135.00")
    assert months["Nguyen"].amount is None and months["Nguyen"].rate == Decimal("135.00")
    assert _march(world, pack)["Garcia"].amount is None  # the shipped pack sets no rates
    assert unreached.pk
