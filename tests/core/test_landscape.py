"""The loss landscape: its middle value is the centre run's current cost, every grid cost is the cost J of that
parameter vector, the directions are the paths' principal ones (or filter-normalized random ones before the runs
move), and each projected path starts at its run's initial point."""

import numpy as np
import pytest

from core.config import RunConfig
from core.grid import GridTraining
from core.landscape import (
    PATH_FLOATS,
    RESOLUTION,
    Paths,
    Slicer,
    coordinates,
    directions,
    landscape_steps,
    made,
    refusal,
)
from core.network import Network
from core.presets import preset_config
from core.train import Training

OPTIMIZATION = ["opt-gd", "opt-momentum", "opt-adam"]


def trained_group(epochs: int, every: int = 10, **overrides) -> tuple[GridTraining, Paths, list[np.ndarray]]:
    configs = [preset_config(name, {"epochs": 1000, **overrides}) for name in OPTIMIZATION]
    grid = GridTraining(configs)
    paths = Paths(grid.stack.theta.shape[1], len(configs))
    initial = [grid.stack.theta[k].copy() for k in range(len(configs))]
    for epoch in range(epochs):
        if epoch % every == 0:
            for k in range(len(configs)):
                paths.record(str(k), epoch, grid.stack.theta[k])
        grid.advance()
    for k in range(len(configs)):
        paths.record(str(k), grid.epoch, grid.stack.theta[k])
    return grid, paths, initial


@pytest.fixture(scope="module")
def group():
    grid, paths, initial = trained_group(60)
    slicer = Slicer(grid.stack.net.layer_sizes, "relu", grid.X1, grid.Y)
    return grid, paths, initial, made(landscape_steps(slicer, grid.stack.theta[0], paths.points, 0.0))


def test_the_centre_value_is_the_current_cost(group):
    grid, _, _, drawn = group
    middle = RESOLUTION // 2
    assert drawn["a"][middle] == 0 and drawn["b"][middle] == 0
    assert np.shape(drawn["costs"]) == (RESOLUTION, RESOLUTION) and RESOLUTION**2 >= 50 * 50
    current = grid.current_costs()[0]  # row 0: opt-gd, the centre
    assert drawn["costs"][middle][middle] == pytest.approx(current, rel=1e-12)


def test_each_grid_cost_is_the_cost_at_that_point(group):
    grid, paths, _, drawn = group
    D, _, _ = directions(
        grid.stack.net, grid.stack.theta[0], np.vstack([t for p in paths.points.values() for _, t in p])
    )
    training = Training(grid.configs[0])
    for i, j in [(0, 0), (7, 40), (50, 13)]:
        training.net.theta[...] = grid.stack.theta[0] + drawn["a"][j] * D[0] + drawn["b"][i] * D[1]
        assert drawn["costs"][i][j] == pytest.approx(training.current_cost(), rel=1e-10)


def test_each_projected_path_starts_at_its_runs_initial_point(group):
    grid, paths, initial, drawn = group
    assert drawn["directions"] == "pca" and drawn["explained"][0] >= drawn["explained"][1] > 0
    everything = np.vstack([t for p in paths.points.values() for _, t in p])
    D, _, _ = directions(grid.stack.net, grid.stack.theta[0], everything)
    assert np.allclose(D @ D.T, np.eye(2))  # principal directions: orthonormal
    starts = set()
    for k, path in enumerate(drawn["paths"]):
        epoch, a, b = path["points"][0]
        assert epoch == 0 and np.array_equal(paths.points[str(k)][0][1], initial[k])
        expected = np.linalg.lstsq(D.T, initial[k] - grid.stack.theta[0], rcond=None)[0]
        assert (a, b) == pytest.approx(tuple(expected), abs=1e-12)
        assert path["points"][-1][0] == 60
        starts.add((round(a, 9), round(b, 9)))
    assert len(starts) == 1  # the three optimizers start from one initialization
    reach = max(abs(v) for path in drawn["paths"] for _, *ab in path["points"] for v in ab)
    assert max(drawn["a"]) >= reach or max(drawn["b"]) >= reach  # the grid covers the paths


def test_before_the_runs_move_the_directions_are_filter_normalized_random_ones():
    net = Network([2, 5, 2, 1])
    centre = np.random.default_rng(1).standard_normal(net.theta.size)
    D, chosen, explained = directions(net, centre, np.vstack([centre, centre]))
    assert chosen == "random" and explained == []
    for d in D:
        for direction, layer in zip(net.views(d), net.views(centre), strict=True):
            np.testing.assert_allclose(np.linalg.norm(direction[:, :-1], axis=1), np.linalg.norm(layer[:, :-1], axis=1))
            assert not direction[:, -1].any()
    assert np.allclose(coordinates(D, centre, centre[None]), 0)


def test_l2_is_in_the_landscapes_cost():
    config = RunConfig(dataset={"name": "moons", "n_train": 40}, hidden_layers=[3], l2_lambda=0.7, epochs=10)
    training = Training(config)
    slicer = Slicer(training.net.layer_sizes, "relu", training.X1, training.Y)
    drawn = made(
        landscape_steps(slicer, training.net.theta, {"r": [(0, training.net.theta.copy())]}, 0.7, resolution=5)
    )
    assert drawn["costs"][2][2] == pytest.approx(training.current_cost(), rel=1e-12)


def test_paths_are_bounded_and_keep_their_start():
    paths = Paths(30, 3)
    for epoch in range(5000):
        paths.record("r", epoch, np.full(30, float(epoch)))
    points = paths.points["r"]
    assert len(points) <= paths.most == 256 and points[0][0] == 0 and points[-1][0] > 4000
    assert Paths(10**6, 3).most == 16 and Paths(10_000, 2).most == PATH_FLOATS // 20_000


def test_a_landscape_too_large_is_refused_naming_the_sizes():
    assert refusal(30, 300) is None
    assert "246000 parameters on 209 examples" in refusal(246_000, 209)
