"""The council's health rules (kind `health_rules`): how long reablement is free, when the needs
assessment after it is due, and which integrated care boards (ICBs) cover which postcode districts.
Format and sources: docs/domain/health.md."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

KIND = "health_rules"

# An ICB's ODS code, e.g. "QHM"; a health partner's token carries it as its subject.
IcbCode = Annotated[str, Field(min_length=3, max_length=5, pattern=r"^[A-Z0-9]{3,5}$")]
# The outward code of a postcode: "SK1", "WV10", "EC1A".
PostcodeDistrict = Annotated[str, Field(pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")]


class Partner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    icb_code: IcbCode
    title: str = Field(min_length=1, max_length=200)
    postcode_districts: list[PostcodeDistrict] = Field(min_length=1)


class HealthRules(BaseModel):
    """The payload of a `health_rules` dataset."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Charging and Assessment of Resources Regulations 2014, reg 3: free for up to six weeks at least.
    free_reablement_weeks: int = Field(ge=6, le=52, description="Reablement is free for this many weeks.")
    assessment_lead_days: int = Field(
        ge=0, le=28, description="The needs assessment is due this many days before free reablement ends."
    )
    partners: list[Partner] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_partner_per_code(self) -> Self:
        codes = [p.icb_code for p in self.partners]
        if len(codes) != len(set(codes)):
            raise ValueError("each ICB is listed once")
        return self

    def free_until(self, start: date) -> date:
        """The last free day of reablement that starts on `start`."""
        return start + timedelta(weeks=self.free_reablement_weeks, days=-1)

    def assessment_due(self, start: date) -> date:
        return max(start, self.free_until(start) - timedelta(days=self.assessment_lead_days))

    def districts_of(self, icb_code: str) -> frozenset[str]:
        """The postcode districts an ICB covers in this council; none for an ICB not listed."""
        return next((frozenset(p.postcode_districts) for p in self.partners if p.icb_code == icb_code), frozenset())


def postcode_district(postcode: str) -> str:
    """The outward code of a normalised postcode ("WV1 1AA" -> "WV1")."""
    return postcode.split(" ")[0]
