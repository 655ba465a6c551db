"""The insight stream and the gradient-check endpoint tell the truth, through the real server and websockets:
zeros init stays symmetric through training, random ×10 saturates and its gradients dwarf He's, and the
endpoint's number is core's gradient check of the same weights."""

import os
import signal
from collections.abc import Iterator

import numpy as np
import pytest

from core.config import RunConfig
from core.insight import gradient_check_report
from core.presets import preset_config
from core.train import Training
from tests.app.client import HTTP, Stream, control, create, get_run, open_socket, wait_for, watch_to_end
from tests.conftest import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own: one test kills a worker process."""
    with running_server(tmp_path_factory.mktemp("insight") / "data") as (base, _):
        yield base


def gradcheck(base: str, run_id: str) -> tuple[int, dict]:
    response = HTTP.post(f"{base}/api/runs/{run_id}/gradcheck", timeout=30)
    return response.status_code, response.json()


def trained_locally(config: RunConfig, epochs: int) -> Training:
    training = Training(config)
    with np.errstate(all="ignore"):
        while training.epoch < epochs:
            training.advance()
    return training


def first_insight(base: str, run_id: str, epoch: int) -> dict:
    """A new watcher's insight message once the run's insight is at `epoch`."""
    wait_for(lambda: get_run(base, run_id)["epoch"] == epoch)
    with open_socket(base, run_id) as ws:
        stream = Stream()
        stream.until(ws, lambda m: isinstance(m, dict) and m["type"] == "insight" and m["epoch"] == epoch)
    return stream.of_type("insight")[-1]


def test_zeros_init_units_stay_identical_through_training(server):
    # 5 s of training: insight comes at most 4 a second, and less often when a loaded worker takes longer to make it
    run = create(server, {"preset": "init-zeros", "overrides": {"epochs": 3000}, "speed": 600})
    stream = watch_to_end(server, run["id"])
    insights = stream.of_type("insight")
    epochs = [m["epoch"] for m in insights]
    assert epochs[0] < 500 and epochs[-1] == 3000 and epochs == sorted(epochs)
    assert any(500 <= epoch < 3000 for epoch in epochs), epochs  # reports during training, not only at its ends
    for message in insights:
        assert message["symmetry"] == [0.0, 0.0]
        assert [u["units"] for u in message["units"]] == [10, 5]
        for layer in message["units"]:
            assert all(row == layer["rows"][0] for row in layer["rows"])
        assert [a["dead"] for a in message["activations"][:-1]] == [1.0, 1.0]
    assert stream.result["epochs_run"] == 3000
    assert stream.order.index("insight") < stream.order.index("result")


def test_random_x10_saturates_and_its_gradients_are_hundreds_of_times_he(server):
    runs = {name: create(server, {"preset": name, "keep": True, "paused": True}) for name in ("init-random", "init-he")}
    for epoch in (0, 5):  # the same epochs for both: the untrained nets, then after a 5-epoch step
        if epoch:
            for run in runs.values():
                control(server, run["id"], "step", epochs=epoch)
        random, he = (first_insight(server, run["id"], epoch) for run in runs.values())
        assert random["activations"][-1]["saturated"] >= 0.99 and he["activations"][-1]["saturated"] == 0.0
        ratios = [r["dW"] / h["dW"] for r, h in zip(random["norms"], he["norms"], strict=True)]
        assert min(ratios) >= 100, ratios  # measured: 578, 273, 371 at epoch 0; 259, 134, 151 at epoch 5
        assert all(s > 1 for s in random["symmetry"] + he["symmetry"])
    for run in runs.values():
        control(server, run["id"], "stop")


def test_a_late_watcher_gets_the_norms_history(server):
    run = create(server, {"preset": "init-he", "overrides": {"epochs": 6000}, "speed": 1000})
    with open_socket(server, run["id"]) as first:  # 3 s of training: a loaded worker's insight comes less often
        Stream().until(first, lambda m: isinstance(m, dict) and m["type"] == "insight" and m["epoch"] >= 3000)
        with open_socket(server, run["id"]) as late:
            stream = Stream()
            stream.until(late, lambda m: isinstance(m, dict) and m["type"] == "insight")
    (message,) = stream.of_type("insight")
    history = message["history"]
    assert len(history) >= 3 and history[0][0] < 500 and history[-1][0] == message["epoch"]
    assert [len(point[1]) for point in history] == [3] * len(history) == [len(point[2]) for point in history]
    assert history[-1][1] == [n["W"] for n in message["norms"]]
    assert [point[0] for point in history] == sorted(point[0] for point in history)


def test_gradcheck_of_a_paused_run_is_cores_at_the_same_weights(server):
    config = preset_config("init-he", {"keep_prob": 0.8, "l2_lambda": 0.1, "course_compat": False})
    run = create(server, {**config.model_dump(mode="json"), "keep": True, "paused": True})
    control(server, run["id"], "step", epochs=200)
    wait_for(lambda: get_run(server, run["id"])["epoch"] == 200)
    status, answer = gradcheck(server, run["id"])
    assert status == 200, answer
    expected = gradient_check_report(trained_locally(config, 200).view())
    assert answer["difference"] == pytest.approx(expected["difference"], rel=1e-6)
    assert answer == {**expected, "id": run["id"], "difference": answer["difference"]}
    assert answer["passed"] and answer["keep_prob_used"] == 1.0 and answer["threshold"] == 2e-7
    assert get_run(server, run["id"])["status"] == "paused"  # the check does not move the run
    control(server, run["id"], "stop")


def test_gradcheck_of_a_finished_run_uses_its_stored_weights(server):
    config = preset_config("init-he", {"epochs": 300})
    run = create(server, {"preset": "init-he", "overrides": {"epochs": 300}, "keep": True})
    assert watch_to_end(server, run["id"]).result["status"] == "done"
    wait_for(lambda: HTTP.get(f"{server}/api/runs/{run['id']}/parameters").status_code == 200)
    status, answer = gradcheck(server, run["id"])
    assert status == 200, answer
    expected = gradient_check_report(trained_locally(config, 300).view())
    assert answer["epoch"] == 300 and answer["examples"] == 300 and answer["parameters"] == 91
    assert answer["difference"] == pytest.approx(expected["difference"], rel=1e-6)
    assert answer["passed"]


def test_gradcheck_refusals(server):
    assert gradcheck(server, "nosuchrun")[0] == 404
    big = create(server, {"hidden_layers": [64, 64], "epochs": 100, "keep": True, "paused": True})
    status, answer = gradcheck(server, big["id"])
    assert status == 422 and "4417 parameters on 300 examples" in answer["detail"]
    control(server, big["id"], "stop")
    assert HTTP.post(f"{server}/api/runs/{big['id']}/gradcheck").status_code == 422  # stored: still too large

    doomed = create(server, {"preset": "init-he", "keep": True, "paused": True})
    wait_for(lambda: get_run(server, doomed["id"])["status"] == "paused")
    workers = HTTP.get(f"{server}/api/health").json()["workers"]
    (pid,) = [w["pid"] for w in workers if doomed["id"] in w["runs"]]
    os.kill(pid, signal.SIGKILL)  # the run fails without weights
    wait_for(lambda: get_run(server, doomed["id"])["status"] == "failed")
    status, answer = gradcheck(server, doomed["id"])
    assert status == 409 and "without weights" in answer["detail"]


def test_gradcheck_of_a_run_trained_stacked_is_cores_at_the_same_weights(server):
    configs = [preset_config(name) for name in ("init-he", "init-random")]
    body = {"runs": [{"preset": "init-he"}, {"preset": "init-random"}], "keep": True, "paused": True}
    created = HTTP.post(f"{server}/api/comparisons", json=body).json()
    assert created["stacked"]
    run_ids = [run["id"] for run in created["runs"]]
    control(server, run_ids[0], "step", epochs=200)  # steps the whole group
    for run_id in run_ids:
        wait_for(lambda r=run_id: get_run(server, r)["epoch"] == 200)
    for run_id, config in zip(run_ids, configs, strict=True):
        status, answer = gradcheck(server, run_id)
        assert status == 200, answer
        expected = gradient_check_report(trained_locally(config, 200).view())
        assert answer["difference"] == pytest.approx(expected["difference"], rel=1e-6)
        assert answer == {**expected, "id": run_id, "difference": answer["difference"]}
        control(server, run_id, "stop")
