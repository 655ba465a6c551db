"""The stepper through the real server: POST /api/runs/{id}/stepper answers the next iteration in stages, the run
does not move, and the step of one epoch that follows lands exactly where the update stage said."""

import numpy as np
import pytest

from core.config import RunConfig
from core.stepper import iteration
from core.train import Training
from tests.app.client import HTTP, control, create, get_run, wait_for

CONFIG = {"dataset": {"name": "moons", "n_train": 50}, "hidden_layers": [3, 2], "optimizer": "adam",
          "l2_lambda": 0.2, "epochs": 500, "report_every": 10}  # fmt: skip


def preview(base: str, run_id: str, body: dict | None = None) -> tuple[int, dict]:
    response = HTTP.post(f"{base}/api/runs/{run_id}/stepper", json=body, timeout=30)
    return response.status_code, response.json()


def stage(answer: dict, name: str) -> dict[str, dict]:
    (found,) = [s for s in answer["stages"] if s["stage"] == name]
    return {item["name"]: item for item in found["items"]}


def test_a_paused_runs_next_iteration_and_the_step_that_applies_it(live_server):
    run = create(live_server, {**CONFIG, "keep": True, "paused": True})
    control(live_server, run["id"], "step", epochs=30)
    wait_for(lambda: get_run(live_server, run["id"])["epoch"] == 30)
    status, answer = preview(live_server, run["id"], {"example": 7})
    assert status == 200, answer
    assert answer["epoch"] == 30 and answer["example"] == 7 and answer["runs_stepped"] == 1
    assert [s["stage"] for s in answer["stages"]] == ["forward", "cost", "backward", "update"]

    local = Training(RunConfig(**CONFIG))
    for _ in range(30):
        local.advance()
    expected = iteration(local.twin(), 7)
    assert stage(answer, "cost")["J"]["value"] == stage(expected, "cost")["J"]["value"]
    assert stage(answer, "forward")["A1"]["example"] == stage(expected, "forward")["A1"]["example"]
    assert get_run(live_server, run["id"])["epoch"] == 30  # previewing moved nothing

    control(live_server, run["id"], "step", epochs=1)  # apply it
    wait_for(lambda: get_run(live_server, run["id"])["epoch"] == 31)
    control(live_server, run["id"], "stop")
    weights = wait_for(
        lambda: (r := HTTP.get(f"{live_server}/api/runs/{run['id']}/parameters")).status_code == 200 and r
    )
    update = stage(answer, "update")
    for name, value in weights.json()["parameters"].items():
        np.testing.assert_array_equal(np.reshape(update[f"{name}_new"]["values"], np.shape(value)), value)


def test_a_stacked_members_step_moves_its_group_and_refusals(live_server):
    body = {"runs": [{**CONFIG, "optimizer": "gd"}, {**CONFIG, "optimizer": "momentum"}], "keep": True, "paused": True}
    created = HTTP.post(f"{live_server}/api/comparisons", json=body).json()
    assert created["stacked"]
    first, second = (r["id"] for r in created["runs"])
    wait_for(lambda: get_run(live_server, second)["status"] == "paused")
    status, answer = preview(live_server, second)
    assert status == 200 and answer["runs_stepped"] == 2 and answer["optimizer"] == "momentum", answer
    assert "v_dW1" in stage(answer, "update")

    status, refused = preview(live_server, first, {"example": 50})
    assert status == 422 and refused["detail"][0]["loc"] == ["body", "example"], refused
    assert "0 to 49" in refused["detail"][0]["msg"]
    assert preview(live_server, "nosuchrun")[0] == 404
    for run_id in (first, second):
        control(live_server, run_id, "stop")
    wait_for(lambda: get_run(live_server, first)["result"] is not None)
    status, refused = preview(live_server, first)
    assert status == 409 and "cancelled" in refused["detail"], refused


@pytest.mark.parametrize("body", [{"example": -1}, {"example": "first"}, {"sample": 1}])
def test_bad_stepper_bodies_are_refused_naming_the_field(live_server, body):
    run = create(live_server, {**CONFIG, "paused": True})
    status, refused = preview(live_server, run["id"], body)
    assert status == 422 and refused["detail"][0]["loc"][:1] == ["body"], refused
    control(live_server, run["id"], "stop")
