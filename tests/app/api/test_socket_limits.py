"""What a websocket may cost the server: a frame over the protocol's 4 KB is refused from its header (the server
buffered up to 16 MiB of it first), and one address has at most TRAINLAB_CLIENT_MAX_SOCKETS sockets open
(a lecture hall behind one NAT address needs ~1,800: the default is far above it; this server's is 4)."""

import os
import struct
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.guards.limits import TOO_MANY_SOCKETS
from app.sockets import MAX_CONTROL_BYTES
from tests.app.client import HTTP
from tests.conftest import running_server

MAX_SOCKETS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("sockets") / "data", TRAINLAB_CLIENT_MAX_SOCKETS=str(MAX_SOCKETS)) as (
        base,
        _,
    ):
        yield base


def room_socket(base: str, code: str) -> ClientConnection:
    return connect(f"ws://{base.removeprefix('http://')}/ws/rooms/{code}", open_timeout=10, close_timeout=2)


def closed_with(ws: ClientConnection, timeout: float = 5) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=timeout)
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_a_frame_over_the_protocols_size_is_refused_from_its_header(server: str) -> None:
    code = HTTP.post(f"{server}/api/rooms").json()["code"]
    with room_socket(server, code) as ws:
        ws.recv(timeout=5)  # the room's state
        # a masked text frame that announces 16 MiB, of which only 8 KB follow: a server that reads frames up to
        # 16 MiB waits for the rest; one that holds to the protocol's 4 KB closes at once
        length = 16 * 2**20
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, length) + os.urandom(4)
        ws.socket.sendall(header + b"x" * 8192)
        started = time.monotonic()
        code, _ = closed_with(ws, timeout=5)
    assert code == 1009 and time.monotonic() - started < 4


def test_a_frame_within_the_size_is_read(server: str) -> None:
    code = HTTP.post(f"{server}/api/rooms").json()["code"]
    with room_socket(server, code) as ws:
        ws.recv(timeout=5)
        ws.send("x" * (MAX_CONTROL_BYTES - 10))  # read and ignored: the socket stays open
        ws.ping().wait(5)


def test_one_address_has_at_most_its_sockets_open(server: str) -> None:
    code = HTTP.post(f"{server}/api/rooms").json()["code"]
    time.sleep(0.5)  # the other tests' sockets are closed by now
    with ExitStack() as sockets:
        held = [sockets.enter_context(room_socket(server, code)) for _ in range(MAX_SOCKETS)]
        for ws in held:
            assert ws.recv(timeout=5)  # each got the room
        with room_socket(server, code) as extra:
            closed, reason = closed_with(extra)
        assert closed == TOO_MANY_SOCKETS and "TRAINLAB_CLIENT_MAX_SOCKETS" in reason and str(MAX_SOCKETS) in reason
        with connect(f"ws://{server.removeprefix('http://')}/ws/runs/abc", open_timeout=10) as extra:
            assert closed_with(extra)[0] == TOO_MANY_SOCKETS  # run sockets count too
        held[0].close()
        time.sleep(0.3)
        with room_socket(server, code) as again:  # one closed: room for one more
            assert again.recv(timeout=5)
