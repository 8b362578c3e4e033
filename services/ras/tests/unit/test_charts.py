"""The gains and losses chart's bins: none straddles zero, whatever the spread."""

from __future__ import annotations

from ras.adapters.charts import bin_edges


def test_the_bins_meet_at_zero_and_cover_the_widest_change() -> None:
    for differences in ([[-7.69, 4.62]], [[3.0, 250.0], [-0.01]], [[0.0]]):
        edges = bin_edges(differences)
        assert 0.0 in edges
        widest = max(abs(d) for ds in differences for d in ds)
        assert edges[0] <= -widest and edges[-1] >= widest
        assert edges == sorted(edges)
