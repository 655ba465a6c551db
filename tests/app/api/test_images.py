"""Images and n-D data against the real server: the course's cat classifiers over REST reproduce the course's
numbers; datasets are listed with their width; n-D CSV, .npz and image-zip uploads train; a run on images streams
its picture frames (small, at most 10 a second, the thumbnails kept for late watchers) and its insight; its export
reads the run's data file and reproduces it with NumPy alone; sweeps and comparisons work on it."""

import io
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from app.messages import decode_picture
from tests.app.client import HTTP, create, get_run, open_socket, wait_for, watch_to_end
from tests.conftest import running_server
from tests.core.test_images_course import FILES, MODELS, assert_the_courses_costs
from tests.numpy_venv import printed_by_script
from tests.reference import REFERENCE

FRAME_BYTES = 32 * 1024
SHAPES_RUN = {"dataset": {"name": "shapes", "n_train": 120, "n_test": 40}, "hidden_layers": [5, 5],
              "activation": "tanh", "initialization": "he", "learning_rate": 0.05, "epochs": 400}  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The real server, the course's cat / non-cat h5 files in its data dir (linked) when we have them."""
    data_dir = tmp_path_factory.mktemp("images") / "data"
    (data_dir / "catvnoncat").mkdir(parents=True)
    for name in FILES[1:]:
        if (REFERENCE / name).is_file():
            (data_dir / name).symlink_to(REFERENCE / name)
    rng = np.random.default_rng(9)
    for i in range(6):  # an image folder the server's owner put there: datasets/tiny/{bright,dim}/*.png
        folder = data_dir / "datasets" / "tiny" / ("bright" if i % 2 else "dim")
        folder.mkdir(parents=True, exist_ok=True)
        level = 200 if i % 2 else 30
        Image.fromarray(np.full((5 + i % 3, 7, 3), level, np.uint8) + rng.integers(0, 9, (5 + i % 3, 7, 3), np.uint8)
                        ).save(folder / f"{i}.png")  # fmt: skip
    with running_server(data_dir) as (base, _):
        yield base


def finished(base: str, run_id: str, timeout: float = 600) -> dict:
    return wait_for(lambda: (info := get_run(base, run_id))["result"] and info, timeout=timeout, interval=0.5)


@pytest.mark.reference(*FILES)
def test_rest_reproduces_the_courses_cat_classifier_costs(server):
    # the first 500 iterations through the server's path (core's test checks all 2500 and the accuracies)
    body = {"overrides": {"epochs": 500}, "keep": True}
    runs = {preset: create(server, {"preset": preset, **body})["id"] for preset in MODELS}  # one per worker
    for preset, run_id in runs.items():
        result = finished(server, run_id)["result"]
        assert result["status"] == "done" and result["epochs_run"] == 500, result
        assert_the_courses_costs(preset, {epoch: cost for epoch, cost in result["costs"]}, 500)


def test_datasets_are_listed_with_their_width(server, live_server):
    listed = {d["name"]: d for d in HTTP.get(f"{server}/api/datasets").json()}
    assert listed["shapes"]["image_shape"] == [16, 16, 3] and listed["shapes"]["features"] == 768
    assert listed["circles"]["features"] == 2 and listed["circles"]["image_shape"] is None
    if (REFERENCE / FILES[1]).is_file():
        assert listed["catvnoncat"]["available"] and listed["catvnoncat"]["n_train"] == 209
    missing = {d["name"]: d for d in HTTP.get(f"{live_server}/api/datasets").json()}["catvnoncat"]
    assert not missing["available"] and "train_catvnoncat.h5 and test_catvnoncat.h5" in missing["note"]
    response = HTTP.post(f"{live_server}/api/runs", json={"preset": "images-deep"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "dataset"]
    assert "were not found" in response.json()["detail"][0]["msg"]
    points = HTTP.get(f"{server}/api/datasets/shapes/points")
    assert points.status_code == 422 and "768 features, not 2" in points.json()["detail"][0]["msg"]


def uploaded(base: str, content: bytes, **params: str) -> dict:
    response = HTTP.post(f"{base}/api/datasets", params=params, content=content, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()


def trains_well(base: str, dataset: str | dict, **fields: object) -> dict:
    run = create(base, {"dataset": dataset, "epochs": 300, "learning_rate": 0.5, "keep": True, **fields})
    return finished(base, run["id"], timeout=120)["result"]


def test_n_d_csv_npz_and_image_zip_uploads_train(server):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 5))
    y = (X[:, 0] + X[:, 3] > 0).astype(int)
    rows = "".join(
        ",".join(repr(float(v)) for v in row) + f",{label}\r" for row, label in zip(X, y, strict=True)
    )  # CR-only
    csv_info = uploaded(server, rows.encode(), name="five features")
    assert (csv_info["features"], csv_info["n_train"]) == (5, 80)
    assert trains_well(server, csv_info["name"])["train_accuracy"] > 0.9

    out = io.BytesIO()
    np.savez(out, X_train=X.T, y_train=y[None, :])
    npz_info = uploaded(server, out.getvalue(), name="five as npz", layout="course")
    assert npz_info["features"] == 5 and "in the course's layout (features × examples)" in npz_info["note"]
    assert trains_well(server, npz_info["name"])["train_accuracy"] > 0.9

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(20):
            pixels = np.full((6, 6, 3), 40 if i % 2 else 220, dtype=np.uint8) + rng.integers(0, 20, (6, 6, 3), np.uint8)
            picture = io.BytesIO()
            Image.fromarray(pixels).save(picture, format="PNG")
            z.writestr(f"{'dark' if i % 2 else 'light'}/{i}.png", picture.getvalue())
    zip_info = uploaded(server, archive.getvalue(), name="light or dark", positive="light")
    assert zip_info["image_shape"] == [6, 6, 3] and zip_info["n_train"] == 20
    assert trains_well(server, zip_info["name"])["train_accuracy"] == 1.0
    listed = {d["name"]: d for d in HTTP.get(f"{server}/api/datasets").json()}
    assert listed[zip_info["name"]]["image_shape"] == [6, 6, 3]


