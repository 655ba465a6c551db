"""Runs and sweeps on disk: one SQLite file in the data dir (WAL), so finished runs outlive the server.

Every call goes through one writer thread with one connection: writes keep their order (a run's insert
before its finish), a read sees every write submitted before it, and the event loop never waits on disk.

A write that fails (a full disk) is known: its future says so to whoever posted it, and the store is degraded
(`failure` says why: new runs and rooms are refused, /api/health says so) until a write succeeds again; while
degraded, it tries a small write every PROBE_S, so that it recovers by itself once there is room.
"""

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from app.messages import dumps
from app.settings import Settings
from core.jsonable import jsonable
from core.status import LIVE, RunStatus

FILE_NAME = "trainlab.sqlite3"
PROBE_S = 1.0  # while a degraded store waits for room, it tries a write this often
PROBE_BYTES = 65536  # a probe writes about what a run's end does, not one page that a full disk still finds room for
log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL,
    result TEXT,
    parameters TEXT,
    kept INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, created);
CREATE TABLE IF NOT EXISTS costs (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    cost,
    train_acc,
    test_acc,
    PRIMARY KEY (run_id, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    grid TEXT NOT NULL,
    run_ids TEXT NOT NULL,
    created REAL NOT NULL,
    plan TEXT
);
CREATE TABLE IF NOT EXISTS probe (
    id INTEGER PRIMARY KEY,
    filler BLOB
);
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    runs TEXT NOT NULL,
    rev INTEGER NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS room_members (
    code TEXT NOT NULL,
    member TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    joined REAL NOT NULL,
    PRIMARY KEY (code, member)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS room_setups (
    code TEXT NOT NULL,
    t REAL NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS room_setups_by_code ON room_setups (code, t);
CREATE TABLE IF NOT EXISTS room_votes (
    code TEXT NOT NULL,
    poll TEXT NOT NULL,
    member TEXT NOT NULL,
    answer TEXT NOT NULL,
    voted REAL NOT NULL,
    PRIMARY KEY (code, poll, member)
) WITHOUT ROWID;
"""
# columns added since the first release: (table, column, declaration); a file made before gets them on opening
ADDED_COLUMNS = (
    ("sweeps", "plan", "TEXT"),  # a file from before random search and seeds
    ("runs", "kept", "INTEGER NOT NULL DEFAULT 0"),  # started with "keep": the retention bound removes it last
    ("runs", "room", "TEXT"),  # the lecture room owning the run: its protection outlives the server's memory
    ("runs", "member", "TEXT"),  # in a room: the student (member id) whose run it is
    ("rooms", "extra", "TEXT NOT NULL DEFAULT '{}'"),  # limits, screen, polls, crowd sweep, ended
)


def encode(value: Any) -> str:
    """JSON with non-finite numbers as "inf"/"nan" strings (the protocol's spelling)."""
    return dumps(value)


def cell(value: float | None) -> float | str | None:
    """A cost or accuracy for its column: non-finite ones as their strings."""
    return jsonable(value)


class StoreUnwritable(RuntimeError):  # noqa: N818 - reads as a sentence: raise StoreUnwritable
    """The store's last write failed: nothing new is taken that it would have to keep."""


class Store:
    def __init__(self, data_dir: Path, max_runs: int = Settings.max_stored_runs):
        self.path = data_dir / FILE_NAME
        self.max_runs = max_runs  # the retention bound (TRAINLAB_MAX_STORED_RUNS)
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.db: sqlite3.Connection | None = None
        self.failure: str | None = None  # why the last write failed; None: the store writes
        self.failed_writes = 0  # every failed write counted: a route can tell whether its own went through
        self.probing: asyncio.Task | None = None

    # ---------------------------------------------------------------- the thread's side

    def _open(self) -> int:
        """Open (creating) the file; runs a previous server left unfinished become interrupted."""
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a kill -9 loses nothing committed
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        for table, column, declaration in ADDED_COLUMNS:
            if column not in {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        self.db.execute("CREATE INDEX IF NOT EXISTS runs_by_room ON runs (room, created)")
        marks = ",".join("?" * len(LIVE))
        cursor = self.db.execute(
            f"UPDATE runs SET status = ?, finished = ? WHERE status IN ({marks})",
            (RunStatus.INTERRUPTED, time.time(), *sorted(LIVE)),
        )
        return cursor.rowcount

    def _add_run(
        self, run_id: str, config_json: str, status: str, kept: bool, room: str | None, member: str | None
    ) -> list[str]:
        self.db.execute(
            "INSERT INTO runs (id, config, status, created, kept, room, member) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, config_json, status, time.time(), kept, room, member),
        )
        excess = self.db.execute("SELECT count(*) FROM runs").fetchone()[0] - self.max_runs
        if excess <= 0:
            return []
        # the oldest finished runs go, those nobody asked to keep first; their costs with them
        gone = self.db.execute(
            "SELECT id FROM runs WHERE finished IS NOT NULL ORDER BY kept, created LIMIT ?", (excess,)
        ).fetchall()
        self.db.executemany("DELETE FROM runs WHERE id = ?", gone)
        return [row[0] for row in gone]

    def _owner(self, run_id: str) -> tuple[str | None, str | None] | None:
        row = self.db.execute("SELECT room, member FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else (row["room"], row["member"])

    def _room_runs(self, code: str) -> list[dict]:
        rows = self.db.execute(
            "SELECT id, config, status, created, finished, result, member FROM runs WHERE room = ? "
            "ORDER BY created, id",
            (code,),
        ).fetchall()
        return [{**self.row_of(row), "member": row["member"]} for row in rows]

    def _set_status(self, run_id: str, status: str) -> None:
        self.db.execute("UPDATE runs SET status = ? WHERE id = ? AND finished IS NULL", (status, run_id))

    def _finish(self, run_id: str, result: dict, parameters: dict | None, costs: Iterable[list]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "UPDATE runs SET status = ?, finished = ?, result = ?, parameters = ? WHERE id = ?",
                (
                    result["status"],
                    time.time(),
                    encode(result),
                    None if parameters is None else encode(parameters),
                    run_id,
                ),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO costs (run_id, epoch, cost, train_acc, test_acc) VALUES (?, ?, ?, ?, ?)",
                [(run_id, epoch, cell(cost), cell(train), cell(test)) for epoch, cost, train, test in costs],
            )

    def _delete_run(self, run_id: str) -> bool:
        return self.db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def _run(self, run_id: str) -> dict | None:
        row = self.db.execute(
            "SELECT id, config, status, created, finished, result FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        return None if row is None else self.row_of(row)

    def _runs(self, status: str | None, limit: int, offset: int) -> tuple[int, list[dict]]:
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        total = self.db.execute(f"SELECT count(*) FROM runs {where}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT id, config, status, created, finished, result FROM runs {where} "
            "ORDER BY created DESC, id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return total, [self.row_of(row) for row in rows]

    def _parameters(self, run_id: str) -> str | None:
        row = self.db.execute("SELECT parameters FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else row[0]

    def _costs(self, run_id: str, limit: int, offset: int) -> tuple[int, list[list]]:
        total = self.db.execute("SELECT count(*) FROM costs WHERE run_id = ?", (run_id,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT epoch, cost, train_acc, test_acc FROM costs WHERE run_id = ? ORDER BY epoch LIMIT ? OFFSET ?",
            (run_id, limit, offset),
        ).fetchall()
        return total, [list(row) for row in rows]

    def _last_cost(self, run_id: str) -> list | None:
        row = self.db.execute(
            "SELECT epoch, cost, train_acc, test_acc FROM costs WHERE run_id = ? ORDER BY epoch DESC LIMIT 1",
            (run_id,),
        ).fetchone()
        return None if row is None else list(row)

    def _add_sweep(self, sweep_id: str, base: dict, grid: dict | None, run_ids: list[str], plan: dict) -> None:
        self.db.execute(
            "INSERT INTO sweeps (id, base, grid, run_ids, created, plan) VALUES (?, ?, ?, ?, ?, ?)",
            (sweep_id, encode(base), encode(grid), encode(run_ids), time.time(), encode(plan)),
        )

    def _sweep(self, sweep_id: str) -> dict | None:
        row = self.db.execute("SELECT id, base, grid, run_ids, plan FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
        if row is None:
            return None
        return {"id": row["id"], "base": json.loads(row["base"]), "grid": json.loads(row["grid"]),
                "run_ids": json.loads(row["run_ids"]), "plan": row["plan"] and json.loads(row["plan"])}  # fmt: skip

    def _save_room(self, room: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO rooms (code, secret_hash, state, runs, rev, updated, extra) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (room["code"], room["secret_hash"], room["state"], encode(room["runs"]), room["rev"], room["updated"],
             encode(room["extra"])),
        )  # fmt: skip

    def _delete_room(self, code: str) -> None:
        with self.db:
            self.db.execute("BEGIN")
            for table in ("rooms", "room_members", "room_votes", "room_setups"):
                self.db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))

    def _rooms(self) -> list[dict]:
        rows = self.db.execute("SELECT code, secret_hash, state, runs, rev, updated, extra FROM rooms").fetchall()
        members: dict[str, dict[str, str]] = {}
        for row in self.db.execute("SELECT code, member, token_hash FROM room_members"):
            members.setdefault(row["code"], {})[row["token_hash"]] = row["member"]
        votes: dict[str, list[tuple[str, str, str]]] = {}
        for row in self.db.execute("SELECT code, poll, member, answer FROM room_votes ORDER BY voted"):
            votes.setdefault(row["code"], []).append((row["poll"], row["member"], row["answer"]))
        return [
            {**dict(row), "runs": json.loads(row["runs"]), "extra": json.loads(row["extra"]),
             "members": members.get(row["code"], {}), "votes": votes.get(row["code"], [])}
            for row in rows
        ]  # fmt: skip

    def _add_member(self, code: str, member: str, token_hash: str) -> None:
        self.db.execute(
            "INSERT INTO room_members (code, member, token_hash, joined) VALUES (?, ?, ?, ?)",
            (code, member, token_hash, time.time()),
        )

    def _add_setup(self, code: str, state: str, t: float, most: int) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO room_setups (code, t, state) VALUES (?, ?, ?)", (code, t, state))
            self.db.execute(
                "DELETE FROM room_setups WHERE code = ? AND t NOT IN "
                "(SELECT t FROM room_setups WHERE code = ? ORDER BY t DESC LIMIT ?)",
                (code, code, most),
            )

    def _room_setups(self, code: str) -> list[dict]:
        rows = self.db.execute("SELECT t, state FROM room_setups WHERE code = ? ORDER BY t", (code,)).fetchall()
        return [{"state": row["state"], "t": row["t"]} for row in rows]

    def _add_vote(self, code: str, poll: str, member: str, answer: str) -> None:
        self.db.execute(
            "INSERT INTO room_votes (code, poll, member, answer, voted) VALUES (?, ?, ?, ?, ?)",
            (code, poll, member, answer, time.time()),
        )

    def _probe(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO probe (id, filler) VALUES (1, randomblob(?))", (PROBE_BYTES,))

    def _integrity(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    @staticmethod
    def row_of(row: sqlite3.Row) -> dict:
        return {
            "id": row["id"],
            "config": json.loads(row["config"]),
            "status": row["status"],
            "created": row["created"],
            "finished": row["finished"],
            "result": None if row["result"] is None else json.loads(row["result"]),
        }

    # ---------------------------------------------------------------- the event loop's side

    async def ask(self, method: Callable[..., T], *args: Any) -> T:
        """Run one of the _methods on the store's thread and wait for its answer."""
        return await asyncio.get_running_loop().run_in_executor(self.thread, method, *args)

    def write(self, method: Callable[..., Any], *args: Any) -> "Future[Any]":
        """Queue a write without waiting: it keeps its order among the store's other calls. A failure is logged
        and degrades the store; the returned future tells whoever needs to know."""
        future = self.thread.submit(method, *args)
        future.add_done_callback(self.written)
        return future

    def written(self, future: "Future[Any]") -> None:
        """(On the store's thread.) A write's outcome: a failure degrades the store, a success restores it."""
        error = future.exception()
        if error is None:
            if self.failure is not None:
                log.warning("the store writes again")
            self.failure = None
            return
        log.error("store write failed", exc_info=error)
        self.failed_writes += 1
        self.failure = f"{type(error).__name__}: {error}"
        self.loop.call_soon_threadsafe(self.probe_soon)

    def probe_soon(self) -> None:
        if self.probing is None or self.probing.done():
            self.probing = asyncio.create_task(self.probe())

    async def probe(self) -> None:
        """Try a write every PROBE_S while the store is degraded; its success (written) restores the store."""
        while self.failure is not None:
            await asyncio.sleep(PROBE_S)
            with contextlib.suppress(Exception):  # a failed probe: written() has counted it
                await asyncio.wrap_future(self.write(self._probe))

    def check_writable(self) -> None:
        """Raise StoreUnwritable while the store is degraded."""
        if self.failure is not None:
            raise StoreUnwritable(
                f"the server cannot store anything new now: its last write failed ({self.failure}; a full disk?). "
                "Nothing is taken that would be lost: try again later"
            )

    async def confirmed(self, since: int) -> None:
        """Wait for every write posted so far; StoreUnwritable if any write failed since failed_writes was `since`
        (so that a route answers only for what is stored)."""
        await self.ask(lambda: None)  # the store's one thread runs calls in order: every earlier write is done
        if self.failed_writes > since:
            self.check_writable()
            raise StoreUnwritable("the server could not store what was asked: try again later")

    async def open(self) -> int:
        """Open the file; how many runs a previous server left live (now interrupted)."""
        self.loop = asyncio.get_running_loop()
        return await self.ask(self._open)

    async def close(self) -> None:
        if self.probing is not None:
            self.probing.cancel()
        await self.ask(self._close)
        self.thread.shutdown(wait=True)

    # runs
    def add_run(
        self, run_id: str, config_json: str, status: RunStatus, kept: bool, room: str | None = None,
        member: str | None = None,
    ) -> "Future[list[str]]":  # fmt: skip
        """A new run's record; config_json: its config as JSON text; kept: started with "keep" (a REST or batch
        user's), so that the retention bound removes it after the others; room, member: whose run it is. The
        future's result: the runs that bound removed."""
        return self.write(self._add_run, run_id, config_json, status, kept, room, member)

    async def owner(self, run_id: str) -> tuple[str | None, str | None] | None:
        """(room, member) of a stored run, None for an unknown one."""
        return await self.ask(self._owner, run_id)

    async def room_runs(self, code: str) -> list[dict]:
        """Every stored run of a lecture room, oldest first, with its member (None: the presenter's)."""
        return await self.ask(self._room_runs, code)

    def set_status(self, run_id: str, status: RunStatus) -> "Future[None]":
        return self.write(self._set_status, run_id, status)

    def finish(self, run_id: str, result: dict, parameters: dict | None, costs: Iterable[list]) -> "Future[None]":
        """A run's end: its result, weights and cost history (read on the store's thread: a copy nothing changes)."""
        return self.write(self._finish, run_id, result, parameters, costs)

    async def delete_run(self, run_id: str) -> bool:
        return await self.ask(self._delete_run, run_id)

    async def run(self, run_id: str) -> dict | None:
        return await self.ask(self._run, run_id)

    async def runs(self, status: RunStatus | None, limit: int, offset: int) -> tuple[int, list[dict]]:
        return await self.ask(self._runs, status, limit, offset)

    async def parameters(self, run_id: str) -> str | None:
        """The learned weights as stored (JSON text), None when the run has none."""
        return await self.ask(self._parameters, run_id)

    async def costs(self, run_id: str, limit: int, offset: int) -> tuple[int, list[list]]:
        return await self.ask(self._costs, run_id, limit, offset)

    async def last_cost(self, run_id: str) -> list | None:
        return await self.ask(self._last_cost, run_id)

    # sweeps
    def add_sweep(self, sweep_id: str, base: dict, grid: dict | None, run_ids: list[str], plan: dict) -> "Future[None]":
        """plan: how its runs were made (the search, its space, trials and seed, the seeds), each run's values and
        each setup's runs."""
        return self.write(self._add_sweep, sweep_id, base, grid, run_ids, plan)

    async def sweep(self, sweep_id: str) -> dict | None:
        return await self.ask(self._sweep, sweep_id)

    # rooms
    def save_room(self, room: dict) -> Future:
        """{code, secret_hash, state, runs, rev, updated, extra}"""
        return self.write(self._save_room, room)

    def add_member(self, code: str, member: str, token_hash: str) -> Future:
        return self.write(self._add_member, code, member, token_hash)

    def add_setup(self, code: str, state: str, t: float, most: int) -> Future:
        """A setup the presenter showed; the room keeps its `most` latest."""
        return self.write(self._add_setup, code, state, t, most)

    async def room_setups(self, code: str) -> list[dict]:
        return await self.ask(self._room_setups, code)

    def add_vote(self, code: str, poll: str, member: str, answer: str) -> Future:
        return self.write(self._add_vote, code, poll, member, answer)

    def delete_room(self, code: str) -> "Future[None]":
        return self.write(self._delete_room, code)

    async def rooms(self) -> list[dict]:
        return await self.ask(self._rooms)

    async def integrity(self) -> str:
        return await self.ask(self._integrity)

    def _close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
