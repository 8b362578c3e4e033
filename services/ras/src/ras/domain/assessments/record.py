"""What an assessment records besides its answers: the fields the Client Level Data return needs.

Codes and sources: docs/domain/statutory-returns.md and docs/domain/ras.md ("Assessments").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ras.domain.problems import Problem


class AssessmentType(StrEnum):
    short_term = "short_term"
    long_term = "long_term"
    carers = "carers"


class AssessmentMethod(StrEnum):
    face_to_face = "face_to_face"
    telephone = "telephone"
    video = "video"
    supported_self_assessment = "supported_self_assessment"


class AssessmentOutcome(StrEnum):
    progress_to_support_planning = "progress_to_support_planning"
    progress_to_reablement = "progress_to_reablement"
    information_advice_signposting = "information_advice_signposting"
    referral_to_nhs = "referral_to_nhs"
    support_declined = "support_declined"
    self_funding = "self_funding"
    no_eligible_needs = "no_eligible_needs"


class EligibilityOutcome(StrEnum):
    """The ten outcomes of the Care and Support (Eligibility Criteria) Regulations 2015, reg. 2(2)."""

    managing_and_maintaining_nutrition = "managing_and_maintaining_nutrition"
    maintaining_personal_hygiene = "maintaining_personal_hygiene"
    managing_toilet_needs = "managing_toilet_needs"
    being_appropriately_clothed = "being_appropriately_clothed"
    being_able_to_make_use_of_the_home_safely = "being_able_to_make_use_of_the_home_safely"
    maintaining_a_habitable_home_environment = "maintaining_a_habitable_home_environment"
    developing_and_maintaining_family_or_other_personal_relationships = (
        "developing_and_maintaining_family_or_other_personal_relationships"
    )
    accessing_and_engaging_in_work_training_education_or_volunteering = (
        "accessing_and_engaging_in_work_training_education_or_volunteering"
    )
    making_use_of_necessary_facilities_or_services_in_the_local_community = (
        "making_use_of_necessary_facilities_or_services_in_the_local_community"
    )
    carrying_out_any_caring_responsibilities_the_adult_has_for_a_child = (
        "carrying_out_any_caring_responsibilities_the_adult_has_for_a_child"
    )


class PrimarySupportReason(StrEnum):
    physical_support_access_and_mobility = "physical_support_access_and_mobility"
    physical_support_personal_care = "physical_support_personal_care"
    sensory_support_visual = "sensory_support_visual"
    sensory_support_hearing = "sensory_support_hearing"
    sensory_support_dual = "sensory_support_dual"
    support_with_memory_and_cognition = "support_with_memory_and_cognition"
    learning_disability_support = "learning_disability_support"
    mental_health_support = "mental_health_support"
    social_support_substance_misuse = "social_support_substance_misuse"
    social_support_asylum_seeker = "social_support_asylum_seeker"
    social_support_isolation_or_other = "social_support_isolation_or_other"


class AccommodationStatus(StrEnum):
    owner_occupier_or_shared_ownership = "owner_occupier_or_shared_ownership"
    tenant = "tenant"
    settled_with_family_or_friends = "settled_with_family_or_friends"
    supported_accommodation = "supported_accommodation"
    shared_lives = "shared_lives"
    residential_or_nursing_care = "residential_or_nursing_care"
    temporary_or_homeless = "temporary_or_homeless"
    prison = "prison"
    unknown = "unknown"


# Regulation 2(1)(b): needs are eligible when the adult cannot achieve two or more of the outcomes
# (with significant impact on their wellbeing, which the assessor judges and records).
ELIGIBLE_FROM_OUTCOMES = 2


@dataclass(frozen=True)
class AssessmentRecord:
    assessment_type: AssessmentType
    method: AssessmentMethod
    start_date: date
    end_date: date
    outcome: AssessmentOutcome
    eligible_needs: bool
    outcomes_not_achieved: Sequence[EligibilityOutcome]
    primary_support_reason: PrimarySupportReason
    accommodation_status: AccommodationStatus
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
    if not record.eligible_needs and record.outcome is AssessmentOutcome.progress_to_support_planning:
        problems.append(Problem(("outcome",), "support planning follows only when eligible needs were found"))
    return problems
