"""Errors as RFC 9457 problem details, each problem named by the field it is about.

Request validation keeps FastAPI's 422 shape (a `detail` list with `loc` and `msg` per problem);
domain refusals raise Problem, which renders as application/problem+json with an `errors` list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError


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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return JSONResponse(problem.as_dict(), status_code=problem.status, media_type="application/problem+json")

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, error: IntegrityError) -> JSONResponse:
        # Two requests raced past the same check (two registrations of one person at one moment):
        # the database's unique constraint stopped the second. Nothing of it was stored.
        constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
        detail = "conflicts with a record saved at the same moment; nothing was stored"
        return problem_response(409, "Conflict", detail + (f" ({constraint})" if constraint else ""))

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
