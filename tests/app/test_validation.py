"""Bad input is refused with the field named; too many runs get 429."""

import pytest

from tests.app.client import HTTP, control, create, watch_to_end

BAD_RUNS = [
    ({"hidden_layers": [1000]}, ["body", "hidden_layers", 0]),
    ({"learning_rate": -1}, ["body", "learning_rate"]),
    ({"bogus": 1}, ["body", "bogus"]),
    ({"speed": 0}, ["body", "speed"]),
    ({"optimizer": "sgd"}, ["body", "optimizer"]),
    ({"dataset": {"name": "circles", "n_train": 1}}, ["body", "dataset", "DatasetSpec", "n_train"]),
    ({"dataset": "nonesuch"}, ["body", "dataset"]),
    ({"dataset": "football"}, ["body", "dataset"]),  # the test server's data dir has no data.mat
    ({"preset": "init-nonesuch"}, ["body", "preset"]),
    ({"preset": "init-he", "overrides": {"learning_rate": -1}}, ["body", "overrides", "learning_rate"]),
    ({"preset": "init-he", "overrides": {"bogus": 1}}, ["body", "overrides", "bogus"]),
    # true and false are not numbers (they were taken as 1 and 0)
    ({"epochs": True}, ["body", "epochs"]),
    ({"learning_rate": True}, ["body", "learning_rate"]),
    ({"hidden_layers": [True, 3]}, ["body", "hidden_layers"]),
    ({"dataset": {"name": "circles", "n_test": True}}, ["body", "dataset", "DatasetSpec", "n_test"]),
    ({"dataset": {"name": "circles", "noise": False}}, ["body", "dataset", "DatasetSpec", "noise"]),
    ({"preset": "init-he", "overrides": {"seed": True}}, ["body", "overrides", "seed"]),
    ({"speed": True}, ["body", "speed"]),
    # a speed that holds a live slot forever: at least MIN_SPEED epochs a second
    ({"speed": 5e-324}, ["body", "speed"]),
    ({"speed": 0.09}, ["body", "speed"]),
]


@pytest.mark.parametrize(("body", "loc"), BAD_RUNS, ids=[str(loc[1:]) for _, loc in BAD_RUNS])
def test_a_bad_run_config_is_422_naming_the_field(live_server, body, loc):
    response = HTTP.post(f"{live_server}/api/runs", json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(error["loc"] == loc for error in errors), errors
    assert all(error["msg"] for error in errors)


def test_config_fields_beside_a_preset_are_refused(live_server):
    response = HTTP.post(f"{live_server}/api/runs", json={"preset": "init-he", "epochs": 10})
    assert response.status_code == 422
    assert "epochs" in response.json()["detail"][0]["msg"]


def test_a_config_over_the_budget_is_refused_with_the_reason(live_server):
    response = HTTP.post(f"{live_server}/api/runs", json={"hidden_layers": [64] * 6, "epochs": 100_000})
    assert response.status_code == 422
    assert "budget" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "jump"}, "action"),
        ({"action": "step", "epochs": 0}, "epochs"),
        ({"action": "speed", "epochs_per_second": -5}, "epochs_per_second"),
        ({"action": "pause", "epochs": 3}, "epochs"),
        ({"action": "speed", "epochs_per_second": 1e-9}, "epochs_per_second"),
        ({"action": "step", "epochs": True}, "epochs"),
    ],
)
def test_a_bad_control_is_422(live_server, body, field):
    run_id = create(live_server, {"epochs": 100, "paused": True, "keep": True})["id"]
    response = HTTP.post(f"{live_server}/api/runs/{run_id}/control", json=body)
    assert response.status_code == 422, response.text
    assert any(
        field in error["loc"] or error["msg"].startswith(f"Value error, {field}:")
        for error in response.json()["detail"]
    )
    control(live_server, run_id, "stop")


def test_an_unknown_run_is_404(live_server):
    assert HTTP.get(f"{live_server}/api/runs/nonesuch").status_code == 404
    assert HTTP.post(f"{live_server}/api/runs/nonesuch/control", json={"action": "stop"}).status_code == 404


def test_too_many_live_runs_is_429(live_server):
    # the cap counts work: a net of 5000 points is a whole worker's worth (150 default runs), and the server has two
    big = {"epochs": 100, "paused": True, "keep": True, "dataset": {"name": "circles", "n_train": 5000},
           "hidden_layers": [64, 64]}  # fmt: skip
    created = []
    try:
        for _ in range(4):
            response = HTTP.post(f"{live_server}/api/runs", json=big)
            if response.status_code == 429:
                break
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        assert response.status_code == 429
        assert "live" in response.json()["detail"] and "at most 300" in response.json()["detail"]
        assert 1 <= len(created) <= 2
    finally:
        for run_id in created:
            control(live_server, run_id, "stop")
    assert HTTP.post(f"{live_server}/api/runs", json={"epochs": 100}).status_code == 201


def test_a_noise_of_minus_zero_is_zero(live_server):
    """-0.0 passed the bounds (it is >= 0), then NumPy refused it as a negative scale."""
    run = create(live_server, {"dataset": {"name": "circles", "noise": -0.0}, "epochs": 5})
    assert run["config"]["dataset"]["noise"] == 0
    stream = watch_to_end(live_server, run["id"])
    assert stream.result["status"] == "done", stream.result
    points = HTTP.get(f"{live_server}/api/datasets/moons/points", params={"noise": "-0.0"})
    assert points.status_code == 200, points.text
