"""The market figures as a chart commissioners look at: the share unfilled after each round, the
median time to award, and placed rates against the ceiling, by lot and area. Numbers here are
floats: they only place marks on a drawing.

Each bar carries an id (`gid`) naming what it shows, so an SVG can be checked and styled.
"""

from __future__ import annotations

from brokerage.domain.market import LotAreaFigures
from pbshared.platform.charts import ImageFormat, new_figure, render

_SALT = "pb-brokerage"


def _name(line: LotAreaFigures) -> str:
    return f"{line.lot.replace('_', ' ')}, {line.area}"


def _bars(axes, labels: list[str], values: list[float], gids: list[str], *, across: bool) -> None:
    bars = axes.barh(labels, values) if across else axes.bar(labels, values)
    for gid, bar in zip(gids, bars, strict=True):
        bar.set_gid(gid)


def market_chart(overall: LotAreaFigures, lines: list[LotAreaFigures], image: ImageFormat) -> bytes:
    figure = new_figure(12, 4.5)
    unfilled, award, rates = figure.subplots(1, 3)

    shares = [s for s in overall.unfilled_after_round if s.unfilled_percent is not None]
    rounds = [str(s.round) for s in shares]
    _bars(
        unfilled,
        rounds,
        [float(s.unfilled_percent or 0) for s in shares],
        [f"unfilled-round-{r}" for r in rounds],
        across=False,
    )
    unfilled.set_ylim(0, 100)
    unfilled.set_xlabel("Round")
    unfilled.set_ylabel("Packages unfilled (%)")
    unfilled.set_title("Unfilled after each round")

    timed = [line for line in lines if line.median_hours_to_award is not None]
    hours = [float(t.median_hours_to_award or 0) for t in timed]
    _bars(award, [_name(t) for t in timed], hours, [f"award-{t.lot}-{t.area}" for t in timed], across=True)
    award.set_xlabel("Median hours from request to award")
    award.set_title("Time to award")

    placed = [line for line in lines if line.mean_rate_to_ceiling_percent is not None]
    percent = [float(p.mean_rate_to_ceiling_percent or 0) for p in placed]
    _bars(rates, [_name(p) for p in placed], percent, [f"rate-{p.lot}-{p.area}" for p in placed], across=True)
    rates.axvline(100, color="black", linewidth=0.8)
    rates.set_xlabel("Mean placed rate, % of the ceiling")
    rates.set_title("Rates against ceilings")
    return render(figure, image, _SALT)
