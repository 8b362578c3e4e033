"""What an assessment records besides its answers: the fields the Client Level Data return needs.

Codes and sources: docs/domain/ras.md ("Client Level Data codes") and docs/domain/statutory-returns.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ras.domain.problems import Problem

# The codes themselves are council reference data (`client_level_data_codes`); these are the ones the
# rules below act on.
PROGRESS_TO_SUPPORT_PLANNING = "progress_to_support_planning"

# The ten outcomes of the Care and Support (Eligibility Criteria) Regulations 2015, reg. 2(2): law,
# not council choice, so a council's eligibility code list must hold every one of them.
ELIGIBILITY_OUTCOMES = frozenset(
    {
        "managing_and_maintaining_nutrition",
        "maintaining_personal_hygiene",
        "managing_toilet_needs",
        "being_appropriately_clothed",
        "being_able_to_make_use_of_the_home_safely",
        "maintaining_a_habitable_home_environment",
        "developing_and_maintaining_family_or_other_personal_relationships",
        "accessing_and_engaging_in_work_training_education_or_volunteering",
        "making_use_of_necessary_facilities_or_services_in_the_local_community",
        "carrying_out_any_caring_responsibilities_the_adult_has_for_a_child",
    }
)

# Regulation 2(1)(b): needs are eligible when the adult cannot achieve two or more of the outcomes
# (with significant impact on their wellbeing, which the assessor judges and records).
ELIGIBLE_FROM_OUTCOMES = 2


@dataclass(frozen=True)
class AssessmentRecord:
    """Coded fields hold codes of the council's `client_level_data_codes` in force on the date."""

    assessment_type: str
    method: str
    start_date: date
    end_date: date
    outcome: str
    eligible_needs: bool
    outcomes_not_achieved: Sequence[str]
    primary_support_reason: str
    accommodation_status: str
    has_unpaid_carer: bool


def record_problems(record: AssessmentRecord) -> list[Problem]:
    problems = []
    if record.end_date < record.start_date:
        problems.append(Problem(("end_date",), "cannot be before start_date"))
    if record.eligible_needs and len(set(record.outcomes_not_achieved)) < ELIGIBLE_FROM_OUTCOMES:
        problems.append(
            Problem(
                ("outcomes_not_achieved",),
                f"eligible needs mean at least {ELIGIBLE_FROM_OUTCOMES} outcomes not achieved",
            )
        )
    if not record.eligible_needs and record.outcome == PROGRESS_TO_SUPPORT_PLANNING:
        problems.append(Problem(("outcome",), "support planning follows only when eligible needs were found"))
    return problems
