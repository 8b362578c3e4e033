"""The rules for changing and merging a person's record (ras.domain.people)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.errors import RuleBroken, StaleRevision
from ras.domain.people import Person, PersonRuleBroken


def person(**overrides) -> Person:
    values = dict(
        person_id=uuid.uuid4(),
        council_id="wyvernshire",
        council_person_id="WY-1",
        nhs_number="9434765919",
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1941, 12, 10),
        postcode="SK1 3XE",
        client_group="older_people",
    )
    values.update(overrides)
    return Person(**values)


def test_a_change_raises_the_revision_and_names_only_the_fields_that_changed():
    before = person()
    after, changed = before.with_changes({"given_name": "Ada", "postcode": "SK2 6QQ"})
    assert changed == ["postcode"]
    assert after.revision == before.revision + 1 and after.postcode == "SK2 6QQ"


def test_a_change_that_changes_nothing_keeps_the_revision():
    before = person()
    after, changed = before.with_changes({"given_name": "Ada"})
    assert (after, changed) == (before, [])


def test_a_merged_record_cannot_be_changed():
    retired = person(merged_into=uuid.uuid4())
    with pytest.raises(PersonRuleBroken, match="merged into"):
        retired.with_changes({"given_name": "Other"})


def test_only_editable_fields_can_be_changed():
    with pytest.raises(PersonRuleBroken) as broken:
        person().with_changes({"council_id": "eastmere"})
    assert broken.value.field == "council_id"


def test_merging_points_the_duplicate_at_the_survivor():
    duplicate, survivor = person(nhs_number=None), person()
    retired = duplicate.merged_into_person(survivor)
    assert retired.merged_into == survivor.person_id and retired.revision == duplicate.revision + 1


@pytest.mark.parametrize(
    "duplicate, survivor, field",
    [
        pytest.param(person(merged_into=uuid.uuid4()), person(), "person_id", id="already merged"),
        pytest.param(person(), person(merged_into=uuid.uuid4()), "surviving_person_id", id="survivor retired"),
        pytest.param(person(), person(council_id="eastmere"), "surviving_person_id", id="another council"),
        pytest.param(person(nhs_number="9000000009"), person(), "surviving_person_id", id="different NHS numbers"),
    ],
)
def test_a_merge_the_rules_forbid_is_refused_naming_the_field(duplicate, survivor, field):
    with pytest.raises(PersonRuleBroken) as broken:
        duplicate.merged_into_person(survivor)
    assert broken.value.field == field


def test_a_record_cannot_be_merged_into_itself():
    record = person()
    with pytest.raises(PersonRuleBroken, match="itself"):
        record.merged_into_person(record)


def test_a_change_built_on_an_older_revision_is_refused_naming_revision():
    current = person(revision=3)
    assert current.as_read_at(3) is current
    with pytest.raises(StaleRevision) as stale:
        current.as_read_at(2)
    assert [issue.field for issue in stale.value.issues] == ["revision"]


def test_a_broken_rule_is_a_domain_error_naming_its_field():
    with pytest.raises(RuleBroken) as broken:
        person(merged_into=uuid.uuid4()).with_changes({"given_name": "Other"})
    assert [issue.field for issue in broken.value.issues] == ["person_id"]
