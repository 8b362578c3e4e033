"""Arrears of contributions end to end: a payment run owes the cycle's contribution where the council
pays gross, a contribution paid onto the card settles it, and a run repeated owes nothing more."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ledger.service_layer import agreements
from pbshared.contract.events.charging import CollectedBy, ContributionChanged, ContributionReason
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth, wait_for

from .test_ledger_card_imports import CSV, FINANCE, finished, ledger_with_cards
from .test_ledger_payments import START, set_up

pytestmark = pytest.mark.integration

AUDITOR = auth(Role.auditor)
WEEKLY_CONTRIBUTION = 2_000


async def gross_policy(service) -> None:
    """The council's policy from April 2026: it pays gross and the person pays their contribution in."""
    dataset = {
        "council_id": "wyvernshire",
        "kind": "direct_payment_policy",
        "version": 2,
        "effective_from": "2026-04-01",
        "source": "test",
        "payload": {"cycle_weeks": 4, "contribution_paid_in": True},
    }
    loaded = await service.client.post("/reference-datasets", json=dataset, headers=auth(Role.admin))
    assert loaded.status_code == 201, loaded.text


def first_contribution(person_id: uuid.UUID) -> ContributionChanged:
    """Charging's first contribution for the person, from the agreement's start, collected by the council."""
    return ContributionChanged(
        person_id=person_id,
        assessment_id=uuid.uuid4(),
        weekly_charge_pence=WEEKLY_CONTRIBUTION,
        previous_weekly_charge_pence=0,
        effective_date=START,
        collected_by=CollectedBy.council,
        reason=ContributionReason.assessment,
    )


async def with_contribution(service, dp_weekly: int):
    _, agreement = await set_up(service, dp_weekly)
    contribution = first_contribution(agreement.person_id)
    await agreements.follow_contribution(UnitOfWork(service.sessions, "ledger"), "wyvernshire", contribution)
    return agreement


async def run(service, run_date: date) -> dict:
    started = await service.client.post("/payment-runs", json={"run_date": run_date.isoformat()}, headers=FINANCE)
    assert started.status_code == 202, started.text

    async def done() -> bool:
        return (await service.client.get(started.headers["Location"], headers=AUDITOR)).json()["status"] == "finished"

    await wait_for(done)
    return (await service.client.get(started.headers["Location"], headers=AUDITOR)).json()


async def arrears(service, as_of: str) -> list[dict]:
    found = await service.client.get("/arrears", params={"as_of": as_of}, headers=AUDITOR)
    assert found.status_code == 200, found.text
    return found.json()


async def test_arrears_are_the_contributions_owed_for_cycles_paid_gross_less_those_paid_in(api):
    service = await ledger_with_cards(api)
    await gross_policy(service)
    agreement = await with_contribution(service, 15_000)
    card = agreement.card_account_ref
    preview = await service.client.get(f"/payment-runs/{START}/preview", headers=FINANCE)
    assert preview.json()["totals"]["contributions_due_pence"] == 8_000
    first = await run(service, START)
    assert first["totals"]["amount_pence"] == 4 * 15_000  # the gross: the contribution is not deducted
    assert first["totals"]["contributions_due_pence"] == 4 * WEEKLY_CONTRIBUTION

    statement = "\n".join(
        [
            "transaction_id,card_account,occurred_at,amount,type,merchant_name,merchant_category_code,balance",
            f"L1,{card},2026-04-06T09:00:00Z,600.00,load,,,600.00",
            f"C1,{card},2026-04-10T10:00:00Z,50.01,contribution,,,650.01",
        ]
    )
    upload = await service.client.post("/card-imports", content=statement, headers={**FINANCE, **CSV})
    assert upload.status_code == 202, upload.text
    await finished(service, upload.headers["Location"])
    owed = {"card_account": card, "expected_pence": 8_000, "paid_pence": 5_001, "arrears_pence": 2_999}
    assert await arrears(service, "2026-04-30") == [{**owed, "oldest_unpaid_due": "2026-04-06"}]

    again = await run(service, START)  # the same run: it owes nothing more
    assert again["job_id"] == first["job_id"]
    assert await arrears(service, "2026-04-30") == [{**owed, "oldest_unpaid_due": "2026-04-06"}]
    await run(service, date(2026, 5, 4))  # the next cycle is owed once, by the run that pays it
    later = await arrears(service, "2026-05-31")
    assert (later[0]["expected_pence"], later[0]["arrears_pence"]) == (16_000, 10_999)


async def test_nothing_is_owed_on_the_card_where_the_council_pays_net(api):
    service = await ledger_with_cards(api)
    await with_contribution(service, 15_000)
    paid = await run(service, START)
    assert paid["totals"]["amount_pence"] == 4 * (15_000 - WEEKLY_CONTRIBUTION)
    assert paid["totals"]["contributions_due_pence"] == 0
    assert await arrears(service, "2026-04-30") == []
