"""Request/event context: correlation id, cause and W3C trace context, bound once at the edge."""

from __future__ import annotations

import re
import uuid

import pytest

from pbshared.platform import context

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_child_traceparent_keeps_the_trace_id_and_flags_and_changes_the_span_id() -> None:
    child = context.child_traceparent(PARENT)
    assert TRACEPARENT.match(child)
    _, trace, span, flags = child.split("-")
    assert (trace, flags) == ("4bf92f3577b34da6a3ce929d0e0e4736", "01")
    assert span != "00f067aa0ba902b7"


@pytest.mark.parametrize(
    "parent",
    [
        None,
        "",
        "garbage",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  # upper case is not allowed
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  # no flags
        "00-4bf92f3577b34da6-00f067aa0ba902b7-01",  # short trace id
    ],
)
def test_child_of_an_invalid_traceparent_is_a_fresh_valid_traceparent(parent: str | None) -> None:
    child = context.child_traceparent(parent)
    assert TRACEPARENT.match(child)
    assert context.trace_id(parent) is None
    assert context.trace_id(child) is not None


@pytest.mark.parametrize(
    "parent",
    [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    ],
)
def test_child_of_an_all_zero_trace_or_parent_id_starts_a_fresh_trace(parent: str) -> None:
    assert context.trace_id(context.child_traceparent(parent)) != parent.split("-")[1]


def test_new_traceparents_are_valid_and_distinct() -> None:
    first, second = context.new_traceparent(), context.new_traceparent()
    assert TRACEPARENT.match(first) and TRACEPARENT.match(second)
    assert context.trace_id(first) != context.trace_id(second)


def test_bound_sets_the_context_and_restores_it_afterwards() -> None:
    cause = uuid.uuid4()
    assert context.correlation_id_var.get() is None
    with context.bound(correlation_id="corr-1", causation_id=cause, traceparent=PARENT):
        assert context.correlation_id_var.get() == "corr-1"
        assert context.causation_id_var.get() == cause
        assert context.traceparent_var.get() == PARENT
        with context.bound(correlation_id="corr-2"):
            assert (context.correlation_id_var.get(), context.causation_id_var.get()) == ("corr-2", None)
            assert context.traceparent_var.get() is None
        assert (context.correlation_id_var.get(), context.causation_id_var.get()) == ("corr-1", cause)
        assert context.traceparent_var.get() == PARENT
    assert context.correlation_id_var.get() is None
    assert context.causation_id_var.get() is None
    assert context.traceparent_var.get() is None


def test_bound_restores_the_context_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), context.bound(correlation_id="corr-1"):
        raise RuntimeError
    assert context.correlation_id_var.get() is None


def test_current_correlation_id_is_the_bound_one_or_a_new_uuid() -> None:
    with context.bound(correlation_id="corr-1"):
        assert context.current_correlation_id() == "corr-1"
    unbound = context.current_correlation_id()
    assert uuid.UUID(unbound)
    assert context.current_correlation_id() != unbound
