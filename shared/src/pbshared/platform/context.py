"""What a request or a consumed event carries along: correlation id, cause, and W3C trace context.

Set once at the edge (HTTP middleware, consumer loop) and read wherever an event is written or a
line is logged, so nobody has to pass them down by hand.
"""

from __future__ import annotations

import functools
import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[uuid.UUID | None] = ContextVar("causation_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


# Trace and span ids need to be unique, not secret: drawn from `random` as OpenTelemetry's SDK does.
# Each draw from the system's source was a system call, two or three of them in every request.
def _span_id() -> str:
    return f"{random.getrandbits(64) or 1:016x}"  # all zeros is invalid (W3C Trace Context)


def new_traceparent() -> str:
    return f"00-{random.getrandbits(128) or 1:032x}-{_span_id()}-01"


def new_correlation_id() -> str:
    """A version 4 UUID, as uuid.uuid4 makes, from the same draw as the trace ids."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


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
    return f"00-{match.group(1)}-{_span_id()}-{match.group(3)}"


def trace_id(traceparent: str | None) -> str | None:
    match = _valid(traceparent)
    return match.group(1) if match else None


def current_correlation_id() -> str:
    return correlation_id_var.get() or new_correlation_id()


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
