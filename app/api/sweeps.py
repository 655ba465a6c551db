"""Sweeps: one base config × a grid of values, each combination a kept run on the worker pool (docs/protocol.md)."""

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import ClusterDep, RegistryDep, SettingsDep, StoreDep
from app.errors import answers, file_answer
from app.guards.auth import require_token
from app.guards.limits import client_host, exempt
from app.launch import new_runs
from app.models import SweepCreated, SweepInfo, SweepRequest
from app.sweeps import csv_cell, plan_of, record_sweep, sweep_info

router = APIRouter(prefix="/api/sweeps", tags=["sweeps"])


@router.post("", status_code=201, dependencies=[Depends(require_token)], responses=answers(400, 401, 429, 503, 507))
async def create_sweep(
    request: SweepRequest,
    registry: RegistryDep,
    store: StoreDep,
    settings: SettingsDep,
    cluster: ClusterDep,
    http: Request,
) -> SweepCreated:
    plan = plan_of(request)
    configs = plan.configs
    store.check_writable()
    since = store.failed_writes
    if cluster is not None:  # a Dask cluster trains it, and queues it: nothing of the local pool's is used
        run_ids = cluster.submit(configs)
    else:
        runs = await new_runs(configs, settings.data_dir, lambda i: ("body", "base", "dataset"), True, None, False)
        owner = None if exempt(http, settings.api_token) else client_host(http)
        run_ids = [channel.id for channel in registry.enqueue(runs, owner)]  # queued: they train as slots free up
    created = record_sweep(request, plan, store, run_ids)
    await store.confirmed(since)  # its table is there to read after a restart
    return created


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
