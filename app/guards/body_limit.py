"""A cap on every request body, before any route reads (and JSON-parses) it: 413 past MAX_BODY_BYTES.
The largest JSON body that makes sense is a run config with 2 × 5000 inline points (~0.5 MB), or a few rows of
many features; large data comes as an upload (POST /api/datasets: a CSV, an .npz or a zip of images), whose cap
is core/upload.py's MAX_BYTES (which the route checks again, with its own message).

A JSON body is also bounded in what makes parsing and validating it slow, counted on its bytes as they arrive
(no parse needed): Python's json takes ~0.8 s for a million small arrays, ~0.16 s for two million zeros (all
of it holding the event loop: a loaded machine's lecture made that 1.6 s), pydantic ~0.5 s for 300,000 unknown
fields, and a million nulls where numbers go would be a million errors. A bracket, colon, comma or quote inside a
string counts too: the counts only ever overcount, and real bodies are far under them (a comparison of 8 runs with
10,000 inline rows each has ~80,000 arrays, 240,000 commas, some 300 fields and 1,000 strings); more numbers than
that come as an upload."""

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.upload import MAX_BYTES as MAX_UPLOAD_BYTES

MAX_BODY_BYTES = 4 * 2**20
LARGER = {("POST", "/api/datasets"): MAX_UPLOAD_BYTES}  # (method, path) → its own cap
MAX_JSON_CONTAINERS = 100_000  # arrays and objects
MAX_JSON_FIELDS = 10_000  # an object's members, all objects together
MAX_JSON_WORDS = 20_000  # strings, true, false and null: none of them is a number
MAX_JSON_VALUES = 500_000  # commas: every array item and object member after a container's first


@dataclass
class JsonShape:
    """What a JSON body holds so far, counted chunk by chunk (every token counted is one byte, or a word that a
    chunk boundary may cut: such a word is missed, never counted twice)."""

    containers: int = 0
    fields: int = 0
    words: int = 0
    values: int = 0

    def add(self, chunk: bytes) -> str | None:
        """Count chunk in; the bound it takes the body past, if any."""
        self.containers += chunk.count(b"[") + chunk.count(b"{")
        self.fields += chunk.count(b":")
        self.words += chunk.count(b'"') // 2 + chunk.count(b"null") + chunk.count(b"true") + chunk.count(b"false")
        self.values += chunk.count(b",")
        if self.containers > MAX_JSON_CONTAINERS:
            return f"more than {MAX_JSON_CONTAINERS} arrays and objects"
        if self.fields > MAX_JSON_FIELDS:
            return f"more than {MAX_JSON_FIELDS} object fields"
        if self.words > MAX_JSON_WORDS:
            return f"more than {MAX_JSON_WORDS} strings, true, false and null values"
        if self.values > MAX_JSON_VALUES:
            return f"more than {MAX_JSON_VALUES} values (more numbers than that come as an upload)"
        return None


def is_json(scope: Scope) -> bool:
    """Whether FastAPI will parse this body as JSON (its content type is application/json or application/*+json)."""
    content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
    return content_type == b"application/json" or (
        content_type.startswith(b"application/") and content_type.endswith(b"+json")
    )


class BodyLimit:
    """Pure ASGI middleware: a declared Content-Length over the cap is refused at once; a chunked body is
    counted as it arrives and refused when it goes over (the route then sees the client gone); a JSON body past
    one of JsonShape's bounds is a 422 the same way, before it is parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = LARGER.get((scope["method"], scope["path"]), self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await self.refuse(send, cap)
            return
        shape = JsonShape() if is_json(scope) else None
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                chunk = message.get("body", b"")
                received += len(chunk)
                problem = shape.add(chunk) if shape is not None else None
                if received > cap or problem:
                    refused = True
                    if not started:
                        await (self.refuse(send, cap) if problem is None else self.refuse_shape(send, problem))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:  # the refusal has gone: the route's own answer is dropped
                return
            started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)

    async def refuse(self, send: Send, cap: int) -> None:
        await answer(send, 413, {"detail": f"the request body is over the {cap} bytes this server reads here"})

    async def refuse_shape(self, send: Send, problem: str) -> None:
        message = f"the JSON body has {problem}: no request needs that many (see README, Limits and security)"
        await answer(send, 422, {"detail": [{"loc": ["body"], "msg": message, "type": "too_complex"}]})


async def answer(send: Send, status: int, content: dict) -> None:
    body = json.dumps(content).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
