"""422 answers that name the field, for checks made after FastAPI's own validation."""

from itertools import islice
from pathlib import Path
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from app import messages

MAX_REPORTED_ERRORS = 20
MAX_ECHO_CHARS = 200


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


def without_paths(text: str, data_dir: Path) -> str:
    """text with the server's data dir said as "the data dir": where the server keeps its files is its own business
    (the course's messages name it, for a user at their own terminal)."""
    for path in sorted({str(data_dir.resolve()), str(data_dir)}, key=len, reverse=True):
        text = text.replace(path, "the data dir")
    return text


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
    507: "the server cannot store anything new now (its last write failed: a full disk?); see Retry-After",
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
    """FastAPI's 422, bounded: the first MAX_REPORTED_ERRORS errors (`"more"` counts the others), each echoing at
    most MAX_ECHO_CHARS of its input, so that a huge invalid body gets a small answer fast (its errors' inputs can
    be the whole body: encoding them took seconds). In the protocol's JSON: a non-finite input travels as "nan"."""
    errors = exc.errors()
    detail = [reported(error) for error in errors[:MAX_REPORTED_ERRORS]]
    more = {"more": len(errors) - len(detail)} if len(errors) > len(detail) else {}
    return Response(messages.dumps({"detail": detail, **more}), status_code=422, media_type="application/json")


def reported(error: dict) -> dict:
    """One error as the 422 tells it: its loc and msg cut short, its input echoed only as far as MAX_ECHO_CHARS."""
    out = {
        "type": str(error.get("type", "value_error"))[:MAX_ECHO_CHARS],
        "loc": [part if isinstance(part, int) else str(part)[:MAX_ECHO_CHARS] for part in error.get("loc", ())],
        "msg": str(error.get("msg", ""))[: 4 * MAX_ECHO_CHARS],
    }
    if "input" in error:
        out["input"] = echo(error["input"])
    if error.get("ctx"):
        out["ctx"] = {str(k)[:MAX_ECHO_CHARS]: echo(v) for k, v in list(error["ctx"].items())[:8]}
    return out


def echo(value: Any) -> Any:
    """value itself when it is small, else a short text saying what it was (the start of a long text)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHO_CHARS else value[: MAX_ECHO_CHARS - 1] + "…"
    if isinstance(value, bytes | bytearray):
        return echo(value[: MAX_ECHO_CHARS + 1].decode("utf-8", "replace"))
    if isinstance(value, list | tuple | dict) and small(value, MAX_ECHO_CHARS):
        return jsonable_encoder(value)
    if isinstance(value, list | tuple):
        return f"(a list of {len(value)} items)"
    if isinstance(value, dict):
        return f"(an object of {len(value)} fields)"
    return echo(str(value))


def small(value: Any, budget: int) -> bool:
    """Whether value's JSON is about `budget` characters or fewer; looks at no more than that many of its parts."""
    stack, left = [value], budget
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            left -= 2 + sum(len(str(key)) + 4 for key in islice(item, max(0, left)))
            stack.extend(islice(item.values(), max(0, left)))
        elif isinstance(item, list | tuple):
            left -= 2 + len(item)
            stack.extend(item[: max(0, left)])
        else:
            left -= len(str(item)) if isinstance(item, str) else 8
        if left < 0:
            return False
    return True
