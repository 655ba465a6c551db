"""The house's rules, checked on the source: no import circles, core/ never imports app/ (nor the web), and a
run's statuses are spelled once, in core/status.py."""

import ast
from pathlib import Path

from core.status import RunStatus
from tests.conftest import REPO

WINGS = ("core", "app")
WEB = ("fastapi", "starlette", "uvicorn", "websockets", "jinja2", "httpx")


def modules() -> dict[str, Path]:
    """Every module of ours, by dotted name (a package by its own name)."""
    found = {}
    for wing in WINGS:
        for path in (REPO / wing).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(path: Path, name: str) -> set[str]:
    """Every module this module imports, anywhere in it (functions and TYPE_CHECKING blocks included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def graph() -> dict[str, set[str]]:
    ours = modules()
    return {name: {m for m in imported(path, name) if m in ours and m != name} for name, path in ours.items()}


def test_no_import_circles_in_app_or_core() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for other in sorted(edges[node]):
            if state.get(other) == 1:
                circles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not circles, "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_core_imports_nothing_of_app_nor_the_web() -> None:
    ours = modules()
    for name, path in ours.items():
        if name.split(".")[0] != "core":
            continue
        bad = {m for m in imported(path, name) if m.split(".")[0] in ("app", *WEB)}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_statuses_are_spelled_only_in_core_status() -> None:
    """A run's status is RunStatus.X everywhere but its own module: no bare "done" or "running"."""
    words = {status.value for status in RunStatus}
    found = []
    for name, path in modules().items():
        if name == "core.status":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert not found, "bare statuses:\n" + "\n".join(found)
