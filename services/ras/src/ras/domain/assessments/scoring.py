"""Scoring a supported self-assessment against the RAS model version in force on its date.

Answers give points; an unpaid carer's support lowers the points of the domains it covers; the
total goes through the council's formula to an indicative budget. The explanation is written to be
read to the person: every answer with its points, the carer reduction, the formula and the rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import WEEKS_PER_YEAR, as_pounds, weekly_from_annual
from ras.domain.problems import Problem, refuse_if_any
from ras.domain.reference.allocation import NO_PRICE
from ras.domain.reference.ras_model import RasModel


@dataclass(frozen=True)
class ModelVersion:
    """A `ras_model` dataset as loaded: the model with the version and date it is in force from."""

    version: int
    effective_from: date
    model: RasModel


@dataclass(frozen=True)
class Answers:
    model_version: int
    client_group: ClientGroup
    answers: Mapping[str, str]
    carer_support: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredAnswer:
    domain_id: str
    question_id: str
    question: str
    answer: str | None
    points: int


# A named tuple, immutable as the rest: one is built for every domain of every preview, and a frozen
# dataclass took three times as long to build.
class DomainScore(NamedTuple):
    domain_id: str
    title: str
    points_before_carer: int
    carer_reduction: int
    carer_level: str | None

    @property
    def points(self) -> int:
        return self.points_before_carer - self.carer_reduction


@dataclass(frozen=True)
class Score:
    model_version: int
    client_group: ClientGroup
    answers: list[ScoredAnswer]
    domains: list[DomainScore]
    formula: str
    indicative_annual_pence: int
    indicative_weekly_pence: int
    explanation: list[str]

    @property
    def total_points(self) -> int:
        return sum(d.points for d in self.domains)

    def domain_points(self) -> dict[str, int]:
        return {d.domain_id: d.points for d in self.domains}


def carer_reduction_points(points: int, percent: int) -> int:
    """Points an unpaid carer's support takes off a domain: percent of its points, half up to a whole point."""
    return int((Decimal(points) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class _Question:
    """One question as scoring reads it: each option's scored answer and line of explanation."""

    id: str
    mandatory: bool
    by_option: dict[str, tuple[ScoredAnswer, str]]
    unanswered: tuple[ScoredAnswer, str]


@dataclass(frozen=True)
class _Domain:
    id: str
    title: str
    heading: str
    questions: list[_Question]


@dataclass(frozen=True)
class _Sheet:
    """A model worked out once into what every answer scores and says: a preview runs on every change
    of the form, and building each answer's record and line afresh was most of its scoring time."""

    domains: list[_Domain]
    questions: dict[str, _Question]

    @classmethod
    def of(cls, model: RasModel) -> _Sheet:
        domains = [
            _Domain(
                domain.id,
                domain.title,
                f"{domain.title}:",
                [
                    _Question(
                        question.id,
                        question.mandatory,
                        {
                            option.id: (
                                ScoredAnswer(domain.id, question.id, question.text, option.text, option.points),
                                f"  {question.text} - {option.text}: {option.points} points",
                            )
                            for option in question.options
                        },
                        (
                            ScoredAnswer(domain.id, question.id, question.text, None, 0),
                            f"  {question.text} - not answered: 0 points",
                        ),
                    )
                    for question in domain.questions
                ],
            )
            for domain in model.domains
        ]
        return cls(domains, {question.id: question for domain in domains for question in domain.questions})


# A model's sheet is kept while the model is: held with the model itself, so an id is never reused
# while its entry stands. Models in force are few; tests load many, hence the bound.
_SHEETS: dict[int, tuple[RasModel, _Sheet]] = {}
_SHEETS_KEPT = 64


def _sheet(model: RasModel) -> _Sheet:
    held = _SHEETS.get(id(model))
    if held is not None and held[0] is model:
        return held[1]
    sheet = _Sheet.of(model)
    if len(_SHEETS) >= _SHEETS_KEPT:
        del _SHEETS[next(iter(_SHEETS))]
    _SHEETS[id(model)] = (model, sheet)
    return sheet


def _problems(model: ModelVersion, sheet: _Sheet, given: Answers) -> list[Problem]:
    problems = []
    if given.model_version != model.version:
        problems.append(
            Problem(("model_version",), f"the RAS model in force on the assessment date is version {model.version}")
        )
    for question_id, option_id in given.answers.items():
        question = sheet.questions.get(question_id)
        if question is None:
            problems.append(Problem(("answers", question_id), "no such question in this RAS model"))
        elif option_id not in question.by_option:
            problems.append(Problem(("answers", question_id), "not one of this question's options"))
    for question in sheet.questions.values():
        if question.mandatory and question.id not in given.answers:
            problems.append(Problem(("answers", question.id), "this question must be answered"))
    if not model.model.points_to_money.prices(given.client_group):
        problems.append(NO_PRICE)
    reduction = model.model.carer_reduction
    for domain_id, level_id in given.carer_support.items():
        if reduction is None or domain_id not in reduction.domains:
            problems.append(Problem(("carer_support", domain_id), "carer support does not reduce this domain"))
        elif reduction.level(level_id) is None:
            problems.append(Problem(("carer_support", domain_id), "not one of the model's carer support levels"))
    return problems


def score(model: ModelVersion, given: Answers) -> Score:
    """The points and the indicative budget, or Refused listing every problem with the answers."""
    sheet = _sheet(model.model)
    refuse_if_any(_problems(model, sheet, given))
    explanation: list[str] = [f"Scored with {model.model.name}, version {model.version}."]
    scored: list[ScoredAnswer] = []
    domains: list[DomainScore] = []
    answers, carer_support, reduction = given.answers, given.carer_support, model.model.carer_reduction
    for domain in sheet.domains:
        explanation.append(domain.heading)
        before = 0
        for question in domain.questions:
            option_id = answers.get(question.id)
            answer, line = question.unanswered if option_id is None else question.by_option[option_id]
            scored.append(answer)
            explanation.append(line)
            before += answer.points
        level = None
        if reduction is not None and domain.id in carer_support:
            level = reduction.level(carer_support[domain.id])
        cut = carer_reduction_points(before, level.percent) if level else 0
        domains.append(DomainScore(domain.id, domain.title, before, cut, level.id if level else None))
        if level is not None:
            explanation.append(
                f"  Unpaid carer: {level.text} ({level.percent}% of these points, half up to a whole point): "
                f"{before} - {cut} = {before - cut} points"
            )
        else:
            explanation.append(f"  Subtotal: {before} points")
    total = sum(d.points for d in domains)
    allocation = model.model.points_to_money.allocate(total, given.client_group)
    weekly = weekly_from_annual(allocation.annual_pence)
    explanation += [
        f"Total: {total} points.",
        f"Indicative budget: {allocation.formula}.",
        f"A week: {as_pounds(allocation.annual_pence)} / {WEEKS_PER_YEAR} = {as_pounds(weekly)} "
        "(half up to the penny).",
    ]
    return Score(
        model.version,
        given.client_group,
        scored,
        domains,
        allocation.formula,
        allocation.annual_pence,
        weekly,
        explanation,
    )
