"""Every route dependency is `async def` (app/deps.py): FastAPI runs a plain `def` one in its thread pool, and under
a lecture's load each such hop waited for the GIL (a loaded /api/health took 480 ms at p99 with three of them, 155 ms
without, benchmarks/soak.py over 150 s)."""

import inspect

from fastapi.dependencies.models import Dependant

from app.main import create_app
from app.settings import Settings


def dependencies(dependant: Dependant) -> list:
    """The callables of a route's dependency tree, the route's own endpoint excepted."""
    found = []
    for sub in dependant.dependencies:
        found.append(sub.call)
        found.extend(dependencies(sub))
    return found


def endpoints(routes: list) -> list:
    """The routes that have dependencies, found through included routers and mounts."""
    found = []
    for route in routes:
        if hasattr(route, "dependant"):
            found.append(route)
        else:  # FastAPI 0.16x keeps an included router as such (original_router); a mount has routes
            found.extend(endpoints(getattr(getattr(route, "original_router", route), "routes", [])))
    return found


def test_no_route_dependency_runs_in_the_thread_pool(tmp_path):
    app = create_app(Settings.from_env({"TRAINLAB_DATA_DIR": str(tmp_path), "TRAINLAB_WORKERS": "1"}))
    calls = {call for route in endpoints(app.routes) for call in dependencies(route.dependant)}
    assert len(calls) >= 10  # the settings, registry, store, rooms, token, quotas, room secret, ...
    plain = sorted(call.__qualname__ for call in calls if not inspect.iscoroutinefunction(call)
                   and not inspect.isasyncgenfunction(call))  # fmt: skip
    assert plain == []
