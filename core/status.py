"""A run's life, written once: its statuses and the moves between them (docs/protocol.md has the diagram).

    queued → running ⇄ paused → done | diverged | cancelled | failed | interrupted

core's training loop ends a run done, diverged or cancelled; the server adds queued (not yet on a worker),
failed (its worker could not go on) and interrupted (the server stopped while it was live). A finished
status is final.
"""

from enum import StrEnum


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    DIVERGED = "diverged"
    CANCELLED = "cancelled"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def live(self) -> bool:
        """Queued, running or paused: the run may still change."""
        return self in LIVE

    @property
    def finished(self) -> bool:
        return self in FINISHED

    def may_become(self, other: "RunStatus") -> bool:
        """Is `self → other` one of the lifecycle's moves? (Staying put is not a move.)"""
        return other in TRANSITIONS[self]


LIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED})
FINISHED = frozenset(RunStatus) - LIVE
# a live run may end in any finished status: a paused run reaches its last epoch by a step, a queued one may
# be stopped, fail or be interrupted before it trains; a created-paused run goes from queued to paused
TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.PAUSED}) | FINISHED,
    RunStatus.RUNNING: frozenset({RunStatus.PAUSED}) | FINISHED,
    RunStatus.PAUSED: frozenset({RunStatus.RUNNING}) | FINISHED,
    **{status: frozenset() for status in FINISHED},
}
