"""The local stack's commissioning step: a commissioner uploads a cohort of past assessments and
reads the RAS's calibration, winners and losers and a model comparison, as a person would."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx

from tools.wording_demo import money

# Invented people: points and the weekly cost of the care that met their needs, spread about
# GBP 5.00 a point a week (older people) and GBP 6.00 (learning disability), with two far off.
_SPREAD = (-12, 7, -3, 15, 0, -9, 4, 11, -6, 2)


def cohort_csv() -> str:
    lines = ["reference,client_group,points,actual_weekly_cost"]
    for i, spread in enumerate(_SPREAD * 2):
        points = 8 + 3 * i
        lines.append(f"OP-{i:03},older_people,{points},{points * 5 + spread}.00")
        lines.append(f"LD-{i:03},learning_disability,{points},{points * 6 + spread}.50")
    lines += ["OP-900,older_people,30,420.00", "LD-900,learning_disability,50,95.00"]
    return "\n".join(lines) + "\n"


def _label(group: str) -> str:
    return group.replace("_", " ")


def demonstrate_commissioning(ras_url: str, headers: dict[str, str], run_dir: Path, say: Callable[[str], None]) -> None:
    say("\nA commissioner calibrates the RAS against past costs (API /cohorts):")
    response = httpx.post(
        f"{ras_url}/cohorts",
        params={"name": "Demonstration cohort"},
        content=cohort_csv(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    if response.status_code != 201:
        raise SystemExit(f"RAS refused the cohort: {response.text}")
    cohort = f"{ras_url}/cohorts/{response.json()['cohort_id']}"
    say(f"  cohort of {response.json()['row_count']} past assessments stored")
    for group in httpx.get(f"{cohort}/calibration", headers=headers).json()["groups"]:
        say(
            f"  {_label(group['client_group']):<20} fitted price {money(group['weekly_pence_per_point'])} a point "
            f"a week, R² {group['r_squared']:.2f}, outliers: {', '.join(o['reference'] for o in group['outliers'])}"
        )
    gains = httpx.get(f"{cohort}/winners-and-losers", params={"model_version": 2}, headers=headers).json()
    for group in gains["groups"]:
        say(
            f"  model 2 against cost, {_label(group['client_group']):<20}  {group['winners']} gain "
            f"({money(group['gained_weekly_pence'])} a week between them), {group['losers']} lose "
            f"({money(group['lost_weekly_pence'])} a week between them)"
        )
    comparison = httpx.get(f"{cohort}/model-comparison", params={"current": 1, "proposed": 2}, headers=headers)
    groups = comparison.json()["groups"]
    changes = [f"{_label(g['client_group'])} {Decimal(g['difference_percent']):+}%" for g in groups]
    say(f"  model 2 against model 1: {', '.join(changes)}")
    for name, path, params in (
        ("calibration.svg", "calibration/chart", {}),
        ("winners-and-losers.svg", "winners-and-losers/chart", {"model_version": 2}),
    ):
        (run_dir / name).write_bytes(httpx.get(f"{cohort}/{path}", params=params, headers=headers).content)
    say(f"  charts: {run_dir / 'calibration.svg'}, {run_dir / 'winners-and-losers.svg'}")
