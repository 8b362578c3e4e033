"""Reconciliation and flagged spending through the API, as JSON and as spreadsheet-safe CSV."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.councils import load_second_council

from .test_ledger_card_imports import CSV, FINANCE, finished, ledger_with_cards

pytestmark = pytest.mark.integration

AUDITOR = auth(Role.auditor)
STATEMENT = "\n".join(
    [
        "transaction_id,card_account,occurred_at,amount,type,merchant_name,merchant_category_code,balance",
        "C1,CARD-1,2026-04-01T09:00:00Z,50.00,contribution,,,50.00",
        'P1,CARD-1,2026-04-02T09:00:00Z,-20.00,purchase,=HYPERLINK("x"),5921,30.00',
        "P2,CARD-1,2026-04-03T09:00:00Z,-45.00,purchase,Bus,4131,-15.00",
    ]
)
PERIOD = {"period_from": "2026-04-01", "period_to": "2026-04-30"}


async def test_a_finance_officer_reconciles_and_an_auditor_reads_it_as_csv(api):
    service = await ledger_with_cards(api, "CARD-1", "CARD-2")
    upload = await service.client.post("/card-imports", content=STATEMENT, headers={**FINANCE, **CSV})
    await finished(service, upload.headers["Location"])

    response = await service.client.post("/reconciliations", json=PERIOD, headers=FINANCE)
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["accounts_checked"], result["accounts_with_differences"]) == (2, 1)
    [card] = result["accounts"]
    assert (card["provider_closing_pence"], card["ledger_closing_pence"], card["difference_pence"]) == (-1500, 0, -1500)
    assert card["lines"] == [{"explanation": "overspend_allowed", "transaction_id": "P2", "pence": -1500}]

    location = f"/reconciliations/{result['reconciliation_id']}"
    as_csv = await service.client.get(location, params={"format": "csv"}, headers=AUDITOR)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[1] == "CARD-1,-15.00,0.00,-15.00,overspend_allowed,P2,-15.00"

    flagged = await service.client.get("/card-transactions/flagged", params=PERIOD, headers=AUDITOR)
    assert [(f["transaction_id"], f["flag"]) for f in flagged.json()] == [("P1", "not_allowed"), ("P2", "overspend")]
    as_csv = await service.client.get("/card-transactions/flagged", params={**PERIOD, "format": "csv"}, headers=FINANCE)
    assert "'=HYPERLINK" in as_csv.text  # a merchant name is never run as a formula

    await load_second_council(service)
    eastmere = auth(Role.auditor, "eastmere")
    assert (await service.client.get(location, headers=eastmere)).status_code == 404
    assert (await service.client.get("/card-transactions/flagged", params=PERIOD, headers=eastmere)).json() == []


async def test_a_period_that_ends_before_it_starts_is_refused(api):
    service = await ledger_with_cards(api, "CARD-1")
    response = await service.client.post(
        "/reconciliations", json={"period_from": "2026-04-30", "period_to": "2026-04-01"}, headers=FINANCE
    )
    assert response.status_code in (409, 422) and "period_to" in response.text
