"""TRAINLAB_API_TOKEN: when set, changes (POST, DELETE, websocket controls) need `Authorization: Bearer <token>`.
Reads stay open: watching a run changes nothing."""

import secrets

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from app.deps import SettingsDep


def authorized(connection: HTTPConnection, token: str | None) -> bool:
    if token is None:
        return True
    scheme, _, given = connection.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


async def require_token(connection: HTTPConnection, settings: SettingsDep) -> None:
    """A route dependency: 401 unless the request carries the token (when one is set)."""
    if not authorized(connection, settings.api_token):
        raise HTTPException(401, "this server needs Authorization: Bearer <TRAINLAB_API_TOKEN>",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
