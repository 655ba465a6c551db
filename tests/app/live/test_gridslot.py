"""A stacked group on the worker's host, in process: each member sends what a lone Slot of its config sends."""

import json

import numpy as np
import pytest

from app.live.protocol import Failed, Finished, Frame, Points, Start, StartGroup
from app.live.worker import Host
from core.boundary import Plane
from core.data import make_dataset
from core.grid import GridTraining
from core.presets import preset_config
from core.train import Training
from tests.app.live.test_worker import status_moves

OPTIMIZATION = ["opt-gd", "opt-momentum", "opt-adam"]


def events_of(host: Host) -> list:
    events = []
    with np.errstate(all="ignore"):
        while host.slots or host.groups:
            host.train_round()
            events += host.report()
    return events


def sent(events: list, run_id: str) -> dict:
    """One run's points, statuses and result as its watchers would get them."""
    mine = [e for e in events if getattr(e, "run_id", None) == run_id]
    (finished,) = [e for e in mine if isinstance(e, Finished)]
    return {
        "points": [p for e in mine if isinstance(e, Points) for p in e.points],
        "statuses": status_moves(mine, run_id),
        "frames": sum(isinstance(e, Frame) for e in mine),
        "result": {k: v for k, v in finished.result.items() if k != "duration_s"},
        "parameters": finished.parameters,
    }


def test_each_member_sends_what_it_sends_alone() -> None:
    configs = [preset_config(name, {"epochs": 600}) for name in OPTIMIZATION]
    data = make_dataset("moons")
    group, alone = Host(), Host()
    group.handle(StartGroup([Start(f"g{i}", c, data, False, None) for i, c in enumerate(configs)]))
    for i, config in enumerate(configs):
        alone.handle(Start(f"a{i}", config, data, False, None))
    together, apart = events_of(group), events_of(alone)
    assert not [e for e in together if isinstance(e, Failed)]
    for i in range(len(configs)):
        mine, theirs = sent(together, f"g{i}"), sent(apart, f"a{i}")
        assert mine["statuses"] == theirs["statuses"] == ["running", "done"]
        for field in ("points", "result", "parameters"):
            assert mine[field] == theirs[field], field
        assert mine["frames"] >= 2  # the untrained net's, and the last


def test_a_member_draws_the_boundary_its_net_draws_alone() -> None:
    configs = [preset_config(name, {"epochs": 300}) for name in OPTIMIZATION]
    grid = GridTraining(configs)
    planes = {i: Plane(grid.data, configs[i].grid_size, grid.view(k).net) for k, i in enumerate(grid.index)}
    rows = {i: k for k, i in enumerate(grid.index)}

    def member_boundary(i: int):
        return planes[i].boundary(grid.view(rows[i]).epoch)  # the view holds net i's current weights

    untrained = {i: member_boundary(i).probabilities for i in planes}
    with np.errstate(all="ignore"):
        while not grid.done:
            grid.advance()
    for i, config in enumerate(configs):
        training = Training(config)
        with np.errstate(all="ignore"):
            while not training.done:
                training.advance()
        mine, theirs = member_boundary(i), training.boundary()  # a second frame: not the first one again
        assert not np.array_equal(mine.probabilities, untrained[i])
        assert np.array_equal(mine.probabilities, theirs.probabilities)
        assert (mine.epoch, mine.x_min, mine.y_max) == (theirs.epoch, theirs.x_min, theirs.y_max)


def test_a_group_that_cannot_start_fails_each_of_its_runs() -> None:
    host = Host()
    data = make_dataset("circles")
    configs = [preset_config("init-he"), preset_config("init-he", {"hidden_layers": [3]})]  # two shapes
    host.handle(StartGroup([Start(f"r{i}", c, data, False, None) for i, c in enumerate(configs)]))
    assert sorted(e.run_id for e in host.report() if isinstance(e, Failed)) == ["r0", "r1"]
    assert not host.slots and not host.groups


def test_a_comparisons_group_sends_its_landscape_to_each_member() -> None:
    configs = [preset_config(name, {"epochs": 400}) for name in OPTIMIZATION]
    data = make_dataset("moons")
    host = Host()
    host.handle(StartGroup([Start(f"g{i}", c, data, False, None) for i, c in enumerate(configs)], landscape=True))
    events = events_of(host)
    frames = [e for e in events if isinstance(e, Frame) and e.view == "landscape"]
    assert {e.run_id for e in frames} == {"g0", "g1", "g2"}
    first, last = json.loads(frames[0].payload), json.loads(frames[-1].payload)
    assert first["epoch"] < 100 and first["centre"] == "g0" and first["directions"] in ("random", "pca")
    assert last["epoch"] == 400 and last["directions"] == "pca"
    assert [path["id"] for path in last["paths"]] == ["g0", "g1", "g2"]
    assert all(path["points"][0][0] == 0 and path["points"][-1][0] == 400 for path in last["paths"])
    (finished,) = [e for e in events if isinstance(e, Finished) and e.run_id == "g0"]
    middle = len(last["a"]) // 2
    assert last["costs"][middle][middle] == pytest.approx(finished.result["final_cost"], rel=1e-4)  # 5 digits sent
    # the last landscape goes before the results
    assert events.index(frames[-1]) < events.index(finished)


def test_a_sweeps_groups_send_no_landscape() -> None:
    configs = [preset_config(name, {"epochs": 100}) for name in OPTIMIZATION]
    host = Host()
    host.handle(StartGroup([Start(f"s{i}", c, make_dataset("moons"), False, None) for i, c in enumerate(configs)]))
    assert not [e for e in events_of(host) if isinstance(e, Frame) and e.view == "landscape"]
