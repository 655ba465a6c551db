"""What a client learns of the server and what every answer tells a browser: no paths of the server's disk, every
allowed method in a 405, and the security headers on every answer."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.client import HTTP
from tests.conftest import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("hardening") / "data"
    with running_server(data_dir) as (base, _):
        yield base, data_dir


def test_no_answer_names_the_servers_data_dir(server: tuple[str, Path]) -> None:
    base, data_dir = server
    listing = HTTP.get(f"{base}/api/datasets")
    assert listing.status_code == 200
    football = next(d for d in listing.json() if d["name"] == "football")
    assert not football["available"] and "data.mat" in football["note"]
    refused = HTTP.post(f"{base}/api/runs", json={"dataset": "football"})
    assert refused.status_code == 422 and "data.mat" in refused.text
    for answer in (listing, refused, HTTP.get(f"{base}/api/datasets/football/points")):
        assert str(data_dir) not in answer.text and str(data_dir.resolve()) not in answer.text, answer.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/runs/abc", {"GET", "DELETE"}),
        ("PATCH", "/api/runs", {"GET", "POST"}),
        ("POST", "/api/rooms/ABCDEF", {"GET", "PUT", "DELETE"}),
        ("GET", "/api/runs/abc/control", {"POST"}),
    ],
)
def test_a_405_lists_every_allowed_method(server: tuple[str, Path], method: str, path: str, allowed: set) -> None:
    response = HTTP.request(method, f"{server[0]}{path}")
    assert response.status_code == 405, response.text
    listed = {m.strip() for m in response.headers["allow"].split(",")}
    assert allowed <= listed and method not in listed, listed
