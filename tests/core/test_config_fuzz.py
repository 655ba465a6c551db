"""Random run configs against the engine: valid, out of bounds, wrong types, huge, NaN/inf, nested junk.
Either RunConfig refuses one with a pydantic ValidationError (or its dataset cannot be had: a ValueError
naming it, the API's 422), or the engine trains it a few epochs, draws its boundary and gives a result
without any exception. Values come from the config's own JSON schema, so a new field is fuzzed too."""

import math

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.config import RunConfig
from core.data import GENERATED, resolve_dataset
from core.train import Training

SCHEMA = RunConfig.model_json_schema()
EPOCHS = 3  # what a valid config trains here, whatever its `epochs`: the fuzz is about inputs, not stamina

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
junk = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def in_bounds(spec: dict) -> st.SearchStrategy:
    """Values the schema allows for one property (the common shapes: number, integer, enum, array, null)."""
    if "anyOf" in spec:
        return st.one_of([in_bounds(option) for option in spec["anyOf"] if "$ref" not in option])
    if "enum" in spec:
        return st.sampled_from(spec["enum"])
    kind = spec.get("type")
    low = spec.get("minimum", spec.get("exclusiveMinimum"))
    high = spec.get("maximum", spec.get("exclusiveMaximum"))
    if kind == "integer":
        return st.integers(min_value=low, max_value=high)
    if kind == "number":
        return st.floats(
            min_value=low, max_value=high, exclude_min="exclusiveMinimum" in spec,
            exclude_max="exclusiveMaximum" in spec, allow_nan=False,
        )  # fmt: skip
    if kind == "array":
        return st.lists(in_bounds(spec["items"]), max_size=spec.get("maxItems", 4))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return st.nothing()


def near_bounds(spec: dict) -> st.SearchStrategy:
    """In bounds, just past them, or wild."""
    low = spec.get("minimum", spec.get("exclusiveMinimum"))
    high = spec.get("maximum", spec.get("exclusiveMaximum"))
    edges = [v for b in (low, high) if b is not None for v in (b, b - 1, b + 1, b * 10**6)]
    return in_bounds(spec) | st.sampled_from(edges or [None]) | scalars | junk


def points(max_size: int) -> st.SearchStrategy:
    coordinate = st.floats(-1e6, 1e6) | st.floats(allow_nan=True, allow_infinity=True) | scalars
    return st.lists(st.lists(coordinate, min_size=1, max_size=3), max_size=max_size)


labels = st.lists(st.sampled_from([0, 1, 2, -1, 0.5, True, "1"]), max_size=12)
datasets = (
    st.sampled_from([*GENERATED, "football", "upload-0123456789ab", "../etc/passwd", "", "x" * 100])
    | st.fixed_dictionaries(
        {"name": st.sampled_from([*GENERATED, "nope"])},
        optional={
            "n_train": st.integers(-5, 6000), "n_test": st.integers(-5, 6000),
            "noise": st.floats(allow_nan=True, allow_infinity=True) | st.floats(0, 5), "seed": st.integers(-1, 2**33),
            "extra": junk,
        },
    )
    | st.fixed_dictionaries(
        {"X_train": points(12), "y_train": labels}, optional={"X_test": points(6), "y_test": labels}
    )
    | junk
)  # fmt: skip
valid_datasets = st.sampled_from(GENERATED) | st.fixed_dictionaries(
    {"name": st.sampled_from(GENERATED)},
    optional={"n_train": st.integers(2, 400), "n_test": st.integers(0, 100), "noise": st.floats(0, 5)},
)
# mostly in bounds (so that many configs do train), each field sometimes anything at all
valid_configs = st.fixed_dictionaries(
    {},
    optional={
        **{name: in_bounds(spec) for name, spec in SCHEMA["properties"].items() if name != "dataset"},
        "dataset": valid_datasets,
    },
)
wild_configs = st.fixed_dictionaries(
    {},
    optional={
        **{name: near_bounds(spec) for name, spec in SCHEMA["properties"].items() if name != "dataset"},
        "dataset": datasets,
        "unknown_field": junk,
    },
)
one_field_off = st.builds(lambda valid, wild: {**valid, **dict(list(wild.items())[:1])}, valid_configs, wild_configs)
configs = valid_configs | one_field_off | wild_configs


@given(configs)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_a_random_config_is_refused_cleanly_or_trains(raw: dict) -> None:
    try:
        config = RunConfig.model_validate(raw)
    except ValidationError as error:
        assert error.errors(), "a refusal names at least one field"
        event("refused")
        return
    config = config.model_copy(update={"epochs": min(config.epochs, EPOCHS), "grid_size": min(config.grid_size, 40)})
    try:
        dataset = resolve_dataset(config.dataset)
    except ValueError as error:  # football without data.mat, an unknown name or upload: the API's 422
        assert "name" in str(error) or "football" in str(error) or "upload" in str(error), error
        return
    event("trained")
    training = Training(config, dataset)
    with np.errstate(all="ignore"):  # a diverging run is an outcome, not an error
        while not training.done:
            training.advance()
        boundary = training.boundary() if dataset.planar else None  # a boundary needs 2-D inputs
        result = training.result()
    assert result.epochs_run <= EPOCHS
    assert result.status in ("done", "diverged")
    assert boundary is None or boundary.probabilities.shape == (config.grid_size, config.grid_size)
    assert isinstance(result.final_cost, float) and (math.isfinite(result.final_cost) or result.status == "diverged")