def test_an_upload_over_the_body_cap_is_refused_before_it_is_read(server):
    response = HTTP.post(f"{server}/api/datasets", content=b"0" * (16 * 2**20 + 1), timeout=60)
    assert response.status_code == 413
    response = HTTP.post(f"{server}/api/datasets", content=b"0,1\n" * (2**20 + 1), timeout=60)  # 4 MiB: an upload
    assert response.status_code == 422 and "rows, more than the 20000" in response.json()["detail"][0]["msg"]


def test_a_run_on_images_streams_small_picture_frames_at_most_10_a_second(server):
    run = create(server, {**SHAPES_RUN, "speed": 400, "keep": True})
    started = time.monotonic()
    stream = watch_to_end(server, run["id"], timeout=60)
    elapsed = time.monotonic() - started
    assert stream.result["status"] == "done"
    snapshot = stream.snapshot
    assert snapshot["dataset"]["X_train"] is None and snapshot["dataset"]["features"] == 768
    assert len(snapshot["dataset"]["y_train"]) == 120 and snapshot["dataset"]["image_shape"] == [16, 16, 3]
    kinds = [header["type"] for header, _ in stream.frames]
    assert kinds[0] == "example-images" and kinds.count("example-images") == 1 and "boundary" not in kinds
    assert max(size for _, size in stream.frames) < FRAME_BYTES
    for kind in ("examples", "weights"):
        # 10 a second, plus one at the start, one after a finished step and one at the end: generous margins
        assert 2 <= kinds.count(kind) <= 10 * elapsed + 4, (kind, kinds.count(kind), elapsed)
    assert stream.of_type("insight")[-1]["units"][0]["inputs"] == 768  # the units view shows the first 16 of them

    late = watch_to_end(server, run["id"])  # a late watcher: the thumbnails, and the last pictures
    assert [header["type"] for header, _ in late.frames] == ["example-images", "examples", "weights"]


def test_the_frames_bytes_are_the_pictures(server):
    run = create(server, {**SHAPES_RUN, "initialization": "zeros", "epochs": 200, "keep": True})
    finished(server, run["id"], timeout=60)
    with open_socket(server, run["id"]) as ws:
        frames = {}
        while len(frames) < 3:
            message = ws.recv(timeout=10)
            if isinstance(message, bytes):
                header, values = decode_picture(message)
                frames[header["type"]] = (header, values)
    header, values = frames["weights"]
    assert header["scale"] == 0 and (values == 128).all()  # zeros: every unit's picture the same blank one
    header, values = frames["examples"]
    assert values.size == header["n_train"] + header["n_test"] == 160
    header, values = frames["example-images"]
    assert values.size == (len(header["train"]) + len(header["test"])) * 16 * 16 * 3


