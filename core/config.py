"""The run config: one validated, typed object that every interface (CLI, page, REST, sweeps) shares.

Every field is optional; the defaults are the course's He-initialization experiment. Bounds are what a
2-core server can afford for one run; a config whose time or memory would exceed the budget is refused
here, before anything is allocated.
"""

from itertools import pairwise
from typing import Annotated, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from core.data import expected_size
from core.dataset import MAX_FEATURES

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 64
MAX_EXAMPLES = 5000
MAX_EPOCHS = 100_000
# What a run costs one worker (one core, one BLAS thread), estimated before it starts, in seconds per epoch:
#   steps × layers × STEP_S                  NumPy's per-call overhead (tiny nets, small mini-batches)
#   + examples × parameters × PARAMETER_S    the products, forward and backward (big layers)
#   + examples × units × UNIT_S              the element-wise work on every unit's outputs
#   + examples × inputs × INPUT_S            streaming a wide input through memory (images: X is tens of MB)
# each measured on this 2-core machine under load (benchmarks/engine.py's shapes), rounded up.
STEP_S = 8e-6
PARAMETER_S = 2.5e-10
UNIT_S = 1.5e-9
INPUT_S = 3e-9
MAX_RUN_S = 60
# the data and its [X; 1] copy, 4 buffers per unit per column (activations, slopes, dZ, dA), 6 copies of θ (its
# gradient, an optimizer's moments, the L2 term, a view's copy)
MAX_BUFFER_BYTES = 256 * 2**20
MAX_IMAGE_SIDE = 1024

DatasetName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


def takes_numbers(annotation: object) -> bool:
    """Whether a field's type is a number (int, float, an int Literal), optional or in a list: not bool, which
    Python counts as an int."""
    if annotation in (int, float):
        return True
    if get_origin(annotation) is Literal:
        return any(type(value) is int for value in get_args(annotation))
    return any(takes_numbers(arg) for arg in get_args(annotation))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Numbers(Strict):
    """Unknown fields are refused, and so are true and false where numbers go (pydantic would take them as 1
    and 0: "epochs": true trained one epoch)."""

    @field_validator("*", mode="before")
    @classmethod
    def not_a_bool(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, bool | list) and takes_numbers(cls.model_fields[info.field_name].annotation):
            bad = [value] if isinstance(value, bool) else [i for i, item in enumerate(value) if isinstance(item, bool)]
            if bad:
                where = "" if isinstance(value, bool) else f" (item {bad[0]})"
                raise ValueError(f"expected a number, not true or false{where}")
        return value


class DatasetOptions(Numbers):
    """A generated dataset's options (also the points preview's query); unset ones take the dataset's defaults."""

    n_train: int | None = Field(None, ge=2, le=MAX_EXAMPLES)
    n_test: int | None = Field(None, ge=0, le=MAX_EXAMPLES)
    noise: float | None = Field(None, ge=0, le=5)
    seed: int | None = Field(None, ge=0, le=2**32 - 2)


class DatasetSpec(DatasetOptions):
    """A named dataset with its options: a generated dataset's (DatasetOptions), or positive and image_size, an
    image folder's (datasets/<name>/ in the data dir)."""

    name: DatasetName
    positive: str | None = Field(None, min_length=1, max_length=64, description="the class labelled 1")
    image_size: (
        Annotated[int, Field(ge=1, le=MAX_IMAGE_SIDE)]
        | tuple[Annotated[int, Field(ge=1, le=MAX_IMAGE_SIDE)], Annotated[int, Field(ge=1, le=MAX_IMAGE_SIDE)]]
        | None
    ) = Field(None, description="resize every image to this side, or [height, width]")


Row = Annotated[list[float], Field(min_length=1, max_length=MAX_FEATURES)]
Label = Literal[0, 1]


