"""Every service that keeps a copy of people takes it from RAS's person events, and only from them."""

import pytest

from pbshared.contract.topics import events_topic
from tools.services import SERVICE_NAMES, definition

KEEPERS = [name for name in SERVICE_NAMES if definition(name).person_copies is not None]


def test_every_service_but_ras_keeps_a_copy():
    assert [name for name in SERVICE_NAMES if name != "ras"] == KEEPERS


@pytest.mark.parametrize("name", KEEPERS)
def test_the_copy_is_kept_from_rases_person_events(name):
    subscriptions = definition(name).all_subscriptions()
    assert {s.event_type for s in subscriptions} >= {"person.registered", "person.updated", "person.merged"}
    # The person events come from RAS (a service may follow other producers' events for its own rules).
    assert {s.topic for s in subscriptions if s.event_type.startswith("person.")} == {events_topic("ras")}