def test_an_image_runs_script_reads_its_data_file_and_reproduces_it(server, numpy_only_python, tmp_path):
    run = create(server, {**SHAPES_RUN, "epochs": 150, "keep": True})
    result = finished(server, run["id"], timeout=60)["result"]
    script = HTTP.get(f"{server}/api/runs/{run['id']}/export/script.py").text
    assert f'DATA_FILE = "trainlab-{run["id"]}-data.npz"' in script and len(script) < 20_000  # no pixel literals
    data = HTTP.get(f"{server}/api/runs/{run['id']}/export/data.npz")
    assert data.status_code == 200 and data.headers["content-type"] == "application/octet-stream"
    (tmp_path / f"trainlab-{run['id']}-data.npz").write_bytes(data.content)
    with np.load(io.BytesIO(data.content)) as arrays:
        assert arrays["X_train"].dtype == np.uint8 and arrays["X_train"].shape == (768, 120)
    printed = printed_by_script(numpy_only_python, script, tmp_path)
    assert printed["final cost"] == pytest.approx(result["final_cost"], rel=1e-9)
    assert (printed["train accuracy"], printed["test accuracy"]) == (result["train_accuracy"], result["test_accuracy"])


def test_a_sweep_and_a_comparison_on_images(server):
    base = {"preset": "images-init-he", "overrides": {"epochs": 100, "dataset": {"name": "shapes", "n_train": 60}}}
    sweep = HTTP.post(f"{server}/api/sweeps", json={"base": base, "grid": {"learning_rate": [0.01, 0.1]}})
    assert sweep.status_code == 201, sweep.text
    info = wait_for(lambda: (s := HTTP.get(f"{server}/api/sweeps/{sweep.json()['id']}").json())["finished"] == 2 and s,
                    timeout=120, interval=0.5)  # fmt: skip
    assert all(row["status"] == "done" for row in info["rows"])
    runs = [{"preset": f"images-init-{init}", "overrides": {"epochs": 100}} for init in ("zeros", "random", "he")]
    compared = HTTP.post(f"{server}/api/comparisons", json={"runs": runs, "keep": True})
    assert compared.status_code == 201 and compared.json()["stacked"] is True
    for created in compared.json()["runs"]:
        stream = watch_to_end(server, created["id"], timeout=60)
        assert {"example-images", "examples", "weights"} <= {header["type"] for header, _ in stream.frames}


def test_inline_rows_of_any_width_train_and_show_their_principal_components(server):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] - X[:, 2] > 0).astype(int).tolist()
    run = create(server, {"dataset": {"X_train": X.tolist(), "y_train": y}, "epochs": 200, "learning_rate": 0.3,
                          "keep": True})  # fmt: skip
    assert run["config"]["dataset"]["X_train"][0] == X[0].tolist()
    stream = watch_to_end(server, run["id"], timeout=60)
    assert stream.result["train_accuracy"] > 0.9 and stream.snapshot["dataset"]["features"] == 3
    frames = {header["type"]: header for header, _ in stream.frames}
    assert set(frames) == {"example-points", "examples", "weights"}  # no boundary, no thumbnails
    assert frames["weights"]["shape"] == [1, 3, 1] and frames["example-points"]["n_train"] == 60
    ragged = {"dataset": {"X_train": [[0, 1, 2], [1, 2]], "y_train": [0, 1]}}
    response = HTTP.post(f"{server}/api/runs", json=ragged)
    assert response.status_code == 422 and "X_train: row 1 has 2 values, X_train's row 0 has 3" in response.text


def test_a_rooms_run_on_images_streams_its_pictures(server):
    room = HTTP.post(f"{server}/api/rooms").json()
    response = HTTP.post(f"{server}/api/runs", json={**SHAPES_RUN, "epochs": 100, "keep": True, "room": room["code"]},
                         headers={"X-Room-Secret": room["secret"]})  # fmt: skip
    assert response.status_code == 201, response.text
    stream = watch_to_end(server, response.json()["id"], timeout=60)
    assert {"example-images", "examples", "weights"} <= {header["type"] for header, _ in stream.frames}


def test_an_image_folder_in_the_data_dir_is_listed_and_trained_on(server):
    listed = {d["name"]: d for d in HTTP.get(f"{server}/api/datasets").json()}["tiny"]
    assert listed["available"] and (listed["n_train"], listed["n_test"]) == (6, 0) and listed["features"] is None
    response = HTTP.post(f"{server}/api/runs", json={"dataset": "tiny"})
    assert response.status_code == 422 and "images differ in size" in response.json()["detail"][0]["msg"]
    assert response.json()["detail"][0]["loc"] == ["body", "dataset"]
    result = trains_well(server, {"name": "tiny", "positive": "dim", "image_size": [4, 6]})
    assert result["train_accuracy"] == 1.0
    stream = watch_to_end(server, create(server, {"dataset": {"name": "tiny", "image_size": 4}, "epochs": 20})["id"])
    shown = next(header for header, _ in stream.frames if header["type"] == "example-images")
    assert shown["source_shape"] == [4, 4, 3] and shown["n_train"] == 6
