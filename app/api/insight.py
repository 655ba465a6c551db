"""The lessons' endpoints (docs/protocol.md): the notebook's 1-D gradient check, a gradient check of a run's
weights as they are (with a bug planted, if asked), and the stepper's view of a run's next iteration.

A live run's worker checks or previews it between slices, at its current weights; a finished run's stored weights
are checked on the run's data (app/live/registry.py).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import RegistryDep
from app.errors import answers
from app.guards.auth import require_token
from app.models import (
    MAX_1D_VALUE,
    GradCheck1D,
    GradCheckAnswer,
    GradCheckRequest,
    StepperAnswer,
    StepperRequest,
)
from core.gradcheck import THRESHOLD, one_dimensional, one_dimensional_sweep
from core.jsonable import jsonable

router = APIRouter(tags=["insight"])
Value = Annotated[float, Query(ge=-MAX_1D_VALUE, le=MAX_1D_VALUE)]


@router.get("/api/gradcheck/1d")
async def check_1d(
    theta: Value = 4.0, x: Value = 2.0, epsilon: Annotated[float, Query(gt=0, le=1)] = 1e-7
) -> GradCheck1D:
    """The notebook's 1-D example J(θ) = θx, checked at θ, x with this ε (core.gradcheck.one_dimensional)."""
    one = one_dimensional(theta, x, epsilon)
    return GradCheck1D(
        theta=theta, x=x, epsilon=epsilon, **one, threshold=THRESHOLD, passed=one["difference"] < THRESHOLD,
        sweep=one_dimensional_sweep(theta, x),
    )  # fmt: skip


@router.post(
    "/api/runs/{run_id}/gradcheck",
    dependencies=[Depends(require_token)],
    responses=answers(400, 401, 404, (409, "the run cannot be checked (now, or at all: it has no weights)")),
)
async def check_gradients(
    run_id: str, registry: RegistryDep, request: GradCheckRequest | None = None
) -> GradCheckAnswer:
    bug = request.bug_spec() if request is not None else None
    return GradCheckAnswer(id=run_id, **await registry.check(run_id, bug))


@router.post(
    "/api/runs/{run_id}/stepper",
    dependencies=[Depends(require_token)],
    responses=answers(400, 401, 404, (409, "the run has finished: there is no next iteration")),
)
async def step_through(run_id: str, registry: RegistryDep, request: StepperRequest | None = None) -> StepperAnswer:
    """The run's next iteration, forward, cost, backward and update, computed on a twin: the run does not move."""
    answer = await registry.preview(run_id, (request or StepperRequest()).example)
    return StepperAnswer(id=run_id, **jsonable(answer))
