"""The local stack's ledger step: the demo person's direct payment agreement (set up from the agreed
budget's direct payment part, if it has one), what today's payment run would pay, the run itself as a
job, and its payment file for the card provider."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date

import httpx

from pbshared.platform.tokens import DEV_SECRET, mint
from tools.wording_demo import count, day, money


def _headers(role: str) -> dict[str, str]:
    secret = os.environ.get("PB_JWT_SECRET", DEV_SECRET)
    return {"Authorization": f"Bearer {mint(role=role, council_id='wyvernshire', secret=secret)}"}


def demonstrate_ledger(url: str, person_id: str | None, say: Callable[[str], None], timeout: float = 10) -> bool:
    """True if the run finished (with or without an agreement to pay)."""
    say("\nLedger: direct payments onto prepaid cards, paid by a run a finance officer previews first:")
    agreements: list[dict] = []
    deadline = time.monotonic() + timeout
    while person_id and time.monotonic() < deadline and not agreements:
        found = httpx.get(f"{url}/people/{person_id}/direct-payments", headers=_headers("social_worker"))
        agreements = found.json() if found.status_code == 200 else []
        time.sleep(0.1)
    for a in agreements:
        say(
            f"  agreement {a['agreement_id'][:8]}: {money(a['weekly_gross_pence'])} a week less "
            f"{money(a['weekly_contribution_pence'])} her contribution = {money(a['weekly_payable_pence'])} a week, "
            f"loaded every {a['cycle_weeks']} weeks in advance onto card account {a['card_account_ref']} "
            f"(funded by the {a['funder']})"
        )
    if not agreements:
        say("  the demo budget is all council-managed: no direct payment part, so no agreement to pay")
    today = date.today().isoformat()
    finance = _headers("finance_officer")
    preview = httpx.get(f"{url}/payment-runs/{today}/preview", headers=finance).json()
    totals = preview["totals"]
    say(f"  preview for {day(today)}: {count(totals['payments'], 'payment')}, {money(totals['amount_pence'])}")
    for payment in preview["payments"]:
        for line in payment["lines"]:
            period = f"{day(line['period_start'])} to {day(line['period_end'])}"
            say(f"    {line['description']:<20} {period:<36} {money(line['amount_pence']):>14}")
    started = httpx.post(f"{url}/payment-runs", json={"run_date": today}, headers=finance)
    job_path = started.headers.get("Location", "")
    job = started.json()
    while job.get("status") == "running" and time.monotonic() < deadline + timeout:
        time.sleep(0.1)
        job = httpx.get(f"{url}{job_path}", headers=finance).json()
    again = httpx.post(f"{url}/payment-runs", json={"run_date": today}, headers=finance).json()
    file = httpx.get(f"{url}/payment-runs/{today}/payment-file", headers=finance)
    lines = max(0, len(file.text.strip().splitlines()) - 1)
    say(
        f"  Payment run {day(today)}: {job.get('status')}, {count(job['totals'].get('payments', 0), 'payment')}, "
        f"{money(job['totals'].get('amount_pence', 0))}; run again: the same job "
        f"({'nothing added' if again.get('totals') == job.get('totals') else 'CHANGED'}); "
        f"payment file for the card provider: {count(lines, 'line')}"
    )
    return job.get("status") == "finished"
