"""The run config: one validated, typed object that every interface (CLI, page, REST, sweeps) shares.

Every field is optional; the defaults are the course's He-initialization experiment. Bounds are what a
2-core server can afford for one run; a config whose work or memory would exceed the budget is refused
here, before anything is allocated.
"""

from itertools import pairwise
from typing import Annotated, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.data import DEFAULTS as DATASET_DEFAULTS

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 64
MAX_EXAMPLES = 5000
MAX_EPOCHS = 100_000
# epochs × examples × parameters: ~10 s of training per 1e9 on this machine's tiny matrices
MAX_WORK = 5e10
MAX_BUFFER_BYTES = 256 * 2**20

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
    """Unknown fields are refused, and so are true and false where numbers go (pydantic would take them as 1
    and 0: "epochs": true trained one epoch)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def not_a_bool(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, bool | list) and takes_numbers(cls.model_fields[info.field_name].annotation):
            bad = [value] if isinstance(value, bool) else [i for i, item in enumerate(value) if isinstance(item, bool)]
            if bad:
                where = "" if isinstance(value, bool) else f" (item {bad[0]})"
                raise ValueError(f"expected a number, not true or false{where}")
        return value


class DatasetOptions(Strict):
    """A generated dataset's options; unset ones take the dataset's defaults (also the points preview's query)."""

    n_train: int | None = Field(None, ge=2, le=MAX_EXAMPLES)
    n_test: int | None = Field(None, ge=0, le=MAX_EXAMPLES)
    noise: float | None = Field(None, ge=0, le=5)
    seed: int | None = Field(None, ge=0, le=2**32 - 2)


class DatasetSpec(DatasetOptions):
    """A generated dataset with its options."""

    name: DatasetName


Point = Annotated[list[float], Field(min_length=2, max_length=2)]
Label = Literal[0, 1]


class InlineData(Strict):
    """Data given in the config itself: rows of [x1, x2] and 0/1 labels."""

    X_train: list[Point] = Field(min_length=2, max_length=MAX_EXAMPLES)
    y_train: list[Label] = Field(min_length=2, max_length=MAX_EXAMPLES)
    X_test: list[Point] | None = Field(None, max_length=MAX_EXAMPLES)
    y_test: list[Label] | None = Field(None, max_length=MAX_EXAMPLES)

    @model_validator(mode="after")
    def lengths_match(self) -> "InlineData":
        if len(self.X_train) != len(self.y_train):
            raise ValueError(f"y_train has {len(self.y_train)} labels for {len(self.X_train)} rows of X_train")
        if (self.X_test is None) != (self.y_test is None):
            raise ValueError("X_test and y_test go together")
        if self.X_test is not None and len(self.X_test) != len(self.y_test):
            raise ValueError(f"y_test has {len(self.y_test)} labels for {len(self.X_test)} rows of X_test")
        return self


def dataset_key(dataset: "str | DatasetSpec | InlineData") -> str:
    """What tells datasets apart cheaply: inline rows by identity (a sweep's configs share one object; encoding
    5000 rows for each of 64 configs took a second), the others by value. Equal rows in two objects get two keys:
    they are loaded, or stacked, apart, which is only slower."""
    if isinstance(dataset, InlineData):
        return f"inline {id(dataset)}"
    return dataset if isinstance(dataset, str) else dataset.model_dump_json()


class RunConfig(Strict):
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
    def layer_sizes(self) -> list[int]:
        return [2, *self.hidden_layers, 1]

    @property
    def n_parameters(self) -> int:
        sizes = self.layer_sizes
        return sum((n_prev + 1) * n for n_prev, n in pairwise(sizes))

    @property
    def n_examples(self) -> int:
        """Training examples this config will use (a named dataset's default size when not given)."""
        if isinstance(self.dataset, InlineData):
            return len(self.dataset.X_train)
        name = self.dataset if isinstance(self.dataset, str) else self.dataset.name
        given = None if isinstance(self.dataset, str) else self.dataset.n_train
        return given or DATASET_DEFAULTS.get(name, {}).get("n_train", 300)

    @model_validator(mode="after")
    def within_budget(self) -> "RunConfig":
        problem = budget_problem(self, self.n_examples)
        if problem:
            raise ValueError(problem)
        return self


def budget_problem(config: RunConfig, m: int) -> str | None:
    """Why training `config` on m examples would exceed this server's work or memory budget; None when it fits.
    The validator checks the size a named dataset has by default; an upload's size is known once it is loaded
    (the app checks again then)."""
    if config.mini_batch_size is not None and config.mini_batch_size > m:
        return f"mini_batch_size: {config.mini_batch_size} is more than the {m} training examples"
    work = config.epochs * m * config.n_parameters
    if work > MAX_WORK:
        return (
            f"epochs × examples × parameters = {work:.3g} exceeds this server's budget of {MAX_WORK:.0e}: "
            "use fewer epochs, fewer examples or smaller layers"
        )
    columns = max(m, config.grid_size**2)
    buffer_bytes = 4 * 8 * columns * sum(config.layer_sizes)
    if buffer_bytes > MAX_BUFFER_BYTES:
        return (
            f"the buffers would need {buffer_bytes / 2**20:.0f} MiB, over the {MAX_BUFFER_BYTES >> 20} MiB "
            "a run may use: use fewer examples, a smaller grid_size or smaller layers"
        )
    return None
