"""Who may read brokerage's copy of people: brokers read it to place packages. Providers never do:
a person's identity goes only to the provider awarded their package (UK GDPR data minimisation)."""

from brokerage.bootstrap import SERVICE
from pbshared.platform.auth import Role


def test_the_copy_of_people_is_read_only_by_the_roles_that_need_it():
    expected = {Role.broker, Role.social_worker, Role.team_manager, Role.auditor, Role.admin}
    policy = SERVICE.access_policy()
    assert policy.allowed("GET", "/people") == expected
    assert policy.allowed("GET", "/people/{person_id}") == expected
