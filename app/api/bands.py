"""GET /api/bands: setups repeated over seeds, each summarized — its mean cost curve in its min–max band, and its
final numbers' mean and spread (core/seeds.py; docs/protocol.md). For a comparison's or a sweep's `setups`."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import RegistryDep
from app.errors import answers, invalid_field
from app.models import MAX_BAND_RUNS, MAX_BAND_SETUPS, Band, Bands
from core.jsonable import jsonable
from core.seeds import band, spread

router = APIRouter(tags=["runs"])
MAX_ID = 64
Setups = Annotated[list[str], Query(description="a setup's run ids, comma-separated; one `setup` per setup")]


@router.get("/api/bands", responses=answers(404))
async def get_bands(setup: Setups, registry: RegistryDep) -> Bands:
    setups = [[run_id for run_id in runs.split(",") if run_id] for runs in setup]
    if not 1 <= len(setups) <= MAX_BAND_SETUPS or not all(setups):
        raise invalid_field(("query", "setup"), f"1 to {MAX_BAND_SETUPS} setups, each of one or more run ids")
    if sum(map(len, setups)) > MAX_BAND_RUNS or any(len(run_id) > MAX_ID for runs in setups for run_id in runs):
        raise invalid_field(("query", "setup"), f"at most {MAX_BAND_RUNS} run ids in all, each of at most {MAX_ID}")
    out = []
    for runs in setups:
        curves = [(await registry.costs(run_id, 10**9, 0)).points for run_id in runs]  # UnknownRun: 404
        results = [(await registry.find(run_id)).result for run_id in runs]
        finals = {
            field: spread([getattr(result, field) if result else None for result in results])
            for field in ("final_cost", "train_accuracy", "test_accuracy")
        }
        out.append(Band(runs=runs, **jsonable({**band(curves), **finals})))
    return Bands(band="min-max", setups=out)
