"""Sealed bids: what a bid must meet to be accepted, every refusal with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pbshared.errors import Issue


@dataclass(frozen=True)
class BidTerms:
    rate_pence: int  # per unit per carer
    earliest_start: date


@dataclass(frozen=True)
class Window:
    """What a bid is judged against: the round's deadline, the ceiling and the latest start."""

    deadline: datetime
    ceiling_pence: int
    latest_start_date: date


def is_open(window: Window, now: datetime) -> bool:
    # The deadline itself is closed: a bid must arrive strictly before it.
    return now < window.deadline


def bid_refusals(terms: BidTerms, window: Window, now: datetime, ineligibility: list[str]) -> list[Issue]:
    """Every reason to refuse the bid; never echoes the amounts asked back."""
    issues = []
    if not is_open(window, now):
        issues.append(Issue("package_id", "bidding closed at the deadline"))
    issues += [Issue("provider_id", f"provider not eligible: {reason}") for reason in ineligibility]
    if terms.rate_pence > window.ceiling_pence:
        issues.append(Issue("rate_pence", "above the ceiling rate for this lot and area"))
    if terms.earliest_start > window.latest_start_date:
        issues.append(Issue("earliest_start", "after the latest acceptable start date"))
    return issues
