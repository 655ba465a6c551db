"""The REST API over the store, against the real server: list, page, read, weights, costs, delete."""

from tests.app.client import HTTP, create, get_run, number, strict_loads, wait_for

SMALL = {"epochs": 300, "report_every": 10, "keep": True}


def finished(base: str, run_id: str) -> dict:
    return wait_for(lambda: (run := get_run(base, run_id))["result"] and run, timeout=30)


def test_a_finished_run_has_its_costs_paged_and_its_weights(live_server: str) -> None:
    run_id = create(live_server, {**SMALL, "hidden_layers": [4, 3]})["id"]
    run = finished(live_server, run_id)
    page = strict_loads(HTTP.get(f"{live_server}/api/runs/{run_id}/costs", params={"limit": 5, "offset": 3}).text)
    assert page["total"] == 30 and page["limit"] == 5 and page["offset"] == 3
    assert [p[0] for p in page["points"]] == [30, 40, 50, 60, 70]
    assert [p[:2] for p in page["points"]] == [c for c in run["result"]["costs"] if c[0] in (30, 40, 50, 60, 70)]
    weights = HTTP.get(f"{live_server}/api/runs/{run_id}/parameters").json()["parameters"]
    assert len(weights["W1"]) == 4 and len(weights["W1"][0]) == 2 and len(weights["W3"]) == 1


def test_the_weights_of_a_live_run_are_a_409(live_server: str) -> None:
    run_id = create(live_server, {**SMALL, "paused": True})["id"]
    response = HTTP.get(f"{live_server}/api/runs/{run_id}/parameters")
    assert response.status_code == 409, response.text
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}").json() == {"id": run_id, "status": "cancelled"}
    assert finished(live_server, run_id)["status"] == "cancelled"


def test_runs_are_listed_newest_first_by_status_and_paged(live_server: str) -> None:
    ids = [create(live_server, {**SMALL, "seed": seed})["id"] for seed in (1, 2, 3)]
    for run_id in ids:
        finished(live_server, run_id)
    paused = create(live_server, {**SMALL, "paused": True})["id"]
    done = HTTP.get(f"{live_server}/api/runs", params={"status": "done", "limit": 2}).json()
    assert done["total"] >= 3 and [r["id"] for r in done["runs"]] == ids[::-1][:2]
    assert all(r["status"] == "done" and number(r["train_accuracy"]) > 0 for r in done["runs"])
    after = HTTP.get(f"{live_server}/api/runs", params={"status": "done", "limit": 1, "offset": 2}).json()
    assert [r["id"] for r in after["runs"]] == [ids[0]]

    def listed_paused() -> list[str]:
        return [r["id"] for r in HTTP.get(f"{live_server}/api/runs", params={"status": "paused"}).json()["runs"]]

    wait_for(lambda: paused in listed_paused(), timeout=30)  # once its worker has said so
    HTTP.delete(f"{live_server}/api/runs/{paused}")


def test_deleting_a_finished_run_forgets_it(live_server: str) -> None:
    run_id = create(live_server, SMALL)["id"]
    finished(live_server, run_id)
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}").json() == {"id": run_id, "status": "deleted"}
    for path in ("", "/costs", "/parameters"):
        assert HTTP.get(f"{live_server}/api/runs/{run_id}{path}").status_code == 404
    assert HTTP.delete(f"{live_server}/api/runs/{run_id}").status_code == 404


def test_bad_paging_is_a_422(live_server: str) -> None:
    response = HTTP.get(f"{live_server}/api/runs", params={"limit": 0})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "limit"]
    response = HTTP.get(f"{live_server}/api/runs", params={"status": "bogus"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "status"]
