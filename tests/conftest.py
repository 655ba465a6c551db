"""The real server, for every test that talks HTTP or websockets to it (tests/app, tests/e2e)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.numpy_venv import numpy_only_venv
from tests.reference import MISSING, REFERENCE, reference

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60
GRACE_S = 3.0  # the unwatched-run grace period: short, so that a test can wait it out, yet longer than a
# loaded CI machine takes from a page's POST to its websocket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /api/health within {START_TIMEOUT_S} s:\n{log.read_text()}")


@contextmanager
def running_server(data_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`trainlab serve` in a subprocess on a free port with data_dir (and env's TRAINLAB_* extras);
    yields its base URL and process (a test may kill it), stops it at the end."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"server-{data_dir.name}.log"
    port = free_port()
    env = {
        **os.environ,
        "TRAINLAB_DATA_DIR": str(data_dir),
        "TRAINLAB_UNWATCHED_GRACE_S": str(GRACE_S),
        "TRAINLAB_WORKERS": "2",
        # the session's tests all come from one client: per-client limits only where a test sets them
        "TRAINLAB_CLIENT_MAX_LIVE_RUNS": "1000",
        "TRAINLAB_CLIENT_RUNS_PER_MINUTE": "100000",
        "TRAINLAB_CLIENT_UPLOADS_PER_MINUTE": "100000",
        "TRAINLAB_CLIENT_ROOMS_PER_MINUTE": "100000",
        **env,
    }
    # as `trainlab serve` starts it (app.main.serve: the server's options are there)
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server with an empty data dir, shared by the session; yields its base URL."""
    with running_server(tmp_path_factory.mktemp("server") / "data") as (base, _):
        yield base


@pytest.fixture(scope="session")
def numpy_only_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv's python with NumPy alone (tests/numpy_venv.py), for exported scripts."""
    return numpy_only_venv(tmp_path_factory.mktemp("numpy-only"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.reference("expected.json", ...)`: the test needs those files of the course's reference."""
    for mark in item.iter_markers("reference"):
        reference(*mark.args)


def pytest_terminal_summary(terminalreporter, exitstatus: int) -> None:
    """One loud line at the end when course-number tests did not run for want of the reference."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if MISSING in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"COURSE NUMBERS NOT CHECKED: {len(skipped)} tests skipped, {MISSING} ({REFERENCE}); "
            "put the course's files there or set TRAINLAB_REFERENCE (under CI=true these tests fail)",
            red=True,
            bold=True,
        )
