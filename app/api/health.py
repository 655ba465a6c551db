"""Is the server up, what are its workers doing, and how late does its event loop run."""

from dataclasses import asdict

from fastapi import APIRouter

from app.deps import LoopLagDep, RegistryDep
from app.models import Health, LoopLagHealth

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health(registry: RegistryDep, loop_lag: LoopLagDep) -> Health:
    lag = LoopLagHealth(**asdict(loop_lag.figures()))
    return Health(
        status="ok", workers=registry.workers(), live_runs=len(registry.live), queued_runs=len(registry.waiting),
        loop_lag=lag,
    )  # fmt: skip
