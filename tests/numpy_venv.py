"""A Python with NumPy and nothing else, to run exported scripts in (tests/core/test_export.py,
tests/app/test_exports.py); the `numpy_only_python` fixture in tests/conftest.py makes one per session."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def numpy_only_venv(where: Path) -> Path:
    """A fresh virtual environment under `where` with NumPy alone: no TrainLab, no SciPy; its python. The
    same NumPy release as TrainLab's, since exp, tanh and the bundled BLAS may round the last bit
    differently between releases. Skips the test when NumPy cannot be installed (no network)."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    install = subprocess.run(
        [venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1",
         f"numpy=={np.__version__}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"cannot install numpy=={np.__version__} into a fresh venv (no network?): {install.stderr[-500:]}")
    python = venv / "bin" / "python"
    for absent in ("core", "app", "scipy", "sklearn"):
        probe = subprocess.run([python, "-c", f"import {absent}"], capture_output=True, cwd=venv)
        assert probe.returncode != 0, f"the NumPy-only venv can import {absent}"
    return python


def printed_by_script(python: Path, source: str, where: Path) -> dict[str, float]:
    """Run the script with `python` outside the repository; what it printed, by label ("final cost": ...)."""
    script = where / "standalone.py"
    script.write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([python, script], capture_output=True, text=True, cwd=where, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return {label: float(value) for label, value in re.findall(r"^(.+): (\S+)$", done.stdout, re.MULTILINE)}
