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


@dataclass(frozen=True)
class DomainScore:
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


def _problems(model: ModelVersion, given: Answers) -> list[Problem]:
    problems = []
    if given.model_version != model.version:
        problems.append(
            Problem(("model_version",), f"the RAS model in force on the assessment date is version {model.version}")
        )
    for question_id, option_id in given.answers.items():
        found = model.model.question(question_id)
        if found is None:
            problems.append(Problem(("answers", question_id), "no such question in this RAS model"))
        elif found[1].option(option_id) is None:
            problems.append(Problem(("answers", question_id), "not one of this question's options"))
    for domain in model.model.domains:
        for question in domain.questions:
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
    refuse_if_any(_problems(model, given))
    explanation: list[str] = [f"Scored with {model.model.name}, version {model.version}."]
    scored: list[ScoredAnswer] = []
    domains: list[DomainScore] = []
    for domain in model.model.domains:
        in_domain = []
        for question in domain.questions:
            option = question.option(given.answers[question.id]) if question.id in given.answers else None
            in_domain.append(
                ScoredAnswer(
                    domain.id,
                    question.id,
                    question.text,
                    option.text if option else None,
                    option.points if option else 0,
                )
            )
        before = sum(a.points for a in in_domain)
        level = None
        if model.model.carer_reduction and domain.id in given.carer_support:
            level = model.model.carer_reduction.level(given.carer_support[domain.id])
        cut = carer_reduction_points(before, level.percent) if level else 0
        domains.append(DomainScore(domain.id, domain.title, before, cut, level.id if level else None))
        scored += in_domain
        explanation.append(f"{domain.title}:")
        explanation += [
            f"  {a.question} - {a.answer}: {a.points} points"
            if a.answer is not None
            else f"  {a.question} - not answered: 0 points"
            for a in in_domain
        ]
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
