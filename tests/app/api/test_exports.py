"""A run's downloads against the real server: the exported script, run by a Python with NumPy alone, prints
the run's final cost (rel 1e-9) and accuracies for the course's He, L2, dropout and Adam presets; the
parameters (JSON, .npz) and the cost history (CSV) are what the JSON API says;
live, failed and unknown runs are refused what they do not have."""

import csv
import io
import os
import shutil
import signal

import numpy as np
import pytest

from tests.app.client import HTTP, control, create, get_run, number, strict_loads, wait_for
from tests.conftest import running_server
from tests.numpy_venv import printed_by_script
from tests.reference import REFERENCE, reference

FOOTBALL = REFERENCE / "football.mat"  # the course's data.mat, as the reference folder names it
EXPORTS = ("parameters.json", "parameters.npz", "costs.csv", "script.py")
# large random weights, a big step, tanh: inf costs (as in test_socket.py)
DIVERGING = {"initialization": "random", "init_scale": 10, "learning_rate": 50, "activation": "tanh", "epochs": 3000}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The real server, its data dir holding the course's football data (for the reg-* presets) if we have it."""
    data_dir = tmp_path_factory.mktemp("exports") / "data"
    data_dir.mkdir()
    if FOOTBALL.exists():
        shutil.copy(FOOTBALL, data_dir / FOOTBALL.name)
    with running_server(data_dir) as (base, _):
        yield base


def download(base: str, run_id: str, name: str, status: int = 200):
    response = HTTP.get(f"{base}/api/runs/{run_id}/export/{name}", timeout=60)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.headers["content-disposition"] == f'attachment; filename="trainlab-{run_id}-{name}"'
    return response


def finished(base: str, body: dict, timeout: float = 180) -> dict:
    """Start a kept run and wait for its end; GET /api/runs/{id} then."""
    run = create(base, {**body, "keep": True})
    return wait_for(lambda: (info := get_run(base, run["id"]))["result"] and info, timeout=timeout, interval=0.2)


@pytest.mark.parametrize("preset", ["init-he", "reg-l2", "reg-dropout", "opt-adam"])
def test_the_script_prints_the_runs_final_cost_with_numpy_alone(server, numpy_only_python, tmp_path, preset):
    """The course's full presets, as the page starts them: no epochs traded."""
    if preset.startswith("reg-"):
        reference("football.mat")  # the reg presets need the course's football data
    run = finished(server, {"preset": preset})
    result = run["result"]
    assert result["status"] == "done"
    response = download(server, run["id"], "script.py")
    assert response.headers["content-type"] == "text/x-python; charset=utf-8"
    printed = printed_by_script(numpy_only_python, response.text, tmp_path)
    assert printed["final cost"] == pytest.approx(result["final_cost"], rel=1e-9)
    assert printed["train accuracy"] == result["train_accuracy"]
    assert printed["test accuracy"] == result["test_accuracy"]


def test_parameters_json_and_npz_are_the_runs_weights(server):
    run = finished(server, {"dataset": "moons", "hidden_layers": [6, 3], "epochs": 500, "learning_rate": 0.1})
    api = HTTP.get(f"{server}/api/runs/{run['id']}/parameters").json()

    as_json = download(server, run["id"], "parameters.json")
    assert as_json.headers["content-type"] == "application/json"
    assert strict_loads(as_json.text) == api

    as_npz = download(server, run["id"], "parameters.npz")
    assert as_npz.headers["content-type"] == "application/octet-stream"
    with np.load(io.BytesIO(as_npz.content), allow_pickle=False) as npz:
        assert list(npz.files) == ["W1", "b1", "W2", "b2", "W3", "b3"]
        for name, value in api["parameters"].items():
            assert npz[name].dtype == np.float64
            assert np.array_equal(npz[name], np.array(value))
        assert npz["W1"].shape == (6, 2) and npz["b3"].shape == (1, 1)


