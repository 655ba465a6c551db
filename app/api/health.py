"""Is the server up, and what are its workers doing."""

from fastapi import APIRouter

from app.deps import RegistryDep
from app.models import Health, WorkerHealth

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health(registry: RegistryDep) -> Health:
    workers = [
        WorkerHealth(pid=worker.pid, alive=worker.alive, runs=sorted(worker.runs)) for worker in registry.pool.workers
    ]
    return Health(status="ok", workers=workers, live_runs=len(registry.live))
