"""A small client for the tests: start runs over HTTP, read a run's websocket to its end, parse strictly."""

import json
import time
from dataclasses import dataclass, field

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.messages import decode_frame


def reject_constant(name: str) -> None:
    raise ValueError(f"bare {name} in JSON: non-finite numbers must travel as strings")


def strict_loads(text: str | bytes) -> object:
    return json.loads(text, parse_constant=reject_constant)


def number(value: float | str | None) -> float | None:
    """A protocol number: "inf", "-inf" and "nan" stand for themselves."""
    return float(value) if isinstance(value, str) else value


HTTP = httpx.Client(timeout=10)  # one client: a fresh one per request costs tens of ms


def create(base: str, body: dict) -> dict:
    response = HTTP.post(f"{base}/api/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def control(base: str, run_id: str, action: str, **extra: object) -> dict:
    response = HTTP.post(f"{base}/api/runs/{run_id}/control", json={"action": action, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def get_run(base: str, run_id: str) -> dict:
    response = HTTP.get(f"{base}/api/runs/{run_id}")
    assert response.status_code == 200, response.text
    return strict_loads(response.text)


def open_socket(base: str, run_id: str) -> ClientConnection:
    return connect(f"ws://{base.removeprefix('http://')}/ws/runs/{run_id}", open_timeout=10, close_timeout=5)


@dataclass
class Stream:
    """Everything one watcher got, in order."""

    texts: list[dict] = field(default_factory=list)
    frames: list[tuple[dict, int]] = field(default_factory=list)  # (header, frame length in bytes)
    order: list[str] = field(default_factory=list)  # each message's type, boundary included
    raw: list[str] = field(default_factory=list)
    close_code: int | None = None

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.texts if m["type"] == kind]

    @property
    def snapshot(self) -> dict:
        return self.texts[0]

    @property
    def result(self) -> dict:
        (message,) = self.of_type("result")
        return message["result"]

    def history(self) -> list[list]:
        """The cost points as this watcher knows them: the snapshot's, then every progress batch's."""
        points = list(self.snapshot["costs"])
        for message in self.of_type("progress"):
            points.extend(message["points"])
        return points

    def take(self, ws: ClientConnection, timeout: float = 20) -> dict | tuple[dict, int]:
        """Receive one message and record it."""
        message = ws.recv(timeout=timeout)
        if isinstance(message, bytes):
            header, values = decode_frame(message)
            assert values.size == header["size"] ** 2 if header["type"] == "boundary" else values.size > 0
            self.frames.append((header, len(message)))
            self.order.append(header["type"])
            return header, len(message)
        self.raw.append(message)
        decoded = strict_loads(message)
        self.texts.append(decoded)
        self.order.append(decoded["type"])
        return decoded

    def until(self, ws: ClientConnection, done, timeout: float = 20) -> None:
        """Receive until done(message) holds."""
        deadline = time.monotonic() + timeout
        while not done(self.take(ws, max(0.01, deadline - time.monotonic()))):
            pass

    def to_end(self, ws: ClientConnection, timeout: float = 30) -> "Stream":
        """Receive until the server closes the socket."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.take(ws, max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
        return self


def watch_to_end(base: str, run_id: str, timeout: float = 30) -> Stream:
    with open_socket(base, run_id) as ws:
        return Stream().to_end(ws, timeout)


def wait_for(check, timeout: float = 10, interval: float = 0.05) -> object:
    """Poll check() until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"timed out after {timeout} s"
            return value
        time.sleep(interval)
