"""Providers on the Dynamic Purchasing System: admission is open at any time, per lot and area, and a
council may suspend or remove a provider with its reason (docs/domain/brokerage.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from brokerage.domain.reference.dps_rules import DpsRules, at_or_above
from brokerage.domain.reference.localities import Localities
from pbshared.contract.events.brokerage import CqcRating
from pbshared.errors import Issue, RuleBroken, Unacceptable


class ProviderStatus(StrEnum):
    applied = "applied"
    active = "active"  # admitted to at least one lot and area
    refused = "refused"  # refused everything it applied for
    suspended = "suspended"  # sees no new packages; its open bids are withdrawn
    removed = "removed"  # off the DPS for good


@dataclass(frozen=True)
class LotArea:
    lot: str
    area: str


@dataclass(frozen=True)
class Provider:
    provider_id: str
    council_id: str
    name: str
    cqc_location_id: str | None
    rating: CqcRating
    capacity_hours_per_week: Decimal
    status: ProviderStatus
    revision: int
    applied_for: frozenset[LotArea]
    admitted_to: frozenset[LotArea] = frozenset()
    refusals: dict[LotArea, str] = field(default_factory=dict)
    status_reason: str | None = None
    committed_hours_per_week: Decimal = Decimal(0)
    accepted_packages: int = 0
    handed_back_packages: int = 0

    @property
    def free_hours_per_week(self) -> Decimal:
        return self.capacity_hours_per_week - self.committed_hours_per_week

    def decided(self, admit: set[LotArea], refuse: dict[LotArea, str]) -> Provider:
        """The council's decision on every lot and area applied for: each admitted, or refused with a reason."""
        if self.status in (ProviderStatus.suspended, ProviderStatus.removed):
            raise RuleBroken.about("status", f"a {self.status} provider cannot be admitted; reinstate it first")
        issues = [Issue("admit", f"{la.lot} in {la.area} was not applied for") for la in admit - self.applied_for]
        issues += [Issue("refuse", f"{la.lot} in {la.area} is both admitted and refused") for la in admit & set(refuse)]
        undecided = self.applied_for - admit - set(refuse)
        issues += [Issue("refuse", f"{la.lot} in {la.area} needs a decision") for la in sorted(undecided, key=str)]
        if issues:
            raise Unacceptable("every lot and area applied for needs one decision", issues)
        status = ProviderStatus.active if admit else ProviderStatus.refused
        return replace(
            self, admitted_to=frozenset(admit), refusals=dict(refuse), status=status, revision=self.revision + 1
        )

    def suspended(self, reason: str) -> Provider:
        if self.status is not ProviderStatus.active:
            raise RuleBroken.about("status", f"only an active provider can be suspended; this one is {self.status}")
        return replace(self, status=ProviderStatus.suspended, status_reason=reason, revision=self.revision + 1)

    def reinstated(self) -> Provider:
        if self.status is not ProviderStatus.suspended:
            raise RuleBroken.about("status", "only a suspended provider can be reinstated")
        return replace(self, status=ProviderStatus.active, status_reason=None, revision=self.revision + 1)

    def removed(self, reason: str) -> Provider:
        if self.status is ProviderStatus.removed:
            raise RuleBroken.about("status", "already removed")
        return replace(self, status=ProviderStatus.removed, status_reason=reason, revision=self.revision + 1)


def unknown_lot_areas(wanted: set[LotArea], rules: DpsRules, localities: Localities) -> list[Issue]:
    """Lots and areas the council's current rules do not have."""
    issues = []
    for la in sorted(wanted, key=lambda x: (x.lot, x.area)):
        if rules.lot(la.lot) is None:
            issues.append(Issue("lots", f"no lot {la.lot} in the council's DPS rules"))
        if la.area not in localities.area_ids:
            issues.append(Issue("areas", f"no area {la.area} in the council's localities"))
    return issues


def why_ineligible(
    provider: Provider, lot: str, areas: list[str], hours_per_week: Decimal, rules: DpsRules
) -> list[str]:
    """Every reason this provider may not see or bid for a package; empty when it may."""
    reasons = []
    if provider.status is not ProviderStatus.active:
        reasons.append(f"provider is {provider.status}")
    if not any(LotArea(lot, area) in provider.admitted_to for area in areas):
        reasons.append(f"not admitted to {lot} in {' or '.join(areas)}")
    if not at_or_above(provider.rating, rules.rating_floor):
        reasons.append(f"CQC rating below the council's floor ({rules.rating_floor})")
    if provider.free_hours_per_week < hours_per_week:
        reasons.append("not enough free capacity for the hours a week")
    return reasons
