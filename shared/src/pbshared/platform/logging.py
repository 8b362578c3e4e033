"""JSON log lines with the service, correlation id and trace id on every line.

Code logs through the standard library (`logging.getLogger(__name__)`, details in `extra=`);
structlog renders every record, ours and libraries', the same way.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from pbshared.platform import context


def _add_context(service: str) -> structlog.types.Processor:
    def processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("service", service)
        correlation_id = context.correlation_id_var.get()
        if correlation_id:
            event.setdefault("correlation_id", correlation_id)
        trace = context.trace_id(context.traceparent_var.get())
        if trace:
            event.setdefault("trace_id", trace)
        return event

    return processor


def configure_logging(service: str, level: str = "INFO", json_lines: bool = True) -> None:
    pre_chain: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _add_context(service),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=pre_chain,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # aiokafka logs every failed connection attempt at ERROR while a broker is away; the relay
    # and consumer already log one warning per retry.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
