"""JSON Schema for every event and an AsyncAPI document for the catalogue, generated from the models.

`python -m pbshared.contract.export` rewrites the checked-in copies under shared/schemas/;
`--check` exits non-zero when they are stale (a test runs the same check).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pbshared.contract.events  # noqa: F401  (registers the catalogue)
from pbshared.contract.envelope import Envelope
from pbshared.contract.registry import CATALOGUE, EventSpec
from pbshared.contract.topics import DEAD_LETTER_SUFFIX, events_topic

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas"


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def event_schemas() -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    for spec in CATALOGUE.specs():
        schema = spec.model.model_json_schema()
        schema["$id"] = f"urn:personal-budgets:event:{spec.schema_name}"
        schema["title"] = spec.schema_name
        schema["description"] = spec.summary
        schemas[spec.schema_name] = schema
    return schemas


def _message_name(spec: EventSpec) -> str:
    return spec.schema_name.replace(".", "_")


def asyncapi_document() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for spec in CATALOGUE.specs():
        messages[_message_name(spec)] = {
            "name": spec.event_type,
            "title": spec.schema_name,
            "summary": spec.summary,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "properties": {
                            "event_type": {"const": spec.event_type},
                            "schema_version": {"const": spec.version},
                            "payload": {"$ref": f"events/{spec.schema_name}.json"},
                        }
                    },
                ]
            },
            "bindings": {"kafka": {"key": {"type": "string", "description": "subject_id"}}},
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for service in CATALOGUE.producers():
        topic = events_topic(service)
        refs = {
            _message_name(spec): {"$ref": f"#/components/messages/{_message_name(spec)}"}
            for spec in CATALOGUE.specs()
            if spec.producer == service
        }
        channels[topic] = {"address": topic, "messages": refs}
        operations[f"{service}_publishes"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"Events {service} publishes through its outbox.",
        }
    # One dead-letter topic per consuming service; the contract does not list the services.
    channels["deadletter"] = {
        "address": "{service}" + DEAD_LETTER_SUFFIX,
        "description": "Messages a service could not handle, with the error in headers.",
        "parameters": {"service": {"description": "the consuming service, e.g. charging"}},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Personal budgets platform events",
            "version": "1",
            "description": "Every event services exchange. Keys are subject ids; see docs/events.md.",
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {
                "Envelope": Envelope.model_json_schema(),
                "KafkaHeaders": {
                    "type": "object",
                    "properties": {
                        "traceparent": {"type": "string", "description": "W3C trace context"},
                        "event_type": {"type": "string"},
                        "schema_version": {"type": "string"},
                        "correlation_id": {"type": "string"},
                    },
                },
            },
        },
    }


def rendered_files() -> dict[Path, str]:
    files = {SCHEMA_DIR / "asyncapi.json": _dump(asyncapi_document())}
    files[SCHEMA_DIR / "envelope.json"] = _dump(Envelope.model_json_schema())
    for name, schema in event_schemas().items():
        files[SCHEMA_DIR / "events" / f"{name}.json"] = _dump(schema)
    return files


def stale_files() -> list[Path]:
    """Checked-in files that differ from what the models generate, plus strays no model makes."""
    expected = rendered_files()
    stale = [p for p, text in expected.items() if not p.exists() or p.read_text() != text]
    if SCHEMA_DIR.exists():
        stale += [p for p in SCHEMA_DIR.rglob("*.json") if p not in expected]
    return sorted(stale)


def write_all() -> None:
    for path in SCHEMA_DIR.rglob("*.json") if SCHEMA_DIR.exists() else []:
        path.unlink()
    for path, text in rendered_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the checked-in copies are stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    write_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
