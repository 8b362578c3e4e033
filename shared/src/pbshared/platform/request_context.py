"""The outermost layer of every request: its correlation id and trace context, its metric and log
line, and an error body that always carries the correlation id, unhandled errors included.

A plain ASGI middleware rather than an `@app.middleware("http")` one: it must see every response,
also those the request guards answer before the app runs, and rewrite error bodies as they pass.
"""

from __future__ import annotations

import json
import logging
import re
import time

from prometheus_client import Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pbshared.platform import context
from pbshared.platform.metrics import REQUEST_LATENCY

log = logging.getLogger(__name__)

CORRELATION_HEADER = "x-correlation-id"
# Labels must come from a fixed set: a label per method or path a client invents would let anyone,
# token or not, grow the metrics without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED_ROUTE = "unmatched"
# A caller's correlation id is echoed in headers, bodies and logs: only a short, plain one is kept.
_USABLE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _correlation_id(offered: str | None) -> str:
    return offered if offered and _USABLE_CORRELATION_ID.match(offered) else context.new_correlation_id()


def metric_labels(scope: Scope) -> tuple[str, str]:
    """(method, route template) for a request, each from a fixed set of values."""
    method = scope["method"] if scope["method"] in KNOWN_METHODS else OTHER_METHOD
    return method, getattr(scope.get("route"), "path", UNMATCHED_ROUTE)


def _is_json(headers: Headers) -> bool:
    return headers.get("content-type", "").split(";")[0].strip().endswith("json")


def _with_correlation_id(body: bytes, correlation_id: str) -> bytes:
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    document["correlation_id"] = correlation_id
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class RequestContext:
    def __init__(self, app: ASGIApp, service: str, quiet_paths: tuple[str, ...]):
        self.app = app
        self.service = service
        self.quiet_paths = quiet_paths  # not logged per request (probes, scrapes)
        # The latency histogram of each (method, route, status), looked up once: prometheus_client's
        # `labels` takes a lock and builds its key on every call.
        self._histograms: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = _correlation_id(headers.get(CORRELATION_HEADER))
        traceparent = context.child_traceparent(headers.get("traceparent"))
        started = time.perf_counter()
        status = 500
        response_started = False
        held_start: Message | None = None  # an error response's start, held until its body is complete
        held_body: list[bytes] = []

        async def send_with_context(message: Message) -> None:
            nonlocal status, response_started, held_start
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                response_headers[CORRELATION_HEADER] = correlation_id
                if status >= 400 and _is_json(response_headers):
                    held_start = message
                    return
            elif message["type"] == "http.response.body" and held_start is not None:
                held_body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _with_correlation_id(b"".join(held_body), correlation_id)
                MutableHeaders(scope=held_start)["content-length"] = str(len(body))
                await send(held_start)
                message = {"type": "http.response.body", "body": body}
            await send(message)

        with context.bound(correlation_id=correlation_id, traceparent=traceparent):
            try:
                await self.app(scope, receive, send_with_context)
            except Exception:
                log.exception("unhandled error in a request")
                if response_started:
                    raise
                status = 500
                await _server_error()(scope, receive, send_with_context)
            finally:
                self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method, route = metric_labels(scope)
        labels = (method, route, status)
        histogram = self._histograms.get(labels)
        if histogram is None:  # the label values are few (metric_labels), so are these
            histogram = self._histograms[labels] = REQUEST_LATENCY.labels(self.service, method, route, str(status))
        histogram.observe(seconds)
        if route not in self.quiet_paths and log.isEnabledFor(logging.INFO):
            log.info(
                "request",
                extra={"method": method, "path": route, "status": status, "duration_ms": round(seconds * 1000, 1)},
            )


def _server_error() -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": "Internal server error",
        "status": 500,
        "detail": "an unexpected error, logged under this correlation id",
    }
    return JSONResponse(body, status_code=500, media_type="application/problem+json")
