"""National charging figures: one dataset a financial year, the same for every council.

The amounts come from the Department of Health and Social Care's yearly Local Authority Circular and
the DWP benefit rates (docs/domain/charging.md, "National figures"). A figure not yet confirmed is
shipped with `provisional: true`; a result computed with it says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from charging.domain.effective import in_force, validated_versions


class Figure(BaseModel):
    """One published amount, in pence (weekly unless its name says otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pence: int = Field(ge=0)
    provisional: bool = False


class CapitalLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lower_limit: Figure
    upper_limit: Figure
    tariff_step: Figure = Field(description="capital per step of tariff income (GBP 250)")
    tariff_per_step: Figure = Field(description="weekly tariff income per step or part of a step (GBP 1)")

    @model_validator(mode="after")
    def _ordered(self) -> CapitalLimits:
        if self.upper_limit.pence <= self.lower_limit.pence:
            raise ValueError("the upper capital limit must be above the lower limit")
        if self.tariff_step.pence == 0:
            raise ValueError("the tariff step must be more than zero")
        return self


class MinimumIncomeGuarantee(BaseModel):
    """Regulation 7 amounts: a personal allowance for the person's age and circumstances, plus premiums."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    personal_allowances: dict[str, Figure] = Field(min_length=1)
    premiums: dict[str, Figure] = Field(default_factory=dict)

    @field_validator("personal_allowances", "premiums")
    @classmethod
    def _keys(cls, value: dict[str, Figure]) -> dict[str, Figure]:
        bad = [k for k in value if not re.fullmatch(r"[a-z0-9_]+", k)]
        if bad:
            raise ValueError("keys are lower-case words joined by underscores")
        return value


class FundedNursingCare(BaseModel):
    """FNC is set from 1 April (NHS financial year), a few days before the benefit-year figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    applies_from: date
    standard: Figure
    higher: Figure


class NationalChargingFigures(BaseModel):
    """Payload of the `national_charging_figures` reference kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    financial_year: str = Field(pattern=r"^\d{4}/\d{2}$", description="UK financial year, e.g. 2025/26")
    capital: CapitalLimits
    minimum_income_guarantee: MinimumIncomeGuarantee
    personal_expenses_allowance: Figure
    savings_credit_disregard: dict[str, Figure] = Field(description="keyed single / couple")
    benefit_rates: dict[str, Figure] = Field(description="the rates the rules compare income against")
    funded_nursing_care: FundedNursingCare

    REQUIRED_BENEFIT_RATES: ClassVar[tuple[str, ...]] = (
        "attendance_allowance_lower",
        "dla_care_middle",
        "pip_daily_living_standard",
    )

    @field_validator("financial_year")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        start, end = int(value[:4]), int(value[5:])
        if (start + 1) % 100 != end:
            raise ValueError("the second year is the first plus one, e.g. 2025/26")
        return value

    @model_validator(mode="after")
    def _complete(self) -> NationalChargingFigures:
        problems = [
            f"benefit_rates needs {name}" for name in self.REQUIRED_BENEFIT_RATES if name not in self.benefit_rates
        ]
        if "single" not in self.savings_credit_disregard:
            problems.append("savings_credit_disregard needs single")
        start = self.first_day()
        if not start <= self.funded_nursing_care.applies_from <= self.last_day():
            problems.append("funded_nursing_care.applies_from must fall in the financial year")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def first_day(self) -> date:
        return date(int(self.financial_year[:4]), 4, 1)

    def last_day(self) -> date:
        return date(int(self.financial_year[:4]) + 1, 3, 31)


@dataclass(frozen=True)
class FiguresVersion:
    """A stored dataset of national figures: its version and the day it takes effect."""

    version: int
    effective_from: date
    figures: NationalChargingFigures


class NoFiguresForDate(LookupError):
    pass


@dataclass(frozen=True)
class FiguresHistory:
    """Every year's figures; looks up the ones in force on a date."""

    versions: tuple[FiguresVersion, ...]

    def on(self, day: date) -> FiguresVersion:
        """The figures in force on `day`: the latest to take effect on or before it. A year's figures run
        until the next year's take effect; the newest run to the end of their financial year, no further."""
        chosen = in_force(self.versions, day)
        if chosen is None:
            raise NoFiguresForDate(
                f"no national figures take effect on or before this date; the first are for {self._first_year()}"
            )
        newest = max(self.versions, key=lambda v: (v.effective_from, v.version))
        if chosen is newest and day > chosen.figures.last_day():
            raise NoFiguresForDate(
                f"no national figures for this date: the latest are for {chosen.figures.financial_year}"
            )
        return chosen

    def _first_year(self) -> str:
        return min(self.versions, key=lambda v: v.effective_from).figures.financial_year

    def funded_nursing_care_on(self, day: date) -> tuple[FiguresVersion, FundedNursingCare]:
        """FNC changes on 1 April, before the benefit-year figures; the newest that applies on `day`."""
        applying = [v for v in self.versions if v.figures.funded_nursing_care.applies_from <= day]
        if not applying:
            raise NoFiguresForDate("no funded nursing care rate applies on this date")
        chosen = max(applying, key=lambda v: (v.figures.funded_nursing_care.applies_from, v.version))
        return chosen, chosen.figures.funded_nursing_care


def figures_history(datasets: Iterable[Mapping[str, Any]]) -> FiguresHistory:
    """From stored datasets (version, effective_from, payload), each payload validated."""
    return FiguresHistory(tuple(FiguresVersion(*v) for v in validated_versions(datasets, NationalChargingFigures)))
