"""Plant the bug through the real server: POST /api/runs/{id}/gradcheck with {"bug": ...} on the course's test
case (stored weights) gives the published difference, and on a paused run its broken blocks are named."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import Store
from core.gradcheck import one_dimensional, one_dimensional_sweep
from core.status import RunStatus
from tests.aio import run_apart
from tests.app.client import HTTP, control, create, get_run, wait_for
from tests.conftest import running_server
from tests.core.test_fixtures import gradient_check_n_case
from tests.reference import published

COURSE_RUN = "coursecase01"
COURSE_CONFIG = {"dataset": "gradcheck-case", "hidden_layers": [5, 3], "epochs": 1}


def store_the_course_case(data_dir: Path) -> None:
    """A finished run whose weights are the notebook's test case (W1..b3 of gradient_check_n_test_case)."""
    net, _, _ = gradient_check_n_case()
    parameters = {name: value.tolist() for name, value in net.parameters().items()}
    result = {"status": RunStatus.DONE, "costs": [], "final_cost": None, "train_accuracy": None,
              "test_accuracy": None, "epochs_run": 0, "duration_s": 0.0}  # fmt: skip

    async def write() -> None:
        store = Store(data_dir)
        await store.open()
        store.add_run(COURSE_RUN, json.dumps(COURSE_CONFIG), RunStatus.QUEUED, kept=False)
        await asyncio.wrap_future(store.finish(COURSE_RUN, result, parameters, []))
        await store.close()

    run_apart(write())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("gradcheck-bug") / "data"
    data_dir.mkdir()
    if published():
        store_the_course_case(data_dir)
    with running_server(data_dir) as (base, _):
        yield base


def check(base: str, run_id: str, body: dict | None = None) -> tuple[int, dict]:
    response = HTTP.post(f"{base}/api/runs/{run_id}/gradcheck", json=body, timeout=30)
    return response.status_code, response.json()


@pytest.mark.reference("expected.json")
def test_the_course_bug_on_the_course_case_gives_the_published_difference(server):
    entry = published()["gradient_check"]["nd"]["published"]
    status, answer = check(server, COURSE_RUN, {"bug": "course"})
    assert status == 200, answer
    assert answer["difference"] == pytest.approx(entry["difference_bugged"], abs=1e-10)
    assert not answer["passed"] and answer["threshold"] == 2e-7 and answer["parameters"] == 47
    assert {block["param"] for block in answer["blocks"] if block["broken"]} == {"W2", "b1"}
    assert answer["bug"] == {
        "scales": [["dW2", 2.0], ["db1", 4.0]],
        "note": "the notebook's two mistakes: dW2 × 2 and db1 × 4",
    }
    status, fixed = check(server, COURSE_RUN)
    assert status == 200 and fixed["passed"] and 1.1e-7 < fixed["difference"] < 1.3e-7 and fixed["bug"] is None


def test_a_paused_runs_planted_mistakes_are_its_broken_blocks(server):
    run = create(server, {"dataset": {"name": "moons", "n_train": 60}, "keep": True, "paused": True})
    control(server, run["id"], "step", epochs=100)
    wait_for(lambda: get_run(server, run["id"])["epoch"] == 100)
    status, answer = check(server, run["id"], {"bug": "course"})
    assert status == 200, answer
    ranked = [block["param"] for block in sorted(answer["blocks"], key=lambda block: -block["difference"])]
    assert set(ranked[:2]) == {"W2", "b1"} and not answer["passed"]
    status, picked = check(server, run["id"], {"bug": {"param": "dW3", "scale": -1}})
    assert status == 200 and [block["param"] for block in picked["blocks"] if block["broken"]] == ["W3"]
    assert picked["bug"]["note"] == "dW3 × -1"
    assert get_run(server, run["id"])["epoch"] == 100  # the check does not move the run

    status, refused = check(server, run["id"], {"bug": {"param": "dW4", "scale": 2}})
    assert status == 422 and refused["detail"][0]["loc"] == ["body", "bug", "param"], refused
    assert "no dW4" in refused["detail"][0]["msg"]
    for body, field in [({"bug": "notebook"}, None), ({"bug": {"param": "W2", "scale": 2}}, "param"),
                        ({"bug": {"param": "dW2", "scale": 1e9}}, "scale")]:  # fmt: skip
        status, refused = check(server, run["id"], body)
        locs = [error["loc"] for error in refused["detail"]]
        assert status == 422 and all(loc[:2] == ["body", "bug"] for loc in locs), refused
        assert field is None or ["body", "bug", "ScaledBlock", field] in locs, refused
    control(server, run["id"], "stop")


def test_the_1d_example_is_cores(server):
    answer = HTTP.get(f"{server}/api/gradcheck/1d", params={"theta": 3.5, "x": -2, "epsilon": 1e-9}).json()
    assert {k: answer[k] for k in one_dimensional(3.5, -2.0, 1e-9)} == one_dimensional(3.5, -2.0, 1e-9)
    assert answer["sweep"] == [list(point) for point in one_dimensional_sweep(3.5, -2.0)]
    assert answer["passed"] == (answer["difference"] < 2e-7)
    for params, field in [({"epsilon": 0}, "epsilon"), ({"theta": 1e7}, "theta"), ({"x": "nan"}, "x")]:
        refused = HTTP.get(f"{server}/api/gradcheck/1d", params=params)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", field]
