"""Who may read charging's copy of people: finance officers and case workers read it to assess what a person pays."""

from charging.bootstrap import SERVICE
from pbshared.platform.auth import Role


def test_the_copy_of_people_is_read_only_by_the_roles_that_need_it():
    expected = {Role.social_worker, Role.team_manager, Role.finance_officer, Role.auditor, Role.admin}
    policy = SERVICE.access_policy()
    assert policy.allowed("GET", "/people") == expected
    assert policy.allowed("GET", "/people/{person_id}") == expected