class InlineData(Numbers):
    """Data given in the config itself: rows of [x1, ..., xn] (n ≥ 1, the same n in every row) and 0/1 labels."""

    X_train: list[Row] = Field(min_length=2, max_length=MAX_EXAMPLES)
    y_train: list[Label] = Field(min_length=2, max_length=MAX_EXAMPLES)
    X_test: list[Row] | None = Field(None, max_length=MAX_EXAMPLES)
    y_test: list[Label] | None = Field(None, max_length=MAX_EXAMPLES)

    @field_validator("X_train", "y_train", "X_test", "y_test", mode="before")
    @classmethod
    def not_too_long(cls, rows: object) -> object:
        """A list over the bound is refused before its items are checked: a million bad labels would each make an
        error first (a 3 MB body kept the event loop ~0.2 s)."""
        if isinstance(rows, list) and len(rows) > MAX_EXAMPLES:
            raise PydanticCustomError(
                "too_long",
                "List should have at most {max_length} items after validation, not {actual_length}",
                {"field_type": "List", "max_length": MAX_EXAMPLES, "actual_length": len(rows)},
            )
        return rows

    @model_validator(mode="after")
    def lengths_match(self) -> "InlineData":
        if len(self.X_train) != len(self.y_train):
            raise ValueError(f"y_train has {len(self.y_train)} labels for {len(self.X_train)} rows of X_train")
        if (self.X_test is None) != (self.y_test is None):
            raise ValueError("X_test and y_test go together")
        if self.X_test is not None and len(self.X_test) != len(self.y_test):
            raise ValueError(f"y_test has {len(self.y_test)} labels for {len(self.X_test)} rows of X_test")
        width = len(self.X_train[0])
        for field, rows in (("X_train", self.X_train), ("X_test", self.X_test or [])):
            other = next((i for i, row in enumerate(rows) if len(row) != width), None)
            if other is not None:
                raise ValueError(f"{field}: row {other} has {len(rows[other])} values, X_train's row 0 has {width}")
        return self


def dataset_key(dataset: "str | DatasetSpec | InlineData") -> str:
    """What tells datasets apart cheaply: inline rows by identity (a sweep's configs share one object; encoding
    5000 rows for each of 64 configs took a second), the others by value. Equal rows in two objects get two keys:
    they are loaded, or stacked, apart, which is only slower."""
    if isinstance(dataset, InlineData):
        return f"inline {id(dataset)}"
    return dataset if isinstance(dataset, str) else dataset.model_dump_json()


class RunConfig(Numbers):
    dataset: DatasetName | DatasetSpec | InlineData = "circles"
    hidden_layers: list[Annotated[int, Field(ge=1, le=MAX_UNITS)]] = Field(
        default_factory=lambda: [10, 5], max_length=MAX_HIDDEN_LAYERS
    )
    activation: Literal["relu", "tanh"] = "relu"
    initialization: Literal["zeros", "random", "he", "xavier"] = "he"
    init_scale: float = Field(10.0, gt=0, le=1000)
    seed: int = Field(3, ge=0, le=2**32 - 1)
    optimizer: Literal["gd", "momentum", "adam"] = "gd"
    learning_rate: float = Field(0.01, gt=0, le=100)
    # learning-rate decay (core/schedule.py): none, α0 / (1 + decay_rate · epoch), or the same every time_interval
    lr_decay: Literal["none", "inverse", "scheduled"] = "none"
    decay_rate: float = Field(1.0, ge=0, le=1000)
    time_interval: int = Field(1000, ge=1, le=MAX_EPOCHS)
    epochs: int = Field(15000, ge=1, le=MAX_EPOCHS)
    mini_batch_size: int | None = Field(None, ge=1, le=MAX_EXAMPLES)
    beta: float = Field(0.9, ge=0, lt=1)
    beta1: float = Field(0.9, ge=0, lt=1)
    beta2: float = Field(0.999, ge=0, lt=1)
    epsilon: float = Field(1e-8, gt=0, le=1)
    l2_lambda: float = Field(0.0, ge=0, le=100)
    keep_prob: float = Field(1.0, gt=0, le=1)
    report_every: int = Field(100, ge=1, le=MAX_EPOCHS)
    grid_size: int = Field(100, ge=10, le=200)
    # what a mini-batch epoch reports: the mean over the epoch (sound), or the last batch's cost
    # (what the classic optimization notebook printed)
    minibatch_cost: Literal["epoch_mean", "last_batch"] = "epoch_mean"
    course_compat: bool = False

    @property
    def n_inputs(self) -> int:
        """Input features this config's data has: inline rows' width, else as far as the dataset's name tells."""
        if isinstance(self.dataset, InlineData):
            return len(self.dataset.X_train[0])
        return self.expected_size()[1]

    @property
    def layer_sizes(self) -> list[int]:
        return [self.n_inputs, *self.hidden_layers, 1]

    def expected_size(self) -> tuple[int, int, int]:
        """(training examples, features, test examples) of this config's data, as far as the config tells: a named
        dataset's defaults (an upload's and an image folder's real size is checked again once loaded)."""
        if isinstance(self.dataset, InlineData):
            test = len(self.dataset.X_test or [])
            return len(self.dataset.X_train), len(self.dataset.X_train[0]), test
        spec = DatasetSpec(name=self.dataset) if isinstance(self.dataset, str) else self.dataset
        return expected_size(spec.name, spec.n_train, spec.n_test)

    @model_validator(mode="after")
    def within_budget(self) -> "RunConfig":
        problem = budget_problem(self, *self.expected_size())
        if problem:
            raise ValueError(problem)
        return self


