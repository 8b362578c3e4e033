"""An agreed budget's council-managed services become packages, advertised at once, through the
consumer (the handler's use case joins the consumer's transaction); its direct payment part and a
replay raise nothing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from brokerage.bootstrap import SERVICE
from pbshared.contract.events.budgets import PersonalBudgetAgreed
from pbshared.platform.consumer import EventConsumer
from pbshared.testing.budgets import agreed_budget
from tests.api.brokerage_support import BROKER, Brokerage, planned, provider, record

pytestmark = pytest.mark.integration


def budget(person_id: uuid.UUID, start: str) -> PersonalBudgetAgreed:
    home_care = planned("home_care", "council_managed", "7", 2450)
    assistant = planned("personal_assistant", "direct_payment", "3", 1850)
    return agreed_budget(
        person_id,
        home_care.weekly_cost_pence + assistant.weekly_cost_pence,
        start,
        council_managed_weekly_pence=home_care.weekly_cost_pence,
        services=[home_care, assistant],
        next_review_date=date(2027, 6, 1),
    )


async def test_a_budgets_council_managed_home_care_becomes_one_advertised_package(api) -> None:
    b = Brokerage(await api("brokerage"))
    await b.admitted_provider("acorn")
    person_id = await b.person("WV2 9ZZ")
    consumer = EventConsumer(
        service="brokerage",
        sessions=b.service.sessions,
        bootstrap_servers="127.0.0.1:1",
        subscriptions=SERVICE.all_subscriptions(),
    )
    start = date.today() + timedelta(days=14)  # the handler judges by the real clock
    message = record(budget(person_id, start.isoformat()), 0)
    assert await consumer.process(message) == "handled"
    assert await consumer.process(message) == "duplicate"

    [package] = (await b.client.get("/packages", headers=BROKER)).json()
    assert package["origin"] == "personal_budget" and package["person_id"] == str(person_id)
    needs = package["needs"]
    assert (needs["lot"], needs["area"], needs["units_per_week"], needs["carers_per_visit"]) == (
        "home_care",
        "north",
        "7.00",
        2,
    )
    assert needs["start_date"] == start.isoformat()
    assert needs["latest_start_date"] == (start + timedelta(days=7)).isoformat()
    assert package["status"] == "advertised"
    adverts = (await b.client.get("/adverts", headers=provider("acorn"))).json()
    assert [a["package_id"] for a in adverts] == [package["package_id"]]
    assert await b.events() == ["package.requested", "package.advertised"]
