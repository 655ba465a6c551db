"""Sweeps: one base config × a grid of values, each combination a kept run on the worker pool (docs/protocol.md)."""

import csv
import io

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from app.deps import ClusterDep, RegistryDep, SettingsDep, StoreDep
from app.errors import answers, file_answer
from app.guards.auth import require_token
from app.guards.limits import RunQuotaDep
from app.launch import new_runs
from app.models import SweepCreated, SweepInfo, SweepRequest
from app.sweeps import csv_cell, plan_of, record_sweep, sweep_info

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])


@router.post("", status_code=201, dependencies=[Depends(require_token)], responses=answers(400, 401, 429, 503))
async def create_sweep(
    request: SweepRequest,
    registry: RegistryDep,
    store: StoreDep,
    settings: SettingsDep,
    cluster: ClusterDep,
    quota: RunQuotaDep,
) -> SweepCreated:
    plan = plan_of(request)
    configs = plan.configs
    if cluster is not None:  # a Dask cluster trains it: nothing of the local pool's is used
        quota.admit(len(configs))
        run_ids = cluster.submit(configs)
        quota.record(run_ids)
        return record_sweep(request, plan, store, run_ids)
    registry.make_room(len(configs))
    runs = await new_runs(configs, settings.data_dir, lambda i: ("body", "base", "dataset"), True, None, False)
    registry.make_room(runs)  # again, with their weights: other requests may have started runs meanwhile
    quota.admit(len(configs))
    run_ids = [channel.id for channel in registry.create_stacked(runs)]
    quota.record(run_ids)
    return record_sweep(request, plan, store, run_ids)


@router.get(
    "/{sweep_id}.csv",
    response_class=Response,
    responses={**file_answer("text/csv"), **answers(404)},
)
async def get_sweep_csv(sweep_id: str, registry: RegistryDep, store: StoreDep) -> Response:
    info = await sweep_info(sweep_id, registry, store)
    out = io.StringIO()
    writer = csv.writer(out)
    fields = list(info.rows[0].values) if info.rows else []
    writer.writerow([*fields, "id", "status", "final_cost", "train_accuracy", "test_accuracy"])
    for row in info.rows:
        cells = [
            *(row.values[f] for f in fields),
            row.id,
            row.status,
            row.final_cost,
            row.train_accuracy,
            row.test_accuracy,
        ]
        writer.writerow([csv_cell(c) for c in cells])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="sweep-{sweep_id}.csv"'},
    )


@router.get("/{sweep_id}", responses=answers(404))
async def get_sweep(sweep_id: str, registry: RegistryDep, store: StoreDep) -> SweepInfo:
    return await sweep_info(sweep_id, registry, store)
