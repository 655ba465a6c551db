"""What the two websockets (a run's, a room's) share: sending a watcher's outbox in order, ending a socket's
tasks together, and the sizes and close codes of docs/protocol.md."""

import asyncio

from fastapi import WebSocket

from app.live.hub import Kind, Watcher

MAX_CONTROL_BYTES = 4096  # a control message is tiny; anything bigger closes the socket (1009)
UNKNOWN_RUN = 4404  # the close code for a run (or room) this server does not have
MAX_REASON_BYTES = 123  # what a close frame has room for (RFC 6455 5.5: 125 bytes, 2 of them the code)


async def close(websocket: WebSocket, code: int, reason: str) -> None:
    """Close with code and as much of reason as a close frame holds (a longer one failed the close: a 1006)."""
    await websocket.close(code, reason.encode()[:MAX_REASON_BYTES].decode(errors="ignore"))


async def first_to_end(tasks: set[asyncio.Task]) -> int | None:
    """Wait until one of a socket's tasks ends, then cancel the others; the close code the ended one returned
    (None: no close of our own, e.g. the client left)."""
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        return next((task.result() for task in done if not task.cancelled() and not task.exception()), None)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def send(websocket: WebSocket, watcher: Watcher) -> None:
    """Send the outbox in order; at the end, close normally."""
    while True:
        kind, payload = await watcher.get()
        if kind is Kind.CLOSE:
            await websocket.close(1000)
            return
        if isinstance(payload, bytes):
            await websocket.send_bytes(payload)
        else:
            await websocket.send_text(payload)
