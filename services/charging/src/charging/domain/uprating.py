"""The annual uprating's totals: how many charges went up, down or stayed, and what that does to income.

Kept as plain JSON-ready values so a job can checkpoint them with its progress and carry on after a kill.
Income per year is the weekly effect times 52 (the weeks the contract's money rules count in a year).
"""

from __future__ import annotations

from typing import Any

from pbshared.contract.money import WEEKS_PER_YEAR

# Whom the job lists as refused (e.g. a premium the new figures do not have): enough to act on.
REFUSED_LISTED = 100


def empty_totals() -> dict[str, Any]:
    return {
        "up": 0,
        "down": 0,
        "unchanged": 0,
        "skipped": 0,
        "refused_count": 0,
        "refused": [],
        "weekly_effect_pence": {},
    }


def refused_count(totals: dict[str, Any]) -> int:
    """How many were refused (a job's totals from before the count was kept: the ones listed)."""
    return int(totals.get("refused_count", len(totals["refused"])))


def tally_refused(totals: dict[str, Any], person_id: str) -> dict[str, Any]:
    """`totals` with one person counted as refused, and listed if fewer than REFUSED_LISTED are."""
    listed = [*totals["refused"], person_id][:REFUSED_LISTED]
    return {**totals, "refused_count": refused_count(totals) + 1, "refused": listed}


def tally(totals: dict[str, Any], client_group: str, old_pence: int, new_pence: int) -> dict[str, Any]:
    """`totals` with one person's change counted (a new dict; the old one is left as it was)."""
    counted = {**totals, "weekly_effect_pence": dict(totals["weekly_effect_pence"])}
    direction = "up" if new_pence > old_pence else "down" if new_pence < old_pence else "unchanged"
    counted[direction] += 1
    effect = counted["weekly_effect_pence"]
    effect[client_group] = effect.get(client_group, 0) + new_pence - old_pence
    return counted


def merged(totals: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Two sets of totals as one (a page's added to the job's): counts and effects summed, the refused
    counted and listed up to REFUSED_LISTED."""
    effect = dict(totals["weekly_effect_pence"])
    for group, pence in more["weekly_effect_pence"].items():
        effect[group] = effect.get(group, 0) + pence
    counts = {name: totals[name] + more[name] for name in ("up", "down", "unchanged", "skipped")}
    refused = [*totals["refused"], *more["refused"]][:REFUSED_LISTED]
    refused_in_all = refused_count(totals) + refused_count(more)
    return {**counts, "refused_count": refused_in_all, "refused": refused, "weekly_effect_pence": effect}


def income_effect(totals: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(client group, effect per week, effect per year) in pence, by client group, then all of them."""
    rows = [(group, week, week * WEEKS_PER_YEAR) for group, week in sorted(totals["weekly_effect_pence"].items())]
    week = sum(w for _, w, _ in rows)
    return [*rows, ("all", week, week * WEEKS_PER_YEAR)]
