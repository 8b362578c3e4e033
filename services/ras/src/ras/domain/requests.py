"""A request for support (the front door): its route of access, its outcome, and the wait it starts.

Coded fields hold the council's Client Level Data codes (docs/domain/ras.md, "Client Level Data codes").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ras.domain.problems import Problem


class ClientStatus(StrEnum):
    new = "new"
    existing = "existing"


# The codes are council reference data (`client_level_data_codes`); this is the one the rules act on.
NO_FURTHER_ACTION = "no_further_action"


@dataclass(frozen=True)
class RequestForSupport:
    client_status: ClientStatus
    route_of_access: str
    request_date: date
    outcome: str
    no_further_action_reason: str | None


def request_problems(request: RequestForSupport, today: date) -> list[Problem]:
    problems = []
    if request.request_date > today:
        problems.append(Problem(("request_date",), "cannot be in the future"))
    no_further_action = request.outcome == NO_FURTHER_ACTION
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
