"""Request and response bodies of the HTTP API (docs/protocol.md)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.polls import KINDS
from app.rooms import CLASS_RUNS, CROWD_SETTINGS, MAX_CLASS_RUNS, MAX_RUNS_PER_MEMBER, RUNS_PER_MEMBER
from core.config import MAX_EPOCHS, RunConfig
from core.presets import PRESETS, preset_config
from core.status import RunStatus

MAX_SPEED = 100_000  # epochs per second

Speed = Annotated[float, Field(gt=0, le=MAX_SPEED)]
Number = float | Literal["inf", "-inf", "nan"]  # as stored: non-finite numbers spelled out
Point = tuple[int, float, float, float | None]  # [epoch, cost, train_acc, test_acc]
RoomCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{6}$")]
MAX_ROOM_STATE = 8192  # characters of the presenter's settings query
MAX_ROOM_RUNS = 8  # a comparison's runs, at most 6, and room to spare


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- starting a run


class RunRequest(RunConfig):
    """A run config (every field optional), or a preset with overrides; beside either, how the run goes."""

    preset: Literal[tuple(PRESETS)] | None = None
    overrides: dict[str, Any] | None = None
    keep: bool = Field(False, description="keep training when nobody watches")
    speed: Speed | None = Field(None, description="epochs per second; null: full speed")
    paused: bool = Field(False, description="create the run paused")
    room: RoomCode | None = Field(None, description="a lecture room's code: the run is then the room's (X-Room-Secret)")

    @model_validator(mode="after")
    def one_form(self) -> "RunRequest":
        config_fields = self.model_fields_set & set(RunConfig.model_fields)
        if self.preset is not None and config_fields:
            raise ValueError(f"with a preset, put config fields in overrides: {', '.join(sorted(config_fields))}")
        if self.preset is None and self.overrides is not None:
            raise ValueError("overrides go with a preset")
        return self

    def run_config(self) -> RunConfig:
        """The validated config; a preset's bad overrides raise ValidationError with the fields' locs."""
        if self.preset is not None:
            return preset_config(self.preset, self.overrides)
        return RunConfig.model_validate(self.model_dump(include=set(RunConfig.model_fields), exclude_unset=True))


class RunCreated(BaseModel):
    id: str
    status: RunStatus
    config: RunConfig


# ---------------------------------------------------------------- controlling a run


class ControlRequest(Strict):
    """pause | resume | stop; step (epochs, default 1: a running run pauses first); speed (epochs_per_second)."""

    type: Literal["control"] | None = Field(None, description='"control" on the websocket; optional over REST')
    action: Literal["pause", "resume", "step", "stop", "speed"]
    epochs: int | None = Field(None, ge=1, le=MAX_EPOCHS, description="step: how many epochs")
    epochs_per_second: Speed | None = Field(None, description="speed: the new speed; null: full speed")
    secret: str | None = Field(None, max_length=128, description="on a websocket: a lecture room's secret")
    member: str | None = Field(None, max_length=128, description="on a websocket: a room member's token (its own run)")

    @model_validator(mode="after")
    def fields_fit_the_action(self) -> "ControlRequest":
        if self.epochs is not None and self.action != "step":
            raise ValueError(f"epochs: only with action step, not {self.action}")
        if "epochs_per_second" in self.model_fields_set and self.action != "speed":
            raise ValueError(f"epochs_per_second: only with action speed, not {self.action}")
        return self

    def command(self) -> tuple[str, float | None]:
        """(action, value) as the worker takes it."""
        if self.action == "step":
            return self.action, self.epochs or 1
        return self.action, self.epochs_per_second


class ControlAnswer(BaseModel):
    id: str
    status: RunStatus


# ---------------------------------------------------------------- reading a run


class RunResult(BaseModel):
    status: RunStatus
    costs: list[tuple[int, float]]
    final_cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    epochs_run: int
    duration_s: float
    reason: str | None = None  # why a failed run failed


class RunInfo(BaseModel):
    id: str
    status: RunStatus
    config: RunConfig
    epoch: int
    last: Point | None
    result: RunResult | None


class RunSummary(BaseModel):
    id: str
    status: RunStatus
    config: RunConfig
    created: float  # unix time
    finished: float | None
    final_cost: Number | None
    train_accuracy: Number | None
    test_accuracy: Number | None


class RunPage(BaseModel):
    total: int
    limit: int
    offset: int
    runs: list[RunSummary]


class CostPage(BaseModel):
    total: int
    limit: int
    offset: int
    points: list[tuple[int, Number | None, Number | None, Number | None]]  # [epoch, cost, train_acc, test_acc]


class Parameters(BaseModel):
    id: str
    parameters: dict[str, list]  # W1, b1, ... as nested lists


class RunDeleted(BaseModel):
    id: str
    status: Literal[RunStatus.CANCELLED, "deleted"]  # a live run is cancelled, a finished one deleted


# ---------------------------------------------------------------- lecture rooms


class RoomRun(Strict):
    key: str = Field(max_length=64)
    name: str = Field(max_length=100)
    id: str = Field(max_length=64)


class RoomUpdate(Strict):
    state: str = Field(max_length=MAX_ROOM_STATE, description="the presenter's settings as a URL query string")
    runs: list[RoomRun] = Field(max_length=MAX_ROOM_RUNS)


class RoomLimits(Strict):
    """The class's runs, set by the presenter when opening the room (students count per member, not per address)."""

    runs_per_member: int = Field(RUNS_PER_MEMBER, ge=1, le=MAX_RUNS_PER_MEMBER, description="live at once per student")
    max_runs: int = Field(CLASS_RUNS, ge=1, le=MAX_CLASS_RUNS, description="live at once, all students together")


