"""Generated contract documents: the checked-in JSON Schemas and AsyncAPI document match the models."""

from __future__ import annotations

import json

from pbshared.contract import export
from pbshared.contract.registry import CATALOGUE
from pbshared.contract.topics import events_topic


def test_checked_in_schemas_are_what_the_models_generate() -> None:
    stale = export.stale_files()
    assert stale == [], "run `python -m pbshared.contract.export` and commit shared/schemas/"


def test_export_check_command_exits_zero_when_schemas_are_fresh() -> None:
    assert export.main(["--check"]) == 0


def test_every_catalogue_event_has_a_checked_in_schema_file() -> None:
    for spec in CATALOGUE.specs():
        path = export.SCHEMA_DIR / "events" / f"{spec.schema_name}.json"
        assert path.is_file(), path
        schema = json.loads(path.read_text())
        assert schema["$id"] == f"urn:personal-budgets:event:{spec.schema_name}"


def test_asyncapi_has_an_events_channel_per_producer_and_one_dead_letter_channel_per_service() -> None:
    channels = export.asyncapi_document()["channels"]
    for service in CATALOGUE.producers():
        assert channels[events_topic(service)]["address"] == events_topic(service)
    assert channels["deadletter"]["address"] == "{service}.deadletter"
    assert len(channels) == len(CATALOGUE.producers()) + 1


def test_asyncapi_has_a_message_per_catalogue_spec_on_its_producers_channel() -> None:
    document = export.asyncapi_document()
    messages = document["components"]["messages"]
    assert len(messages) == len(CATALOGUE.specs())
    for spec in CATALOGUE.specs():
        name = spec.schema_name.replace(".", "_")
        assert messages[name]["name"] == spec.event_type
        assert name in document["channels"][spec.topic]["messages"]


def test_asyncapi_internal_references_all_resolve() -> None:
    document = export.asyncapi_document()
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref" and v.startswith("#/"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs
    for ref in refs:
        node: object = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, ref
            node = node[part]
