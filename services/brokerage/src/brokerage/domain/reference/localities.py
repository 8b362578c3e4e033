"""The council's localities (kind `localities`): each a set of postcode districts, so a package's
area follows from the person's postcode with no outside data (docs/domain/brokerage.md)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from brokerage.domain.reference.problems import ReferenceModel, reject, repeats

KIND = "localities"

AreaId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")]
# The outward code of a postcode: "SK1", "WV10", "EC1A".
PostcodeDistrict = Annotated[str, Field(pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")]


class Locality(ReferenceModel):
    id: AreaId
    title: str = Field(min_length=1, max_length=200)
    postcode_districts: list[PostcodeDistrict] = Field(min_length=1)
    neighbours: list[AreaId] = Field(default_factory=list, description="Where a re-advert may widen to.")


class Localities(ReferenceModel):
    """The payload of a `localities` dataset."""

    areas: list[Locality] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = repeats((("areas", i, "id"), a.id) for i, a in enumerate(self.areas))
        problems += repeats(
            (("areas", i, "postcode_districts", j), d)
            for i, a in enumerate(self.areas)
            for j, d in enumerate(a.postcode_districts)
        )
        ids = {a.id for a in self.areas}
        problems += [
            (("areas", i, "neighbours", j), "not an area of this dataset")
            for i, a in enumerate(self.areas)
            for j, n in enumerate(a.neighbours)
            if n not in ids or n == a.id
        ]
        reject("Localities", problems)
        return self

    @property
    def area_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.areas)

    def area_of(self, postcode: str) -> str | None:
        """The area whose districts hold this (normalised) postcode; None outside the council."""
        district = postcode.split(" ")[0]
        return next((a.id for a in self.areas if district in a.postcode_districts), None)

    def neighbours_of(self, area_id: str) -> list[str]:
        return next((list(a.neighbours) for a in self.areas if a.id == area_id), [])