def costs_of_csv(text: str) -> list[list]:
    """The CSV's rows as cost points: [epoch, cost, train_acc, test_acc]; an empty cell is None."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["epoch", "cost", "train_accuracy", "test_accuracy"]
    return [[int(row[0]), *(float(cell) if cell else None for cell in row[1:])] for row in rows[1:]]


def api_costs(base: str, run_id: str) -> list[list]:
    page = strict_loads(HTTP.get(f"{base}/api/runs/{run_id}/costs", params={"limit": 1000}).text)
    assert page["total"] == len(page["points"])
    return [[epoch, *(number(value) for value in rest)] for epoch, *rest in page["points"]]


def test_costs_csv_is_the_cost_history(server):
    run = finished(server, {"dataset": "circles", "epochs": 3000, "report_every": 10})
    response = download(server, run["id"], "costs.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    points = costs_of_csv(response.text)
    assert len(points) == 300 and points[-1][0] == 2990
    assert points == api_costs(server, run["id"])


def test_a_diverged_runs_exports_spell_out_inf(server):
    run = finished(server, DIVERGING)
    assert run["status"] == "diverged"
    text = download(server, run["id"], "costs.csv").text
    assert "\n100,inf," in text
    assert costs_of_csv(text) == api_costs(server, run["id"])
    api = HTTP.get(f"{server}/api/runs/{run['id']}/parameters").json()
    assert strict_loads(download(server, run["id"], "parameters.json").text) == api
    with np.load(io.BytesIO(download(server, run["id"], "parameters.npz").content)) as npz:
        for name, value in api["parameters"].items():
            assert np.array_equal(npz[name], np.array(value, dtype=float), equal_nan=True)


def test_an_uploaded_datasets_script_carries_its_points(server, numpy_only_python, tmp_path):
    """An upload lives in the server's data dir; the script has every point in it, and no test set here."""
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(-1, 0.7, (40, 2)), rng.normal(1, 0.7, (40, 2))])
    body = "".join(f"{a!r},{b!r},{label}\n" for (a, b), label in zip(X.tolist(), [0] * 40 + [1] * 40, strict=True))
    upload = HTTP.post(f"{server}/api/datasets", params={"name": "blobs"}, content=body.encode())
    assert upload.status_code == 201, upload.text
    run = finished(server, {"dataset": upload.json()["name"], "epochs": 400, "learning_rate": 0.1})
    source = download(server, run["id"], "script.py").text
    assert repr(float(X[17, 0])) in source and "X_test" not in source
    printed = printed_by_script(numpy_only_python, source, tmp_path)
    assert printed["final cost"] == pytest.approx(run["result"]["final_cost"], rel=1e-9)
    assert printed["train accuracy"] == run["result"]["train_accuracy"]
    assert all(point[3] is None for point in costs_of_csv(download(server, run["id"], "costs.csv").text))


def test_a_live_run_has_a_script_and_costs_but_no_weights_yet(server):
    run = create(server, {"dataset": "circles", "epochs": 1000, "paused": True, "keep": True})
    control(server, run["id"], "step", epochs=200)
    wait_for(lambda: get_run(server, run["id"])["epoch"] >= 200)
    for name in ("parameters.json", "parameters.npz"):
        detail = download(server, run["id"], name, 409).json()["detail"]
        assert run["id"] in detail and "paused" in detail
    assert [point[0] for point in costs_of_csv(download(server, run["id"], "costs.csv").text)] == [0, 100, 200]
    assert "num_epochs = 1000" in download(server, run["id"], "script.py").text
    assert HTTP.delete(f"{server}/api/runs/{run['id']}").json()["status"] == "cancelled"


@pytest.mark.parametrize("name", EXPORTS)
def test_an_unknown_run_has_no_exports(server, name):
    assert "no run 'nosuchrun'" in download(server, "nosuchrun", name, 404).json()["detail"]


def test_the_downloads_media_types_are_in_the_openapi(server):
    paths = HTTP.get(f"{server}/openapi.json").json()["paths"]
    types = {name: set(paths[f"/api/runs/{{run_id}}/export/{name}"]["get"]["responses"]["200"]["content"])
             for name in EXPORTS}  # fmt: skip
    assert types == {
        "parameters.json": {"application/json"},
        "parameters.npz": {"application/octet-stream"},
        "costs.csv": {"text/csv"},
        "script.py": {"text/x-python"},
    }


def test_a_failed_run_has_no_weights_but_its_costs_and_script(server):
    """Its worker killed (SIGKILL, as test_workers.py does): the run fails without weights."""
    run = create(server, {"epochs": 100_000, "speed": 2000, "keep": True})
    wait_for(lambda: get_run(server, run["id"])["epoch"] > 0, timeout=30)
    (host,) = [w for w in HTTP.get(f"{server}/api/health").json()["workers"] if run["id"] in w["runs"]]
    os.kill(host["pid"], signal.SIGKILL)
    info = wait_for(lambda: (i := get_run(server, run["id"]))["result"] and i, timeout=30)
    assert info["status"] == "failed"
    for name in ("parameters.json", "parameters.npz"):
        assert "without weights" in download(server, run["id"], name, 404).json()["detail"]
    assert costs_of_csv(download(server, run["id"], "costs.csv").text) == api_costs(server, run["id"])
    assert "num_epochs = 100000" in download(server, run["id"], "script.py").text
