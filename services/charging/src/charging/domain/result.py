"""The result of a financial assessment: every step, so the charge can be defended at an appeal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from charging.domain.circumstances import Collection
from charging.domain.figures import Figure
from charging.domain.money import Pence, pounds


class Treatment(StrEnum):
    counted = "counted"
    disregarded = "disregarded"
    allowance = "allowance"
    cap = "cap"
    charge = "charge"


@dataclass(frozen=True)
class Step:
    label: str
    pence: Pence
    treatment: Treatment
    reason: str

    def __str__(self) -> str:
        return f"{self.label}: {pounds(self.pence)} {self.treatment} ({self.reason})"


@dataclass(frozen=True)
class ChargeResult:
    weekly_charge_pence: Pence
    effective_date: date
    figures_version: int
    figures_year: str
    policy_version: int
    steps: tuple[Step, ...]
    provisional_figures: tuple[str, ...]
    full_cost_payer: bool = False
    free_reason: str | None = None
    part_free_reason: str | None = None  # why part of the cost is not charged (the NHS pays it)
    arrangement_fee_one_off_pence: Pence = 0
    arrangement_fee_weekly_pence: Pence = 0
    funded_nursing_care_pence: Pence = 0
    collection: Collection | None = None
    council_pays_provider_pence: Pence | None = None

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_figures)

    @property
    def free(self) -> bool:
        return self.free_reason is not None

    def step(self, label: str) -> Step:
        return next(s for s in self.steps if s.label == label)


@dataclass
class Worksheet:
    """Collects steps as the rules run, and the names of the provisional figures they read."""

    steps: list[Step] = field(default_factory=list)
    provisional: list[str] = field(default_factory=list)

    def figure(self, name: str, figure: Figure) -> Pence:
        if figure.provisional and name not in self.provisional:
            self.provisional.append(name)
        return figure.pence

    def add(self, label: str, pence: Pence, treatment: Treatment, reason: str) -> Pence:
        self.steps.append(Step(label, pence, treatment, reason))
        return pence
