"""Brokerage: every route of the role table, called with Eastmere's tokens, reaches nothing of the
sample council's providers, packages, adverts, bids or placements (tests/api/council_isolation.py).

Eastmere's provider token carries the id of a provider on the sample council's DPS: a provider works
for many councils under one id, and what it holds with one is never reachable through another."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbshared.platform.auth import Role
from tests.api.brokerage_support import Brokerage, provider
from tests.api.council_isolation import (
    SAMPLE_COUNCIL_RENAMED,
    Call,
    CouncilSweep,
)

pytestmark = pytest.mark.integration

PROVIDER = "acorn"
PERIOD = {"start": "2026-04-01", "end": "2026-05-31"}
APPLICATION = {
    "name": "Acorn Care",
    "cqc_location_id": "1-10001234",
    "rating": "good",
    "capacity_hours_per_week": 200,
    "lots": ["home_care"],
    "areas": ["north"],
}

CALLS = {
    ("GET", "/market-figures"): Call(queries=(PERIOD, {**PERIOD, "format": "csv"})),
    ("GET", "/market-figures/hand-backs"): Call(queries=(PERIOD, {**PERIOD, "format": "csv"})),
    ("GET", "/market-figures/chart"): Call(queries=(PERIOD,)),  # SVG: a PNG draws the same figures
    ("PATCH", "/providers/{provider_id}"): Call(body={"revision": 1, "capacity_hours_per_week": "150"}),
    ("POST", "/providers/{provider_id}/decision"): Call(
        body={"revision": 2, "admit": [{"lot": "home_care", "area": "north"}]}
    ),
    ("POST", "/providers/{provider_id}/suspension"): Call(body={"revision": 2, "reason": "rated Inadequate"}),
    ("POST", "/providers/{provider_id}/reinstatement"): Call(body={"revision": 2}),
    ("POST", "/providers/{provider_id}/removal"): Call(body={"revision": 2, "reason": "left the market"}),
    ("POST", "/packages/{package_id}/off-dps-placement"): Call(
        body={
            "revision": 1,
            "provider_name": "Oak Lodge",
            "cqc_location_id": "1-10009999",
            "rate_pence": 2000,
            "start_date": "2026-04-28",
            "reason": "no provider on the DPS could take it",
        }
    ),
    # Bids and their changes go to the package still open for bidding, where they would be taken.
    ("POST", "/adverts/{package_id}/bids"): lambda ids: Call(
        body={"rate_pence": 2100, "earliest_start": "2026-04-26"}, ids={"package_id": ids["open_package_id"]}
    ),
    ("PATCH", "/bids/{bid_id}"): Call(body={"revision": 1, "rate_pence": 1900}),
    ("POST", "/bids/{bid_id}/withdrawal"): Call(body={"revision": 1}),
    ("POST", "/adverts/{package_id}/acceptance"): Call(),
    ("POST", "/adverts/{package_id}/refusal"): Call(),
    ("PATCH", "/placements/{placement_id}"): Call(
        body={"revision": 1, "units_per_week": "12", "effective_from": "2026-05-04"}
    ),
    ("POST", "/placements/{placement_id}/end"): Call(
        body={"revision": 1, "end_date": "2026-06-01", "reason": "needs_changed"}
    ),
    ("POST", "/placements/{placement_id}/hand-back"): Call(body={"revision": 1, "end_date": "2026-07-01"}),
    # The sample council's person is unknown here, as one who does not exist: a 422 naming person_id.
    ("POST", "/packages"): lambda ids: Call(
        body={
            "person_id": ids["person_id"],
            "lot": "home_care",
            "units_per_week": "10.5",
            "carers_per_visit": 1,
            "visit_pattern": "morning and evening, 7 days",
            "start_date": "2026-04-28",
            "latest_start_date": "2026-05-05",
        },
        expect=422,
    ),
    # The same provider applies to Eastmere's DPS: its own business, under the same id.
    ("POST", "/providers"): Call(body=APPLICATION, expect=201),
    ("POST", "/reference-datasets"): SAMPLE_COUNCIL_RENAMED,
}


async def _council_a(b: Brokerage) -> tuple[dict[str, str], set[str]]:
    """Two providers on the DPS; one package placed with acorn after the deadline and its
    acceptance, and a second one still open for bidding, with acorn's bid on it."""
    await b.admitted_provider(PROVIDER)
    await b.admitted_provider("birch")
    person_id = await b.person()
    placed = (await b.package(person_id))["package_id"]
    won = await b.bid(placed, PROVIDER, 2000)
    assert won.status_code == 201, won.text
    b.move_to(b.now + timedelta(hours=24, seconds=1))
    assert await b.fire_timers() == 1
    accepted = await b.client.post(f"/adverts/{placed}/acceptance", headers=provider(PROVIDER))
    assert accepted.status_code == 200, accepted.text
    person = (await b.client.get(f"/adverts/{placed}/person", headers=provider(PROVIDER))).json()

    open_package = (await b.package(await b.person(postcode="WV1 3CD")))["package_id"]
    bid = await b.bid(open_package, PROVIDER, 2200)
    assert bid.status_code == 201, bid.text
    ids = {
        "provider_id": PROVIDER,
        "person_id": str(person_id),
        "package_id": placed,
        "placement_id": person["placement_id"],
        "open_package_id": open_package,
        "bid_id": bid.json()["bid_id"],
    }
    return ids, {won.json()["bid_id"], "birch", "Care birch", f"Care {PROVIDER}"}


async def test_eastmere_reaches_nothing_of_the_sample_councils_brokerage(api):
    b = Brokerage(await api("brokerage"))
    sweep = CouncilSweep(
        b.service, fixed={"kind": "dps_rules"}, calls=CALLS, claims={Role.provider: {"provider_id": PROVIDER}}
    )
    await sweep.assert_b_reaches_nothing_of_a(lambda: _council_a(b))
