"""Errors as RFC 9457 problem details, each problem named by the field it is about.

Request validation keeps FastAPI's 422 shape (a `detail` list with `loc` and `msg` per problem).
Use cases raise domain errors (pbshared.errors); this module is the one place they become
application/problem+json with an `errors` list. Problem is for the edge itself (auth, routers).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy import Index, MetaData, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from pbshared.errors import Conflict, DomainError, NotFound, RuleBroken, Unacceptable

log = logging.getLogger(__name__)


@dataclass
class FieldProblem:
    loc: list[str | int]
    msg: str
    type: str = "value_error"

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "msg": self.msg, "type": self.type}


@dataclass
class Problem(Exception):
    status: int
    title: str
    detail: str = ""
    errors: list[FieldProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        return body


def problem_response(status: int, title: str, detail: Any = "", **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


@dataclass(frozen=True)
class KnownConstraint:
    """A unique constraint a race is expected to hit: two requests passed the same check at one
    moment and the database stopped the second. Declared per service, by constraint name."""

    field: str
    message: str


# Most specific first: a StaleRevision is a Conflict, an Unacceptable a RuleBroken.
_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (Unacceptable, 422),
    (RuleBroken, 409),
)


def problem_for(error: DomainError) -> Problem:
    status = next((code for kind, code in _STATUS if isinstance(error, kind)), 400)
    issues = [FieldProblem([issue.where, issue.field], issue.message) for issue in error.issues]
    return Problem(status, error.title, error.message, issues)


def constraint_name(error: IntegrityError, metadata: MetaData | None = None) -> str | None:
    """The name of the constraint that stopped the statement, from either database.

    PostgreSQL names it. SQLite names an index on an expression, and otherwise lists the columns,
    which are looked up among `metadata`'s unique constraints and indexes.
    """
    named = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    if named:
        return str(named)
    message = str(error.orig)
    index = re.search(r"UNIQUE constraint failed: index '([^']+)'", message)
    if index:
        return index.group(1)
    columns = re.search(r"UNIQUE constraint failed: (.+)$", message)
    if columns is None or metadata is None:
        return None
    wanted = {name.strip() for name in columns.group(1).split(",")}
    for table in metadata.tables.values():
        unique: list[Index | UniqueConstraint] = [i for i in table.indexes if i.unique]
        unique += [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        for candidate in unique:
            if candidate.name and {f"{table.name}.{column.name}" for column in candidate.columns} == wanted:
                return str(candidate.name)
    return None


def install_error_handlers(
    app: FastAPI,
    known_constraints: Mapping[str, KnownConstraint] | None = None,
    metadata: MetaData | None = None,
) -> None:
    known = dict(known_constraints or {})

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return JSONResponse(problem.as_dict(), status_code=problem.status, media_type="application/problem+json")

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        return await _problem(request, problem_for(error))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> JSONResponse:
        name = constraint_name(error, metadata)
        race = known.get(name) if name else None
        if race is None:
            # Not a race the code expects: a bug. Telling the client it raced would hide it.
            log.error("unexpected integrity error", exc_info=error, extra={"constraint": name})
            return problem_response(500, "Internal server error", "the error was logged; nothing was stored")
        issue = FieldProblem(["body", race.field], race.message)
        return await _problem(request, Problem(409, "Conflict", "nothing was stored", [issue]))

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, error: HTTPException) -> JSONResponse:
        response = problem_response(error.status_code, _title(error.status_code), error.detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Not authenticated",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        422: "Unprocessable content",
    }.get(status, "Error")
