"""Request and response bodies of the HTTP API (docs/protocol.md)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from app.polls import KINDS
from app.rooms import CLASS_RUNS, CROWD_SETTINGS, MAX_CLASS_RUNS, MAX_RUNS_PER_MEMBER, RUNS_PER_MEMBER
from core.config import MAX_EPOCHS, MAX_EXAMPLES, Numbers, RunConfig, Strict
from core.presets import PRESETS, preset_config
from core.status import RunStatus
from core.sweep import MAX_SEEDS, MAX_SWEEP_RUNS

MAX_SPEED = 100_000  # epochs per second
MIN_SPEED = 0.1  # an epoch every 10 s: slower shows nothing moving, and holds a live slot for days

Speed = Annotated[float, Field(ge=MIN_SPEED, le=MAX_SPEED)]
Number = float | Literal["inf", "-inf", "nan"]  # as stored: non-finite numbers spelled out
# lists, not tuples, in answers: schemathesis cannot read a tuple's prefixItems in a response (its issue #3842)
Point = Annotated[list[int | Number | None], Field(min_length=4, max_length=4)]  # [epoch, cost, train_acc, test_acc]
CostPair = Annotated[list[int | float], Field(min_length=2, max_length=2)]  # [epoch, cost]
RoomCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{6}$")]
MAX_ROOM_STATE = 8192  # characters of the presenter's settings query
MAX_ROOM_RUNS = 8  # a comparison's runs, at most 6, and room to spare


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
        # the fields as validated (not dumped and validated again: inline data would be copied and checked twice)
        given = self.model_fields_set & set(RunConfig.model_fields)
        return RunConfig.model_validate({name: getattr(self, name) for name in given})


class RunCreated(BaseModel):
    id: str
    status: RunStatus
    config: RunConfig


# ---------------------------------------------------------------- controlling a run


class ControlRequest(Numbers):
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


SKIPPABLE_VIEWS = ("network", "insight", "landscape", "examples", "weights")  # what a watcher may do without


class ViewsRequest(Strict):
    """On a run's websocket: the views this watcher does not show (a comparison's panels draw no network), which the
    server then does not send it; each new one replaces the last."""

    type: Literal["views"]
    skip: list[Literal[SKIPPABLE_VIEWS]] = Field(default_factory=list, max_length=len(SKIPPABLE_VIEWS))


class ControlAnswer(BaseModel):
    id: str
    status: RunStatus


# ---------------------------------------------------------------- reading a run


class DiagnosisInfo(BaseModel):
    kind: Literal["divergence", "dead", "stalled"]
    text: str  # "every ReLU unit in layer 1 is dead: the net outputs a constant"


class RunResult(BaseModel):
    status: RunStatus
    costs: list[CostPair]
    final_cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    epochs_run: int
    duration_s: float
    reason: str | None = None  # why a failed run failed
    diagnosis: DiagnosisInfo | None = None  # what is wrong with a run that ended (core/diagnosis.py)


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
    points: list[Point]


class Parameters(BaseModel):
    id: str
    parameters: dict[str, list]  # W1, b1, ... as nested lists


DELETED = "deleted"  # a finished run's record, once deleted: not a status of a run's life, the run is gone


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


GridValues = Annotated[list[Any], Field(min_length=1, max_length=MAX_SWEEP_RUNS)]
# the grid's keys are the run config's fields: named in the schema, so that a client (or a fuzzer) knows them; a
# value's own bounds are the config's, checked per combination (a 422 names the field)
GRID_SCHEMA = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {name: {"type": "array", "minItems": 1, "maxItems": MAX_SWEEP_RUNS, "items": {}}
                   for name in RunConfig.model_fields},
}  # fmt: skip


MAX_SPACE_FIELDS = 16
MAX_CHOICES = 64


class Uniform(Strict):
    """Values drawn uniformly between low and high; log-uniform: uniformly in log (low > 0), as learning rates are."""

    distribution: Literal["uniform", "log-uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def ordered(self) -> "Uniform":
        if not self.low < self.high:
            raise ValueError(f"low must be under high, not {self.low} and {self.high}")
        if self.distribution == "log-uniform" and self.low <= 0:
            raise ValueError(f"log-uniform needs low > 0, not {self.low}")
        return self


class Choice(Strict):
    distribution: Literal["choice"]
    values: list[Any] = Field(min_length=1, max_length=MAX_CHOICES)


class SweepRequest(Numbers):
    """A grid search (`grid`: every combination) or a random search (`space`, `trials`, `seed`), each setup once or
    over `seeds` seeds."""

    base: dict[str, Any] = Field(default_factory=dict, description='a run config, or {"preset", "overrides"}')
    search: Literal["grid", "random"] = "grid"
    grid: Annotated[dict[str, GridValues], WithJsonSchema(GRID_SCHEMA)] | None = Field(
        None, min_length=1, description="run config field → the values to try"
    )
    space: dict[str, Annotated[Uniform | Choice, Field(discriminator="distribution")]] | None = Field(
        None, min_length=1, max_length=MAX_SPACE_FIELDS, description="random search: field → its distribution"
    )
    trials: int | None = Field(None, ge=1, le=MAX_SWEEP_RUNS, description="random search: setups drawn")
    seed: int = Field(
        0, ge=0, le=2**32 - 1, description="random search: the draws' seed (the same seed, the same trials)"
    )
    seeds: int = Field(1, ge=1, le=MAX_SEEDS, description="each setup over this many seeds (the base's seed, +1, ...)")

    @model_validator(mode="after")
    def one_search(self) -> "SweepRequest":
        needs, refuses = (("grid",), ("space", "trials")) if self.search == "grid" else (("space", "trials"), ("grid",))
        for field in needs:
            if getattr(self, field) is None:
                raise ValueError(f"{field}: a {self.search} search needs it")
        for field in refuses:
            if getattr(self, field) is not None:
                raise ValueError(f"{field}: not with a {self.search} search")
        varied = self.grid or self.space
        if self.seeds > 1 and "seed" in varied:
            raise ValueError("seeds: the seed is varied already; repeat over seeds or vary it, not both")
        return self


class SweepCreated(BaseModel):
    id: str
    runs: list[str]


class SweepRow(BaseModel):
    id: str
    values: dict[str, Any]  # the varied fields (and the seed, repeated over seeds)
    setup: int = Field(description="the setup's index (setups repeated over seeds share it)")
    status: RunStatus | Literal["deleted"]
    final_cost: Number | None
    train_accuracy: Number | None
    test_accuracy: Number | None


class Spread(BaseModel):
    """One final number over a setup's seeds."""

    mean: Number
    std: Number = Field(description="standard deviation over the runs (ddof 0)")
    min: Number
    max: Number
    n: int = Field(description="the runs that have the number (finished ones)")


