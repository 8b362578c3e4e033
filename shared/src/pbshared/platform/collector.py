"""The cyclic garbage collector: startup's objects set aside once, and held off while a bulk job has
one batch in hand."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No cyclic collection while a batch (an uprating page, a batch of deadline timers) is in hand.

    A batch keeps tens of thousands of containers alive until it commits; the collector takes them
    for long-lived and, every few batches, walks every object in the process (some 200,000 from a
    service's imports alone): a third of the uprating's CPU and a sixth of evaluation's. Reference
    counting frees the batch when it ends and the collector is back on between batches, so memory
    stays bounded. Whoever turned it off turns it back on: a pause inside another leaves it off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Allocations (less deallocations) of containers between young-generation collections while serving.
# Python's 700 had a request's short-lived objects collected hundreds of times a second, though
# reference counting frees nearly all of them: 1,800 collections and about 0.5 s of a 10 s load at
# 50 clients (bench.ras). With 20,000 a request's objects come and go between collections; real
# cycles are still found, a little later, and memory stays bounded.
SERVING_THRESHOLD = 20_000


def settle_for_serving() -> None:
    """Set the collector for a long-running server, once its app is built (the serve command calls it;
    build_app does not, as tests build many apps in one process):

    - every object alive now (a service's imports, its app, routes, models and tables: some 150,000)
      goes out of the collector's sight (gc.freeze). They live as long as the process, yet each full
      collection walked them all while requests waited: 60 to 85 ms at a time, 0.9 s of a 10 s load;
    - young collections run every SERVING_THRESHOLD allocations rather than 700."""
    gc.collect()  # what startup left as garbage goes now, not into the frozen set
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(SERVING_THRESHOLD, middle, old)
