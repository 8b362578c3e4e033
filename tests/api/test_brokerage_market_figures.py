"""The market figures of a known small market: three packages requested together, one awarded in
its first round, one in its second, one escalated and placed off the DPS; one hand-back. JSON, a
spreadsheet-clean CSV and a chart, for commissioners and brokers only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.brokerage_support import BROKER, START, Brokerage, provider

pytestmark = pytest.mark.integration

COMMISSIONER = auth(Role.commissioner)
PERIOD = {"start": START.date().isoformat(), "end": (START + timedelta(days=60)).date().isoformat()}


async def _accept(b: Brokerage, package_id: str, provider_id: str) -> None:
    accepted = await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider(provider_id))
    assert accepted.status_code == 200, accepted.text


@pytest.fixture
async def market(api) -> Brokerage:
    b = Brokerage(await api("brokerage"))
    await b.admitted_provider("acorn")
    await b.admitted_provider("birch")
    person_id = await b.person()
    first, second, third = [(await b.package(person_id))["package_id"] for _ in range(3)]
    await b.bid(first, "acorn", 2000)
    await b.bid(first, "birch", 2400)

    b.move_to(START + timedelta(hours=24, seconds=1))
    assert await b.fire_timers() == 3  # first awarded; second and third unfilled, re-advertised
    await _accept(b, first, "acorn")  # starts on day 4, its bid's earliest start
    assert (await b.bid(second, "birch", 2450)).status_code == 201  # at the ceiling, earliest day 5

    b.move_to(START + timedelta(hours=48, seconds=2))
    assert await b.fire_timers() == 3  # second awarded; third escalated; first's acceptance window, met
    await _accept(b, second, "birch")
    third_package = (await b.client.get(f"/packages/{third}", headers=BROKER)).json()
    off_dps = await b.client.post(
        f"/packages/{third}/off-dps-placement",
        json={
            "revision": third_package["revision"],
            "provider_name": "Hilltop Home Care Ltd",
            "cqc_location_id": "1-555000111",
            "rate_pence": 2700,  # above the ceiling of 2450
            "start_date": (START + timedelta(days=4)).date().isoformat(),
            "reason": "no bids in two rounds",
        },
        headers=BROKER,
    )
    assert off_dps.status_code == 201, off_dps.text

    placement_id = (await b.client.get(f"/adverts/{first}/person", headers=provider("acorn"))).json()["placement_id"]
    handed = await b.client.post(
        f"/placements/{placement_id}/hand-back",
        json={"revision": 1, "end_date": (b.now + timedelta(days=28)).date().isoformat()},
        headers=provider("acorn"),
    )
    assert handed.status_code == 200, handed.text
    return b


async def test_the_figures_of_a_known_market(market: Brokerage) -> None:
    response = await market.client.get("/market-figures", params=PERIOD, headers=COMMISSIONER)
    assert response.status_code == 200, response.text
    figures = response.json()
    council = figures["council"]
    assert (council["packages"], council["awarded"], council["placed"]) == (3, 2, 3)
    assert council["median_hours_to_award"] == "36.0"  # 24 and 48 hours
    assert council["median_days_to_start"] == "4.0"  # 4, 5 and 4 days
    assert (council["bids"], council["bids_per_package"]) == (3, "1.0")
    assert council["mean_placed_rate_pence"] == 2383  # (2000 + 2450 + 2700) / 3, half up
    assert council["mean_rate_to_ceiling_percent"] == "97.3"  # (81.63 + 100 + 110.20) / 3
    assert (council["placed_above_ceiling"], council["placed_off_dps"]) == (1, 1)
    assert council["unfilled_after_round"] == [
        {"round": 1, "closed": 3, "unfilled": 2, "unfilled_percent": "66.7"},
        {"round": 2, "closed": 2, "unfilled": 1, "unfilled_percent": "50.0"},
    ]
    [north] = figures["by_lot_and_area"]
    assert (north["lot"], north["area"]) == ("home_care", "north") and north["packages"] == 3

    before = {"start": "2025-01-01", "end": "2025-12-31"}
    empty = (await market.client.get("/market-figures", params=before, headers=BROKER)).json()
    assert empty["council"]["packages"] == 0 and empty["council"]["median_hours_to_award"] is None
    assert empty["by_lot_and_area"] == []

    hand_backs = (await market.client.get("/market-figures/hand-backs", params=PERIOD, headers=COMMISSIONER)).json()
    assert hand_backs == [
        {"provider_id": "acorn", "placements_started": 1, "handed_back": 1},
        {"provider_id": "birch", "placements_started": 1, "handed_back": 0},
        {"provider_id": "off-dps-1-555000111", "placements_started": 1, "handed_back": 0},
    ]


async def test_the_figures_as_a_spreadsheet_and_a_chart(market: Brokerage) -> None:
    sheet = await market.client.get("/market-figures", params={**PERIOD, "format": "csv"}, headers=COMMISSIONER)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    assert sheet.text.startswith("\ufeff") and "\r\n" in sheet.text
    rows = list(csv.DictReader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert [(r["lot"], r["area"]) for r in rows] == [("all", "all"), ("home_care", "north")]
    assert rows[0]["mean_placed_rate"] == "23.83" and rows[0]["unfilled_after_round_2_percent"] == "50.0"
    backs = await market.client.get(
        "/market-figures/hand-backs", params=PERIOD, headers={**COMMISSIONER, "Accept": "text/csv"}
    )
    assert backs.text.lstrip("\ufeff").splitlines()[1] == "acorn,1,1"

    chart = await market.client.get("/market-figures/chart", params=PERIOD, headers=BROKER)
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    for gid in ("unfilled-round-1", "unfilled-round-2", "award-home_care-north", "rate-home_care-north"):
        assert f'id="{gid}"' in chart.text
    again = await market.client.get("/market-figures/chart", params=PERIOD, headers=BROKER)
    assert again.content == chart.content  # the same figures draw the same bytes


async def test_only_the_council_side_reads_the_figures_and_a_bad_period_is_named(market: Brokerage) -> None:
    for path in ("/market-figures", "/market-figures/hand-backs", "/market-figures/chart"):
        assert (await market.client.get(path, params=PERIOD, headers=provider("acorn"))).status_code == 403
    backwards = await market.client.get(
        "/market-figures", params={"start": PERIOD["end"], "end": PERIOD["start"]}, headers=COMMISSIONER
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"] == ["query", "end"]
