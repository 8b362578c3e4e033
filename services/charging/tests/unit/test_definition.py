"""charging is wired as the platform expects: it keeps a copy of people from RAS's events, within its council."""

from charging.bootstrap import SERVICE
from pbshared.contract.topics import events_topic
from pbshared.platform.auth import Role


def test_it_keeps_a_copy_of_people_from_ras_events():
    assert {s.event_type for s in SERVICE.all_subscriptions()} >= {
        "person.registered",
        "person.updated",
        "person.merged",
    }
    assert {s.topic for s in SERVICE.all_subscriptions()} == {events_topic("ras")}


def test_providers_never_read_its_copy_of_people():
    # A person's identity goes only to the provider awarded their package (DOMAIN.md, brokerage).
    assert Role.provider not in SERVICE.access_policy().allowed("GET", "/people/{person_id}")