class SetupSummary(BaseModel):
    values: dict[str, Any]
    runs: list[str]
    final_cost: Spread | None
    train_accuracy: Spread | None
    test_accuracy: Spread | None


class SweepInfo(BaseModel):
    id: str
    base: dict[str, Any]
    search: Literal["grid", "random"]
    grid: dict[str, list[Any]] | None
    space: dict[str, Any] | None
    trials: int | None
    seed: int | None
    seeds: int
    queued: int  # waiting for a live slot
    running: int  # on a worker (running, paused, or just starting)
    finished: int  # ended (or deleted)
    total: int
    rows: list[SweepRow]
    setups: list[SetupSummary] = Field(description="one per setup, its seeds' runs summarized")


MAX_BAND_SETUPS = 16
MAX_BAND_RUNS = MAX_SWEEP_RUNS


class Band(BaseModel):
    runs: list[str]
    epochs: list[int]
    mean: list[Number]
    std: list[Number]
    low: list[Number] = Field(description="min over the runs")
    high: list[Number] = Field(description="max over the runs")
    final_cost: Spread | None
    train_accuracy: Spread | None
    test_accuracy: Spread | None


class Bands(BaseModel):
    """GET /api/bands: each setup's mean cost curve and its min–max band, at the epochs all its runs reached."""

    band: Literal["min-max"]
    setups: list[Band]


# ---------------------------------------------------------------- what there is to run


class PresetInfo(BaseModel):
    name: str  # for links and the API: "init-zeros"
    title: str  # for people: "Zeros initialization"
    description: str
    group: str | None
    config: RunConfig


class GroupInfo(BaseModel):
    name: str
    title: str
    presets: list[str]


class DatasetInfo(BaseModel):
    name: str
    available: bool  # football and catvnoncat need the course's files in the data dir
    n_train: int | None
    n_test: int | None
    noise: float | None
    seed: int | None
    note: str
    features: int | None = Field(description="inputs per example (2: points on a plane); null: known once loaded")
    image_shape: list[int] | None = Field(description="[height, width, channels] when each example is an image")


class DatasetPoints(BaseModel):
    X_train: list[list[float]]
    y_train: list[int]
    X_test: list[list[float]] | None
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


class StoreHealth(BaseModel):
    writable: bool  # False: the last write failed; new runs and rooms are refused (507) until one succeeds
    error: str | None  # why the last write failed


class Health(BaseModel):
    status: Literal["ok", "degraded"]  # degraded: the store cannot write
    store: StoreHealth
    workers: list[WorkerHealth]
    live_runs: int
    queued_runs: int  # batch runs (sweeps') waiting for a live slot
    loop_lag: LoopLagHealth


MAX_BUG_SCALE = 1000
MAX_1D_VALUE = 1e6  # θ and x of the 1-D example


