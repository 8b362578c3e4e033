"""Checks every request passes before a route sees it, cheapest first, so that hostile input costs
the service as little as possible: the declared size, the bearer token (nothing of an unauthenticated
request's body is read), the size of what actually arrives, then what the body holds.

The role check stays in the route dependency (auth.current_principal): it needs the matched route.
Validation errors name the field and the rule, never the value: a refused body may be personal data,
or ten megabytes of it.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pbshared.platform.auth import TokenVerifier
from pbshared.platform.body_checks import body_problems, query_problems
from pbshared.platform.errors import FieldProblem

PROBLEM_JSON = "application/problem+json"


def install_guards(
    app: FastAPI,
    *,
    verifier: TokenVerifier | None,
    max_body_bytes: int,
    open_paths: Collection[str],
    open_prefixes: tuple[str, ...],
    upload_paths: Collection[str] = (),
    max_upload_bytes: int = 0,
) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)  # type: ignore[arg-type]
    app.add_middleware(
        RequestGuards,
        verifier=verifier,
        max_body_bytes=max_body_bytes,
        open_paths=frozenset(open_paths),
        open_prefixes=open_prefixes,
        upload_limits=dict.fromkeys(upload_paths, max(max_upload_bytes, max_body_bytes)),
    )


async def _validation_problem(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = [FieldProblem(list(e["loc"]), _rule(e), e["type"]) for e in error.errors()]
    return invalid(problems)


def _rule(error: dict) -> str:
    """The message without a parser's detail, which can quote the input ("a valid UUID, invalid
    character: found `x` at 0"); our own validators' messages (value_error) say only the rule."""
    if "error" in error.get("ctx", {}) and error["type"] not in ("value_error", "assertion_error"):
        return str(error["msg"]).split(", ", 1)[0]
    return str(error["msg"])


def invalid(problems: list[FieldProblem]) -> JSONResponse:
    return _problem(422, "Unprocessable content", [p.as_dict() for p in problems])


def _problem(status: int, title: str, detail: object, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _too_large(limit: int) -> JSONResponse:
    return _problem(413, "Content too large", f"a request body may be at most {limit} bytes")


class RequestGuards:
    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: TokenVerifier | None,
        max_body_bytes: int,
        open_paths: frozenset[str],
        open_prefixes: tuple[str, ...],
        upload_limits: dict[str, int] | None = None,
    ):
        self.app = app
        self.verifier = verifier
        self.max_body_bytes = max_body_bytes
        self.open_paths = open_paths
        self.open_prefixes = open_prefixes
        # Routes that take a file (a commissioner's cohort): a larger limit than a JSON body's.
        self.upload_limits = upload_limits or {}

    def _limit(self, scope: Scope) -> int:
        return self.upload_limits.get(scope["path"], self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refuse_by_headers(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        limit = self._limit(scope)
        try:
            body = await self._read_body(receive, limit)
        except _ClientGone:
            return
        if body is None:
            await _too_large(limit)(scope, receive, send)
            return
        problems = query_problems(scope.get("raw_path") or b"", scope.get("query_string", b""))
        problems += body_problems(body, headers.get("content-type"))
        if problems:
            await invalid(problems)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _refuse_by_headers(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        length, limit = headers.get("content-length"), self._limit(scope)
        if length is not None and (not length.isdigit() or int(length) > limit):
            return _too_large(limit)
        path: str = scope["path"]
        if path in self.open_paths or path.startswith(self.open_prefixes):
            return None
        if self.verifier is None:  # a worker: it serves the ops endpoints only; the rest is a 404
            return None
        try:
            principal = self.verifier.authenticate(headers.get("authorization"))
        except HTTPException as refused:
            return _problem(refused.status_code, "Not authenticated", refused.detail, refused.headers)
        scope.setdefault("state", {})["principal"] = principal
        return None

    async def _read_body(self, receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None as soon as more than the limit has arrived (a chunked body
        declares no length)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class _ClientGone(Exception):
    """The client disconnected before its body arrived: there is no one to answer."""


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits on the client as before."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
