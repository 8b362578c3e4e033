"""A request for support (the front door): its route of access, its outcome, and the wait it starts.

Codes after the Client Level Data specification's request fields (docs/domain/statutory-returns.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ras.domain.problems import Problem


class ClientStatus(StrEnum):
    new = "new"
    existing = "existing"


class RouteOfAccess(StrEnum):
    community = "community"
    hospital_discharge = "hospital_discharge"
    prison = "prison"
    other = "other"


class RequestOutcome(StrEnum):
    information_advice_signposting = "information_advice_signposting"
    short_term_support_to_maximise_independence = "short_term_support_to_maximise_independence"
    progress_to_assessment = "progress_to_assessment"
    no_further_action = "no_further_action"


class NoFurtherActionReason(StrEnum):
    deceased = "deceased"
    referral_to_nhs_services = "referral_to_nhs_services"
    responsibility_moved_to_another_council = "responsibility_moved_to_another_council"
    self_funded = "self_funded"
    support_declined = "support_declined"
    other = "other"


@dataclass(frozen=True)
class RequestForSupport:
    client_status: ClientStatus
    route_of_access: RouteOfAccess
    request_date: date
    outcome: RequestOutcome
    no_further_action_reason: NoFurtherActionReason | None


def request_problems(request: RequestForSupport, today: date) -> list[Problem]:
    problems = []
    if request.request_date > today:
        problems.append(Problem(("request_date",), "cannot be in the future"))
    no_further_action = request.outcome is RequestOutcome.no_further_action
    if no_further_action and request.no_further_action_reason is None:
        problems.append(Problem(("no_further_action_reason",), "required when the outcome is no further action"))
    if not no_further_action and request.no_further_action_reason is not None:
        problems.append(Problem(("no_further_action_reason",), "only with the outcome no further action"))
    return problems


def waiting_days(request_date: date, assessment_started: date | None, today: date) -> tuple[int, bool]:
    """Days from the request to the assessment's start, or to today while it has not started (and so
    False: still waiting)."""
    if assessment_started is None:
        return (today - request_date).days, False
    return (assessment_started - request_date).days, True
