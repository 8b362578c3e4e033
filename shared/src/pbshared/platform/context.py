"""What a request or a consumed event carries along: correlation id, cause, and W3C trace context.

Set once at the edge (HTTP middleware, consumer loop) and read wherever an event is written or a
line is logged, so nobody has to pass them down by hand.
"""

from __future__ import annotations

import functools
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[uuid.UUID | None] = ContextVar("causation_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


@functools.lru_cache(maxsize=256)  # a bulk job's thousands of events share one parent: parsed once
def _valid(traceparent: str | None) -> re.Match[str] | None:
    match = _TRACEPARENT.match(traceparent or "")
    # W3C Trace Context: an all-zero trace id or parent id is invalid and must be ignored.
    if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return match


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span: what a hop (HTTP request to event, event to event) passes on."""
    match = _valid(parent)
    if not match:
        return new_traceparent()
    return f"00-{match.group(1)}-{secrets.token_hex(8)}-{match.group(3)}"


def trace_id(traceparent: str | None) -> str | None:
    match = _valid(traceparent)
    return match.group(1) if match else None


def current_correlation_id() -> str:
    return correlation_id_var.get() or str(uuid.uuid4())


@contextmanager
def bound(
    *, correlation_id: str, causation_id: uuid.UUID | None = None, traceparent: str | None = None
) -> Iterator[None]:
    tokens = (
        correlation_id_var.set(correlation_id),
        causation_id_var.set(causation_id),
        traceparent_var.set(traceparent),
    )
    try:
        yield
    finally:
        traceparent_var.reset(tokens[2])
        causation_id_var.reset(tokens[1])
        correlation_id_var.reset(tokens[0])
