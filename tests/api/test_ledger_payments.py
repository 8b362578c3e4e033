"""Direct payments over HTTP: who reads an agreement, finance's guarded changes, a preview, a run started
twice, its job status, its payment file; and the command-line run with its progress bar."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ledger.entrypoints.pay_cli import pay
from ledger.service_layer import agreements
from pbshared.contract.events.budgets import PersonalBudgetAgreed
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.budgets import agreed_budget
from pbshared.testing.harness import auth, wait_for

pytestmark = pytest.mark.integration

START = date(2026, 4, 6)


def budget(person_id: uuid.UUID, dp_weekly: int) -> PersonalBudgetAgreed:
    return agreed_budget(person_id, dp_weekly, START, next_review_date=date(2027, 4, 5))


async def set_up(ledger, dp_weekly: int = 14_000):
    person_id = uuid.uuid4()
    made = await agreements.follow_budget(
        UnitOfWork(ledger.sessions, "ledger"), "wyvernshire", budget(person_id, dp_weekly)
    )
    return person_id, made


async def test_social_workers_read_an_agreement_and_other_councils_never_see_it(api):
    ledger = await api("ledger")
    person_id, made = await set_up(ledger)
    path = f"/direct-payments/{made.agreement_id}"
    read = await ledger.client.get(path, params={"on": "2026-04-06"}, headers=auth(Role.social_worker))
    assert read.status_code == 200, read.text
    body = read.json()
    assert (body["weekly_payable_pence"], body["cycle_weeks"], body["revision"]) == (14_000, 4, 1)
    assert [line["amount_pence"] for line in body["current_cycle"]["lines"]] == [56_000]
    listed = await ledger.client.get(f"/people/{person_id}/direct-payments", headers=auth(Role.auditor))
    assert [a["agreement_id"] for a in listed.json()] == [str(made.agreement_id)]
    assert (await ledger.client.get(path, headers=auth(Role.provider, provider_id="P1"))).status_code == 403
    assert (await ledger.client.get(path, headers=auth(Role.social_worker, "eastmere"))).status_code == 404


async def test_finance_changes_are_guarded_by_the_revision_read_and_bad_input_is_named(api):
    ledger = await api("ledger")
    _, made = await set_up(ledger)
    path = f"/direct-payments/{made.agreement_id}"
    finance = auth(Role.finance_officer)
    suspended = await ledger.client.post(
        f"{path}/suspend", json={"revision": 1, "from_date": "2026-04-20"}, headers=finance
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    stale = await ledger.client.post(f"{path}/resume", json={"revision": 1, "from_date": "2026-04-27"}, headers=finance)
    assert stale.status_code == 409
    bad = await ledger.client.put(
        f"{path}/card-account", json={"revision": 2, "card_account_ref": "=HYPERLINK(1)"}, headers=finance
    )
    assert bad.status_code == 422 and "HYPERLINK" not in bad.text
    assert "card_account_ref" in bad.text
    social_worker = await ledger.client.post(
        f"{path}/resume", json={"revision": 2, "from_date": "2026-04-27"}, headers=auth(Role.social_worker)
    )
    assert social_worker.status_code == 403


async def test_a_previewed_run_pays_what_the_preview_showed_once_and_writes_the_payment_file(api):
    ledger = await api("ledger")
    for weekly in (14_000, 10_500):
        await set_up(ledger, weekly)
    finance = auth(Role.finance_officer)
    preview = await ledger.client.get("/payment-runs/2026-04-06/preview", headers=finance)
    assert preview.status_code == 200
    assert preview.json()["totals"]["amount_pence"] == 4 * (14_000 + 10_500)

    started = await ledger.client.post("/payment-runs", json={"run_date": "2026-04-06"}, headers=finance)
    assert started.status_code == 202
    job_path = started.headers["Location"]

    async def finished() -> bool:
        job = (await ledger.client.get(job_path, headers=auth(Role.auditor))).json()
        return job["status"] == "finished"

    await wait_for(finished)
    job = (await ledger.client.get(job_path, headers=finance)).json()
    assert (job["done"], job["totals"]["payments"]) == (2, 2)
    assert job["totals"]["amount_pence"] == preview.json()["totals"]["amount_pence"]
    # The sample council's card contract: a monthly fee of GBP 1.00 for April and May.
    assert job["totals"]["fees_pence"] == 2 * 2 * 100
    again = await ledger.client.post("/payment-runs", json={"run_date": "2026-04-06"}, headers=finance)
    assert again.json()["job_id"] == job["job_id"] and again.json()["totals"] == job["totals"]
    assert (await ledger.client.get("/payment-runs/2026-04-06/preview", headers=finance)).json()["payments"] == []

    file = await ledger.client.get("/payment-runs/2026-04-06/payment-file", headers=auth(Role.auditor))
    assert file.status_code == 200 and file.headers["content-type"].startswith("text/csv")
    rows = file.text.lstrip("\ufeff").strip().split("\r\n")
    assert len(rows) == 3 and sorted(r.split(",")[3] for r in rows[1:]) == ["420.00", "560.00"]
    assert (
        await ledger.client.post("/payment-runs", json={"run_date": "2026-04-06"}, headers=auth(Role.social_worker))
    ).status_code == 403


async def test_the_command_line_run_shows_progress_and_resumes_the_same_run(api, capsys):
    ledger = await api("ledger")
    for _ in range(3):
        await set_up(ledger)
    [job] = await pay(START, ledger.settings.resolved_database_url(), "wyvernshire", page=2)
    assert (job.done, job.totals["payments"]) == (3, 3)
    out = capsys.readouterr().out
    assert "agreements/s" in out and "3 payments" in out
    [again] = await pay(START, ledger.settings.resolved_database_url(), "wyvernshire")
    assert again.job_id == job.job_id and again.totals == job.totals
