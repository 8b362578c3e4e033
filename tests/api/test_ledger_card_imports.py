"""Card transactions through the API: the statement upload as a job, and the provider's signed webhook."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from ledger.domain.accounts import AccountKind
from ledger.domain.card_statement import COLUMNS
from ledger.domain.webhook_signature import signature
from ledger.service_layer.postings import open_account
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth, wait_for

pytestmark = pytest.mark.integration

SECRET = "wyvernshire-card-webhook-secret-0123456789"
FINANCE = auth(Role.finance_officer)
PROVIDER = auth(Role.card_provider)
CSV = {"Content-Type": "text/csv"}
STATEMENT = "\n".join(
    [
        ",".join(COLUMNS),
        "T1,CARD-1,2026-04-02T10:00:00Z,25.00,contribution,,,25.00",
        "T2,CARD-1,2026-04-03T10:00:00Z,-5.00,purchase,Lucky Bet,7995,20.00",
    ]
)


async def ledger_with_cards(api, *cards: str):
    service = await api("ledger", card_webhook_secrets={"wyvernshire": SECRET, "eastmere": "another-secret-0123456789"})
    uow = UnitOfWork(service.sessions, "ledger")
    async with uow:
        for card in cards:
            await open_account(uow, "wyvernshire", AccountKind.card, card)
        await uow.commit()
    return service


async def finished(service, location: str) -> dict:
    async def done() -> bool:
        return (await service.client.get(location, headers=FINANCE)).json()["status"] == "finished"

    await wait_for(done, 10, "import finished")
    return (await service.client.get(location, headers=auth(Role.auditor))).json()


async def test_a_statement_uploaded_twice_is_imported_once(api):
    service = await ledger_with_cards(api, "CARD-1")
    first = await service.client.post("/card-imports", content=STATEMENT, headers={**FINANCE, **CSV})
    assert first.status_code == 202, first.text
    job = await finished(service, first.headers["Location"])
    assert (job["totals"]["new"], job["totals"]["flagged"], job["done"]) == (2, 1, 2)
    again = await service.client.post("/card-imports", content=STATEMENT, headers={**FINANCE, **CSV})
    assert again.status_code == 202 and again.json()["job_id"] == job["job_id"]
    assert again.json()["totals"]["new"] == 2  # the first import's totals: nothing was added


async def test_a_refused_statement_names_each_bad_line_and_stores_nothing(api):
    service = await ledger_with_cards(api, "CARD-1")
    secret_merchant = "Dr Private Clinic"
    bad = STATEMENT + f"\nT3,CARD-1,2026-04-03T10:00:00Z,5.00,purchase,{secret_merchant},7995,25.00\nT4,CARD-X,bad,,,,,"
    response = await service.client.post("/card-imports", content=bad, headers={**FINANCE, **CSV})
    assert response.status_code == 422, response.text
    located = {tuple(e["loc"][2:]) for e in response.json()["errors"]}
    assert (4, "amount") in located and (5, "occurred_at") in located
    assert secret_merchant not in response.text
    assert (await service.client.post("/card-imports", content=STATEMENT, headers={**FINANCE, **CSV})).json()["totals"][
        "new"
    ] == 0  # a new job: the refused file left no job behind either


def signed(body: bytes, *, nonce: str | None = None, at: float | None = None, secret: str = SECRET) -> dict:
    timestamp = str(int(at if at is not None else time.time()))
    nonce = nonce or uuid.uuid4().hex
    return {
        **PROVIDER,
        "Content-Type": "application/json",
        "Card-Timestamp": timestamp,
        "Card-Nonce": nonce,
        "Card-Signature": signature(secret.encode(), timestamp, nonce, body),
    }


RECORD = json.dumps(
    {
        "transaction_id": "W1",
        "card_account": "CARD-1",
        "occurred_at": "2026-04-02T10:00:00Z",
        "amount": "40.00",
        "type": "contribution",
        "merchant_name": "",
        "merchant_category_code": "",
        "balance": "40.00",
    }
).encode()


async def test_the_webhook_posts_a_signed_record_once(api):
    service = await ledger_with_cards(api, "CARD-1")
    first = await service.client.post("/card-transactions/webhook", content=RECORD, headers=signed(RECORD))
    assert first.status_code == 201, first.text
    assert first.json() == {"transaction_id": "W1", "already_imported": False, "flagged": False}
    # The provider sends it again (a new call, a new nonce): nothing changes.
    again = await service.client.post("/card-transactions/webhook", content=RECORD, headers=signed(RECORD))
    assert again.status_code == 200 and again.json()["already_imported"]


async def test_the_webhook_refuses_unsigned_wrongly_signed_old_and_replayed_calls(api):
    service = await ledger_with_cards(api, "CARD-1")
    post = service.client.post
    unsigned = await post(
        "/card-transactions/webhook", content=RECORD, headers={**PROVIDER, "Content-Type": "application/json"}
    )
    assert unsigned.status_code == 422, unsigned.text
    assert {e["loc"][-1] for e in unsigned.json()["detail"]} == {"card-timestamp", "card-nonce", "card-signature"}
    wrong = await post("/card-transactions/webhook", content=RECORD, headers=signed(RECORD, secret="not-the-secret"))
    assert wrong.status_code == 401 and "wrongly signed" in wrong.text
    old = await post("/card-transactions/webhook", content=RECORD, headers=signed(RECORD, at=time.time() - 3600))
    assert old.status_code == 401 and "too old" in old.text
    # Another council's secret does not sign for this council's token.
    eastmere = await post(
        "/card-transactions/webhook", content=RECORD, headers=signed(RECORD, secret="another-secret-0123456789")
    )
    assert eastmere.status_code == 401
    headers = signed(RECORD, nonce="replayed-nonce-0123456789")
    assert (await post("/card-transactions/webhook", content=RECORD, headers=headers)).status_code == 201
    replayed = await post("/card-transactions/webhook", content=RECORD, headers=headers)
    assert replayed.status_code == 409 and "replayed" in replayed.text


async def test_a_webhook_record_that_is_not_a_transaction_is_refused_by_field(api):
    service = await ledger_with_cards(api, "CARD-1")
    body = json.dumps({"transaction_id": "W2", "card_account": "CARD-1", "amount": "12"}).encode()
    response = await service.client.post("/card-transactions/webhook", content=body, headers=signed(body))
    assert response.status_code == 422, response.text
    fields = {e["loc"][-1] for e in response.json()["errors"]}
    assert {"occurred_at", "amount", "type", "balance"} <= fields
