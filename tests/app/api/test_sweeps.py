"""Sweeps against the real server: the course's initialization comparison over three seeds, and refusals."""

import csv
import io

import pytest

from app.api.sweeps import csv_cell
from core.sweep import outcome, sweep_configs
from tests.app.client import HTTP, wait_for
from tests.conftest import running_server

INIT_BY_SEED = {"base": {"preset": "init-he"}, "grid": {"initialization": ["zeros", "random", "he"], "seed": [1, 2, 3]}}


def finished_sweep(base: str, sweep_id: str) -> dict:
    def check() -> dict | None:
        sweep = HTTP.get(f"{base}/api/sweeps/{sweep_id}").json()
        return sweep if sweep["finished"] == sweep["total"] else None

    return wait_for(check, timeout=90, interval=0.5)


def test_the_initialization_sweep_gives_the_course_numbers_for_seed_3(live_server: str) -> None:
    response = HTTP.post(f"{live_server}/api/sweeps", json=INIT_BY_SEED)
    assert response.status_code == 201, response.text
    created = response.json()
    assert len(created["runs"]) == 9
    sweep = finished_sweep(live_server, created["id"])
    assert [row["id"] for row in sweep["rows"]] == created["runs"]
    assert {row["status"] for row in sweep["rows"]} == {"done"}
    seed_3 = {
        row["values"]["initialization"]: row["train_accuracy"] for row in sweep["rows"] if row["values"]["seed"] == 3
    }
    assert seed_3 == {"zeros": 0.5, "random": 0.83, "he": 0.9933333333333333}
    table = list(csv.DictReader(io.StringIO(HTTP.get(f"{live_server}/api/sweeps/{created['id']}.csv").text)))
    assert [(r["initialization"], r["seed"], r["id"]) for r in table] == [
        (row["values"]["initialization"], str(row["values"]["seed"]), row["id"]) for row in sweep["rows"]
    ]
    assert float(table[-1]["train_accuracy"]) == 0.9933333333333333


def test_a_grid_over_the_cap_is_a_422_naming_grid(live_server: str) -> None:
    response = HTTP.post(
        f"{live_server}/api/sweeps", json={"grid": {"seed": list(range(8)), "epochs": list(range(1, 10))}}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "grid"]


def test_a_bad_value_is_a_422_naming_its_field(live_server: str) -> None:
    response = HTTP.post(f"{live_server}/api/sweeps", json={"grid": {"learning_rate": [0.1, -1]}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "grid", "learning_rate"]
    response = HTTP.post(f"{live_server}/api/sweeps", json={"grid": {"no_such_field": [1]}})
    assert response.json()["detail"][0]["loc"] == ["body", "grid", "no_such_field"]
    response = HTTP.post(f"{live_server}/api/sweeps", json={"base": {"epochs": 0}, "grid": {"seed": [1]}})
    assert response.json()["detail"][0]["loc"] == ["body", "base", "epochs"]


@pytest.mark.parametrize(
    ("base", "loc"),
    [
        ({"preset": "init-he", "overrides": [1, 2]}, ["body", "base", "overrides"]),
        ({"preset": "init-he", "overrides": "epochs=5"}, ["body", "base", "overrides"]),
        ({"preset": ["init-he"]}, ["body", "base", "preset"]),
        ({"preset": {"name": "init-he"}}, ["body", "base", "preset"]),
    ],
)
def test_a_preset_base_of_the_wrong_shape_is_a_422_naming_it(live_server: str, base: dict, loc: list) -> None:
    """These were 500s: the overrides spread into a dict, the preset looked up by an unhashable key."""
    response = HTTP.post(f"{live_server}/api/sweeps", json={"base": base, "grid": {"seed": [1]}})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_a_deleted_run_is_a_row_of_its_own_not_a_404(live_server: str) -> None:
    created = HTTP.post(f"{live_server}/api/sweeps", json={"base": {"epochs": 5}, "grid": {"seed": [1, 2]}}).json()
    finished_sweep(live_server, created["id"])
    gone, kept = created["runs"]
    assert HTTP.delete(f"{live_server}/api/runs/{gone}").json()["status"] == "deleted"
    sweep = HTTP.get(f"{live_server}/api/sweeps/{created['id']}")
    assert sweep.status_code == 200, sweep.text
    rows = {row["id"]: row for row in sweep.json()["rows"]}
    assert rows[gone]["status"] == "deleted" and rows[gone]["final_cost"] is None and rows[kept]["status"] == "done"
    assert sweep.json()["finished"] == 2
    table = list(csv.DictReader(io.StringIO(HTTP.get(f"{live_server}/api/sweeps/{created['id']}.csv").text)))
    assert [row["status"] for row in table] == ["deleted", "done"]


def test_an_unknown_sweep_is_a_404(live_server: str) -> None:
    assert HTTP.get(f"{live_server}/api/sweeps/nope").status_code == 404
    assert HTTP.get(f"{live_server}/api/sweeps/nope.csv").status_code == 404


def test_csv_cells_cannot_be_formulas() -> None:
    assert [csv_cell(v) for v in ("=1+1", "+x", "-inf", "@A1", "he", -0.5, None)] == [
        "'=1+1", "'+x", "'-inf", "'@A1", "he", -0.5, None,
    ]  # fmt: skip


def test_a_server_pointed_at_a_dask_cluster_trains_its_sweeps_there(tmp_path, live_server: str) -> None:
    """TRAINLAB_DASK_ADDRESS and nothing else: the same sweep, trained on the cluster's workers, gives the same
    table as the server's own pool, and the runs are kept (after-the-fact, not streamed)."""
    distributed = pytest.importorskip("distributed")
    local = finished_sweep(live_server, HTTP.post(f"{live_server}/api/sweeps", json=INIT_BY_SEED).json()["id"])
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        running_server(tmp_path / "dask", TRAINLAB_DASK_ADDRESS=cluster.scheduler_address) as (base, _),
    ):
        created = HTTP.post(f"{base}/api/sweeps", json=INIT_BY_SEED).json()
        remote = finished_sweep(base, created["id"])
        run = HTTP.get(f"{base}/api/runs/{created['runs'][-1]}").json()
    strip = ("id",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in remote["rows"]] == [
        {k: v for k, v in r.items() if k not in strip} for r in local["rows"]
    ]
    assert run["status"] == "done" and run["result"]["train_accuracy"] == 0.9933333333333333


def test_a_stacked_sweep_gives_the_table_of_each_run_alone(live_server: str) -> None:
    """The server trains a sweep's stackable combinations together in groups (app/gridslot.py); every row is the
    one that config gives trained by itself, bit for bit."""
    request = {
        "base": {"preset": "opt-adam", "overrides": {"epochs": 400}},
        "grid": {"optimizer": ["gd", "momentum", "adam"], "learning_rate": [0.0007, 0.01], "seed": [1, 2]},
    }
    created = HTTP.post(f"{live_server}/api/sweeps", json=request).json()
    sweep = finished_sweep(live_server, created["id"])
    alone = [outcome(config) for config in sweep_configs(request["base"], request["grid"])]
    assert [{k: row[k] for k in alone[0]} for row in sweep["rows"]] == alone
