"""Bounds on query parameters and upload encodings: past one, a 422 naming the parameter or the problem."""

import pytest

from app.api.runs import MAX_OFFSET
from app.guards.body_limit import MAX_BODY_BYTES
from tests.app.client import HTTP

CSV = "x1,x2,label\n0.5,1.5,0\n-1,2,1\nàé,1,0\n"


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/api/runs", {"limit": 1001}, ["query", "limit"]),
        ("/api/runs", {"offset": -1}, ["query", "offset"]),
        ("/api/runs", {"offset": MAX_OFFSET + 1}, ["query", "offset"]),
        ("/api/runs", {"offset": 10**30}, ["query", "offset"]),  # a 500 (SQLite overflow) before it was bounded
        ("/api/runs", {"status": "<b>"}, ["query", "status"]),
        ("/api/runs/abc/costs", {"offset": 10**30}, ["query", "offset"]),
        ("/api/datasets/circles/points", {"n_train": 10**6}, ["query", "n_train"]),
        ("/api/datasets/circles/points", {"noise": "nan"}, ["query", "noise"]),
        ("/api/datasets/circles/points", {"seed": -1}, ["query", "seed"]),
        ("/api/datasets/no-such-set/points", {}, ["path", "name"]),
        ("/api/datasets/%3Cimg%3E/points", {}, ["query", "name"]),
    ],
)
def test_query_parameters_out_of_bounds_are_named(live_server: str, path: str, params: dict, loc: list) -> None:
    response = HTTP.get(f"{live_server}{path}", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc, response.json()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (CSV.encode("utf-16"), "UTF-16"),  # with its BOM
        (CSV.encode("utf-16-le"), "UTF-16"),  # without: NUL bytes
        (CSV.encode("latin-1"), "Latin-1"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-16 text (or binary)"),
    ],
)
def test_uploads_in_other_encodings_are_refused_by_name(live_server: str, content: bytes, words: str) -> None:
    response = HTTP.post(f"{live_server}/api/datasets", params={"name": "encoded"}, content=content)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert words in error["msg"] and "UTF-8" in error["msg"], error


def test_the_same_file_in_utf8_is_taken(live_server: str) -> None:
    response = HTTP.post(f"{live_server}/api/datasets", params={"name": "encoded"}, content=CSV.encode())
    assert response.status_code == 422 and "row 3" in response.json()["detail"][0]["msg"]  # àé is not a number
    fine = CSV.replace("àé", "2").encode("utf-8-sig")
    assert HTTP.post(f"{live_server}/api/datasets", params={"name": "encoded"}, content=fine).status_code == 201


def test_a_non_finite_number_in_a_body_is_a_422_naming_it(live_server: str) -> None:
    """Python's JSON reads NaN and Infinity; the 422 that echoes them must still be JSON (was a 500)."""
    bodies = ('{"learning_rate": NaN}', '{"epochs": Infinity}', '{"dataset": {"name": "circles", "noise": -Infinity}}')
    for raw in bodies:
        response = HTTP.post(f"{live_server}/api/runs", content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"][:2] in (["body", "learning_rate"], ["body", "epochs"], ["body", "dataset"]), error


def test_a_body_over_the_cap_is_refused_before_it_is_read(live_server: str) -> None:
    huge = b'{"dataset": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = HTTP.post(f"{live_server}/api/runs", content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and str(MAX_BODY_BYTES) in response.json()["detail"]


def test_a_chunked_body_over_the_cap_is_cut_off(live_server: str) -> None:
    def chunks():  # no Content-Length: the server counts as it reads
        yield b'{"dataset": "'
        for _ in range(MAX_BODY_BYTES // 2**16 + 1):
            yield b"x" * 2**16
        yield b'"}'

    response = HTTP.post(f"{live_server}/api/runs", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and str(MAX_BODY_BYTES) in response.json()["detail"]
    assert HTTP.get(f"{live_server}/api/health").status_code == 200  # and the server goes on


def upload(base: str, rows: int) -> str:
    csv = "".join(f"{i % 97 / 97},{i % 89 / 89},{i % 2}\n" for i in range(rows)).encode()
    response = HTTP.post(f"{base}/api/datasets", params={"name": f"{rows} rows"}, content=csv)
    assert response.status_code == 201, response.text
    return response.json()["name"]


def test_the_budget_counts_an_uploads_real_size(live_server: str) -> None:
    """A name says nothing of an upload's size: the config is checked again once its data is loaded."""
    big = upload(live_server, 10_000)
    config = {"dataset": big, "epochs": 60_000, "hidden_layers": [20, 10]}
    assert HTTP.post(f"{live_server}/api/runs", json={**config, "dataset": "circles"}).status_code == 201
    response = HTTP.post(f"{live_server}/api/runs", json=config)
    assert response.status_code == 422, response.text  # 6e4 epochs of 1e4 examples: ~75 s of a worker
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and "over this server's budget of 60 s" in error["msg"], error
    assert "10000 examples × 2 features" in error["msg"], error

    small = upload(live_server, 4)
    response = HTTP.post(f"{live_server}/api/runs", json={"dataset": small, "mini_batch_size": 100})
    assert response.status_code == 422 and "mini_batch_size: 100 is more than the 4" in response.text

    sweep = {"base": config, "grid": {"seed": [1, 2]}}
    response = HTTP.post(f"{live_server}/api/sweeps", json=sweep)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body"], response.text
