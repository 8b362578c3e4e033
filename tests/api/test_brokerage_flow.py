"""The core DPS flow through the API: advertise to eligible providers only, sealed bids, refusals,
the deadline boundary, evaluation at the deadline timer, acceptance timeout passing the award on,
acceptance starting the placement, and the person's identity reaching only the accepting provider."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.brokerage_support import BROKER, Brokerage, provider

pytestmark = pytest.mark.integration


@pytest.fixture
async def brokerage(api) -> Brokerage:
    return Brokerage(await api("brokerage"))


async def test_a_package_goes_from_advert_to_placement(brokerage: Brokerage) -> None:
    b = brokerage
    await b.admitted_provider("acorn", rating="good")
    await b.admitted_provider("birch", rating="outstanding")
    await b.admitted_provider("cedar", rating="inadequate")  # below the floor: never invited
    person_id = await b.person()
    package = await b.package(person_id)
    package_id = package["package_id"]
    assert package["needs"]["area"] == "north" and package["needs"]["ceiling_pence"] == 2450

    # The advert is anonymised and reaches only eligible providers.
    advert = (await b.client.get(f"/adverts/{package_id}", headers=provider("acorn"))).json()
    assert "person_id" not in advert and advert["requirements"] == ["female carer"]
    assert (await b.client.get(f"/adverts/{package_id}", headers=provider("cedar"))).status_code == 404
    assert [a["package_id"] for a in (await b.client.get("/adverts", headers=provider("birch"))).json()] == [package_id]

    # Refusals name every reason, never the amount.
    refused = await b.bid(package_id, "acorn", 2451, start_days=11)
    assert refused.status_code == 422
    assert {e["loc"][-1] for e in refused.json()["errors"]} == {"rate_pence", "earliest_start"}
    assert "2451" not in refused.text

    acorn = await b.bid(package_id, "acorn", 2000)
    birch = await b.bid(package_id, "birch", 2400)
    assert acorn.status_code == birch.status_code == 201
    # Sealed: each provider sees only its own, the broker sees none before the deadline.
    own = (await b.client.get(f"/adverts/{package_id}/bids", headers=provider("acorn"))).json()
    assert [x["provider_id"] for x in own] == ["acorn"]
    assert (await b.client.get(f"/packages/{package_id}/bids", headers=BROKER)).json() == []

    deadline = b.now + timedelta(hours=24)
    b.move_to(deadline - timedelta(seconds=1))
    revised = await b.client.patch(
        f"/bids/{birch.json()['bid_id']}", json={"revision": 1, "rate_pence": 2100}, headers=provider("birch")
    )
    assert revised.status_code == 200, revised.text
    assert await b.fire_timers() == 0  # not yet due

    b.move_to(deadline + timedelta(seconds=1))
    late = await b.client.patch(
        f"/bids/{acorn.json()['bid_id']}", json={"revision": 1, "rate_pence": 1900}, headers=provider("acorn")
    )
    assert late.status_code == 422 and late.json()["errors"][0]["loc"][-1] == "package_id"
    assert await b.fire_timers() == 1
    assert await b.fire_timers() == 0  # fired once

    awarded = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
    # birch: 95.24 x 60% + (100 x 70% + 50 x 30%) x 40% = 91.14; acorn: 100 x 60% + (80 x 70% + 15) x 40% = 88.40
    assert [r["provider_id"] for r in awarded["ranking"]] == ["birch", "acorn"]
    assert awarded["ranking"][0]["explanation"].startswith("price 95.24 x 60% + quality 85.00 x 40% = 91.14")
    assert awarded["status"] == "awarded"
    assert len((await b.client.get(f"/packages/{package_id}/bids", headers=BROKER)).json()) == 2

    # Nobody sees the person before acceptance.
    for who in ("acorn", "birch"):
        assert (await b.client.get(f"/adverts/{package_id}/person", headers=provider(who))).status_code == 404
    # acorn was not awarded: it cannot accept.
    assert (await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("acorn"))).status_code == 404

    # birch lets the acceptance time pass: the award goes to acorn.
    b.move_to(b.now + timedelta(hours=4))
    assert await b.fire_timers() == 1
    passed_on = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
    assert passed_on["awarded_bid_id"] == acorn.json()["bid_id"]
    assert (await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("birch"))).status_code == 404

    accepted = await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("acorn"))
    assert accepted.status_code == 200 and accepted.json()["status"] == "placed"
    person = (await b.client.get(f"/adverts/{package_id}/person", headers=provider("acorn"))).json()
    assert person["family_name"] == "Lovelace"
    assert (await b.client.get(f"/adverts/{package_id}/person", headers=provider("birch"))).status_code == 404

    placement = (await b.client.get(f"/placements/{person['placement_id']}", headers=provider("acorn"))).json()
    assert placement["rate_pence"] == 2000 and placement["units_per_week"] == "10.50"
    assert (await b.client.get(f"/placements/{person['placement_id']}", headers=provider("birch"))).status_code == 404
    acorn_now = (await b.client.get("/providers/acorn", headers=provider("acorn"))).json()
    assert acorn_now["committed_hours_per_week"] == "10.50" and acorn_now["accepted_packages"] == 1

    assert await b.events() == [
        "package.requested",
        "package.advertised",
        "package.awarded",
        "package.awarded",
        "placement.started",
    ]


async def test_suspension_withdraws_open_bids_and_hides_new_adverts(brokerage: Brokerage) -> None:
    b = brokerage
    acorn = await b.admitted_provider("acorn")
    person_id = await b.person()
    first = await b.package(person_id)
    bid = await b.bid(first["package_id"], "acorn", 2000)
    suspended = await b.client.post(
        "/providers/acorn/suspension",
        json={"revision": acorn["revision"], "reason": "rated Inadequate"},
        headers=auth(Role.admin),
    )
    assert suspended.status_code == 200 and suspended.json()["status_reason"] == "rated Inadequate"
    own = (await b.client.get(f"/adverts/{first['package_id']}/bids", headers=provider("acorn"))).json()
    assert own[0]["bid_id"] == bid.json()["bid_id"] and own[0]["status"] == "withdrawn"
    second = await b.package(person_id)
    assert (await b.client.get(f"/adverts/{second['package_id']}", headers=provider("acorn"))).status_code == 404
    stale = await b.client.post(
        "/providers/acorn/reinstatement", json={"revision": acorn["revision"]}, headers=auth(Role.admin)
    )
    assert stale.status_code == 409 and stale.json()["errors"][0]["loc"][-1] == "revision"


async def test_an_unfilled_package_is_readvertised_wider_then_escalated(brokerage: Brokerage) -> None:
    b = brokerage
    person_id = await b.person()
    package = await b.package(person_id, urgency="urgent")
    package_id = package["package_id"]
    b.move_to(b.now + timedelta(hours=4))  # the urgent window
    assert await b.fire_timers() == 1
    readvertised = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
    assert readvertised["round"] == 2 and readvertised["areas"] == ["north", "central"]
    assert readvertised["needs"]["latest_start_date"] > package["needs"]["latest_start_date"]
    b.move_to(b.now + timedelta(hours=4))
    assert await b.fire_timers() == 1
    escalated = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
    assert escalated["status"] == "escalated" and escalated["escalation_reason"].startswith("unfilled after 2")
    assert (await b.events()).count("package.unfilled") == 2


async def test_a_provider_reaches_only_its_own_provider_record(brokerage: Brokerage) -> None:
    await brokerage.admitted_provider("acorn")
    await brokerage.admitted_provider("birch")
    assert (await brokerage.client.get("/providers/birch", headers=provider("acorn"))).status_code == 404
    change = await brokerage.client.patch(
        "/providers/birch", json={"revision": 2, "rating": "outstanding"}, headers=provider("acorn")
    )
    assert change.status_code == 404


async def _placed(b: Brokerage) -> tuple[str, dict]:
    await b.admitted_provider("acorn")
    package_id = (await b.package(await b.person(), carers_per_visit=2))["package_id"]
    await b.bid(package_id, "acorn", 2000)
    b.move_to(b.now + timedelta(hours=24))
    await b.fire_timers()
    await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("acorn"))
    placement_id = (await b.client.get(f"/adverts/{package_id}/person", headers=provider("acorn"))).json()[
        "placement_id"
    ]
    return package_id, (await b.client.get(f"/placements/{placement_id}", headers=BROKER)).json()


async def test_a_placement_changes_hours_and_is_handed_back_with_notice(brokerage: Brokerage) -> None:
    b = brokerage
    package_id, placement = await _placed(b)
    url = f"/placements/{placement['placement_id']}"
    changed = await b.client.patch(
        url, json={"revision": 1, "units_per_week": "14", "effective_from": "2026-06-01"}, headers=BROKER
    )
    assert changed.status_code == 200 and changed.json()["units_per_week"] == "14.00"
    stale = await b.client.patch(
        url, json={"revision": 1, "units_per_week": "7", "effective_from": "2026-06-01"}, headers=BROKER
    )
    assert stale.status_code == 409
    acorn = (await b.client.get("/providers/acorn", headers=BROKER)).json()
    assert acorn["committed_hours_per_week"] == "28.00"  # 14 hours x 2 carers

    short = (b.now + timedelta(days=27)).date().isoformat()
    too_soon = await b.client.post(
        f"{url}/hand-back", json={"revision": 2, "end_date": short}, headers=provider("acorn")
    )
    assert too_soon.status_code == 422 and too_soon.json()["errors"][0]["loc"][-1] == "end_date"
    notice = (b.now + timedelta(days=28)).date().isoformat()
    handed = await b.client.post(
        f"{url}/hand-back", json={"revision": 2, "end_date": notice}, headers=provider("acorn")
    )
    assert handed.status_code == 200 and handed.json()["end_reason"] == "handed_back"
    acorn = (await b.client.get("/providers/acorn", headers=BROKER)).json()
    assert (acorn["committed_hours_per_week"], acorn["handed_back_packages"]) == ("0.00", 1)
    assert (await b.client.get(f"/adverts/{package_id}/person", headers=provider("acorn"))).status_code == 404
    assert (await b.events())[-2:] == ["placement.changed", "placement.ended"]


async def test_a_broker_ends_a_placement(brokerage: Brokerage) -> None:
    _, placement = await _placed(brokerage)
    ended = await brokerage.client.post(
        f"/placements/{placement['placement_id']}/end",
        json={"revision": 1, "end_date": placement["start_date"], "reason": "budget_ended"},
        headers=BROKER,
    )
    assert ended.status_code == 200 and ended.json()["end_date"] == placement["start_date"]
    again = await brokerage.client.post(
        f"/placements/{placement['placement_id']}/end",
        json={"revision": 2, "end_date": placement["start_date"], "reason": "budget_ended"},
        headers=BROKER,
    )
    assert again.status_code == 409


async def test_a_provider_whose_capacity_filled_since_bidding_cannot_accept(brokerage: Brokerage) -> None:
    b = brokerage
    await b.admitted_provider("acorn", capacity=25)
    await b.admitted_provider("birch", capacity=200)
    person_id = await b.person()
    first, second = [(await b.package(person_id, carers_per_visit=2))["package_id"] for _ in range(2)]  # 21 h each
    for package_id in (first, second):
        assert (await b.bid(package_id, "acorn", 2000)).status_code == 201
        assert (await b.bid(package_id, "birch", 2400)).status_code == 201
    b.move_to(b.now + timedelta(hours=24))
    assert await b.fire_timers() == 2
    assert (await b.client.post(f"/adverts/{first}/acceptance", headers=provider("acorn"))).status_code == 200

    refused = await b.client.post(f"/adverts/{second}/acceptance", headers=provider("acorn"))
    assert refused.status_code == 409
    [problem] = refused.json()["errors"]
    assert problem["loc"] == ["path", "package_id"] and "capacity" in problem["msg"]
    package = (await b.client.get(f"/packages/{second}", headers=BROKER)).json()
    birch_bid = next(r["bid_id"] for r in package["ranking"] if r["provider_id"] == "birch")
    assert package["status"] == "awarded" and package["awarded_bid_id"] == birch_bid
    [acorn_bid] = (await b.client.get(f"/adverts/{second}/bids", headers=provider("acorn"))).json()
    assert acorn_bid["status"] == "passed_on" and "capacity" in acorn_bid["status_reason"]
    assert (await b.client.post(f"/adverts/{second}/acceptance", headers=provider("birch"))).status_code == 200


async def test_a_broker_places_an_escalated_package_off_the_dps_with_a_reason(brokerage: Brokerage) -> None:
    b = brokerage
    person_id = await b.person()
    open_package = await b.package(person_id)
    package = await b.package(person_id, urgency="urgent", carers_per_visit=2)
    for _ in range(2):  # no bids: re-advertised, then escalated
        b.move_to(b.now + timedelta(hours=4))
        await b.fire_timers()
    package = (await b.client.get(f"/packages/{package['package_id']}", headers=BROKER)).json()
    assert package["status"] == "escalated"
    body = {
        "revision": package["revision"],
        "provider_name": "Hilltop Home Care Ltd",
        "cqc_location_id": "1-555000111",
        "rate_pence": 2650,
        "start_date": (b.now + timedelta(days=2)).date().isoformat(),
        "reason": "no DPS provider covers the north at two carers this week",
    }
    url = f"/packages/{package['package_id']}/off-dps-placement"
    assert (await b.client.post(url, json=body, headers=provider("acorn"))).status_code == 403
    not_escalated = await b.client.post(
        f"/packages/{open_package['package_id']}/off-dps-placement",
        json={**body, "revision": open_package["revision"]},
        headers=BROKER,
    )
    assert not_escalated.status_code == 409 and not_escalated.json()["errors"][0]["loc"] == ["path", "package_id"]
    stale = await b.client.post(url, json={**body, "revision": package["revision"] - 1}, headers=BROKER)
    assert stale.status_code == 409 and stale.json()["errors"][0]["loc"][-1] == "revision"
    bad = await b.client.post(url, json={**body, "cqc_location_id": "not-a-location"}, headers=BROKER)
    assert bad.status_code == 422 and "not-a-location" not in bad.text

    placed = await b.client.post(url, json=body, headers=BROKER)
    assert placed.status_code == 201, placed.text
    placement = placed.json()
    assert (placement["provider_name"], placement["cqc_location_id"]) == ("Hilltop Home Care Ltd", "1-555000111")
    assert placement["off_dps_reason"] == body["reason"] and placement["rate_pence"] == 2650
    assert (await b.client.get(f"/packages/{package['package_id']}", headers=BROKER)).json()["status"] == "placed"
    started = await b.last_event("placement.started")
    assert (started["provider_id"], started["cqc_location_id"]) == ("off-dps-1-555000111", "1-555000111")
    assert started["weekly_cost_pence"] == 10_50 * 2 * 2650 // 100
    assert (
        await b.client.post(url, json={**body, "revision": package["revision"] + 1}, headers=BROKER)
    ).status_code == 409

    # It changes and ends like any placement, though its provider has no record on the DPS.
    changed = await b.client.patch(
        f"/placements/{placement['placement_id']}",
        json={"revision": 1, "units_per_week": "12", "effective_from": body["start_date"]},
        headers=BROKER,
    )
    assert changed.status_code == 200, changed.text
    ended = await b.client.post(
        f"/placements/{placement['placement_id']}/end",
        json={"revision": 2, "end_date": body["start_date"], "reason": "replaced"},
        headers=BROKER,
    )
    assert ended.status_code == 200, ended.text
