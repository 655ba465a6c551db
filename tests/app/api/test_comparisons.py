"""POST /api/comparisons against the real server: runs that can stack train together on one worker, and each
is still its own run — the same numbers as alone, its own socket, controls, status and record."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.app.client import HTTP, control, create, get_run, open_socket, wait_for, watch_to_end

INIT_GROUP = [{"preset": name} for name in ("init-zeros", "init-random", "init-he")]
COURSE_TRAIN_ACCURACY = [0.5, 0.83, 0.9933333333333333]


def watch_all(base: str, run_ids: list[str]) -> list:
    """Every run's stream, watched at once (from the start when the runs were created paused)."""
    with ThreadPoolExecutor(len(run_ids)) as pool:
        return list(pool.map(lambda run_id: watch_to_end(base, run_id, timeout=90), run_ids))


def compare(base: str, body: dict) -> dict:
    response = HTTP.post(f"{base}/api/comparisons", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def locs(response) -> list[list]:
    assert response.status_code == 422, response.text
    return [problem["loc"] for problem in response.json()["detail"]]


def test_the_initialization_group_trains_stacked_and_gives_each_run_its_own_numbers(live_server: str) -> None:
    created = compare(live_server, {"runs": INIT_GROUP, "keep": True, "speed": 5000})
    assert created["stacked"] is True
    assert [run["config"]["initialization"] for run in created["runs"]] == ["zeros", "random", "he"]
    together = watch_all(live_server, [run["id"] for run in created["runs"]])
    alone = [watch_to_end(live_server, create(live_server, {**body, "keep": True})["id"]) for body in INIT_GROUP]
    for stacked, single in zip(together, alone, strict=True):
        assert stacked.close_code == 1000
        assert stacked.result["status"] == "done"
        for field in ("final_cost", "train_accuracy", "test_accuracy", "costs", "epochs_run"):
            assert stacked.result[field] == single.result[field], field  # bit for bit
        assert stacked.history() == single.history()  # every reported point, accuracies included
        assert len(stacked.frames) >= 10  # ~3 s at 5000 epochs/s: frames all along, not just the last
        assert stacked.of_type("status")[-1]["status"] == "done"
    assert [stream.result["train_accuracy"] for stream in together] == COURSE_TRAIN_ACCURACY
    stored = get_run(live_server, created["runs"][2]["id"])  # kept in SQLite like any run
    assert stored["status"] == "done" and stored["result"]["train_accuracy"] == COURSE_TRAIN_ACCURACY[2]


def test_runs_that_cannot_stack_start_one_by_one(live_server: str) -> None:
    body = {"runs": [{"preset": "init-he", "overrides": {"epochs": 300}}, {"hidden_layers": [4], "epochs": 300}]}
    created = compare(live_server, {**body, "keep": True})
    assert created["stacked"] is False
    results = [watch_to_end(live_server, run["id"]).result for run in created["runs"]]
    assert [r["status"] for r in results] == ["done", "done"]
    assert [r["epochs_run"] for r in results] == [300, 300]


def test_controls_on_one_member_steer_the_group_and_stop_ends_that_member_only(live_server: str) -> None:
    runs = [{"epochs": 100_000, "seed": seed} for seed in (1, 2, 3)]
    first, second, third = (run["id"] for run in compare(live_server, {"runs": runs, "paused": True})["runs"])
    with open_socket(live_server, first), open_socket(live_server, second), open_socket(live_server, third):
        assert control(live_server, second, "resume")["status"] == "running"
        wait_for(lambda: get_run(live_server, first)["status"] == "running")
        assert control(live_server, first, "pause")["status"] == "paused"
        wait_for(lambda: all(get_run(live_server, r)["status"] == "paused" for r in (second, third)))
        paused_at = {r: get_run(live_server, r)["epoch"] for r in (first, second, third)}
        assert len(set(paused_at.values())) == 1  # one training: they share their epoch

        control(live_server, third, "step", epochs=250)  # a step of one member steps the group
        wait_for(lambda: get_run(live_server, first)["epoch"] == paused_at[first] + 250)
        assert get_run(live_server, second)["epoch"] == paused_at[first] + 250

        assert control(live_server, second, "stop")["status"] == "cancelled"
        assert control(live_server, first, "resume")["status"] == "running"
        epoch = get_run(live_server, third)["epoch"]
        wait_for(lambda: get_run(live_server, third)["epoch"] > epoch + 1000)
        stopped = get_run(live_server, second)
        assert stopped["status"] == "cancelled" and stopped["result"]["epochs_run"] == paused_at[first] + 250
        assert get_run(live_server, first)["status"] == "running"
        for run_id in (first, third):
            assert control(live_server, run_id, "stop")["status"] == "cancelled"


def test_a_diverging_member_ends_diverged_while_the_others_finish(live_server: str) -> None:
    runs = [{"learning_rate": lr, "report_every": 10, "epochs": 3000} for lr in (0.05, 100.0)]
    created = compare(live_server, {"runs": runs, "keep": True, "speed": 1000})
    assert created["stacked"] is True
    calm_id, wild_id = (run["id"] for run in created["runs"])
    wait_for(lambda: get_run(live_server, wild_id)["status"] == "diverged", timeout=20)
    assert get_run(live_server, calm_id)["status"] == "running"  # ~3 s at 1000 epochs/s: it goes on
    calm, wild = watch_all(live_server, [calm_id, wild_id])
    assert wild.result["status"] == "diverged" and wild.result["epochs_run"] < 3000
    assert calm.result["status"] == "done" and calm.result["epochs_run"] == 3000
    assert calm.of_type("status")[-1]["status"] == "done"


def test_a_refused_run_is_named_by_its_index(live_server: str) -> None:
    post = lambda body: HTTP.post(f"{live_server}/api/comparisons", json=body)  # noqa: E731
    assert locs(post({"runs": [{}, {"learning_rate": -1}]})) == [["body", "runs", 1, "learning_rate"]]
    assert locs(post({"runs": [{"preset": "init-he", "overrides": {"epochs": 0}}]})) == [
        ["body", "runs", 0, "overrides", "epochs"]
    ]
    assert locs(post({"runs": [{}, {"keep": True}]})) == [["body", "runs", 1]]
    assert locs(post({"runs": [{"dataset": "football"}]})) == [["body", "runs", 0, "dataset"]]
    assert locs(post({"runs": [{}] * 9}))[0] == ["body", "runs"]
    assert locs(post({"runs": []}))[0] == ["body", "runs"]


@pytest.mark.parametrize("body", [{"runs": [{}], "speed": 0}, {"runs": [{}], "extra": 1}])
def test_shared_fields_are_checked(live_server: str, body: dict) -> None:
    assert HTTP.post(f"{live_server}/api/comparisons", json=body).status_code == 422
