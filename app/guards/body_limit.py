"""A cap on every request body, before any route reads (and JSON-parses) it: 413 past MAX_BODY_BYTES.
The largest JSON body that makes sense is a run config with 2 × 5000 inline points (~0.5 MB), or a few rows of
many features; large data comes as an upload (POST /api/datasets: a CSV, an .npz or a zip of images), whose cap
is core/upload.py's MAX_BYTES (which the route checks again, with its own message)."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.upload import MAX_BYTES as MAX_UPLOAD_BYTES

MAX_BODY_BYTES = 4 * 2**20
LARGER = {("POST", "/api/datasets"): MAX_UPLOAD_BYTES}  # (method, path) → its own cap


class BodyLimit:
    """Pure ASGI middleware: a declared Content-Length over the cap is refused at once; a chunked body is
    counted as it arrives and refused when it goes over (the route then sees the client gone)."""

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
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap and not refused:
                    refused = True
                    if not started:
                        await self.refuse(send, cap)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 has gone: the route's own answer is dropped
                return
            started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)

    async def refuse(self, send: Send, cap: int) -> None:
        detail = f"the request body is over the {cap} bytes this server reads here"
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
