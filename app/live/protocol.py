"""What the server and its worker processes say to each other over their pipes: commands down, events up.

Every message is a small frozen dataclass, pickled by multiprocessing. Events carry what watchers get already
encoded (JSON text, binary frames), so the server's event loop only passes them on.
"""

from dataclasses import dataclass

from core.config import RunConfig
from core.data import Dataset
from core.gradcheck import Bug
from core.status import RunStatus

# ---------------------------------------------------------------- commands (server → worker)


@dataclass(frozen=True, slots=True)
class Start:
    run_id: str
    config: RunConfig
    dataset: Dataset
    paused: bool
    speed: float | None  # epochs per second, None: full speed


@dataclass(frozen=True, slots=True)
class StartGroup:
    """Runs that core.grid.can_stack: trained together by one GridSlot, each reported as its own run."""

    starts: list[Start]  # one dataset, the same paused and speed
    landscape: bool = False  # a comparison's: send its loss landscape (app/live/feeds.py LandscapeFeed)


WATCHED = "watched"  # the server's own command (not a user's): value 1 when a run has watchers again, 0 when none


@dataclass(frozen=True, slots=True)
class Command:
    """pause | resume | stop (no value), step (value: epochs), speed (value: epochs per second or None), watched."""

    run_id: str
    action: str
    value: float | None = None
    seq: int | None = None  # when set, the worker answers with an Ack carrying it


@dataclass(frozen=True, slots=True)
class Check:
    """Run a gradient check on the run's current weights, between slices, with a bug planted in backprop's gradient
    if one is given; answered by an Answer with seq."""

    run_id: str
    seq: int
    bug: Bug | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """Compute the run's next iteration stage by stage (core.stepper) on a twin, between slices: the run does not
    move. Answered by an Answer with seq."""

    run_id: str
    seq: int
    example: int = 0


# ---------------------------------------------------------------- events (worker → server)


@dataclass(frozen=True, slots=True)
class Ready:
    pid: int


@dataclass(frozen=True, slots=True)
class Ack:
    seq: int
    status: RunStatus | None  # the run's status after the command; None: the worker no longer has the run


@dataclass(frozen=True, slots=True)
class Points:
    run_id: str
    points: list[list]  # [[epoch, cost, train_acc, test_acc], ...]
    points_json: str  # the same, encoded here: the server's event loop only passes it on
    epoch: int  # epochs trained so far


@dataclass(frozen=True, slots=True)
class Frame:
    """The latest picture of one of the run's views (app/live/feeds.py), ready to send; a newer one replaces it."""

    run_id: str
    view: str  # "boundary", ...: the message's type on the wire
    payload: bytes | str  # binary frames as bytes, JSON messages as text
    epoch: int
    kept: bool = False  # a frame sent once, that never changes (the examples' thumbnails): never dropped


@dataclass(frozen=True, slots=True)
class Insight:
    run_id: str
    message_json: str  # the insight message, encoded here (core.insight.insight_report)
    norms: list  # [epoch, [||W_l||, ...], [||dW_l||, ...]]: the point the channel's history keeps
    epoch: int


@dataclass(frozen=True, slots=True)
class Answer:
    """What a Check or a Preview asked for (core.insight.gradient_check_report; core.stepper.iteration and the runs a
    step moves), or None with an error, or when the run is gone."""

    seq: int
    answer: dict | None
    error: str | None = None
    refused: bool = False  # the error is the request's own: a check over its budget, an example not in the batch


@dataclass(frozen=True, slots=True)
class Status:
    run_id: str
    status: RunStatus
    epoch: int


@dataclass(frozen=True, slots=True)
class Finished:
    run_id: str
    result: dict  # Result.to_dict() without parameters
    result_json: str
    parameters: dict[str, list] | None = None  # the learned weights, for the store (not for watchers)


@dataclass(frozen=True, slots=True)
class Failed:
    run_id: str
    reason: str


def describe(error: BaseException) -> str:
    """An exception in words, for a run's reason or a notice: its kind and its message."""
    return f"{type(error).__name__}: {error}"


Event = Ready | Ack | Answer | Points | Frame | Insight | Status | Finished | Failed
RunEvent = Points | Frame | Insight | Status | Finished | Failed  # about one run: the registry routes them
