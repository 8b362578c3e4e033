"""The local stack's uprating step: a finance officer runs the year's uprating as a job, reads its
progress and totals, and starts it again to see that nothing is done twice."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tools.wording_demo import money


def demonstrate_uprating(
    url: str, headers: Callable[[str], dict[str, str]], year: int, say: Callable[[str], None], timeout: float = 30
) -> bool:
    """True if the job finished and starting it again found it finished."""
    started = httpx.post(f"{url}/uprating-jobs", json={"year": year}, headers=headers("finance_officer"))
    if started.status_code != 202:
        say(f"\nThe annual uprating was refused: {started.text}")
        return False
    say(f"\nThe annual uprating for {started.json()['key']}, run by a finance officer as a job:")
    job_url = f"{url}{started.headers['Location']}"
    deadline = time.monotonic() + timeout
    job = started.json()
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        job = httpx.get(job_url, headers=headers("auditor")).json()
    if job["status"] != "finished":
        say(f"  the job is {job['status']} after {timeout:.0f} seconds ({job['done']} of {job['total']} done)")
        return False
    totals = job["totals"]
    say(
        f"  finished: {job['done']} {'person' if job['done'] == 1 else 'people'} with a current assessment; "
        f"charges {totals['up']} up, "
        f"{totals['down']} down, {totals['unchanged']} unchanged, {totals['skipped']} already worked out for the year"
    )
    for effect in job["income_effect"]:
        if effect["client_group"] == "all":
            say(
                f"  income effect: {money(effect['weekly_pence'])} a week, {money(effect['yearly_pence'])} a year; "
                "a contribution change published only where a charge changed"
            )
    again = httpx.post(f"{url}/uprating-jobs", json={"year": year}, headers=headers("finance_officer"))
    same = again.json()
    unchanged = same["job_id"] == job["job_id"] and same["done"] == job["done"] and same["status"] == "finished"
    say(f"  started again: {'the same job, finished, nothing done twice' if unchanged else 'a different answer'}")
    return unchanged
