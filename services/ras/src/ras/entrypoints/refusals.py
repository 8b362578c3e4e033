"""A refusal of the RAS rules as a 422 naming every problem at its place in the request body."""

from __future__ import annotations

from pbshared.platform.errors import FieldProblem, Problem
from ras.domain.problems import Refused


def unprocessable(refused: Refused, detail: str = "nothing was stored") -> Problem:
    errors = [FieldProblem(["body", *p.location], p.message, "rule") for p in refused.problems]
    return Problem(422, "Refused by the rules", detail, errors)
