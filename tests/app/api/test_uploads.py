"""A user's own CSV against the real server: uploaded, listed, trained on; bad files refused, naming the problem."""

import numpy as np
import pytest

from tests.app.client import HTTP, create, get_run, wait_for


def csv_of(X: np.ndarray, y: np.ndarray, split: str | None = None) -> str:
    tail = "" if split is None else f",{split}"
    return "".join(f"{float(a)!r},{float(b)!r},{label}{tail}\n" for (a, b), label in zip(X, y, strict=True))


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1.5, 0.5, (60, 2)), rng.normal(1.5, 0.5, (60, 2))])
    return X, np.repeat([0, 1], 60)


def test_an_uploaded_csv_is_listed_and_trained_on(live_server: str, blobs) -> None:
    X, y = blobs
    body = "x1,x2,label,split\n" + csv_of(X[::2], y[::2], "train") + csv_of(X[1::2], y[1::2], "test")
    response = HTTP.post(f"{live_server}/api/datasets", params={"name": "two blobs"}, content=body.encode())
    assert response.status_code == 201, response.text
    info = response.json()
    assert (info["n_train"], info["n_test"]) == (60, 60) and info["note"] == "uploaded: two blobs (a CSV of 2 features)"
    listed = {d["name"]: d for d in HTTP.get(f"{live_server}/api/datasets").json()}
    assert listed[info["name"]]["n_train"] == 60
    run = create(live_server, {"dataset": info["name"], "epochs": 300, "learning_rate": 0.1, "keep": True})
    done = wait_for(lambda: (r := get_run(live_server, run["id"]))["result"] and r, timeout=30)
    assert done["result"]["status"] == "done"
    assert done["result"]["train_accuracy"] == 1.0 and done["result"]["test_accuracy"] > 0.95


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"0\n1\n", "row 1: 1 columns, expected x1,...,xn,label[,split]"),
        (b"0,0,0\n1,1,2\n", "row 2: label '2'"),
        (b"0,0,0\n1,x,1\n", "row 2: the features and the label must be numbers"),
        (b"0,0,0\n1,1\n", "row 2: 2 columns, expected 3 (x1,...,xn,label, n = 2)"),
        (b"0,0,0\r1,1,1\r2,2,x\r", "row 3: the features and the label must be numbers"),  # CR-only lines are read
        (b"0,0,0\n1," + b"9" * 131_073 + b",1\n", "line 2: a cell of more than 131,072 characters"),
        (b"0,0,0\n1,inf,1\n", "X_train"),
        (b"0,0,0\n1,1,0\n", "both labels"),
        (b"0,0,0,train\n1,1,1,later\n", "split 'later'"),
        (b"0,0,0\n\xff\xfe,1,1\n", "not UTF-8"),
        (b"0,0,0\n" * 400_000, "400000 rows, more than the 20000"),
    ],
)
def test_a_bad_file_gets_a_422_that_says_what_is_wrong(live_server: str, content: bytes, says: str) -> None:
    response = HTTP.post(f"{live_server}/api/datasets", content=content)
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"][0]["msg"]


def test_an_unknown_upload_is_a_422_naming_the_dataset(live_server: str) -> None:
    response = HTTP.post(f"{live_server}/api/runs", json={"dataset": "upload-000000000000"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "dataset"
