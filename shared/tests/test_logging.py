"""JSON log lines carry the service, correlation id, trace id and the `extra=` details."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from pbshared.platform import context
from pbshared.platform.logging import configure_logging

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers; give them back to pytest afterwards."""
    root, kafka = logging.getLogger(), logging.getLogger("aiokafka")
    handlers, root_level, kafka_level = root.handlers[:], root.level, kafka.level
    yield
    root.handlers = handlers
    root.setLevel(root_level)
    kafka.setLevel(kafka_level)


def log_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_log_record_is_one_json_line_with_service_correlation_trace_and_extra_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("ras")
    with context.bound(correlation_id="corr-1", traceparent=PARENT):
        logging.getLogger("ras.people").info("person registered", extra={"person_id": "p-1", "count": 3})
    [line] = log_lines(capsys.readouterr().err)
    assert line["event"] == "person registered"
    assert line["service"] == "ras"
    assert line["correlation_id"] == "corr-1"
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert (line["person_id"], line["count"]) == ("p-1", 3)
    assert (line["level"], line["logger"]) == ("info", "ras.people")
    assert "timestamp" in line


def test_log_line_outside_a_bound_context_has_no_correlation_or_trace_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("ras")
    logging.getLogger("ras").warning("idle")
    [line] = log_lines(capsys.readouterr().err)
    assert line["service"] == "ras"
    assert "correlation_id" not in line and "trace_id" not in line


def test_log_level_setting_drops_quieter_records(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("ras", level="warning")
    logging.getLogger("ras").info("not shown")
    assert log_lines(capsys.readouterr().err) == []


def test_aiokafka_is_quietened_to_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("ras", level="DEBUG")
    assert logging.getLogger("aiokafka").level == logging.WARNING
