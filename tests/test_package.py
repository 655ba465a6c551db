"""A non-editable install serves the whole page: `pip install .` into a fresh venv, `trainlab serve` from another
directory, and every page file, the API and its docs answer (the Dockerfile installs the same way)."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, free_port, wait_until_healthy

IGNORED = shutil.ignore_patterns(
    ".git", "data", "build", "tests", "benchmarks", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system packages) with TrainLab installed from a copy of this tree; its bin directory."""
    where = tmp_path_factory.mktemp("package")
    source = where / "source"
    shutil.copytree(REPO, source, ignore=IGNORED)  # a copy: the build leaves nothing in the working tree
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    install = subprocess.run(
        [venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", str(source)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    if install.returncode != 0 and "Could not find a version" in install.stderr + install.stdout:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"pip install . needs the package index: {install.stderr[-800:]}")
        pytest.skip(f"pip install . needs the package index (no network?): {install.stderr[-300:]}")
    assert install.returncode == 0, install.stderr[-2000:]
    return venv / "bin"


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`trainlab serve` of the installed package, started in an empty directory far from the source tree."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    port = free_port()
    log = elsewhere / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAINLAB_", "PYTHON"))}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [installed / "trainlab", "serve", "--port", str(port)], cwd=elsewhere, env={**env, "TRAINLAB_WORKERS": "1"},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert (elsewhere / "data" / "trainlab.sqlite3").is_file()  # the default data dir: ./data where it runs


def test_the_installed_package_is_the_one_serving(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import app, core; print(app.__file__); print(core.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    ).stdout.split()  # fmt: skip
    assert all(installed.parent in Path(path).parents for path in where), where


def test_every_page_file_is_served(served: str, installed: Path) -> None:
    site = next((installed.parent / "lib").glob("python3*/site-packages"))
    static = site / "app" / "page" / "static"
    files = [path.relative_to(static).as_posix() for path in static.rglob("*") if path.is_file()]
    assert {"main.js", "state.js", "net.js", "style.css"} <= set(files)
    with httpx.Client(base_url=served, timeout=10) as client:
        page = client.get("/")
        assert page.status_code == 200 and '<script type="module" src="/static/main.js">' in page.text
        for name in files:
            assert client.get(f"/static/{name}").status_code == 200, name
        assert client.get("/vendor/plotly.min.js").status_code == 200
        assert client.get("/api/health").json()["status"] == "ok"
        assert client.get("/docs").status_code == 200


def test_serve_help_shows_each_options_default(installed: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAINLAB_")}  # the defaults, not this shell's
    shown = subprocess.run(
        [installed / "trainlab", "serve", "--help"], capture_output=True, text=True, env=env, check=True
    )
    text = " ".join(shown.stdout.split())
    for option, default in (("--host", "127.0.0.1"), ("--port", "8000"), ("--data-dir", "data")):
        assert option in text
        assert f"(default: {default})" in text, option
