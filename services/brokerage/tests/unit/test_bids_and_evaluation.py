"""Bid refusals with reasons, the deadline boundary, scoring with explanations, tie-break, award
passing on, re-advertising and escalation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from brokerage.domain.bids import BidTerms, Window, bid_refusals
from brokerage.domain.evaluation import ProviderRecord, SealedBid, rank_bids
from brokerage.domain.rounds import Escalate, Readvert, after_unfilled, next_award
from pbshared.contract.events.brokerage import CqcRating

DEADLINE = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(deadline=DEADLINE, ceiling_pence=2450, latest_start_date=date(2026, 5, 10))
FAIR = BidTerms(rate_pence=2300, earliest_start=date(2026, 5, 4))
T0 = DEADLINE - timedelta(hours=2)


def fields(issues) -> list[str]:
    return [i.field for i in issues]


def test_a_fair_bid_one_second_before_the_deadline_is_accepted() -> None:
    assert bid_refusals(FAIR, WINDOW, DEADLINE - timedelta(seconds=1), []) == []


def test_a_bid_at_or_one_second_after_the_deadline_is_refused() -> None:
    assert fields(bid_refusals(FAIR, WINDOW, DEADLINE, [])) == ["package_id"]
    assert fields(bid_refusals(FAIR, WINDOW, DEADLINE + timedelta(seconds=1), [])) == ["package_id"]


def test_every_refusal_reason_is_listed_together_without_the_amounts() -> None:
    greedy_and_late = BidTerms(rate_pence=2451, earliest_start=date(2026, 5, 11))
    issues = bid_refusals(greedy_and_late, WINDOW, DEADLINE, ["provider is suspended"])
    assert fields(issues) == ["package_id", "provider_id", "rate_pence", "earliest_start"]
    assert issues[1].message == "provider not eligible: provider is suspended"
    assert not any("2451" in i.message for i in issues)


def test_a_bid_at_the_ceiling_and_starting_on_the_latest_date_is_accepted() -> None:
    edge = BidTerms(rate_pence=2450, earliest_start=date(2026, 5, 10))
    assert bid_refusals(edge, WINDOW, T0, []) == []


def bid(provider: str, rate: int, *, start: date = date(2026, 5, 4), minute: int = 0) -> SealedBid:
    return SealedBid(uuid.uuid4(), provider, rate, start, T0 + timedelta(minutes=minute))


GOOD = ProviderRecord(CqcRating.good, accepted_packages=0, handed_back_packages=0)


def test_price_and_quality_are_weighted_by_the_lot_and_explained(rules) -> None:
    cheap = bid("cheap", 2000)
    dear = bid("dear", 2400)
    records = {
        "cheap": ProviderRecord(CqcRating.requires_improvement, 0, 0),
        "dear": ProviderRecord(CqcRating.outstanding, 10, 0),
    }
    ranking = rank_bids([dear, cheap], records, rules.lot("home_care"), rules.quality)
    # cheap: price 100; quality 40x70% + 50x30% = 43; total 60 + 17.2 = 77.2
    # dear: price 100x2000/2400 = 83.33; quality 100x70% + 100x30% = 100; total 50 + 40 = 90
    assert [s.bid.provider_id for s in ranking] == ["dear", "cheap"]
    assert [s.rank for s in ranking] == [1, 2]
    assert float(ranking[1].total) == 77.2
    assert ranking[0].explanation.startswith("price 83.33 x 60% + quality 100.00 x 40% = 90.00; rate 2400p")
    assert "CQC outstanding 100.00 x 70%, record 100.00 x 30%" in ranking[0].explanation


def test_handed_back_packages_lower_the_quality_score(rules) -> None:
    reliable, flaky = bid("reliable", 2300), bid("flaky", 2300)
    records = {"reliable": ProviderRecord(CqcRating.good, 4, 0), "flaky": ProviderRecord(CqcRating.good, 4, 2)}
    ranking = rank_bids([flaky, reliable], records, rules.lot("home_care"), rules.quality)
    assert [s.bid.provider_id for s in ranking] == ["reliable", "flaky"]
    assert ranking[1].quality_points == 80 * 70 / 100 + 50 * 30 / 100


def test_equal_scores_tie_break_on_start_then_time_of_bid_then_provider(rules) -> None:
    later_start = bid("a", 2300, start=date(2026, 5, 5))
    second = bid("b", 2300, minute=2)
    first = bid("c", 2300, minute=1)
    same_moment = bid("d", 2300, minute=1)
    records = dict.fromkeys("abcd", GOOD)
    for order in ([later_start, second, first, same_moment], [same_moment, first, second, later_start]):
        ranking = rank_bids(order, records, rules.lot("home_care"), rules.quality)
        assert [s.bid.provider_id for s in ranking] == ["c", "d", "b", "a"]


def test_no_bids_rank_nothing(rules) -> None:
    assert rank_bids([], {}, rules.lot("home_care"), rules.quality) == []


def test_an_award_that_lapses_passes_to_the_next_bid_until_the_ranking_is_spent(rules) -> None:
    bids = [bid("a", 2000), bid("b", 2100), bid("c", 2200)]
    ranking = rank_bids(bids, dict.fromkeys("abc", GOOD), rules.lot("home_care"), rules.quality)
    assert next_award(ranking, []).bid.provider_id == "a"
    assert next_award(ranking, [bids[0].bid_id]).bid.provider_id == "b"
    assert next_award(ranking, [bids[0].bid_id, bids[1].bid_id]).bid.provider_id == "c"
    assert next_award(ranking, [b.bid_id for b in bids]) is None


def test_an_unfilled_first_round_is_readvertised_wider_and_later_then_escalated(rules, localities) -> None:
    readvert = after_unfilled(1, ["north"], date(2026, 5, 10), rules.readvertising, localities)
    assert readvert == Readvert(2, ["north", "central"], date(2026, 5, 17))
    escalated = after_unfilled(2, readvert.areas, readvert.latest_start_date, rules.readvertising, localities)
    assert isinstance(escalated, Escalate)
    assert escalated.reason.startswith("unfilled after 2 round(s)")


def test_a_rule_of_no_readverts_escalates_at_once(rules, localities) -> None:
    rule = rules.readvertising.model_copy(update={"rounds": 0})
    assert isinstance(after_unfilled(1, ["north"], date(2026, 5, 10), rule, localities), Escalate)
