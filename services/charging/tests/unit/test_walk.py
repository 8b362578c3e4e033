"""The uprating's walk through a council's people in sixteen lanes, and where it stands in each."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from charging.domain.walk import LANES, Walk, lane_end, lane_of

ids = st.integers(min_value=0, max_value=2**128 - 1).map(lambda n: uuid.UUID(int=n))


@given(ids)
def test_every_id_is_in_exactly_one_lane_and_a_fresh_walk_of_that_lane_reads_it(person_id):
    lane = lane_of(person_id)
    assert 0 <= lane < LANES
    start, end = Walk().after(lane), lane_end(lane)
    assert start is None or start < person_id  # a walk begins after `start`...
    assert end is None or person_id < end  # ...and reads ids below the lane's end
    for other in set(range(LANES)) - {lane}:  # no other lane's walk reads it
        other_start, other_end = Walk().after(other), lane_end(other)
        assert not ((other_start is None or other_start < person_id) and (other_end is None or person_id < other_end))


def test_the_lanes_cut_the_ids_in_order():
    assert lane_of(uuid.UUID(int=0)) == 0 and lane_of(uuid.UUID(int=2**128 - 1)) == LANES - 1
    assert lane_end(0) == uuid.UUID("10000000-0000-0000-0000-000000000000")
    assert Walk().after(1) == uuid.UUID("0fffffff-ffff-ffff-ffff-ffffffffffff")
    assert lane_end(LANES - 1) is None and Walk().after(0) is None


def test_a_walk_is_kept_as_a_checkpoint_and_read_back():
    last = uuid.UUID("3a000000-0000-4000-8000-000000000001")
    walk = Walk().moved(3, last, finished=False).moved(0, None, finished=True)
    assert walk.checkpoint() == {"last_done": {"3": str(last)}, "finished": [0]}
    assert Walk.from_checkpoint(walk.checkpoint()) == walk
    assert walk.after(3) == last and walk.is_finished(0) and not walk.finished
    assert Walk.from_checkpoint(None) == Walk()


def test_a_checkpoint_from_before_the_lanes_resumes_after_its_person():
    last = uuid.UUID("3a000000-0000-4000-8000-000000000001")
    walk = Walk.from_checkpoint(str(last))
    assert walk.finished_lanes == {0, 1, 2} and walk.after(3) == last and walk.after(4) == Walk().after(4)


def test_a_worker_looks_from_its_own_lane_round_and_skips_the_finished():
    walk = Walk().moved(9, None, finished=True).moved(2, None, finished=True)
    assert walk.lanes_left(8) == [8, 10, 11, 12, 13, 14, 15, 0, 1, 3, 4, 5, 6, 7]
    done = Walk(finished_lanes=frozenset(range(LANES)))
    assert done.finished and done.lanes_left(5) == []


def test_a_workers_lanes_are_added_to_what_the_others_recorded():
    a, b = uuid.UUID(int=(1 << 124) + 5), uuid.UUID(int=(6 << 124) + 7)
    recorded = Walk().moved(1, a, finished=False).moved(4, None, finished=True)  # by another worker
    mine = Walk().moved(6, b, finished=False).moved(7, None, finished=True).moved(1, None, finished=True)
    merged = recorded.with_lanes_of(mine, {6, 7})  # lane 1 is not this worker's: its stale view is ignored
    assert merged.last_done == {1: a, 6: b} and merged.finished_lanes == {4, 7}
