"""Charts people look at rather than read (RAS commissioning, brokerage's market figures), drawn
with matplotlib (Agg: no display). A service that draws lists matplotlib among its dependencies;
this module imports it only when a chart is drawn.

The same data draws the same bytes (SVG ids are otherwise random), and text stays text in the SVG
(readable, searchable, accessible).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ImageFormat = Literal["svg", "png"]
MEDIA_TYPES: dict[ImageFormat, str] = {"svg": "image/svg+xml", "png": "image/png"}


def new_figure(width: float = 8, height: float = 5) -> Figure:
    # Imported on the first chart, not at start-up: matplotlib is slow to load (a font cache on its
    # first run) and a worker, or a service that draws no chart, never needs it.
    import matplotlib

    matplotlib.use("Agg")  # servers have no display
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def render(figure: Figure, image: ImageFormat, salt: str) -> bytes:
    """The figure's bytes; `salt` fixes the SVG's ids, so a report always draws the same."""
    import matplotlib

    out = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        figure.savefig(out, format=image, metadata={"Date": None} if image == "svg" else None)
    return out.getvalue()
