"""`trainlab run --preset images-2layer --json` (and images-deep), with the course's h5 files in the data dir,
prints the course's published costs (tests/core/test_images_course.py says how close, and checks all 2500
iterations' costs and the accuracies of the same engine: here the CLI's path trains the first 500)."""

import json
import os
import subprocess
import sys

import pytest

from tests.core.test_images_course import FILES, MODELS, assert_the_courses_costs
from tests.reference import reference

# one BLAS thread, as the server's workers: on this shared 2-core machine two threads fight the other work
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
EPOCHS = 500


def trainlab(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=600, env=env
    )


@pytest.mark.reference(*FILES)
@pytest.mark.parametrize("preset", MODELS)
def test_the_cli_prints_the_courses_cat_classifier_costs(preset):
    args = ("run", "--preset", preset, "--set", f"epochs={EPOCHS}", "--json", "--data-dir", str(reference(*FILES)))
    done = trainlab(*args, env=ENV)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["epochs_run"] == EPOCHS
    assert_the_courses_costs(preset, {epoch: cost for epoch, cost in result["costs"]}, EPOCHS)


def test_without_the_files_the_cli_says_where_to_put_them(tmp_path):
    done = trainlab("run", "--preset", "images-deep", "--data-dir", str(tmp_path), env={**ENV, "TRAINLAB_DATA_DIR": ""})
    assert done.returncode == 2 and "train_catvnoncat.h5 and test_catvnoncat.h5 were not found" in done.stderr
    assert "Copy the course's datasets/*.h5 files there" in done.stderr


def test_a_gradient_check_too_large_to_finish_is_refused_naming_its_size():
    done = trainlab("gradcheck", "--preset", "images-init-he", env=ENV)
    assert done.returncode == 2 and "a gradient check of 3881 parameters on 400 examples needs" in done.stderr
