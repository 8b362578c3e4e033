"""A walk through every person of a council in sixteen lanes, and where it has got to in each.

The uprating walks everyone in person-id order. Cut into lanes by the first hex digit of the id (ids
are random, so each lane holds about a sixteenth of the people), two workers can walk side by side,
each in a lane the other is not in, and a change to one person waits only for the lane they are in.
A job keeps the walk as its checkpoint: for each lane, the last person done, or that it is finished.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

LANES = 16
_SHIFT = 124  # a lane is the id's top four bits


def lane_of(person_id: uuid.UUID) -> int:
    return person_id.int >> _SHIFT


def lane_end(lane: int) -> uuid.UUID | None:
    """The first id after the lane (None for the last lane): a walk in the lane reads ids below it."""
    return uuid.UUID(int=(lane + 1) << _SHIFT) if lane < LANES - 1 else None


def _lane_start(lane: int) -> uuid.UUID | None:
    """The id a walk not yet begun in the lane is after: the last id of the lane before (None for the first)."""
    return uuid.UUID(int=(lane << _SHIFT) - 1) if lane else None


@dataclass(frozen=True)
class Walk:
    """Lanes begun (the last person done in each) and lanes finished; a lane in neither is not begun."""

    last_done: dict[int, uuid.UUID] = field(default_factory=dict)
    finished_lanes: frozenset[int] = frozenset()

    @classmethod
    def from_checkpoint(cls, checkpoint: Any) -> Walk:
        """From a job's checkpoint: none (not begun), a walk's own, or one person's id (a job
        checkpointed before the walk had lanes: everyone up to that person is done)."""
        if checkpoint is None:
            return cls()
        if isinstance(checkpoint, str):
            last = uuid.UUID(checkpoint)
            return cls({lane_of(last): last}, frozenset(range(lane_of(last))))
        return cls(
            {int(lane): uuid.UUID(last) for lane, last in checkpoint["last_done"].items()},
            frozenset(checkpoint["finished"]),
        )

    def checkpoint(self) -> dict[str, Any]:
        return {
            "last_done": {str(lane): str(last) for lane, last in sorted(self.last_done.items())},
            "finished": sorted(self.finished_lanes),
        }

    @property
    def finished(self) -> bool:
        return len(self.finished_lanes) == LANES

    def after(self, lane: int) -> uuid.UUID | None:
        """The id the lane's next people come after."""
        return self.last_done.get(lane, _lane_start(lane))

    def is_finished(self, lane: int) -> bool:
        return lane in self.finished_lanes

    def lanes_left(self, starting_at: int = 0) -> list[int]:
        """Lanes not finished, from `starting_at` round to the one before it (where a worker looks)."""
        order = [*range(starting_at, LANES), *range(starting_at)]
        return [lane for lane in order if lane not in self.finished_lanes]

    def moved(self, lane: int, last_done: uuid.UUID | None, *, finished: bool) -> Walk:
        last = dict(self.last_done)
        if last_done is not None:
            last[lane] = last_done
        return Walk(last, self.finished_lanes | {lane} if finished else self.finished_lanes)

    def with_lanes_of(self, other: Walk, lanes: set[int]) -> Walk:
        """This walk with `lanes` as `other` has them: a worker's lanes added to what the others recorded."""
        last = {lane: at for lane, at in self.last_done.items() if lane not in lanes}
        last.update({lane: at for lane, at in other.last_done.items() if lane in lanes})
        return Walk(last, (self.finished_lanes - lanes) | (other.finished_lanes & lanes))