class RoomOpen(Strict):
    limits: RoomLimits = Field(default_factory=RoomLimits)


class PollAnswer(Strict):
    key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)


class PollRequest(Strict):
    question: str = Field(min_length=1, max_length=200)
    answers: list[PollAnswer] = Field(min_length=2, max_length=MAX_ROOM_RUNS)
    kind: Literal[KINDS] | None = Field(
        None, description="how the page shows the actual outcome next to the votes; null: the question says"
    )


class PollInfo(BaseModel):
    id: str
    question: str
    answers: list[PollAnswer]
    kind: str | None
    revealed: bool
    votes: int  # how many have voted
    counts: dict[str, int] | None  # votes per answer key, once revealed (null before: nobody sees them)


class VoteRequest(Strict):
    answer: str = Field(min_length=1, max_length=64)


class ScreenRequest(Strict):
    screen: Literal["live", "blank", "frozen"]


class CrowdRequest(Strict):
    setting: Literal[CROWD_SETTINGS] | None = Field(description="the run config field students vary; null: none")


class RoomInfo(BaseModel):
    code: str
    state: str
    runs: list[RoomRun]
    rev: int
    screen: str
    crowd: str | None
    poll: PollInfo | None
    ended: bool
    limits: RoomLimits


class RoomJoined(BaseModel):
    member: str  # the member's public id (the crowd view's, the export's)
    token: str  # its secret: X-Room-Member on its runs' requests and its votes


class CrowdRun(BaseModel):
    id: str
    member: str
    value: Any  # the crowd's setting in the run's config
    status: RunStatus
    epoch: int
    cost: float | str | None
    train_accuracy: float | str | None
    test_accuracy: float | str | None


class CrowdInfo(BaseModel):
    setting: str | None
    t: float
    runs: list[CrowdRun]


class RoomCreated(BaseModel):
    code: str
    secret: str
    presenter_url: str
    viewer_url: str
    loopback: bool  # the viewer link names this machine only: phones cannot reach it


# ---------------------------------------------------------------- sweeps


class SweepRequest(Strict):
    base: dict[str, Any] = Field(default_factory=dict, description='a run config, or {"preset", "overrides"}')
    grid: dict[str, list[Any]] = Field(min_length=1, description="run config field → the values to try")


class SweepCreated(BaseModel):
    id: str
    runs: list[str]


class SweepRow(BaseModel):
    id: str
    values: dict[str, Any]  # the varied fields
    status: RunStatus
    final_cost: Number | None
    train_accuracy: Number | None
    test_accuracy: Number | None


class SweepInfo(BaseModel):
    id: str
    base: dict[str, Any]
    grid: dict[str, list[Any]]
    finished: int
    total: int
    rows: list[SweepRow]


# ---------------------------------------------------------------- what there is to run


class PresetInfo(BaseModel):
    name: str
    description: str
    group: str | None
    config: RunConfig


class GroupInfo(BaseModel):
    name: str
    presets: list[str]


class DatasetInfo(BaseModel):
    name: str
    available: bool  # football needs the course's data.mat in the data dir
    n_train: int | None
    n_test: int | None
    noise: float | None
    seed: int | None
    note: str


class PointsQuery(Strict):
    """A generated dataset's options (unset: its defaults); the bounds are core's DatasetSpec's."""

    n_train: int | None = None
    n_test: int | None = None
    noise: float | None = None
    seed: int | None = None


class DatasetPoints(BaseModel):
    X_train: list[tuple[float, float]]
    y_train: list[int]
    X_test: list[tuple[float, float]] | None
    y_test: list[int] | None


class WorkerHealth(BaseModel):
    pid: int | None
    alive: bool
    runs: list[str]


class LoopLagHealth(BaseModel):
    """How late the event loop ran a 50 ms wake-up, over the last minute (app/looplag.py)."""

    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: int


class Health(BaseModel):
    status: Literal["ok"]
    workers: list[WorkerHealth]
    live_runs: int
    loop_lag: LoopLagHealth


class GradCheckAnswer(BaseModel):
    """POST /api/runs/{id}/gradcheck: backprop's gradient against centred differences, at the run's weights."""

    id: str
    epoch: int = Field(description="the epoch whose weights were checked")
    difference: float = Field(description="||grad - gradapprox|| / (||grad|| + ||gradapprox||)")
    passed: bool = Field(description="difference < threshold")
    threshold: float
    parameters: int = Field(description="parameters checked (every one)")
    examples: int = Field(description="training examples the cost was computed on")
    keep_prob_used: float = Field(description="always 1: dropout is off for the check")


# ---------------------------------------------------------------- comparisons

MAX_COMPARED_RUNS = 8


class ComparisonRequest(Strict):
    """Runs compared side by side; how they go (keep, speed, paused) is shared, beside the list."""

    runs: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_COMPARED_RUNS, description='each a run config, or {"preset", "overrides"}'
    )
    keep: bool = Field(False, description="keep training when nobody watches")
    speed: Speed | None = Field(None, description="epochs per second; null: full speed")
    paused: bool = Field(False, description="create the runs paused")
    room: RoomCode | None = Field(None, description="a lecture room's code: the runs are then the room's")


class ComparisonCreated(BaseModel):
    runs: list[RunCreated]
    stacked: bool  # trained together as one stack of nets (core.grid), not one by one
