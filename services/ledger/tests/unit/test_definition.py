"""Who may read ledger's copy of people: finance officers read it to run and reconcile direct payments."""

from ledger.bootstrap import SERVICE
from pbshared.platform.auth import Role


def test_the_copy_of_people_is_read_only_by_the_roles_that_need_it():
    expected = {Role.finance_officer, Role.social_worker, Role.team_manager, Role.auditor, Role.admin}
    policy = SERVICE.access_policy()
    assert policy.allowed("GET", "/people") == expected
    assert policy.allowed("GET", "/people/{person_id}") == expected
