"""Validation itself is bounded: a huge invalid body is refused before its elements are checked, its 422 reports a
few errors and echoes a few hundred bytes of input, and the server goes on answering everyone meanwhile. (The
exact times are benchmarks/soak.py's: these margins hold on a loaded 2-core machine.)"""

import json
import threading
import time

import pytest
from pydantic import ValidationError

from app.errors import MAX_ECHO_CHARS, MAX_REPORTED_ERRORS
from app.guards.body_limit import (
    MAX_BODY_BYTES,
    MAX_JSON_CONTAINERS,
    MAX_JSON_FIELDS,
    MAX_JSON_VALUES,
    MAX_JSON_WORDS,
)
from app.models import RunRequest
from tests.app.client import HTTP

MAX_422_BYTES = 16 * 1024
SLOW_S = 3.0  # unbounded, these took 15 s (a loaded machine may take 10x the ~50 ms they take now)


def filled(prefix: str, item: str, suffix: str, size: int = MAX_BODY_BYTES - 64) -> str:
    """prefix item,item,...,item suffix: a body just under the cap."""
    n = (size - len(prefix) - len(suffix)) // (len(item) + 1)
    return prefix + ",".join([item] * n) + suffix


def posted(base: str, raw: str | bytes, path: str = "/api/runs", content_type: str = "application/json"):
    """POST raw while another thread times /api/health: (response, seconds it took, slowest health answer)."""
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            HTTP.get(f"{base}/api/health")
            health.append(time.perf_counter() - started)
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        started = time.perf_counter()
        response = HTTP.post(f"{base}{path}", content=raw, headers={"content-type": content_type}, timeout=60)
        took = time.perf_counter() - started
    finally:
        done.set()
        prober.join()
    return response, took, max(health, default=0.0)


def assert_small_422(response) -> list[dict]:
    assert response.status_code == 422, response.text[:500]
    assert len(response.content) <= MAX_422_BYTES, len(response.content)
    errors = response.json()["detail"]
    assert 1 <= len(errors) <= MAX_REPORTED_ERRORS
    for error in errors:
        assert len(json.dumps(error.get("input"))) <= MAX_ECHO_CHARS + 50, error
    return errors


ISSUE_BODY = json.dumps({"dataset": {"X_train": [[0, 0]] * 2, "y_train": [2] * 1_000_000}})  # 3 MB


def test_the_issues_3mb_body_is_a_small_quick_422(live_server: str) -> None:
    """Its million labels are more values than any request holds: refused on its bytes, before it is parsed (the
    model refuses such a list on its length too: test_an_overlong_list_is_refused_before_its_items_are_checked)."""
    response, took, health = posted(live_server, ISSUE_BODY)
    (error,) = assert_small_422(response)
    assert error["loc"] == ["body"] and f"more than {MAX_JSON_VALUES} values" in error["msg"], error
    assert took < SLOW_S and health < SLOW_S, (took, health)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (filled('{"dataset": {"y_train": [0], "X_train": [', "[0]", "]}}"), "arrays and objects"),
        (filled('{"hidden_layers": [', "[]", "]}"), "arrays and objects"),
        ("{" + ",".join(f'"k{i}":0' for i in range(300_000)) + "}", "object fields"),
        (filled('{"dataset": {"X_train": [[0, 0], [0, 0]], "y_train": [', "null", "]}}"), "strings, true, false"),
        (filled('{"dataset": {"X_train": [[0, 0], [0, 0]], "y_train": [', "0", "]}}"), "values"),
    ],
    ids=["a million small arrays", "a million empty arrays", "300,000 fields", "a million nulls", "two million zeros"],
)
def test_a_body_of_too_many_json_values_is_refused_before_it_is_parsed(live_server: str, body: str, words: str) -> None:
    response, took, health = posted(live_server, body)
    (error,) = assert_small_422(response)
    assert error["loc"] == ["body"] and words in error["msg"], error
    assert took < SLOW_S and health < SLOW_S, (took, health)


def test_a_body_with_thousands_of_bad_values_reports_the_first_few(live_server: str) -> None:
    bad = {"X_train": [["a", "b"]] * 5000, "y_train": ["c"] * 5000}
    response, took, _ = posted(live_server, json.dumps({"dataset": bad}))
    errors = assert_small_422(response)
    assert len(errors) == MAX_REPORTED_ERRORS and response.json()["more"] > 0
    assert took < SLOW_S


def test_a_long_input_is_echoed_cut_short(live_server: str) -> None:
    response = HTTP.post(f"{live_server}/api/runs", json={"dataset": "x" * 100_000})
    errors = assert_small_422(response)
    echoed = [e["input"] for e in errors if isinstance(e.get("input"), str)]
    assert echoed and all(len(text) <= MAX_ECHO_CHARS for text in echoed), echoed


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream"])
def test_a_body_that_is_not_json_is_not_echoed(live_server: str, content_type: str) -> None:
    response, _, _ = posted(live_server, b"0" * (MAX_BODY_BYTES - 64), content_type=content_type)
    assert_small_422(response)


def test_the_largest_sensible_bodies_still_pass(live_server: str) -> None:
    """The bounds leave room for what a run config may hold: 5000 training and 5000 test rows, in each of the 8
    runs of a comparison (far under the bounds; created paused, then stopped)."""
    rows = [[i / 5000, 1 - i / 5000] for i in range(5000)]
    data = {"X_train": rows, "y_train": [i % 2 for i in range(5000)], "X_test": rows, "y_test": [1] * 5000}
    body = {"runs": [{"dataset": data, "epochs": 10, "seed": seed} for seed in range(8)], "paused": True}
    raw = json.dumps(body)
    assert raw.count("[") < MAX_JSON_CONTAINERS and raw.count(":") < MAX_JSON_FIELDS < MAX_JSON_WORDS
    assert raw.count(",") < MAX_JSON_VALUES / 2  # room for twice the biggest comparison's numbers
    response = HTTP.post(f"{live_server}/api/comparisons", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text[:300]
    for run in response.json()["runs"]:
        assert HTTP.delete(f"{live_server}/api/runs/{run['id']}").status_code == 200


def test_an_overlong_list_is_refused_before_its_items_are_checked() -> None:
    """Refused on its length alone: the issue's million bad labels make one error, not a million (each made before
    the length was looked at: ~0.2 s of the event loop for a 3 MB body)."""
    with pytest.raises(ValidationError) as refused:
        RunRequest.model_validate(json.loads(ISSUE_BODY))
    errors = refused.value.errors()
    assert len(errors) < 10, len(errors)
    (too_long,) = [e for e in errors if e["loc"][-1] == "y_train" and e["type"] == "too_long"]
    assert "at most 5000 items" in too_long["msg"] and "1000000" in too_long["msg"]
