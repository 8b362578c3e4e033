"""The uprating's totals: counted per person, and the income effect per week and per year by client group."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime

from rich.console import Console

from charging.domain.uprating import (
    REFUSED_LISTED,
    empty_totals,
    income_effect,
    merged,
    refused_count,
    tally,
    tally_refused,
)
from charging.entrypoints.uprate_cli import totals_table
from pbshared.platform.jobs import Job, JobStatus


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
    for n in range(REFUSED_LISTED - 1):
        job = tally_refused(job, f"a{n}")
    page = tally(tally(empty_totals(), "learning_disability", 500, 400), "older_people", 0, 50)
    page = tally_refused(tally_refused({**page, "skipped": 2}, "b1"), "b2")
    both = merged(job, page)
    assert (both["up"], both["down"], both["unchanged"], both["skipped"]) == (2, 1, 1, 2)
    assert both["weekly_effect_pence"] == {"older_people": 150, "learning_disability": -100}
    assert both["refused"][-1] == "b1" and len(both["refused"]) == REFUSED_LISTED
    assert refused_count(both) == REFUSED_LISTED + 1  # every one counted, though not every one listed
    assert merged(empty_totals(), page) == page and job["weekly_effect_pence"] == {"older_people": 100}


def test_everyone_refused_is_counted_beyond_those_listed_and_shown_so():
    totals = empty_totals()
    for n in range(REFUSED_LISTED + 50):
        totals = tally_refused(totals, f"p{n}")
    assert refused_count(totals) == REFUSED_LISTED + 50 and len(totals["refused"]) == REFUSED_LISTED
    before_the_count = {**empty_totals(), "refused": ["p1", "p2"]}
    del before_the_count["refused_count"]  # a job checkpointed before the count was kept
    assert refused_count(merged(before_the_count, totals)) == REFUSED_LISTED + 52
    job = Job(uuid.uuid4(), "wyvernshire", "uprating", "2026/27", JobStatus.finished, 150, 150, None, totals, None,
              datetime.now(UTC), datetime.now(UTC), datetime.now(UTC))  # fmt: skip
    shown = Console(file=io.StringIO(), width=200, record=True)
    shown.print(totals_table(job))
    assert re.search(r"refused \(reassess\)\s*│\s*150 ", shown.export_text())
