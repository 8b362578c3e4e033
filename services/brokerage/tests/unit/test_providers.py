"""Admission per lot and area with reasons, suspension and removal, and who may see a package."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokerage.domain.providers import LotArea, Provider, ProviderStatus, unknown_lot_areas, why_ineligible
from pbshared.contract.events.brokerage import CqcRating
from pbshared.errors import RuleBroken

HOME_NORTH = LotArea("home_care", "north")
HOME_SOUTH = LotArea("home_care", "south")


def applicant(**changes) -> Provider:
    values = dict(
        provider_id="p1",
        council_id="wyvernshire",
        name="Acorn Care",
        cqc_location_id="1-000000001",
        rating=CqcRating.good,
        capacity_hours_per_week=Decimal(100),
        status=ProviderStatus.applied,
        revision=1,
        applied_for=frozenset({HOME_NORTH, HOME_SOUTH}),
    )
    return Provider(**{**values, **changes})


def admitted(**changes) -> Provider:
    return applicant(**changes).decided({HOME_NORTH}, {HOME_SOUTH: "no carers within reach of the south"})


def test_a_decision_admits_some_lots_and_areas_and_refuses_others_with_reasons() -> None:
    provider = admitted()
    assert provider.status is ProviderStatus.active
    assert provider.admitted_to == {HOME_NORTH}
    assert provider.refusals == {HOME_SOUTH: "no carers within reach of the south"}
    assert provider.revision == 2


def test_refusing_everything_leaves_the_provider_refused() -> None:
    provider = applicant().decided(set(), {HOME_NORTH: "references", HOME_SOUTH: "references"})
    assert provider.status is ProviderStatus.refused


def test_every_lot_and_area_applied_for_needs_exactly_one_decision() -> None:
    with pytest.raises(RuleBroken) as refused:
        applicant().decided({HOME_NORTH, LotArea("nursing", "north")}, {HOME_NORTH: "x"})
    messages = [i.message for i in refused.value.issues]
    assert "nursing in north was not applied for" in messages
    assert "home_care in north is both admitted and refused" in messages
    assert "home_care in south needs a decision" in messages


def test_unknown_lots_and_areas_are_named(rules, localities) -> None:
    issues = unknown_lot_areas({LotArea("nursing", "east")}, rules, localities)
    assert [i.field for i in issues] == ["lots", "areas"]


def test_an_admitted_good_provider_with_hours_free_is_eligible(rules) -> None:
    assert why_ineligible(admitted(), "home_care", ["north"], Decimal(10), rules) == []


@pytest.mark.parametrize(
    ("provider", "lot", "areas", "hours", "reason"),
    [
        (admitted().suspended("rated Inadequate"), "home_care", ["north"], 10, "provider is suspended"),
        (admitted(), "home_care", ["south"], 10, "not admitted to home_care in south"),
        (admitted(), "supported_living", ["north"], 10, "not admitted to supported_living in north"),
        (admitted(rating=CqcRating.inadequate), "home_care", ["north"], 10, "CQC rating below"),
        (admitted(rating=CqcRating.not_yet_rated), "home_care", ["north"], 10, "CQC rating below"),
        (admitted(), "home_care", ["north"], 101, "not enough free capacity"),
    ],
)
def test_each_reason_a_provider_is_not_eligible(rules, provider, lot, areas, hours, reason) -> None:
    reasons = why_ineligible(provider, lot, areas, Decimal(hours), rules)
    assert len(reasons) == 1 and reasons[0].startswith(reason)


def test_a_widened_advert_reaches_a_provider_admitted_to_any_of_its_areas(rules) -> None:
    assert why_ineligible(admitted(), "home_care", ["central", "north"], Decimal(10), rules) == []


def test_committed_hours_count_against_capacity(rules) -> None:
    busy = admitted(committed_hours_per_week=Decimal(95))
    assert why_ineligible(busy, "home_care", ["north"], Decimal(5), rules) == []
    assert why_ineligible(busy, "home_care", ["north"], Decimal("5.5"), rules) != []


def test_suspension_reinstatement_and_removal_keep_their_reasons() -> None:
    suspended = admitted().suspended("rated Inadequate")
    assert (suspended.status, suspended.status_reason) == (ProviderStatus.suspended, "rated Inadequate")
    with pytest.raises(RuleBroken):
        suspended.suspended("again")
    assert suspended.reinstated().status is ProviderStatus.active
    removed = suspended.removed("contract terminated")
    assert removed.status is ProviderStatus.removed and removed.revision == suspended.revision + 1
    with pytest.raises(RuleBroken):
        removed.decided({HOME_NORTH}, {HOME_SOUTH: "x"})
