"""A care package on its way to a provider: advertised in rounds, awarded, accepted, placed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from brokerage.domain.bids import Window
from pbshared.contract.events.brokerage import PackageNeeds, PackageOrigin
from pbshared.errors import RuleBroken


class PackageStatus(StrEnum):
    advertised = "advertised"  # bidding open until the round's deadline
    awarded = "awarded"  # waiting for the awarded provider to accept
    placed = "placed"
    escalated = "escalated"  # unfilled under the council's rule: a broker takes it on
    withdrawn = "withdrawn"  # the budget behind it ended or no longer asks for it


OPEN = frozenset({PackageStatus.advertised, PackageStatus.awarded, PackageStatus.escalated})


class BidStatus(StrEnum):
    open = "open"
    withdrawn = "withdrawn"
    awarded = "awarded"
    accepted = "accepted"
    declined = "declined"
    lapsed = "lapsed"  # not accepted in time
    passed_on = "passed_on"  # no longer eligible when it came to accept (capacity filled since, suspended)


@dataclass(frozen=True)
class Package:
    package_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    origin: PackageOrigin
    budget_id: uuid.UUID | None
    needs: PackageNeeds
    status: PackageStatus
    round: int
    areas: list[str]
    deadline: datetime | None
    revision: int
    ranking: list[dict] | None = None
    awarded_bid_id: uuid.UUID | None = None
    accept_by: datetime | None = None
    escalation_reason: str | None = None
    budget_revision: int | None = None
    needs_from_round: int = 1  # a revision that changes the needs starts their count of rounds again
    awarded_at: datetime | None = None
    withdrawal_reason: str | None = None
    requested_at: datetime | None = None  # set when stored, if not before

    @property
    def rounds_for_these_needs(self) -> int:
        return self.round - self.needs_from_round + 1

    @property
    def hours_per_week(self) -> Decimal:
        """What the package takes from a provider's capacity: every carer's hours."""
        return self.needs.units_per_week * self.needs.carers_per_visit

    @property
    def window(self) -> Window:
        assert self.deadline is not None
        return Window(self.deadline, self.needs.ceiling_pence, self.needs.latest_start_date)

    def bidding_open(self, now: datetime) -> bool:
        return self.status is PackageStatus.advertised and self.deadline is not None and now < self.deadline

    def advertised(self, round_number: int, areas: list[str], latest_start: date, deadline: datetime) -> Package:
        needs = self.needs.model_copy(update={"latest_start_date": latest_start})
        return replace(
            self,
            needs=needs,
            status=PackageStatus.advertised,
            round=round_number,
            areas=areas,
            deadline=deadline,
            ranking=None,
            awarded_bid_id=None,
            accept_by=None,
            awarded_at=None,
            revision=self.revision + 1,
        )

    def readvertised_for(self, needs: PackageNeeds, deadline: datetime) -> Package:
        """New needs while bidding or awaiting acceptance: bids for the old ones no longer fit, so a
        fresh round starts, and the re-advertising rule counts its rounds from this one."""
        following = self.advertised(self.round + 1, self.areas, needs.latest_start_date, deadline)
        return replace(following, needs=needs, needs_from_round=following.round)

    def awarded(self, ranking: list[dict], bid_id: uuid.UUID, accept_by: datetime, now: datetime) -> Package:
        return replace(
            self,
            status=PackageStatus.awarded,
            ranking=ranking,
            awarded_bid_id=bid_id,
            accept_by=accept_by,
            awarded_at=now,
            revision=self.revision + 1,
        )

    def withdrawn(self, reason: str) -> Package:
        return replace(
            self, status=PackageStatus.withdrawn, withdrawal_reason=reason, accept_by=None, revision=self.revision + 1
        )

    def escalated(self, reason: str) -> Package:
        return replace(self, status=PackageStatus.escalated, escalation_reason=reason, revision=self.revision + 1)

    def placed(self) -> Package:
        if self.status is not PackageStatus.awarded:
            raise RuleBroken.about("package_id", "only an awarded package can be accepted", where="path")
        return replace(self, status=PackageStatus.placed, accept_by=None, revision=self.revision + 1)

    def placed_off_dps(self) -> Package:
        """A broker places an escalated package with a provider not on the DPS."""
        if self.status is not PackageStatus.escalated:
            raise RuleBroken.about(
                "package_id", "only a package escalated to a broker can be placed off the DPS", where="path"
            )
        return replace(self, status=PackageStatus.placed, revision=self.revision + 1)


@dataclass(frozen=True)
class Bid:
    bid_id: uuid.UUID
    package_id: uuid.UUID
    round: int
    council_id: str
    provider_id: str
    rate_pence: int
    earliest_start: date
    notes: str | None
    status: BidStatus
    revision: int
    submitted_at: datetime
    status_reason: str | None = None
