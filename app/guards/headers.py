"""Security headers on every answer: the browser sniffs no content type, sends no referrer elsewhere, frames no
page of ours (no embedding is documented), and runs only the scripts this server sends.

The page's policy is what the page meets (tests/e2e/test_security_headers.py loads it, trains, compares, and
counts CSP violations: none): its scripts are files of ours, its boot data a JSON block (not run); Plotly sets
inline styles, and draws and exports through data: and blob: images. /docs and /redoc (fastapi-offline, served
from here too) start with an inline script, and Redoc runs a worker from a blob: URL: their policy allows those.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = (
    "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_POLICY = f"{COMMON}; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
DOCS_POLICY = f"{COMMON}; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:"
DOCS = ("/docs", "/redoc")
HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",  # a room's link, its code, goes nowhere else
    b"x-frame-options": b"DENY",  # frame-ancestors 'none', for browsers that predate it
}


def policy_for(path: str) -> str:
    return DOCS_POLICY if path.startswith(DOCS) else PAGE_POLICY


class SecurityHeaders:
    """Pure ASGI middleware: the headers added to every HTTP answer's start (routes', errors', static files')."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"]).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(k, v) for k, v in {**HEADERS, b"content-security-policy": policy}.items() if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_headers)
