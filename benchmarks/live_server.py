"""What the live benchmarks (stream.py, load.py) share: a real server in a subprocess, its socket URLs, verdicts."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import REPO, free_port, wait_until_healthy  # started as the tests start it


@contextmanager
def server(
    workers: int | None = None, uvicorn_args: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """The server as `trainlab serve` runs it, on a free port with an empty data dir: yields (base URL, pid).
    uvicorn_args: run `uvicorn app.main:app` with these options instead (to compare server settings); env: TRAINLAB_*
    settings of its own."""
    port = free_port()
    extra = env or {}
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "TRAINLAB_DATA_DIR": data_dir, **extra}
        if workers:
            env["TRAINLAB_WORKERS"] = str(workers)
        where = ["--host", "127.0.0.1", "--port", str(port)]
        if uvicorn_args is None:
            command = [sys.executable, "-m", "app.cli", "serve", *where]
        else:
            command = [sys.executable, "-m", "uvicorn", "app.main:app", *where, *uvicorn_args]
        log = Path(data_dir) / "server.log"
        with log.open("wb") as out:  # cwd first on sys.path: this checkout's app, not an installed one
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, process, log)
            yield base, process.pid
        finally:
            process.terminate()
            process.wait(15)


def socket_url(base: str, run_id: str) -> str:
    return f"ws://{base.removeprefix('http://')}/ws/runs/{run_id}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"
