"""Recoveries, arrears, audits and the auditors' reports through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.domain.accounts import AccountKind
from ledger.domain.transfers import TransferRequest
from ledger.service_layer.postings import open_account, post
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth

from .test_ledger_card_imports import CSV, FINANCE, finished, ledger_with_cards
from .test_ledger_payments import set_up

pytestmark = pytest.mark.integration

AUDITOR = auth(Role.auditor)


async def pay(service, card: str, pence: int, day: date, key: str) -> None:
    uow = UnitOfWork(service.sessions, "ledger")
    async with uow:
        fund = await open_account(uow, "wyvernshire", AccountKind.dp_fund, "council")
        account = await open_account(uow, "wyvernshire", AccountKind.card, card)
        await post(uow, "wyvernshire", TransferRequest(key, fund.account_id, account.account_id, pence, day, "payment"))
        await uow.commit()


async def test_a_finance_officer_approves_one_recovery_and_rejects_another(api):
    service = await ledger_with_cards(api, "CARD-2")
    _, agreement = await set_up(service, 10_000)
    for card in (agreement.card_account_ref, "CARD-2"):
        for n in range(3):
            await pay(service, card, 40_000, date(2026, 1, 5) + timedelta(weeks=4 * n), f"{card}-{n}")
    proposed = await service.client.post("/recoveries/proposals", json={"as_of": "2026-03-29"}, headers=FINANCE)
    assert proposed.status_code == 201, proposed.text
    first, second = sorted(proposed.json(), key=lambda r: r["card_account"] != agreement.card_account_ref)
    assert (first["amount_pence"], first["threshold_pence"]) == (40_000, 80_000)

    url = f"/recoveries/{first['recovery_id']}/decision"
    stale = await service.client.post(url, json={"approve": True, "revision": 2}, headers=FINANCE)
    assert stale.status_code == 409
    approved = await service.client.post(url, json={"approve": True, "revision": 1}, headers=FINANCE)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    url = f"/recoveries/{second['recovery_id']}/decision"
    no_reason = await service.client.post(url, json={"approve": False, "revision": 1}, headers=FINANCE)
    assert no_reason.status_code in (409, 422) and "reason" in no_reason.text
    rejected = await service.client.post(
        url, json={"approve": False, "revision": 1, "reason": "hoist"}, headers=FINANCE
    )
    assert rejected.json()["status"] == "rejected"

    period = {"period_from": "2026-01-01", "period_to": "2026-03-31"}
    summary = await service.client.get("/ledger-reports/recoveries", params=period, headers=AUDITOR)
    assert {r["status"]: r["amount_pence"] for r in summary.json()} == {"approved": 40_000, "rejected": 40_000}
    # The recovery moves money on the day it is approved (today), so the balances are read far ahead.
    at_year_end = {"period_from": "2026-01-01", "period_to": "2099-12-31"}
    balances = await service.client.get("/ledger-reports/balances", params=at_year_end, headers=AUDITOR)
    by_code = {(b["kind"], b["reference"]): b["balance_pence"] for b in balances.json()}
    assert by_code[("card", agreement.card_account_ref)] == 80_000 and by_code[("dp_fund", "council")] == -200_000
    payments = await service.client.get("/ledger-reports/payments", params={**period, "format": "csv"}, headers=AUDITOR)
    assert payments.text.splitlines()[1] == "2026-01-05,council,2,80000"


async def test_arrears_audits_and_spending_by_category(api):
    service = await ledger_with_cards(api, "CARD-1")
    await pay(service, "CARD-1", 40_000, date(2026, 4, 1), "first")
    statement = "\n".join(
        [
            "transaction_id,card_account,occurred_at,amount,type,merchant_name,merchant_category_code,balance",
            "C1,CARD-1,2026-04-07T10:00:00Z,30.00,contribution,,,430.00",
            "P1,CARD-1,2026-04-08T10:00:00Z,-100.00,purchase,Acme Home Care,8050,330.00",
            "R1,CARD-1,2026-04-09T10:00:00Z,10.00,refund,Acme Home Care,8050,340.00",
        ]
    )
    upload = await service.client.post("/card-imports", content=statement, headers={**FINANCE, **CSV})
    await finished(service, upload.headers["Location"])
    period = {"period_from": "2026-04-01", "period_to": "2026-04-30"}
    spending = await service.client.get("/ledger-reports/spending", params=period, headers=AUDITOR)
    assert spending.json() == [
        {"category": "care_agency", "spent_pence": 10_000, "refunded_pence": 1_000, "entries": 2, "net_pence": 9_000}
    ]
    arrears = await service.client.get("/arrears", params={"as_of": "2026-04-30"}, headers=AUDITOR)
    assert arrears.json() == [
        {
            "card_account": "CARD-1",
            "expected_pence": 0,
            "paid_pence": 3_000,
            "arrears_pence": 0,
            "oldest_unpaid_due": None,
        }
    ]
    due = await service.client.get("/card-audits/due", params={"as_of": "2026-07-01"}, headers=AUDITOR)
    assert due.json() == [{"card_account": "CARD-1", "due": ["2026-06-24"]}]
    done = await service.client.post(
        "/card-audits", json={"card_account": "CARD-1", "audited_on": "2026-06-30"}, headers=FINANCE
    )
    assert done.status_code == 201
    assert (await service.client.get("/card-audits/due", params={"as_of": "2026-07-01"}, headers=AUDITOR)).json() == []
