"""422 answers that name the field, for checks made after FastAPI's own validation."""

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from app import messages


def invalid(error: ValidationError, *prefix: str) -> RequestValidationError:
    """A pydantic error about a nested object, with its locs under prefix (e.g. "body", "overrides")."""
    return RequestValidationError(
        [
            {"loc": (*prefix, *e["loc"]), "msg": e["msg"], "type": e["type"], "input": e.get("input")}
            for e in error.errors(include_url=False)
        ]
    )


def invalid_field(loc: tuple[str, ...], message: str, kind: str = "value_error") -> RequestValidationError:
    return RequestValidationError([{"loc": loc, "msg": message, "type": kind}])


class ErrorAnswer(BaseModel):
    """Every error but a 422: what went wrong and what to do."""

    detail: str


ERROR_MEANINGS = {
    400: "the body is not JSON",
    401: "this server needs its API token (TRAINLAB_API_TOKEN) for changes",
    403: "the run belongs to a lecture room: it needs the room's secret (X-Room-Secret)",
    404: "no such run or sweep",
    409: "not yet: the run is still live",
    429: "a limit on live runs or on starts/uploads per minute; see Retry-After",
    503: "no worker process could take the run",
}


def answers(*statuses: int | tuple[int, str]) -> dict[int | str, dict]:
    """OpenAPI `responses=` for these error statuses, so that clients (and the fuzz test) know them; a
    (status, text) pair says what that status means on this route."""
    described = (status if isinstance(status, tuple) else (status, ERROR_MEANINGS[status]) for status in statuses)
    return {status: {"model": ErrorAnswer, "description": text} for status, text in described}


def file_answer(media_type: str, binary: bool = False) -> dict[int | str, dict]:
    """OpenAPI `responses=` for a 200 whose body is a file of this media type."""
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {200: {"description": "the file", "content": {media_type: {"schema": schema}}}}


async def validation_failed(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's 422, with the protocol's JSON: a non-finite input echoed back (`"noise": NaN` in a query or
    a body) travels as "nan" instead of failing to encode (which was a 500)."""
    body = messages.dumps({"detail": jsonable_encoder(exc.errors())})
    return Response(body, status_code=422, media_type="application/json")