class GradCheck1D(BaseModel):
    """GET /api/gradcheck/1d: the notebook's J(θ) = θx, its derivative x, and their centred-difference check."""

    theta: float
    x: float
    epsilon: float
    J: float = Field(description="θx")
    J_plus: float = Field(description="(θ + ε)x")
    J_minus: float = Field(description="(θ - ε)x")
    grad: float = Field(description="backprop's dJ/dθ = x")
    gradapprox: float = Field(description="(J_plus - J_minus) / 2ε")
    difference: float
    threshold: float
    passed: bool
    sweep: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        description="[ε, difference] for ε = 1, 0.1, ..., 1e-18"
    )


class ScaledBlock(Numbers):
    """A mistake to plant: one block of backprop's gradient (dW_l or db_l, 1-based) multiplied by `scale`."""

    param: str = Field(pattern=r"^d[Wb][1-9][0-9]?$", description="dW1, db1, dW2, ...")
    scale: float = Field(ge=-MAX_BUG_SCALE, le=MAX_BUG_SCALE)


class GradCheckRequest(Strict):
    """POST /api/runs/{id}/gradcheck's optional body."""

    bug: Literal["course"] | ScaledBlock | None = Field(
        None, description='"course": the notebook\'s two mistakes (dW2 × 2, db1 × 4); or one block scaled'
    )

    def bug_spec(self) -> str | tuple[str, float] | None:
        """The bug as core.gradcheck.planted_bug takes it."""
        return (self.bug.param, self.bug.scale) if isinstance(self.bug, ScaledBlock) else self.bug


class CheckedBlock(BaseModel):
    param: str = Field(description="W1, b1, W2, ...")
    difference: float = Field(description="the block's own relative difference")
    broken: bool = Field(description="over the threshold and 10× what rounding alone gives a block this size")


class PlantedBug(BaseModel):
    scales: list[Annotated[list[str | float], Field(min_length=2, max_length=2)]] = Field(
        description='the blocks scaled: [["dW2", 2], ["db1", 4]]'
    )
    note: str


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
    blocks: list[CheckedBlock] = Field(description="per parameter block, in the order W1, b1, W2, ...")
    bug: PlantedBug | None = Field(description="the mistakes planted in backprop's gradient, if asked")
    notes: list[str] = Field(description="what the check did differently from training (dropout off, L2 in)")
    warnings: list[str] = Field(description="why the check may not hold here (ReLU inputs at the kink)")


# ---------------------------------------------------------------- the stepper: one iteration in stages


class StepperRequest(Numbers):
    example: int = Field(0, ge=0, le=MAX_EXAMPLES, description="the batch's example whose columns are shown")


class Histogram(BaseModel):
    counts: list[int]
    edges: list[Number]
    nonfinite: int


class StageItem(BaseModel):
    """One value of a stage beside its equation: a number (`value`), or an array as a summary (`shape`, `norm`,
    `min`, `max`, `mean`, `histogram`) with one example's column (`example`) or the whole matrix (`values`)."""

    name: str
    equation: str
    value: Number | None = None
    shape: list[int] | None = None
    norm: Number | None = None
    min: Number | None = None
    max: Number | None = None
    mean: Number | None = None
    histogram: Histogram | None = None
    example: list[Number] | None = None
    values: list[list[Number]] | None = None


class Stage(BaseModel):
    stage: Literal["forward", "cost", "backward", "update"]
    items: list[StageItem]


class StepperBatch(BaseModel):
    m: int = Field(description="the iteration's batch size")
    examples: int = Field(description="the training set's")
    first_of_epoch: bool = Field(description="a mini-batch epoch: the stages are its first batch's")


class StepperAnswer(BaseModel):
    """POST /api/runs/{id}/stepper: the run's next iteration in stages; a step of one epoch then does exactly it."""

    id: str
    epoch: int = Field(description="the epoch the iteration trains (the run's epoch now)")
    example: int
    label: float = Field(description="the shown example's y")
    batch: StepperBatch
    optimizer: str
    activation: str
    keep_prob: float
    l2_lambda: float
    runs_stepped: int = Field(description="runs a step moves: 1, or a stack's live members (they step together)")
    stages: list[Stage]


# ---------------------------------------------------------------- comparisons

MAX_COMPARED_RUNS = 8


class ComparisonRequest(Numbers):
    """Runs compared side by side; how they go (keep, speed, paused) is shared, beside the list."""

    runs: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_COMPARED_RUNS, description='each a run config, or {"preset", "overrides"}'
    )
    keep: bool = Field(False, description="keep training when nobody watches")
    speed: Speed | None = Field(None, description="epochs per second; null: full speed")
    paused: bool = Field(False, description="create the runs paused")
    room: RoomCode | None = Field(None, description="a lecture room's code: the runs are then the room's")
    seeds: int = Field(1, ge=1, le=MAX_SEEDS, description="each run over this many seeds (its seed, +1, ...)")


class ComparisonCreated(BaseModel):
    runs: list[RunCreated]  # setup by setup, each setup's seeds together
    stacked: bool  # trained together as one stack of nets (core.grid), not one by one
    setups: list[list[str]]  # each setup's runs (one, or one per seed)
