"""The time and memory budgets, re-derived for width: the course's image presets and the 67,500-feature
initialization experiment fit; what the old work budget refused on 2-D data is still refused (but for one kind of
shape, said in the README), and what it let through unbounded (tiny mini-batches) no longer is."""

import pytest
from pydantic import ValidationError

from core.config import MAX_RUN_S, RunConfig, budget_problem, memory_bytes, run_seconds
from core.presets import PRESETS, preset_config


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_fits(name):
    config = preset_config(name)
    m, n_x, m_test = config.expected_size()
    assert budget_problem(config, m, n_x, m_test) is None
    assert run_seconds(config, m, n_x) < MAX_RUN_S


def test_the_course_image_sizes_and_the_67500_feature_experiment_fit():
    deep = preset_config("images-deep")
    assert deep.layer_sizes == [12288, 20, 7, 5, 1]  # the config knows catvnoncat's width from its name
    assert 40 < run_seconds(deep, 209, 12288) < MAX_RUN_S  # 2500 × 209 × 245,973 ≈ 1.3e11 multiply-adds: ~30 s
    for initialization in ("zeros", "random", "he", "xavier"):
        config = preset_config(f"images-init-{initialization}")
        assert budget_problem(config, 100, 150 * 150 * 3, 100) is None  # 1000 epochs of 100 images of 150×150×3


@pytest.mark.parametrize(
    "fields",
    [
        {"hidden_layers": [64] * 6, "epochs": 100_000},  # the README's example of a refused config
        {"hidden_layers": [64, 64, 64], "epochs": 100_000},
        {"dataset": {"name": "circles", "n_train": 5000}, "epochs": 100_000, "mini_batch_size": 1},  # once hours
        {"dataset": {"name": "moons", "n_train": 5000}, "epochs": 5000, "mini_batch_size": 8},
    ],
)
def test_big_2d_runs_are_refused_with_the_reason(fields):
    with pytest.raises(ValidationError, match="over this server's budget of 60 s a run"):
        RunConfig.model_validate(fields)


def test_memory_counts_the_data_and_its_copy():
    config = RunConfig(dataset="shapes", hidden_layers=[5], epochs=1)
    image = 150 * 150 * 3
    assert memory_bytes(config, 100, image, 100) > 16 * image * 200  # the data and its [X; 1], float64
    assert budget_problem(config, 100, image, 100) is None
    assert "over the 256 MiB a run may use" in budget_problem(config, 1000, image, 0)
    with pytest.raises(ValidationError, match="MiB, over the 256"):  # the boundary's 40,000 points count
        RunConfig(hidden_layers=[64] * 6, grid_size=200, epochs=1)
