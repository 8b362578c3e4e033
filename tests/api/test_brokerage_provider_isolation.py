"""Every provider-facing route, taken from the role table itself: a provider's token reaches nothing
of another provider's (its record, adverts, bids, award, placement) nor the person, whatever ids it
puts in the address. A provider route added later is called here too, from the table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.brokerage_support import START, Brokerage, provider

pytestmark = pytest.mark.integration

# A valid body for each provider route that takes one, so that only ownership can refuse it.
_BODIES = {
    ("POST", "/adverts/{package_id}/bids"): {"rate_pence": 2000, "earliest_start": "2026-04-24"},
    ("PATCH", "/bids/{bid_id}"): {"revision": 1, "rate_pence": 1900},
    ("POST", "/bids/{bid_id}/withdrawal"): {"revision": 1},
    ("PATCH", "/providers/{provider_id}"): {"revision": 3, "rating": "outstanding"},
    ("POST", "/placements/{placement_id}/hand-back"): {"revision": 1, "end_date": "2026-12-31"},
}
# Not addressed by an id: they answer for the caller alone, checked below by what they contain.
_UNADDRESSED = {("GET", "/adverts"), ("POST", "/providers")}


async def test_no_provider_route_reaches_another_providers_work_or_the_person(api) -> None:
    b = Brokerage(await api("brokerage"))
    await b.admitted_provider("birch")
    applied = await b.client.post(
        "/providers",
        json={
            "name": "Acorn",
            "rating": "good",
            "capacity_hours_per_week": 50,
            "lots": ["home_care"],
            "areas": ["south"],
        },
        headers=provider("acorn"),
    )
    assert applied.status_code == 201
    await b.client.post(
        "/providers/acorn/decision",
        json={"revision": 1, "admit": [{"lot": "home_care", "area": "south"}]},
        headers=auth(Role.admin),
    )
    person_id = await b.person()
    placed = (await b.package(person_id))["package_id"]
    await b.bid(placed, "birch", 2000)
    b.move_to(START + timedelta(hours=24))
    await b.fire_timers()
    assert (await b.client.post(f"/adverts/{placed}/acceptance", headers=provider("birch"))).status_code == 200
    placement_id = (await b.client.get(f"/adverts/{placed}/person", headers=provider("birch"))).json()["placement_id"]
    b.move_to(START)
    open_package = (await b.package(person_id))["package_id"]
    open_bid = (await b.bid(open_package, "birch", 2100)).json()["bid_id"]
    secrets = [str(person_id), "Lovelace", open_bid, placed, open_package, placement_id]

    policy = b.service.app.state.access_policy
    provider_routes = {route for route, roles in policy.rows.items() if Role.provider in roles}
    fillers = {
        "provider_id": "birch",
        "bid_id": open_bid,
        "placement_id": placement_id,
    }
    leaks = []
    for method, path in sorted(provider_routes - _UNADDRESSED):
        for package_id in (placed, open_package):
            url = path.format(**fillers, package_id=package_id)
            response = await b.client.request(method, url, json=_BODIES.get((method, path)), headers=provider("acorn"))
            if response.status_code != 404 or any(s in response.text for s in secrets if s not in url):
                leaks.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    assert not leaks, "\n".join(leaks)

    adverts = await b.client.get("/adverts", headers=provider("acorn"))
    assert adverts.status_code == 200 and adverts.json() == []
    again = await b.client.post(
        "/providers",
        json={
            "name": "Acorn",
            "rating": "good",
            "capacity_hours_per_week": 50,
            "lots": ["home_care"],
            "areas": ["north"],
        },
        headers=provider("acorn"),
    )
    assert again.status_code == 409 and not any(s in again.text for s in secrets)
    assert provider_routes >= _UNADDRESSED and len(provider_routes - _UNADDRESSED) == 12
