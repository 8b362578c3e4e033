"""Evaluation at the deadline: each bid's weighted score of price and quality, explained, and a
deterministic ranking (docs/domain/brokerage.md, "Evaluation").

Price points: 100 x the lowest rate bid / this bid's rate (the lowest bid gets 100). Quality points:
the CQC rating's points and the provider's record here (packages kept over packages accepted),
weighted as the council's rules say. Total: the lot's price and quality weights. Scores are exact
fractions; only the explanation rounds, to two places.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from brokerage.domain.reference.dps_rules import Lot, Quality
from pbshared.contract.events.brokerage import CqcRating


@dataclass(frozen=True)
class SealedBid:
    bid_id: uuid.UUID
    provider_id: str
    rate_pence: int
    earliest_start: date
    submitted_at: datetime


@dataclass(frozen=True)
class ProviderRecord:
    rating: CqcRating
    accepted_packages: int
    handed_back_packages: int


@dataclass(frozen=True)
class ScoredBid:
    bid: SealedBid
    rank: int
    price_points: Fraction
    quality_points: Fraction
    total: Fraction
    explanation: str
    total_shown: str  # the total to two places, as the explanation shows it


def record_points(record: ProviderRecord, quality: Quality) -> Fraction:
    if record.accepted_packages == 0:
        return Fraction(quality.record_points_without_history)
    kept = max(record.accepted_packages - record.handed_back_packages, 0)
    return Fraction(100 * kept, record.accepted_packages)


def _points(value: Fraction) -> str:
    return f"{float(round(value, 2)):.2f}"


def rank_bids(bids: list[SealedBid], records: dict[str, ProviderRecord], lot: Lot, quality: Quality) -> list[ScoredBid]:
    """Best first. Ties go to the lower rate, then the earlier start, then the earlier bid, then the
    provider id: the same bids always rank the same way."""
    if not bids:
        return []
    lowest = min(b.rate_pence for b in bids)
    scored = []
    for bid in bids:
        record = records[bid.provider_id]
        price = Fraction(100 * lowest, bid.rate_pence) if bid.rate_pence else Fraction(100)
        rating = Fraction(quality.rating_points[record.rating])
        history = record_points(record, quality)
        quality_points = (rating * quality.rating_percent + history * quality.record_percent) / 100
        total = (price * lot.price_weight_percent + quality_points * lot.quality_weight_percent) / 100
        shown = _points(total)
        explanation = (
            f"price {_points(price)} x {lot.price_weight_percent}% + quality {_points(quality_points)} x "
            f"{lot.quality_weight_percent}% = {shown}; rate {bid.rate_pence}p against the lowest "
            f"{lowest}p; CQC {record.rating} {_points(rating)} x {quality.rating_percent}%, record "
            f"{_points(history)} x {quality.record_percent}%"
        )
        scored.append((bid, price, quality_points, total, explanation, shown))
    scored.sort(key=lambda s: (-s[3], s[0].rate_pence, s[0].earliest_start, s[0].submitted_at, s[0].provider_id))
    return [
        ScoredBid(bid, rank, price, quality_points, total, explanation, shown)
        for rank, (bid, price, quality_points, total, explanation, shown) in enumerate(scored, start=1)
    ]
