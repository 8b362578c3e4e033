"""What a financial assessment is told: the person's income, capital, costs and care, all in pence a week."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from charging.domain.health import HealthDecision


class IncomeKind(StrEnum):
    """Kinds of weekly income; how each is treated is in income.py (Schedule 1 of the regulations)."""

    state_pension = "state_pension"
    private_pension = "private_pension"
    pension_credit_guarantee = "pension_credit_guarantee"
    pension_credit_savings = "pension_credit_savings"
    universal_credit = "universal_credit"
    employment_and_support_allowance = "employment_and_support_allowance"
    income_support = "income_support"
    jobseekers_allowance = "jobseekers_allowance"
    carers_allowance = "carers_allowance"
    attendance_allowance_higher = "attendance_allowance_higher"
    attendance_allowance_lower = "attendance_allowance_lower"
    dla_care_highest = "dla_care_highest"
    dla_care_middle = "dla_care_middle"
    dla_care_lowest = "dla_care_lowest"
    pip_daily_living_enhanced = "pip_daily_living_enhanced"
    pip_daily_living_standard = "pip_daily_living_standard"
    dla_mobility = "dla_mobility"
    pip_mobility = "pip_mobility"
    earnings = "earnings"
    war_disablement_pension = "war_disablement_pension"
    housing_benefit = "housing_benefit"
    council_tax_support = "council_tax_support"
    other = "other"


class Setting(StrEnum):
    at_home = "at_home"
    care_home = "care_home"
    nursing_home = "nursing_home"


class Funding(StrEnum):
    """Who pays for the care in law; only `council` care is chargeable."""

    council = "council"
    reablement = "reablement"
    section_117_aftercare = "section_117_aftercare"
    continuing_healthcare = "continuing_healthcare"
    joint_funding = "joint_funding"


class Collection(StrEnum):
    """Who collects a care-home contribution: the council bills the person (gross) or the provider does (net)."""

    gross = "gross"
    net = "net"


class IncomeLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: IncomeKind
    weekly_pence: int = Field(ge=0)


class Stay(BaseModel):
    """A care-home or nursing-home stay."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    permanent: bool
    admitted_on: date
    planned_weeks: int | None = Field(default=None, ge=1, description="a short stay's planned length")
    main_home_value_pence: int = Field(default=0, ge=0, description="the person's share, less sale costs")
    qualifying_relative_in_main_home: bool = False
    funded_nursing_care_band: str | None = Field(default=None, pattern=r"^(standard|higher)$")
    collection: Collection = Collection.gross


class PlacedCare(BaseModel):
    """The care brokerage placed for the person, in force on the assessment's date (set by charging from
    brokerage's placement events, never by the assessor): its actual weekly cost, and the setting its lot
    is in where the council's policy names the lot as a care home or nursing home."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekly_pence: int = Field(ge=0)
    setting: Setting | None = None


class Circumstances(BaseModel):
    """Everything the calculation needs about one person on one date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    assessed_on: date = Field(description="the date the charge takes effect")
    setting: Setting
    funding: Funding = Funding.council
    care_started_on: date | None = Field(default=None, description="first day of reablement, for its free weeks")
    disclosed: bool = Field(default=True, description="false: declined to disclose finances, a full-cost payer")
    asks_council_to_arrange: bool = False
    weekly_cost_of_care_pence: int = Field(ge=0, description="personal budget or placement cost a week")
    council_managed_weekly_pence: int | None = Field(
        default=None, ge=0, description="the part of the personal budget the council arranges (from RAS's budgets)"
    )
    nhs_share_pence: int = Field(default=0, ge=0, description="the NHS-funded part of a joint package")
    second_carer_cost_pence: int = Field(default=0, ge=0, description="the second carer's part on double-handed calls")
    income: list[IncomeLine] = Field(default_factory=list)
    own_capital_pence: int = Field(default=0, ge=0)
    joint_capital_pence: int = Field(default=0, ge=0, description="held jointly with one other person")
    minimum_income_guarantee_allowance: str | None = Field(
        default=None, description="key of the personal allowance for the person's age and circumstances"
    )
    minimum_income_guarantee_premiums: list[str] = Field(default_factory=list)
    housing_costs_pence: int = Field(default=0, ge=0, description="net of housing benefit and council tax support")
    itemised_dre_pence: int | None = Field(default=None, ge=0, description="none: the council's standard allowance")
    night_care_provided: bool = False
    member_of_couple: bool = False
    stay: Stay | None = None
    placed: PlacedCare | None = Field(
        default=None, description="set by charging from brokerage's placement events, never by the assessor"
    )
    health: HealthDecision | None = Field(
        default=None, description="set by charging from the health service's events, never by the assessor"
    )

    @property
    def care_setting(self) -> Setting:
        """A placement in a care-home or nursing-home lot decides the setting where the assessment records
        the stay; otherwise the setting the assessment gives."""
        placed = self.placed
        if placed is not None and placed.setting is not None and self.stay is not None:
            return placed.setting
        return self.setting
