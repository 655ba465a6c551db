"""Is the server up, what are its workers doing, and how late does its event loop run."""

from dataclasses import asdict

from fastapi import APIRouter

from app.deps import LoopLagDep, RegistryDep, StoreDep
from app.models import Health, LoopLagHealth, StoreHealth

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health(registry: RegistryDep, loop_lag: LoopLagDep, store: StoreDep) -> Health:
    lag = LoopLagHealth(**asdict(loop_lag.figures()))
    writable = store.failure is None
    return Health(
        status="ok" if writable else "degraded", store=StoreHealth(writable=writable, error=store.failure),
        workers=registry.workers(), live_runs=len(registry.live), queued_runs=len(registry.waiting), loop_lag=lag,
    )  # fmt: skip
