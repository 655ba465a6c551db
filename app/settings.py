"""The server's settings, read once from the environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.livestack import MAX_ROWS

# live runs per worker process (one per core), in the course's default run (300 points, 81 parameters): a bigger
# run counts as the default runs its work per epoch is worth (app/live/registry.py run_weight). At 150 a worker, a
# 2-core server holds a lecture hall of 200 students' runs, each trained at ~500 epochs/s (benchmarks/classroom.py)
LIVE_RUNS_PER_WORKER = 150


def _cpu_count() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./data")  # runs' files and the course's data.mat / football.mat
    workers: int = field(default_factory=_cpu_count)  # training processes: one per core uses them all
    host: str = "127.0.0.1"
    port: int = 8000
    unwatched_grace_s: float = 10.0  # a run nobody watches (and not kept) is stopped after this long
    max_live_s: float = 7200.0  # a live run (running or paused) is stopped, cancelled, after this long (two
    # hours: a lecture's length; a slow or paused run would otherwise hold its place for days)
    live_stack_rows: int = MAX_ROWS  # the most runs one vectorized pass trains together (core/livestack.py); 1: none
    max_live_runs: int | None = None  # queued, running or paused runs at once (default runs' worth); None: derived
    client_max_live_runs: int = 8  # per client (IP): live runs at once; a comparison has up to 6
    max_queued_runs: int = 256  # batch runs (sweeps') waiting for a live slot; more get 429
    client_max_queued_runs: int = 64  # per client: batch runs waiting (one whole sweep)
    client_runs_per_minute: int = 30  # per client: runs started in any 60 s
    client_uploads_per_minute: int = 20  # per client: dataset uploads in any 60 s
    client_rooms_per_minute: int = 5  # per client: lecture rooms opened in any 60 s
    client_checks_per_minute: int = 30  # per client: gradient checks in any 60 s (a hall behind one NAT shares it)
    client_max_sockets: int = 4000  # per client (IP): websockets open at once; a hall behind one NAT needs ~1,800
    max_stored_runs: int = 10_000  # finished runs kept in the store; past it the oldest go, unkept ones first
    max_uploads: int = 200  # uploaded datasets kept; past it the oldest go
    api_token: str | None = None  # when set, every change (POST, DELETE, websocket controls) needs it
    dask_address: str | None = None  # a Dask scheduler: sweeps then train on its cluster, not the local pool
    public_url: str | None = None  # how others reach this server (a room's viewer link); else the request's own

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Every field from its TRAINLAB_* variable, where set."""
        defaults = cls()
        return cls(
            data_dir=Path(environ.get("TRAINLAB_DATA_DIR", defaults.data_dir)),
            workers=max(1, int(environ.get("TRAINLAB_WORKERS", defaults.workers))),
            host=environ.get("TRAINLAB_HOST", defaults.host),
            port=int(environ.get("TRAINLAB_PORT", defaults.port)),
            unwatched_grace_s=float(environ.get("TRAINLAB_UNWATCHED_GRACE_S", defaults.unwatched_grace_s)),
            max_live_s=max(1.0, float(environ.get("TRAINLAB_MAX_LIVE_S", defaults.max_live_s))),
            live_stack_rows=max(1, int(environ.get("TRAINLAB_LIVE_STACK", defaults.live_stack_rows))),
            max_live_runs=positive(environ.get("TRAINLAB_MAX_LIVE_RUNS")),
            client_max_live_runs=max(
                1, int(environ.get("TRAINLAB_CLIENT_MAX_LIVE_RUNS", defaults.client_max_live_runs))
            ),
            max_queued_runs=max(1, int(environ.get("TRAINLAB_MAX_QUEUED_RUNS", defaults.max_queued_runs))),
            client_max_queued_runs=max(
                1, int(environ.get("TRAINLAB_CLIENT_MAX_QUEUED_RUNS", defaults.client_max_queued_runs))
            ),
            client_runs_per_minute=max(
                1, int(environ.get("TRAINLAB_CLIENT_RUNS_PER_MINUTE", defaults.client_runs_per_minute))
            ),
            client_uploads_per_minute=max(
                1, int(environ.get("TRAINLAB_CLIENT_UPLOADS_PER_MINUTE", defaults.client_uploads_per_minute))
            ),
            client_rooms_per_minute=max(
                1, int(environ.get("TRAINLAB_CLIENT_ROOMS_PER_MINUTE", defaults.client_rooms_per_minute))
            ),
            client_checks_per_minute=max(
                1, int(environ.get("TRAINLAB_CLIENT_CHECKS_PER_MINUTE", defaults.client_checks_per_minute))
            ),
            client_max_sockets=max(1, int(environ.get("TRAINLAB_CLIENT_MAX_SOCKETS", defaults.client_max_sockets))),
            max_stored_runs=max(1, int(environ.get("TRAINLAB_MAX_STORED_RUNS", defaults.max_stored_runs))),
            max_uploads=max(1, int(environ.get("TRAINLAB_MAX_UPLOADS", defaults.max_uploads))),
            api_token=environ.get("TRAINLAB_API_TOKEN") or None,
            dask_address=environ.get("TRAINLAB_DASK_ADDRESS") or None,
            public_url=environ.get("TRAINLAB_PUBLIC_URL") or None,
        )

    @property
    def live_capacity(self) -> int:
        """How many default runs' worth may be live at once: TRAINLAB_MAX_LIVE_RUNS, else LIVE_RUNS_PER_WORKER each."""
        return self.max_live_runs or self.workers * LIVE_RUNS_PER_WORKER


def positive(value: str | None) -> int | None:
    return max(1, int(value)) if value else None