def n_parameters(layer_sizes: list[int]) -> int:
    return sum((n_prev + 1) * n for n_prev, n in pairwise(layer_sizes))


def run_seconds(config: RunConfig, m: int, n_x: int) -> float:
    """The estimated seconds of one worker that training `config` on m examples of n_x features takes (the model
    above MAX_RUN_S)."""
    sizes = [n_x, *config.hidden_layers, 1]
    steps = -(-m // min(config.mini_batch_size or m, m))
    per_epoch = (
        steps * (len(sizes) - 1) * STEP_S
        + m * n_parameters(sizes) * PARAMETER_S
        + m * sum(sizes[1:]) * UNIT_S
        + m * n_x * INPUT_S
    )
    return config.epochs * per_epoch


def memory_bytes(config: RunConfig, m: int, n_x: int, m_test: int) -> int:
    """The bytes a run holds (the model above MAX_BUFFER_BYTES); a 2-D run's boundary grid counts as examples."""
    sizes = [n_x, *config.hidden_layers, 1]
    columns = max(m, m_test, config.grid_size**2 if n_x == 2 else 0)
    return 8 * 2 * (n_x + 1) * (m + m_test) + 4 * 8 * columns * sum(sizes[1:]) + 6 * 8 * n_parameters(sizes)


def budget_problem(config: RunConfig, m: int, n_x: int, m_test: int = 0) -> str | None:
    """Why training `config` on m examples of n_x features (and m_test test examples) would exceed this server's
    time or memory budget; None when it fits. The validator checks the size a named dataset has by default; an
    upload's or an image folder's size is known once it is loaded (the app checks again then)."""
    if config.mini_batch_size is not None and config.mini_batch_size > m:
        return f"mini_batch_size: {config.mini_batch_size} is more than the {m} training examples"
    seconds = run_seconds(config, m, n_x)
    if seconds > MAX_RUN_S:
        return (
            f"training would take about {seconds:.3g} s of a worker ({config.epochs} epochs of {m} examples × "
            f"{n_x} features through layers {config.hidden_layers}), over this server's budget of {MAX_RUN_S} s "
            "a run: use fewer epochs, fewer examples, smaller layers or larger mini-batches"
        )
    memory = memory_bytes(config, m, n_x, m_test)
    if memory > MAX_BUFFER_BYTES:
        return (
            f"the data and buffers would need {memory / 2**20:.0f} MiB, over the {MAX_BUFFER_BYTES >> 20} MiB "
            "a run may use: use fewer examples, a smaller grid_size or smaller layers"
        )
    return None
