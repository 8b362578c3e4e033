"""The financial assessment's entry point: reads a request and calculates, or lists every problem at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from charging.domain.assessment import Inputs, Rules, calculate, rules_for
from charging.domain.circumstances import Circumstances, Funding, Setting
from charging.domain.figures import FiguresHistory, NoFiguresForDate
from charging.domain.policy import NoPolicyForDate, PolicyHistory
from charging.domain.result import ChargeResult

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str


class AssessmentRefused(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{'.'.join(map(str, p.location))}: {p.message}" for p in problems))
        self.problems = problems


def assess(raw: Mapping[str, Any], figures: FiguresHistory, policies: PolicyHistory) -> ChargeResult:
    """The weekly charge for `raw` circumstances, or AssessmentRefused listing every problem."""
    problems: list[Problem] = []
    try:
        circumstances: Circumstances | None = Circumstances.model_validate(raw)
    except ValidationError as error:
        circumstances = None
        problems += [Problem(tuple(e["loc"]), e["msg"]) for e in error.errors()]
    day = circumstances.assessed_on if circumstances else date_or_none(raw.get("assessed_on"))
    inputs = None
    if day is not None:
        try:
            figures_version = figures.on(day)
            policy_version = policies.on(day)
            fnc = figures.funded_nursing_care_on(day) if _nursing(circumstances) else None
            if circumstances is not None:
                inputs = Inputs(circumstances, figures_version, policy_version, fnc)
        except (NoFiguresForDate, NoPolicyForDate) as error:
            problems.append(Problem(("assessed_on",), str(error)))
    if inputs is not None:
        problems += _inconsistencies(inputs)
    if problems or inputs is None:
        raise AssessmentRefused(problems)
    return calculate(inputs)


def date_or_none(value: Any) -> date | None:
    try:
        return TypeAdapter(date).validate_python(value)
    except ValidationError:
        return None


def _nursing(c: Circumstances | None) -> bool:
    return c is not None and c.care_setting is Setting.nursing_home


def _inconsistencies(inputs: Inputs) -> list[Problem]:
    c, figures, policy = inputs.circumstances, inputs.figures.figures, inputs.policy.policy
    problems = []
    if c.setting is not Setting.at_home and c.stay is None:
        problems.append(Problem(("stay",), "a care-home or nursing-home setting needs a stay"))
    if c.setting is Setting.at_home and c.stay is not None:
        problems.append(Problem(("stay",), "care at home has no stay"))
    if c.stay is not None and not c.stay.permanent and c.stay.planned_weeks is None:
        problems.append(Problem(("stay", "planned_weeks"), "a stay that is not permanent needs its planned length"))
    if c.nhs_share_pence > c.weekly_cost_of_care_pence:
        problems.append(Problem(("nhs_share_pence",), "cannot be more than weekly_cost_of_care_pence"))
    if c.second_carer_cost_pence > c.weekly_cost_of_care_pence:
        problems.append(Problem(("second_carer_cost_pence",), "cannot be more than weekly_cost_of_care_pence"))
    if c.funding is Funding.reablement and c.care_started_on is None:
        problems.append(Problem(("care_started_on",), "reablement needs the date it started"))
    needs_mig = c.disclosed and (c.stay is None or rules_for(c.care_setting, c.stay, policy) is Rules.non_residential)
    mig = figures.minimum_income_guarantee
    key = c.minimum_income_guarantee_allowance
    if needs_mig and key is None:
        problems.append(Problem(("minimum_income_guarantee_allowance",), "required for non-residential rules"))
    elif key is not None and key not in mig.personal_allowances:
        known = ", ".join(sorted(mig.personal_allowances))
        problems.append(
            Problem(("minimum_income_guarantee_allowance",), f"unknown allowance; the figures have: {known}")
        )
    for i, premium in enumerate(c.minimum_income_guarantee_premiums):
        if premium not in mig.premiums:
            known = ", ".join(sorted(mig.premiums))
            problems.append(
                Problem(("minimum_income_guarantee_premiums", i), f"unknown premium; the figures have: {known}")
            )
    return problems
