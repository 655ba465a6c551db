"""POST /api/runs/{id}/gradcheck: a gradient check of a run's weights as they are (docs/protocol.md).

A live run's worker checks it between slices, at its current weights; a finished run's stored weights
are checked here, in a thread, on the run's data.
"""

import json

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool

from app.api.errors import answers
from app.auth import require_token
from app.deps import RegistryDep, SettingsDep, StoreDep
from app.lookup import find_run
from app.models import GradCheckAnswer
from core.config import RunConfig
from core.data import resolve_dataset
from core.insight import CheckTooLarge, gradient_check_report, stored_training

router = APIRouter(prefix="/api/runs", tags=["insight"])


def check_stored(config: RunConfig, data_dir: str, parameters: dict) -> dict:
    return gradient_check_report(stored_training(config, resolve_dataset(config.dataset, data_dir), parameters))


@router.post(
    "/{run_id}/gradcheck",
    dependencies=[Depends(require_token)],
    responses=answers(401, 404, (409, "the run has no weights to check")),
)
async def check_gradients(
    run_id: str, registry: RegistryDep, store: StoreDep, settings: SettingsDep
) -> GradCheckAnswer:
    channel = registry.channels.get(run_id)
    if channel is not None and not channel.finished:
        checked = await registry.pool.check(run_id)
        if checked is None:
            raise HTTPException(409, f"run {run_id} could not be checked now (it may have just ended): try again")
        if checked.answer is None:
            raise HTTPException(422 if checked.too_large else 409, checked.error or f"run {run_id} is gone")
        return GradCheckAnswer(id=run_id, **checked.answer)
    info = await find_run(run_id, registry, store)  # 404 for an unknown run
    stored = await store.call("_parameters", run_id)
    if stored is None:
        raise HTTPException(409, f"run {run_id} ended {info.status} without weights: there is nothing to check")
    try:
        answer = await run_in_threadpool(check_stored, info.config, str(settings.data_dir), json.loads(stored))
    except CheckTooLarge as error:
        raise HTTPException(422, str(error)) from None
    except ValueError as error:  # its dataset cannot be had any more (a deleted upload, football's file gone)
        raise HTTPException(409, f"run {run_id}'s data cannot be had: {error}") from None
    return GradCheckAnswer(id=run_id, **{**answer, "epoch": info.epoch})
