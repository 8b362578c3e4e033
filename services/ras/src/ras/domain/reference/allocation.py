"""Points to money: the three formulas councils publish, then the council's minimum and maximum.

Every method gives an annual amount in integer pence and the formula in words, ending with that
amount, so the explanation a social worker reads out is the calculation that was done. The weekly
figure is derived in one place (`pbshared.contract.money.weekly_from_annual`: annual / 52, half up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import as_pounds, pence_half_up
from ras.domain.problems import Problem, ReferenceModel, Refused, reject_dataset

Pence = Annotated[int, Field(ge=0)]


@dataclass(frozen=True)
class Allocation:
    annual_pence: int
    formula: str


NO_PRICE = Problem(("client_group",), "this RAS model has no price per point for the client group")


class PricePerPoint(ReferenceModel):
    """Annual pence per point, by client group (older people's points may be priced below others')."""

    method: Literal["price_per_point"]
    annual_pence_per_point: dict[ClientGroup, Pence] = Field(min_length=1)

    def allocate(self, points: int, client_group: ClientGroup) -> Allocation:
        price = self.annual_pence_per_point.get(client_group)
        if price is None:
            raise Refused([NO_PRICE])
        group = str(client_group).replace("_", " ")
        amount = points * price
        formula = f"{points} points x {as_pounds(price)} a point a year ({group}) = {as_pounds(amount)} a year"
        return Allocation(amount, formula)


class Band(ReferenceModel):
    from_points: int = Field(ge=0)
    to_points: int | None = Field(default=None, ge=0, description="Inclusive; absent on the last, open band.")
    annual_pence: Pence


class Banded(ReferenceModel):
    """A table of points ranges to annual amounts: from 0 points up, no overlaps, no gaps, the last open."""

    method: Literal["banded"]
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> Self:
        problems = []
        if self.bands[0].from_points != 0:
            problems.append(Problem(("bands", 0, "from_points"), "the first band starts at 0 points"))
        for i, band in enumerate(self.bands):
            if band.to_points is not None and band.to_points < band.from_points:
                problems.append(Problem(("bands", i, "to_points"), "a band ends at or after its start"))
            if i + 1 == len(self.bands):
                if band.to_points is not None:
                    problems.append(Problem(("bands", i, "to_points"), "the last band is open: leave to_points out"))
                continue
            if band.to_points is None:
                problems.append(Problem(("bands", i, "to_points"), "only the last band may be open"))
                continue
            following = self.bands[i + 1].from_points
            if following <= band.to_points:
                problems.append(Problem(("bands", i + 1, "from_points"), "overlaps the band before it"))
            elif following > band.to_points + 1:
                problems.append(Problem(("bands", i + 1, "from_points"), "leaves a gap after the band before it"))
        reject_dataset("Banded", problems)
        return self

    def allocate(self, points: int, client_group: ClientGroup) -> Allocation:
        del client_group  # one table for everyone
        for band in self.bands:
            if band.from_points <= points and (band.to_points is None or points <= band.to_points):
                upper = "and over" if band.to_points is None else f"to {band.to_points}"
                return Allocation(
                    band.annual_pence,
                    f"{points} points fall in the band {band.from_points} {upper} points: "
                    f"{as_pounds(band.annual_pence)} a year",
                )
        raise AssertionError("bands are contiguous from 0 and open at the top")  # guaranteed by _contiguous


class PublishedPoint(ReferenceModel):
    points: int = Field(ge=0)
    annual_pence: Pence

    @property
    def formula(self) -> str:
        return f"{as_pounds(self.annual_pence)} a year at {self.points} points"


class PiecewiseLinear(ReferenceModel):
    """Straight lines between published points; flat below the first and above the last."""

    method: Literal["piecewise_linear"]
    points: list[PublishedPoint] = Field(min_length=2)

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        reject_dataset(
            "PiecewiseLinear",
            [
                Problem(("points", i + 1, "points"), "published points go up strictly")
                for i, (a, b) in enumerate(zip(self.points, self.points[1:], strict=False))
                if b.points <= a.points
            ],
        )
        return self

    def allocate(self, points: int, client_group: ClientGroup) -> Allocation:
        del client_group
        first, last = self.points[0], self.points[-1]
        if points <= first.points:
            return Allocation(first.annual_pence, f"{points} points, the lowest published amount: {first.formula}")
        if points >= last.points:
            return Allocation(last.annual_pence, f"{points} points, the highest published amount: {last.formula}")
        low, high = next((a, b) for a, b in zip(self.points, self.points[1:], strict=False) if points <= b.points)
        share = Decimal(points - low.points) / (high.points - low.points)
        amount = pence_half_up(low.annual_pence + share * (high.annual_pence - low.annual_pence))
        return Allocation(
            amount,
            f"{points} points between {low.points} ({as_pounds(low.annual_pence)}) and {high.points} "
            f"({as_pounds(high.annual_pence)}): {as_pounds(amount)} a year, half up to the penny",
        )


Method = Annotated[PricePerPoint | Banded | PiecewiseLinear, Field(discriminator="method")]


class PointsToMoney(ReferenceModel):
    """The formula, then the council's floor and ceiling on the annual amount."""

    formula: Method
    minimum_annual_pence: Pence = 0
    maximum_annual_pence: Pence | None = None

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> Self:
        if self.maximum_annual_pence is not None and self.maximum_annual_pence < self.minimum_annual_pence:
            reject_dataset("PointsToMoney", [Problem(("maximum_annual_pence",), "the maximum is below the minimum")])
        return self

    def prices(self, client_group: ClientGroup) -> bool:
        """Whether the formula has a price for the group (only price per point differs by group)."""
        formula = self.formula
        return not isinstance(formula, PricePerPoint) or client_group in formula.annual_pence_per_point

    def allocate(self, points: int, client_group: ClientGroup) -> Allocation:
        found = self.formula.allocate(points, client_group)
        if found.annual_pence < self.minimum_annual_pence:
            return Allocation(
                self.minimum_annual_pence,
                f"{found.formula}; raised to the council's minimum of {as_pounds(self.minimum_annual_pence)} a year",
            )
        if self.maximum_annual_pence is not None and found.annual_pence > self.maximum_annual_pence:
            return Allocation(
                self.maximum_annual_pence,
                f"{found.formula}; capped at the council's maximum of {as_pounds(self.maximum_annual_pence)} a year",
            )
        return found
