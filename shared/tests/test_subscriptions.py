"""Wiring of event handlers: several per event type, never the same one twice."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData

from pbshared.contract.events.people import PersonMerged, PersonRegistered
from pbshared.platform.consumer import EventConsumer, Subscription, subscriptions_by_event_type
from pbshared.platform.people import replica
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition
from pbshared.platform.settings import ServiceSettings


async def copy_person(ctx, event) -> None:
    pass


async def apply_own_rule(ctx, event) -> None:
    pass


def test_several_handlers_of_one_event_type_keep_their_declaration_order() -> None:
    by_type = subscriptions_by_event_type(
        [
            Subscription(PersonRegistered, apply_own_rule),
            Subscription(PersonMerged, copy_person),
            Subscription(PersonRegistered, copy_person),
        ]
    )
    assert [s.handler for s in by_type["person.registered"]] == [apply_own_rule, copy_person]
    assert [s.handler for s in by_type["person.merged"]] == [copy_person]


def test_an_event_consumer_refuses_the_same_handler_twice_for_one_event_type() -> None:
    twice = [Subscription(PersonRegistered, copy_person), Subscription(PersonRegistered, copy_person)]
    with pytest.raises(ValueError, match="copy_person is subscribed to person.registered twice"):
        EventConsumer(service="charging", sessions=None, bootstrap_servers="127.0.0.1:1", subscriptions=twice)  # type: ignore[arg-type]


def test_a_service_definition_refuses_a_handler_it_already_gets_from_its_person_copy() -> None:
    definition = dict(
        name="charging",
        title="t",
        description="d",
        settings_cls=ServiceSettings,
        metadata=MetaData(),
        person_copies=PersonCopyAccess(readers=frozenset()),
    )
    own_rule = Subscription(PersonMerged, apply_own_rule)
    ServiceDefinition(**definition, subscriptions=[own_rule])  # its own rule beside the copy's: fine
    with pytest.raises(ValueError, match="on_person_merged is subscribed to person.merged twice"):
        ServiceDefinition(**definition, subscriptions=[own_rule, replica.SUBSCRIPTIONS[2]])
