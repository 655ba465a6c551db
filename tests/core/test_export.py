"""An exported script reproduces its run: run by a Python that has NumPy and nothing else, it prints
TrainLab's final cost (to rel 1e-9) and accuracies."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import RunConfig
from core.data import Dataset, DatasetUnavailable, resolve_dataset
from core.export import standalone_script
from core.presets import preset_config
from core.train import train

REF = Path(__file__).resolve().parents[3] / "shared" / "reference"

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
}  # fmt: skip


@pytest.fixture(scope="session")
def numpy_only_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with NumPy alone: no TrainLab, no SciPy. The same NumPy release as
    TrainLab's, since exp, tanh and the bundled BLAS may round the last bit differently between releases."""
    venv = tmp_path_factory.mktemp("numpy-only") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    install = subprocess.run(
        [venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1",
         f"numpy=={np.__version__}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"cannot install numpy=={np.__version__} into a fresh venv (no network?): {install.stderr[-500:]}")
    python = venv / "bin" / "python"
    for absent in ("core", "scipy", "sklearn"):
        probe = subprocess.run([python, "-c", f"import {absent}"], capture_output=True, cwd=venv)
        assert probe.returncode != 0, f"the NumPy-only venv can import {absent}"
    return python


def dataset_for(config: RunConfig) -> Dataset:
    try:
        return resolve_dataset(config.dataset, REF)  # football: the course's data.mat from the reference folder
    except DatasetUnavailable as e:
        pytest.skip(str(e))


def run_script(python: Path, source: str, where: Path) -> dict[str, float]:
    """Run the script with `python` outside the repository; returns what it printed, by label."""
    script = where / "standalone.py"
    script.write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([python, script], capture_output=True, text=True, cwd=where, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return {label: float(value) for label, value in re.findall(r"^(.+): (\S+)$", done.stdout, re.MULTILINE)}


@pytest.mark.parametrize("name", CONFIGS)
def test_script_prints_trainlabs_final_cost_and_accuracies(name, numpy_only_python, tmp_path):
    config = CONFIGS[name]()
    dataset = dataset_for(config)
    result = train(config, dataset=dataset)
    assert result.status == "done"
    printed = run_script(numpy_only_python, standalone_script(config, dataset), tmp_path)
    assert printed["final cost"] == pytest.approx(result.final_cost, rel=1e-9)
    assert printed["train accuracy"] == result.train_accuracy
    assert printed["test accuracy"] == result.test_accuracy


def test_script_imports_numpy_alone_and_is_written_for_its_config_only():
    """He, gd, full batch, no L2, no dropout: nothing of Adam, momentum, mini-batches, L2 or dropout appears."""
    config = CONFIGS["init-he"]()
    source = standalone_script(config, dataset_for(config))
    assert re.findall(r"^(?:import|from) (\S+)", source, re.MULTILINE) == ["numpy"]
    assert "np.sqrt(2 / layer_dims[l - 1])" in source
    for absent in ("adam", "momentum", "beta", "mini_batch", "permutation", "lambd", "keep_prob", "rng"):
        assert absent not in source
