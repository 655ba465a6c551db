"""The README's "Limits and security" section names every bound there is, so that it cannot go stale:
each numeric bound of the run config's JSON schema in its field's row, and the server's other limits."""

import re
from pathlib import Path

import pytest

from app.api.runs import MAX_OFFSET
from app.api.ws_runs import MAX_CONTROL_BYTES
from app.errors import MAX_ECHO_CHARS, MAX_REPORTED_ERRORS
from app.guards.body_limit import MAX_BODY_BYTES, MAX_JSON_CONTAINERS, MAX_JSON_FIELDS, MAX_JSON_VALUES, MAX_JSON_WORDS
from app.guards.limits import CHECKS_AT_ONCE, TOO_MANY_SOCKETS
from app.live.feeds import PICTURE_BYTES, PICTURES_S
from app.live.history import SENT_POINTS
from app.live.hub import OUTBOX_LIMIT
from app.models import MAX_SPEED, MIN_SPEED
from app.rooms import (
    CLASS_RUNS,
    MAX_CLASS_RUNS,
    MAX_MEMBERS,
    MAX_POLLS,
    MAX_RUNS_PER_MEMBER,
    MAX_SETUPS,
    RECENT_S,
    RUNS_PER_MEMBER,
)
from app.settings import LIVE_RUNS_PER_WORKER, Settings
from app.sockets import MAX_REASON_BYTES
from core.config import (
    INPUT_S,
    MAX_BUFFER_BYTES,
    MAX_EPOCHS,
    MAX_IMAGE_SIDE,
    MAX_RUN_S,
    PARAMETER_S,
    STEP_S,
    UNIT_S,
    RunConfig,
)
from core.data import MAX_POINTS
from core.dataset import MAX_FEATURES, MAX_VALUES
from core.images import MAX_IMAGES, MAX_SOURCE_PIXELS, MAX_UNZIPPED_BYTES, MAX_ZIP_FILES
from core.sweep import MAX_SWEEP_RUNS
from core.upload import MAX_BYTES, MAX_CSV_FIELD

README = Path(__file__).resolve().parents[1] / "README.md"
BOUND_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minLength",
              "maxLength")  # fmt: skip


def section() -> str:
    text = README.read_text()
    start = text.index("## Limits and security")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def table_rows() -> dict[str, str]:
    """First cell → the whole row, for the section's table."""
    rows = [line for line in section().splitlines() if line.startswith("| `")]
    return {line.split("|")[1].strip(): line for line in rows}


def bounds_in(spec: dict, schema: dict) -> set[float]:
    """Every numeric bound in a property's schema, through anyOf, items and $refs to plain arrays."""
    found = {spec[key] for key in BOUND_KEYS if key in spec}
    for option in spec.get("anyOf", []):
        if "$ref" not in option:
            found |= bounds_in(option, schema)
    if "items" in spec:
        found |= bounds_in(spec["items"], schema)
    return found


def mentions(text: str, number: float) -> bool:
    plain = re.sub(r"(?<=\d)[,_ ](?=\d{3})", "", text)  # 100,000 and 100 000 read as 100000
    value = int(number) if float(number).is_integer() else number
    return re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d.])", plain) is not None


def schema_fields() -> list[tuple[str, str, set[float]]]:
    """(field, where it is: "" for the config, "dataset" for a dataset object's, bounds) for every bounded field."""
    schema = RunConfig.model_json_schema()
    fields = [("", name, bounds_in(spec, schema)) for name, spec in schema["properties"].items()]
    for definition in schema["$defs"].values():
        fields += [("dataset", name, bounds_in(spec, schema)) for name, spec in definition["properties"].items()]
    return [(where, name, bounds) for where, name, bounds in fields if bounds]


@pytest.mark.parametrize(("where", "field", "bounds"), schema_fields(), ids=lambda v: str(v))
def test_the_readme_names_every_bound_of_the_run_config(where: str, field: str, bounds: set[float]) -> None:
    rows = [
        row
        for first, row in table_rows().items()
        if f"`{field}`" in first and first.startswith("`dataset`:") == (where == "dataset" and field != "name")
    ]
    if where == "dataset" and field == "name":
        rows = [row for first, row in table_rows().items() if first.startswith("`dataset` (a name)")]
    assert rows, f"no row for {where} {field} in the README's Limits and security table"
    missing = [b for b in bounds if not any(mentions(row, b) for row in rows)]
    assert not missing, f"{where} {field}: the README's row does not say {missing}"


