"""Kinds of reference data. Each service declares the kinds it holds; `council` is held by all."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator


@dataclass(frozen=True)
class ReferenceKind:
    name: str
    model: type[BaseModel]
    description: str


class CouncilProfile(BaseModel):
    """Who the council is. Loading it is what makes a council known to a service."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    la_code: str = Field(description="ONS/GSS code of the local authority, e.g. E08000007")
    region: str | None = None

    @field_validator("la_code")
    @classmethod
    def _gss_code(cls, value: str) -> str:
        if not re.fullmatch(r"E(06|07|08|09|10)\d{6}", value):
            raise ValueError("an English council's GSS code: E06, E07, E08, E09 or E10 and six digits")
        return value


COUNCIL_KIND = ReferenceKind(name="council", model=CouncilProfile, description="The council's name and codes.")
