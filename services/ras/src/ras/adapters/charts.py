"""Charts a commissioner looks at rather than reads, drawn with matplotlib (Agg: no display).
Pounds here are floats: they only place marks on a drawing, never money anyone is paid.

Each series carries an id (`gid`) naming its client group, so an SVG can be checked for its series
and styled by a council (drawing and rendering: pbshared.platform.charts).
"""

from __future__ import annotations

from collections.abc import Mapping

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import WEEKS_PER_YEAR
from pbshared.platform.charts import MEDIA_TYPES, ImageFormat, new_figure, render
from ras.domain.commissioning.calibration import Fit, GainsAndLosses

__all__ = ["MEDIA_TYPES", "ImageFormat", "bin_edges", "calibration_chart", "gains_and_losses_chart"]

_HALF_BINS = 10
_SALT = "pb-ras"


def _label(group: ClientGroup) -> str:
    return group.value.replace("_", " ").capitalize()


def calibration_chart(fits: Mapping[ClientGroup, Fit], image: ImageFormat) -> bytes:
    """Points against actual weekly cost, one colour per client group, with its fitted line."""
    figure = new_figure()
    axes = figure.add_subplot()
    for group, fit in fits.items():
        points = [r.points for r in fit.residuals]
        weekly = [r.actual_annual_pence / WEEKS_PER_YEAR / 100 for r in fit.residuals]
        dots = axes.scatter(points, weekly, s=14, alpha=0.6, label=f"{_label(group)}: actual")
        dots.set_gid(f"points-{group.value}")
        top = max(points)
        price = fit.annual_pence_per_point / WEEKS_PER_YEAR / 100
        (line,) = axes.plot(
            [0, top],
            [0, top * price],
            color=dots.get_facecolor()[0],
            label=f"{_label(group)}: £{price:.2f} a point a week (R² {fit.r_squared:.2f})",
        )
        line.set_gid(f"fit-{group.value}")
    axes.set_xlabel("RAS points")
    axes.set_ylabel("Actual weekly cost (£)")
    axes.set_title("Points against the cost of care, with the fitted price per point")
    axes.legend(fontsize="small")
    return render(figure, image, _SALT)


def bin_edges(differences: list[list[float]]) -> list[float]:
    """Equal bins either side of an edge at zero, so that no bar mixes people who gain with people
    who lose."""
    widest = max((abs(d) for ds in differences for d in ds), default=0.0) or 1.0
    return [widest * (i - _HALF_BINS) / _HALF_BINS for i in range(2 * _HALF_BINS + 1)]


def gains_and_losses_chart(results: Mapping[ClientGroup, GainsAndLosses], image: ImageFormat) -> bytes:
    """How many people gain or lose how much a week, stacked by client group."""
    figure = new_figure()
    axes = figure.add_subplot()
    groups = list(results)
    differences = [[c.difference_pence / 100 for c in results[g].changes] for g in groups]
    _counts, _edges, containers = axes.hist(
        differences, bins=bin_edges(differences), stacked=True, label=[_label(g) for g in groups]
    )
    for group, bars in zip(groups, containers if len(groups) > 1 else [containers], strict=True):
        for i, bar in enumerate(bars):
            bar.set_gid(f"changes-{group.value}-{i}")
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("Proposed budget less current cost (£ a week)")
    axes.set_ylabel("People")
    axes.set_title("Who would gain and who would lose")
    axes.legend(fontsize="small")
    return render(figure, image, _SALT)
