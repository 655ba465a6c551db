"""422 answers that name the field, for checks made after FastAPI's own validation."""

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError


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
