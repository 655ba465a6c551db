"""A run as the API shows it: from memory while the server holds it, else from the store."""

from app.models import RunInfo
from app.registry import Registry, UnknownRun
from app.store import Store


async def find_run(run_id: str, registry: Registry, store: Store) -> RunInfo:
    channel = registry.channels.get(run_id)
    if channel is not None:
        return RunInfo(
            id=channel.id,
            status=channel.status,
            config=channel.config,
            epoch=channel.epoch,
            last=channel.last,
            result=channel.result,
        )
    row = await store.call("_run", run_id)
    if row is None:
        raise UnknownRun(f"no run {run_id!r}")
    result = row["result"]
    return RunInfo(
        id=row["id"],
        status=row["status"],
        config=row["config"],
        epoch=result["epochs_run"] if result else 0,
        last=await store.call("_last_cost", run_id),
        result=result,
    )
