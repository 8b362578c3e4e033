"""The local stack's brokerage step: providers join the DPS, a broker raises a package for a person
who arrived through events, and providers bid on the anonymised advert; then what a commissioner
learns from the market today, as figures and a chart.

The broker's person is not the one whose budget the demonstration agrees: that budget is a direct
payment, so she arranges her own care and brokerage raises nothing for her. The broker raises home
care by hand for another demo person, whose care the council arranges."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

from pbshared.platform.tokens import DEV_SECRET, mint
from tools.wording_demo import count, moment, money, outcome

PROVIDERS = {"acorn-home-care": ("Acorn Home Care", "good", 2100), "birch-care": ("Birch Care", "outstanding", 2250)}


def _headers(role: str, provider_id: str | None = None) -> dict[str, str]:
    secret = os.environ.get("PB_JWT_SECRET", DEV_SECRET)
    token = mint(role=role, council_id="wyvernshire", secret=secret, provider_id=provider_id)
    return {"Authorization": f"Bearer {token}"}


def _join(url: str, provider_id: str, name: str, rating: str) -> None:
    application = {
        "name": name,
        "rating": rating,
        "capacity_hours_per_week": 300,
        "lots": ["home_care"],
        "areas": ["north", "central", "south"],
    }
    applied = httpx.post(f"{url}/providers", json=application, headers=_headers("provider", provider_id))
    if applied.status_code == 201:  # a kept database already has it admitted
        httpx.post(
            f"{url}/providers/{provider_id}/decision",
            json={"revision": 1, "admit": [{"lot": "home_care", "area": a} for a in application["areas"]]},
            headers=_headers("admin"),
        ).raise_for_status()


def demonstrate_brokerage(url: str, council_person_id: str, why: str, say: Callable[[str], None]) -> None:
    """A package raised by a broker for the person with `council_person_id` (`why` says why them)."""
    say("\nBrokerage: two providers join the DPS; a broker raises home care; providers bid, sealed:")
    for provider_id, (name, rating, _) in PROVIDERS.items():
        _join(url, provider_id, name, rating)
    found = httpx.get(f"{url}/people", params={"council_person_id": council_person_id}, headers=_headers("broker"))
    [person] = found.json()
    start = date.today() + timedelta(days=3)
    wanted = {
        "person_id": person["person_id"],
        "lot": "home_care",
        "units_per_week": "10.5",
        "carers_per_visit": 1,
        "visit_pattern": "morning and evening, 7 days a week",
        "requirements": ["female carer"],
        "start_date": start.isoformat(),
        "latest_start_date": (start + timedelta(days=7)).isoformat(),
    }
    raised = httpx.post(f"{url}/packages", json=wanted, headers=_headers("broker"))
    if raised.status_code != 201:
        say(f"  the package was refused: {raised.text}")
        return
    package = raised.json()
    needs = package["needs"]
    name = f"{person['given_name']} {person['family_name']}"
    say(f"  the broker raises a package for {name} ({council_person_id}): {why}")
    say(
        f"  {needs['units_per_week']} hours a week of home care in the {needs['area']} area, "
        f"ceiling {money(needs['ceiling_pence'])} an hour, bids close {moment(package['deadline'])}"
    )
    for provider_id, (name, _, rate) in PROVIDERS.items():
        advert = httpx.get(f"{url}/adverts/{package['package_id']}", headers=_headers("provider", provider_id)).json()
        named = person["family_name"] in str(advert)
        bid = httpx.post(
            f"{url}/adverts/{package['package_id']}/bids",
            json={"rate_pence": rate, "earliest_start": start.isoformat()},
            headers=_headers("provider", provider_id),
        )
        seen = httpx.get(f"{url}/adverts/{package['package_id']}/bids", headers=_headers("provider", provider_id))
        say(
            f"  {name:<16} sees the advert {'WITH' if named else 'without'} the person's name, bids "
            f"{money(rate)} an hour ({outcome(bid.status_code)}), and sees {count(len(seen.json()), 'bid')}: its own"
        )
    sealed = httpx.get(f"{url}/packages/{package['package_id']}/bids", headers=_headers("broker"))
    say(
        f"  the broker sees {count(len(sealed.json()), 'bid')} until bidding closes (bids are sealed); brokerage "
        "then ranks them and awards the package, after this demonstration ends"
    )


def demonstrate_market_figures(url: str, run_dir: Path, say: Callable[[str], None]) -> None:
    today = {"start": date.today().isoformat(), "end": date.today().isoformat()}
    figures = httpx.get(f"{url}/market-figures", params=today, headers=_headers("commissioner"))
    if figures.status_code != 200:
        say(f"  the market figures were refused: {figures.text}")
        return
    council = figures.json()["council"]
    awarded = f"{council['awarded']} awarded" if council["awarded"] else "none awarded yet: bidding is open"
    say(
        f"  market figures for today: {count(council['packages'], 'package')} requested, "
        f"{count(council['bids'], 'bid')} ({council['bids_per_package']} a package), {awarded}"
    )
    chart = httpx.get(f"{url}/market-figures/chart", params=today, headers=_headers("commissioner"))
    (run_dir / "market-figures.svg").write_bytes(chart.content)
    empty = "" if council["awarded"] else " (its panels stay empty until a package is awarded)"
    say(f"  market chart: {run_dir / 'market-figures.svg'}{empty}")
    say(f"  as CSV: {url}/market-figures?start=...&end=...&format=csv")
