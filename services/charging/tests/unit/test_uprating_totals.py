"""The uprating's totals: counted per person, and the income effect per week and per year by client group."""

from __future__ import annotations

from charging.domain.uprating import REFUSED_LISTED, empty_totals, income_effect, merged, tally


def test_each_change_is_counted_by_direction_and_its_effect_by_client_group():
    totals = empty_totals()
    for group, old, new in (
        ("older_people", 5000, 4500),
        ("older_people", 3000, 3000),
        ("learning_disability", 0, 250),
        ("older_people", 2000, 1990),
    ):
        totals = tally(totals, group, old, new)
    assert (totals["up"], totals["down"], totals["unchanged"]) == (1, 2, 1)
    assert income_effect(totals) == [
        ("learning_disability", 250, 250 * 52),
        ("older_people", -510, -510 * 52),
        ("all", -260, -260 * 52),
    ]


def test_tally_leaves_the_checkpointed_totals_as_they_were():
    before = empty_totals()
    tally(before, "older_people", 100, 200)
    assert before == empty_totals()


def test_a_pages_totals_are_added_to_the_jobs_and_the_refused_listed_up_to_the_limit():
    job = tally(tally(empty_totals(), "older_people", 100, 200), "older_people", 300, 300)
    job = {**job, "refused": [f"a{n}" for n in range(REFUSED_LISTED - 1)]}
    page = tally(tally(empty_totals(), "learning_disability", 500, 400), "older_people", 0, 50)
    page = {**page, "skipped": 2, "refused": ["b1", "b2"]}
    both = merged(job, page)
    assert (both["up"], both["down"], both["unchanged"], both["skipped"]) == (2, 1, 1, 2)
    assert both["weekly_effect_pence"] == {"older_people": 150, "learning_disability": -100}
    assert both["refused"][-1] == "b1" and len(both["refused"]) == REFUSED_LISTED
    assert merged(empty_totals(), page) == page and job["weekly_effect_pence"] == {"older_people": 100}
