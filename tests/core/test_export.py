"""An exported script reproduces its run: run by a Python that has NumPy and nothing else, it prints
TrainLab's final cost (to rel 1e-9) and accuracies."""

import re

import pytest

from core.config import RunConfig
from core.data import Dataset, resolve_dataset
from core.export import standalone_script
from core.presets import preset_config
from core.train import train
from tests.numpy_venv import printed_by_script
from tests.reference import reference

CONFIGS = {
    "init-he": lambda: preset_config("init-he", {"epochs": 2000}),
    "reg-l2": lambda: preset_config("reg-l2", {"epochs": 3000}),
    "reg-dropout": lambda: preset_config("reg-dropout", {"epochs": 3000}),
    "opt-adam": lambda: preset_config("opt-adam", {"epochs": 300}),
    "sound-dropout": lambda: RunConfig(
        dataset="moons", hidden_layers=[20, 3], initialization="xavier", learning_rate=0.3, epochs=2000,
        keep_prob=0.8,
    ),
    "tanh-momentum-mini-batch": lambda: RunConfig(
        dataset="moons", activation="tanh", optimizer="momentum", learning_rate=0.05, epochs=300, mini_batch_size=64,
    ),
    "adam-scheduled-decay": lambda: preset_config(
        "opt-adam", {"epochs": 300, "learning_rate": 0.01, "lr_decay": "scheduled", "time_interval": 50},
    ),
    "gd-inverse-decay": lambda: RunConfig(
        dataset="moons", learning_rate=0.5, lr_decay="inverse", decay_rate=0.01, epochs=1000,
    ),
}  # fmt: skip


def dataset_for(config: RunConfig) -> Dataset:
    if config.dataset == "football":
        return resolve_dataset(config.dataset, reference("football.mat"))  # the course's data.mat
    return resolve_dataset(config.dataset)


@pytest.mark.parametrize("name", CONFIGS)
def test_script_prints_trainlabs_final_cost_and_accuracies(name, numpy_only_python, tmp_path):
    config = CONFIGS[name]()
    dataset = dataset_for(config)
    result = train(config, dataset=dataset)
    assert result.status == "done"
    printed = printed_by_script(numpy_only_python, standalone_script(config, dataset), tmp_path)
    assert printed["final cost"] == pytest.approx(result.final_cost, rel=1e-9)
    assert printed["train accuracy"] == result.train_accuracy
    assert printed["test accuracy"] == result.test_accuracy


def test_script_imports_numpy_alone_and_is_written_for_its_config_only():
    """He, gd, full batch, no L2, no dropout: nothing of Adam, momentum, mini-batches, L2 or dropout appears."""
    config = CONFIGS["init-he"]()
    source = standalone_script(config, dataset_for(config))
    assert re.findall(r"^(?:import|from) (\S+)", source, re.MULTILINE) == ["numpy"]
    assert "np.sqrt(2 / layer_dims[l - 1])" in source
    for absent in ("adam", "momentum", "beta", "mini_batch", "permutation", "lambd", "keep_prob", "rng", "decay"):
        assert absent not in source
