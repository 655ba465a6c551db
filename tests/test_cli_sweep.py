"""`trainlab sweep`, run as a user runs it: here (a process pool) and on the real server."""

import json
from pathlib import Path

import pytest

from tests.test_cli import trainlab

SWEEP = {"base": {"preset": "init-he"}, "grid": {"initialization": ["zeros", "random", "he"], "seed": [3]}}
COURSE = {"zeros": "0.5", "random": "0.83", "he": "0.993333"}


def table_of(stdout: str) -> dict[str, list[str]]:
    """initialization → its line's cells (after the header)."""
    lines = [line.split() for line in stdout.strip().splitlines()]
    assert lines[0] == ["initialization", "seed", "status", "final_cost", "train_acc", "test_acc"]
    return {cells[0]: cells for cells in lines[1:]}


@pytest.mark.parametrize("where", ["here", "server"])
def test_sweep_prints_the_course_table(where: str, tmp_path: Path, live_server: str) -> None:
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps(SWEEP))
    done = trainlab("sweep", str(path), *(["--server", live_server] if where == "server" else []))
    assert done.returncode == 0, done.stderr
    table = table_of(done.stdout)
    assert {init: cells[4] for init, cells in table.items()} == COURSE
    assert {cells[2] for cells in table.values()} == {"done"}
    assert "3/3" in done.stderr  # the progress bar


def test_a_bad_sweep_names_the_field(tmp_path: Path, live_server: str) -> None:
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps({"grid": {"learning_rate": [-1]}}))
    assert "learning_rate" in trainlab("sweep", str(path)).stderr
    done = trainlab("sweep", str(path), "--server", live_server)
    assert done.returncode == 2 and '"grid","learning_rate"' in done.stderr
