"""The `trainlab` command, run as a user runs it: a real subprocess."""

import json
import subprocess
import sys

import numpy as np
import pytest

from core.data import gradcheck_case
from tests.core.test_fixtures import gradient_check_n_case
from tests.reference import REFERENCE, published


def trainlab(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_run_preset_init_he_json_prints_the_course_accuracies():
    done = trainlab("run", "--preset", "init-he", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "done"
    assert result["train_accuracy"] == pytest.approx(0.9933333333333333, abs=0)
    assert result["test_accuracy"] == 0.96
    assert result["epochs_run"] == 15000
    assert result["costs"][0] == [0, pytest.approx(0.8830537463419761, rel=1e-9)]


def test_run_with_set_and_config_file(tmp_path):
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"dataset": {"name": "moons", "n_train": 100}, "epochs": 50}))
    done = trainlab("run", str(config), "--set", "hidden_layers=[4]", "--set", "optimizer=adam", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["epochs_run"] == 50


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--set", "hidden_layers=[1000]"], "hidden_layers.0"),
        (["--set", "learning_rate=-1"], "learning_rate"),
        (["--set", "colour=blue"], "colour"),
        (["--preset", "init-he", "--set", "keep_prob=0"], "keep_prob"),
        (["--set", "epochs=100000", "--set", "hidden_layers=[64,64,64]"], "budget"),
    ],
)
def test_bad_configs_exit_non_zero_naming_the_field(args, field):
    done = trainlab("run", *args)
    assert done.returncode == 2
    assert field in done.stderr
    assert "Traceback" not in done.stderr


def test_football_without_data_says_how_to_get_it(tmp_path):
    done = trainlab("run", "--preset", "reg-none", "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "data.mat" in done.stderr and "football-lookalike" in done.stderr


def test_diverged_run_is_reported_and_json_stays_valid():
    done = trainlab("run", "--set", "learning_rate=50", "--set", "epochs=3000", "--json")
    result = json.loads(done.stdout, parse_constant=lambda name: pytest.fail(f"bare {name} in JSON"))
    assert result["status"] == "diverged"
    assert done.returncode == 3


def test_presets_lists_all_of_them():
    done = trainlab("presets")
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == [
        "init-zeros", "init-random", "init-he", "reg-none", "reg-l2", "reg-dropout",
        "opt-gd", "opt-momentum", "opt-adam", "images-2layer", "images-deep",
        "images-init-zeros", "images-init-random", "images-init-he", "images-init-xavier",
    ]  # fmt: skip


def test_gradcheck_passes_and_refuses_dropout():
    done = trainlab("gradcheck", "--set", 'dataset={"name": "circles", "n_train": 40}')
    assert done.returncode == 0, done.stderr
    assert "backprop is right" in done.stdout
    refused = trainlab("gradcheck", "--set", "keep_prob=0.8")
    assert refused.returncode == 2 and "dropout" in refused.stderr


@pytest.mark.reference("football.mat")
def test_run_regularization_preset_on_the_course_data():
    done = trainlab("run", "--preset", "reg-l2", "--data-dir", str(REFERENCE), "--json", "--set", "epochs=1001",
                    "--set", "report_every=1000")  # fmt: skip
    result = json.loads(done.stdout)
    assert dict(map(tuple, result["costs"]))[1000] == pytest.approx(0.27304563479326766, rel=1e-9)


@pytest.mark.reference("expected.json")
def test_gradcheck_plants_the_course_bug_on_the_course_case(tmp_path):
    """--bug course on the notebook's test case (its data is the gradcheck-case dataset, its weights a file)."""
    entry = published()["gradient_check"]["nd"]["published"]
    net, x, _ = gradient_check_n_case()
    assert np.array_equal(gradcheck_case().X_train, x)
    weights = tmp_path / "parameters.json"
    weights.write_text(json.dumps({"parameters": {k: v.tolist() for k, v in net.parameters().items()}}))
    case = ["--set", "dataset=gradcheck-case", "--set", "hidden_layers=[5,3]", "--parameters", str(weights)]
    done = trainlab("gradcheck", *case, "--bug", "course")
    assert done.returncode == 1, done.stderr
    first, planted, *blocks = done.stdout.splitlines()
    assert float(first.split()[1]) == pytest.approx(entry["difference_bugged"], abs=1e-10)
    assert planted == "planted: the notebook's two mistakes: dW2 × 2 and db1 × 4"
    assert [line.split()[0] for line in blocks if line.endswith("broken")] == ["b1", "W2"]
    fixed = trainlab("gradcheck", *case)
    assert fixed.returncode == 0 and "backprop is right" in fixed.stdout
    assert trainlab("gradcheck", *case, "--bug", "dW7=2").stderr.strip().endswith("there is no dW7")
