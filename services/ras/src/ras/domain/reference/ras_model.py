"""A council's RAS model, as reference data (kind `ras_model`): the questionnaire, the carer
reduction and the formula from points to money. Format and sources: docs/domain/ras.md.

Loading validates the whole model and lists every problem with its place; a model in force is never
edited, a new version supersedes it from its effective date.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from ras.domain.problems import Problem, ReferenceModel, reject_dataset, repeated_ids
from ras.domain.reference.allocation import PointsToMoney

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")]


class Option(ReferenceModel):
    id: Identifier
    text: str = Field(min_length=1, max_length=500)
    points: int = Field(ge=0, description="Required: an option without points cannot be scored.")


class Question(ReferenceModel):
    id: Identifier
    text: str = Field(min_length=1, max_length=500)
    help: str | None = Field(default=None, max_length=2000, description="Shown beside the question.")
    mandatory: bool = True
    options: list[Option] = Field(min_length=2)


class Domain(ReferenceModel):
    """A group of questions: personal care, eating and drinking, ... and any the council adds."""

    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    questions: list[Question] = Field(min_length=1)


class CarerLevel(ReferenceModel):
    id: Identifier
    text: str = Field(min_length=1, max_length=500)
    percent: int = Field(ge=0, le=100, description="Share of the covered domains' points the carer's support meets.")


class CarerReduction(ReferenceModel):
    """An unpaid carer's support lowers the points of the domains it covers, by the level recorded."""

    domains: list[Identifier] = Field(min_length=1)
    levels: list[CarerLevel] = Field(min_length=1)

    def level(self, level_id: str) -> CarerLevel | None:
        return next((level for level in self.levels if level.id == level_id), None)


class RasModel(ReferenceModel):
    """The payload of a `ras_model` dataset."""

    name: str = Field(min_length=1, max_length=200)
    domains: list[Domain] = Field(min_length=1)
    carer_reduction: CarerReduction | None = None
    points_to_money: PointsToMoney

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = repeated_ids((("domains", d, "id"), domain.id) for d, domain in enumerate(self.domains))
        problems += repeated_ids(
            (("domains", d, "questions", q, "id"), question.id)
            for d, domain in enumerate(self.domains)
            for q, question in enumerate(domain.questions)
        )
        for d, domain in enumerate(self.domains):
            for q, question in enumerate(domain.questions):
                problems += repeated_ids(
                    (("domains", d, "questions", q, "options", o, "id"), option.id)
                    for o, option in enumerate(question.options)
                )
        if self.carer_reduction is not None:
            known = {d.id for d in self.domains}
            problems += [
                Problem(("carer_reduction", "domains", i), "names a domain the model does not have")
                for i, name in enumerate(self.carer_reduction.domains)
                if name not in known
            ]
            levels = self.carer_reduction.levels
            problems += repeated_ids((("carer_reduction", "levels", i, "id"), lvl.id) for i, lvl in enumerate(levels))
        reject_dataset("RasModel", problems)
        return self
