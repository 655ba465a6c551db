"""POST /api/runs/{id}/gradcheck: a gradient check of a run's weights as they are (docs/protocol.md).

A live run's worker checks it between slices, at its current weights; a finished run's stored weights
are checked on the run's data (app/live/registry.py).
"""

from fastapi import APIRouter, Depends

from app.deps import RegistryDep
from app.errors import answers
from app.guards.auth import require_token
from app.guards.limits import check_allowed, check_slot
from app.guards.room_auth import require_room_secret
from app.models import GradCheckAnswer

router = APIRouter(prefix="/api/runs", tags=["insight"])


@router.post(
    "/{run_id}/gradcheck",
    dependencies=[Depends(require_token), Depends(require_room_secret), Depends(check_allowed), Depends(check_slot)],
    responses=answers(
        401, 403, 404, (409, "the run cannot be checked (now, or at all: it has no weights)"),
        (429, "too many checks: this client's a minute, this run's (one at a time) or the server's at once"),
    ),
)  # fmt: skip
async def check_gradients(run_id: str, registry: RegistryDep) -> GradCheckAnswer:
    return GradCheckAnswer(id=run_id, **await registry.check(run_id))
