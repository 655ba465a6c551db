"""A run's downloads: its learned parameters (JSON, .npz), its cost history (CSV), a standalone NumPy script that
reproduces it and the data it trains on (.npz; the script of a run on wide data reads it). Each is an attachment
named trainlab-<id>-<what> (docs/protocol.md)."""

import csv
import io
from pathlib import Path

import numpy as np
from fastapi import APIRouter, HTTPException, Response
from fastapi.concurrency import run_in_threadpool

from app.deps import RegistryDep, SettingsDep
from app.errors import answers, file_answer
from app.models import Parameters
from core.config import RunConfig
from core.data import Dataset, compact_arrays, resolve_dataset
from core.export import standalone_script
from core.jsonable import jsonable

router = APIRouter(prefix="/api/runs/{run_id}/export", tags=["exports"])

ALL_POINTS = 2**62  # a limit no cost history reaches: the CSV holds the whole of it
COSTS_HEADER = ["epoch", "cost", "train_accuracy", "test_accuracy"]
NPZ_TYPE = "application/octet-stream"  # a .npz is a zip of .npy files; no registered type says more
CSV_TYPE = "text/csv"  # text types are sent with "; charset=utf-8"
PYTHON_TYPE = "text/x-python"


def attachment(run_id: str, name: str) -> dict[str, str]:
    """The header that makes a browser save the body as trainlab-<id>-<name> (run ids are hex)."""
    return {"Content-Disposition": f'attachment; filename="trainlab-{run_id}-{name}"'}


UNKNOWN = (404, "no such run")
NO_WEIGHTS = (404, "no such run, or a run that ended without weights (failed, interrupted)")
LIVE = (409, "the run is still live: its weights are there once it finishes")


async def weights(run_id: str, registry: RegistryDep) -> dict[str, list]:
    """The run's learned weights: 404 for a run that ended without them (RunLive, 409, while it is live)."""
    parameters = await registry.parameters(run_id)
    if parameters is None:
        raise HTTPException(404, f"run {run_id} ended without weights")
    return parameters


@router.get("/parameters.json", responses=answers(NO_WEIGHTS, LIVE))
async def export_parameters_json(run_id: str, registry: RegistryDep, response: Response) -> Parameters:
    """The body of GET /api/runs/{id}/parameters, as a file."""
    parameters = Parameters(id=run_id, parameters=await weights(run_id, registry))
    response.headers.update(attachment(run_id, "parameters.json"))
    return parameters


def npz_of(parameters: dict[str, list]) -> bytes:
    """np.savez of W1, b1, ... as float64 arrays, in memory ("nan"/"inf" strings become the numbers)."""
    out = io.BytesIO()
    np.savez(out, **{name: np.asarray(value, dtype=np.float64) for name, value in parameters.items()})
    return out.getvalue()


@router.get(
    "/parameters.npz",
    response_class=Response,
    responses={**file_answer(NPZ_TYPE, binary=True), **answers(NO_WEIGHTS, LIVE)},
)
async def export_parameters_npz(run_id: str, registry: RegistryDep) -> Response:
    body = await run_in_threadpool(npz_of, await weights(run_id, registry))
    return Response(body, media_type=NPZ_TYPE, headers=attachment(run_id, "parameters.npz"))


def csv_of(points: list) -> str:
    """The cost history, one row per point; a non-finite number as inf/-inf/nan, no test set as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COSTS_HEADER)
    writer.writerows([epoch, *(jsonable(value) for value in rest)] for epoch, *rest in points)
    return out.getvalue()


@router.get("/costs.csv", response_class=Response, responses={**file_answer(CSV_TYPE), **answers(UNKNOWN)})
async def export_costs_csv(run_id: str, registry: RegistryDep) -> Response:
    """The whole history so far: a live run's from memory, a finished one's from the store."""
    page = await registry.costs(run_id, limit=ALL_POINTS, offset=0)
    return Response(csv_of(page.points), media_type=CSV_TYPE, headers=attachment(run_id, "costs.csv"))


def dataset_of(run_id: str, config: RunConfig, data_dir: Path) -> Dataset:
    """The run's data, resolved as when the run was created (an upload from the data dir, football from its file)."""
    try:
        return resolve_dataset(config.dataset, data_dir)
    except ValueError as error:  # DatasetUnavailable included: the file has gone since
        raise HTTPException(404, f"run {run_id}: its data cannot be had here any more: {error}") from None


def script_of(run_id: str, config: RunConfig, data_dir: Path) -> str:
    """The run's standalone script: it carries every number of its data as an exact literal, or names the run's
    data file (data.npz) when there are too many."""
    return standalone_script(config, dataset_of(run_id, config, data_dir), f"trainlab-{run_id}-data.npz")


GONE = (404, "no such run, or its data is gone (a deleted upload)")


@router.get("/script.py", response_class=Response, responses={**file_answer(PYTHON_TYPE), **answers(GONE)})
async def export_script(run_id: str, registry: RegistryDep, settings: SettingsDep) -> Response:
    """Any run's, live ones included: it needs only the config."""
    info = await registry.find(run_id)
    source = await run_in_threadpool(script_of, run_id, info.config, settings.data_dir)
    return Response(source, media_type=PYTHON_TYPE, headers=attachment(run_id, "script.py"))


def data_npz_of(run_id: str, config: RunConfig, data_dir: Path) -> bytes:
    out = io.BytesIO()
    np.savez(out, **compact_arrays(dataset_of(run_id, config, data_dir)))
    return out.getvalue()


@router.get("/data.npz", response_class=Response, responses={**file_answer(NPZ_TYPE, binary=True), **answers(GONE)})
async def export_data(run_id: str, registry: RegistryDep, settings: SettingsDep) -> Response:
    """The run's data in the course's layout: X_train, Y_train (X_test, Y_test), an image dataset's pixels as uint8."""
    info = await registry.find(run_id)
    body = await run_in_threadpool(data_npz_of, run_id, info.config, settings.data_dir)
    return Response(body, media_type=NPZ_TYPE, headers=attachment(run_id, "data.npz"))