def test_the_readme_names_the_servers_other_limits() -> None:
    text = section()
    settings = Settings()
    numbers = {
        "time budget (s)": MAX_RUN_S,
        "per step and layer (µs)": STEP_S * 1e6,
        "per example and parameter (ns)": PARAMETER_S * 1e9,
        "per example and unit (ns)": UNIT_S * 1e9,
        "per example and input (ns)": INPUT_S * 1e9,
        "memory budget (MiB)": MAX_BUFFER_BYTES >> 20,
        "body (MiB)": MAX_BODY_BYTES >> 20,
        "upload (MiB)": MAX_BYTES >> 20,
        "features": MAX_FEATURES,
        "numbers in a dataset": MAX_VALUES,
        "csv cell": MAX_CSV_FIELD,
        "images per split": MAX_IMAGES,
        "pixels per image file": MAX_SOURCE_PIXELS,
        "image side": MAX_IMAGE_SIDE,
        "zip entries": MAX_ZIP_FILES,
        "zip unzipped bytes": MAX_UNZIPPED_BYTES,
        "picture frame body": PICTURE_BYTES,
        "picture frames per second": round(1 / PICTURES_S),
        "upload rows": 2 * MAX_POINTS,
        "upload rows per split": MAX_POINTS,
        "sweep runs": MAX_SWEEP_RUNS,
        "page offset": MAX_OFFSET,
        "speed": MAX_SPEED,
        "step epochs": MAX_EPOCHS,
        "websocket message (KB)": MAX_CONTROL_BYTES >> 10,
        "outbox": OUTBOX_LIMIT,
        "live runs per worker": LIVE_RUNS_PER_WORKER,
        "per client at once": settings.client_max_live_runs,
        "per client per minute": settings.client_runs_per_minute,
        "uploads per minute": settings.client_uploads_per_minute,
        "unwatched grace (s)": settings.unwatched_grace_s,
        "slowest speed": MIN_SPEED,
        "a live run's lifetime (s)": settings.max_live_s,
        "JSON arrays and objects": MAX_JSON_CONTAINERS,
        "JSON fields": MAX_JSON_FIELDS,
        "JSON strings and words": MAX_JSON_WORDS,
        "JSON values": MAX_JSON_VALUES,
        "422 errors": MAX_REPORTED_ERRORS,
        "422 echo (characters)": MAX_ECHO_CHARS,
        "queued runs": settings.max_queued_runs,
        "queued runs per client": settings.client_max_queued_runs,
        "sockets per client": settings.client_max_sockets,
        "the socket cap's close code": TOO_MANY_SOCKETS,
        "close reason (bytes)": MAX_REASON_BYTES,
        "gradient checks per minute": settings.client_checks_per_minute,
        "gradient checks at once": CHECKS_AT_ONCE,
        "stored runs": settings.max_stored_runs,
        "uploads kept": settings.max_uploads,
        "history points sent": SENT_POINTS,
        "runs in one stacked pass": settings.live_stack_rows,
        "room members": MAX_MEMBERS,
        "a student's runs": RUNS_PER_MEMBER,
        "a student's runs, most": MAX_RUNS_PER_MEMBER,
        "the class's runs": CLASS_RUNS,
        "the class's runs, most": MAX_CLASS_RUNS,
        "a recent presenter (s)": RECENT_S,
        "polls kept": MAX_POLLS,
        "setups kept": MAX_SETUPS,
    }
    missing = {what: n for what, n in numbers.items() if not (mentions(text, n) or f"{n:.0e}".replace("+", "") in text)}
    assert not missing, f"the README's Limits and security section does not say {missing}"
    variables = ("TRAINLAB_MAX_LIVE_RUNS", "TRAINLAB_CLIENT_MAX_LIVE_RUNS", "TRAINLAB_CLIENT_RUNS_PER_MINUTE",
                 "TRAINLAB_CLIENT_UPLOADS_PER_MINUTE", "TRAINLAB_API_TOKEN", "TRAINLAB_MAX_LIVE_S",
                 "TRAINLAB_MAX_QUEUED_RUNS", "TRAINLAB_CLIENT_MAX_QUEUED_RUNS", "TRAINLAB_CLIENT_MAX_SOCKETS",
                 "TRAINLAB_CLIENT_CHECKS_PER_MINUTE", "TRAINLAB_MAX_STORED_RUNS", "TRAINLAB_MAX_UPLOADS",
                 "TRAINLAB_LIVE_STACK")  # fmt: skip
    for variable in variables:
        assert variable in text, variable


def test_the_bound_finder_is_not_vacuous() -> None:
    found = {field: bounds for _, field, bounds in schema_fields()}
    assert found["learning_rate"] == {0, 100} and found["hidden_layers"] == {6, 1, 64}
    assert found["n_train"] == {2, 5000} and mentions("| 1 to 100,000 |", 100000) and not mentions("1000", 100)
