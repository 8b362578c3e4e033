"""What a payment run pays an agreement: for every cycle due by the run date, what the cycle is worth
now less what was paid for it, per funder. A funder's total above zero is one load of the card; a
total below zero (a change that lowered cycles already paid) is held back and nets off later runs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ledger.domain.schedule import CycleBalance, Line, ScheduleInputs, already_paid_lines


@dataclass(frozen=True)
class CycleItem:
    cycle_start: date
    funder: str
    amount_pence: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Payable:
    funder: str
    amount_pence: int
    period_start: date
    period_end: date
    items: tuple[CycleItem, ...]

    @property
    def lines(self) -> list[Line]:
        return [line for item in self.items for line in item.lines]


def payables(
    schedule: ScheduleInputs, paid: dict[date, dict[str, int]], run_date: date
) -> tuple[list[Payable], list[Payable]]:
    """(to pay, held back): per funder, the cycles' differences with the lines that explain them."""
    by_funder: dict[str, list[tuple[tuple[date, date], CycleItem]]] = defaultdict(list)
    for cycle in schedule.cycles_due(run_date):
        already = paid.get(cycle[0], {})
        difference = CycleBalance(cycle, schedule.due(cycle), already).difference()
        if not difference:  # paid in full, as most cycles of a long agreement are: no lines to show
            continue
        lines = schedule.lines(cycle)
        for funder, amount in difference.items():
            explained = [line for line in lines if line.funder == funder]
            explained += [line for line in already_paid_lines(cycle, already) if line.funder == funder]
            by_funder[funder].append((cycle, CycleItem(cycle[0], funder, amount, tuple(explained))))
    pay, held = [], []
    for funder, entries in sorted(by_funder.items()):
        total = sum(item.amount_pence for _, item in entries)
        payable = Payable(
            funder,
            total,
            min(cycle[0] for cycle, _ in entries),
            max(cycle[1] for cycle, _ in entries),
            tuple(item for _, item in entries),
        )
        if total > 0:
            pay.append(payable)
        elif total < 0:
            held.append(payable)
    return pay, held


def months_touched(payable: Payable) -> list[str]:
    """Calendar months (YYYY-MM) of the periods paid: a card account's monthly fee is due for each."""
    months = []
    year, month = payable.period_start.year, payable.period_start.month
    while (year, month) <= (payable.period_end.year, payable.period_end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
