"""What goes over the wire (docs/protocol.md): JSON text with non-finite numbers spelled out, and the
binary boundary frame. Pure functions, no web imports: the worker processes build frames with them."""

import json
import struct
import time
import zlib
from itertools import pairwise
from typing import Any

import numpy as np

from core.boundary import Boundary
from core.config import RunConfig
from core.data import Dataset
from core.diagnosis import Diagnosis
from core.diagram import Diagram
from core.jsonable import jsonable

HEADER_LENGTH = struct.Struct("<I")
NAN_LEVEL = 128  # a nan a_L (a diverged net) is drawn as "undecided", mid-scale
ENCODING = "sub-deflate"
PICTURE_ENCODING = "deflate"
# zlib level 2 (benchmarks/frame_encoding.py): as fast as level 1 and 6-17% smaller; level 3 costs 1.6-3.5×
# the time for 4-12% less, level 6 ~10× the time
DEFLATE_LEVEL = 2


def dumps(message: Any) -> str:
    """Compact JSON; inf, -inf and nan become the strings "inf", "-inf" and "nan"."""
    try:  # the common case has nothing to replace: skip the walk over every number
        return json.dumps(message, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(jsonable(message), separators=(",", ":"), allow_nan=False)


def levels(values: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """round(255 · (v - lo) / (hi - lo)) as uint8, v clipped to [lo, hi]; a nan is NAN_LEVEL."""
    scaled = np.clip(values, lo, hi)  # one new array, the rest in place: a frame's levels in half the time
    scaled -= lo
    scaled *= 255 / (hi - lo)
    np.rint(scaled, out=scaled)
    scaled[np.isnan(values)] = NAN_LEVEL
    return scaled.astype(np.uint8)


def framed(header: dict, body: bytes, encoding: str) -> bytes:
    """uint32 LE header length, the JSON header with "t" (when the frame was made, unix seconds: a client can
    measure how late it arrives) and `encoding`, then `body` as one zlib stream. Compressed here, once per frame,
    rather than per watcher by the websocket."""
    head = dumps({**header, "t": round(time.time(), 4), "encoding": encoding}).encode()
    return HEADER_LENGTH.pack(len(head)) + head + zlib.compress(body, DEFLATE_LEVEL)


def binary_frame(header: dict, rows: np.ndarray, tail: bytes = b"") -> bytes:
    """A "sub-deflate" frame: the uint8 rows, each Sub-filtered (each value minus its left neighbour, mod 256),
    followed by `tail`, in one zlib stream."""
    filtered = np.empty_like(rows)  # uint8: wraps mod 256 (np.diff with prepend= takes twice as long: it concatenates)
    filtered[:, 0] = rows[:, 0]
    np.subtract(rows[:, 1:], rows[:, :-1], out=filtered[:, 1:])
    return framed(header, filtered.tobytes() + tail, ENCODING)


def frame_header(frame: bytes) -> dict:
    """A binary frame's JSON header, its body left alone: "type" says which view the frame is (boundary, network)."""
    (length,) = HEADER_LENGTH.unpack_from(frame)
    return json.loads(frame[4 : 4 + length])


def is_boundary(message: bytes | str) -> bool:
    """Is this websocket message a boundary frame (not text, not another view's frame)?"""
    return isinstance(message, bytes) and frame_header(message)["type"] == "boundary"


def read_frame(frame: bytes, kind: str | None, encoding: str = ENCODING) -> tuple[dict, bytes]:
    """(header, the inflated body) of a frame (of type `kind`, unless None): the inverse of `framed`."""
    header = frame_header(frame)
    if kind is not None and header.get("type") != kind:
        raise ValueError(f"not a {kind} frame but a {header.get('type')!r} one")
    if header.get("encoding") != encoding:
        raise ValueError(f"{header.get('type')} frame: unknown encoding {header.get('encoding')!r}")
    return header, zlib.decompress(frame[4 + HEADER_LENGTH.unpack_from(frame)[0] :])


def unfiltered(body: bytes, size: int) -> np.ndarray:
    """Rows of `size` uint8 levels from their Sub-filtered bytes: the running sum per row undoes the filter."""
    return np.cumsum(np.frombuffer(body, dtype=np.uint8).reshape(-1, size), axis=1, dtype=np.uint8)


def box(x_min: float, x_max: float, y_min: float, y_max: float) -> dict:
    return {"x_min": x_min, "x_max": x_max, "y_min": y_min, "y_max": y_max}


def encode_boundary(boundary: Boundary) -> bytes:
    """The boundary frame: the size² levels round(255 · a_L), row-major (docs/protocol.md)."""
    size = boundary.probabilities.shape[0]
    where = box(boundary.x_min, boundary.x_max, boundary.y_min, boundary.y_max)
    header = {"type": "boundary", "epoch": boundary.epoch, "size": size, **where}
    return binary_frame(header, levels(boundary.probabilities))


def encode_picture(header: dict[str, Any], body: np.ndarray) -> bytes:
    """A picture frame (examples, example-images, example-points, weights): the JSON header (with "t" and
    "encoding": "deflate" added), then the uint8 body, row-major, deflated (zlib format)."""
    return framed(header, np.ascontiguousarray(body, dtype=np.uint8).tobytes(), PICTURE_ENCODING)


def decode_picture(frame: bytes) -> tuple[dict, np.ndarray]:
    """(header, the body's uint8 values, flat): the inverse of encode_picture, for clients and tests."""
    header, body = read_frame(frame, None, PICTURE_ENCODING)
    return header, np.frombuffer(body, dtype=np.uint8)


def decode_boundary(frame: bytes) -> tuple[dict, np.ndarray]:
    """(header, size × size uint8 levels): the inverse of encode_boundary, for clients and tests."""
    header, body = read_frame(frame, "boundary")
    return header, unfiltered(body, header["size"])


def encode_network(diagram: Diagram) -> bytes:
    """The network frame (docs/protocol.md): every drawn unit's picture as levels on its layer's scale, then the
    links' [W_l | b_l] and their gradients as float32 LE."""
    size = diagram.layers[0].pictures.shape[-1]
    layers = [
        {"units": layer.units, "shown": len(layer.pictures), "lo": layer.lo, "hi": layer.hi} for layer in diagram.layers
    ]
    header = {"type": "network", "epoch": diagram.epoch, "size": size, **box(*diagram.box), "layers": layers}
    pictures = np.concatenate([levels(layer.pictures, layer.lo, layer.hi) for layer in diagram.layers])
    links = np.concatenate([block.ravel() for block in [*diagram.weights, *diagram.gradients]])
    return binary_frame(header, pictures.reshape(-1, size), links.astype("<f4").tobytes())


def decode_network(frame: bytes) -> tuple[dict, list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(header, per layer its (shown, size, size) levels, per layer l = 1..L its [W_l | b_l], and its gradient)."""
    header, body = read_frame(frame, "network")
    size, shown = header["size"], [layer["shown"] for layer in header["layers"]]
    n_levels = sum(shown) * size * size
    rows = unfiltered(body[:n_levels], size)
    pictures = np.split(rows.reshape(-1, size, size), np.cumsum(shown)[:-1])
    values = np.frombuffer(body[n_levels:], dtype="<f4")
    shapes = [(k, k_prev + 1) for k_prev, k in pairwise(shown)]
    blocks = np.split(values, np.cumsum([r * c for r, c in shapes * 2])[:-1])
    matrices = [block.reshape(shape) for block, shape in zip(blocks, shapes * 2, strict=True)]
    return header, pictures, matrices[: len(shapes)], matrices[len(shapes) :]


def _rows(X: np.ndarray | None) -> list | None:
    return None if X is None else X.T.tolist()


def _labels(Y: np.ndarray | None) -> list | None:
    return None if Y is None else Y[0].astype(int).tolist()


def decode_frame(frame: bytes) -> tuple[dict, np.ndarray]:
    """A boundary or picture frame, by its header's type: a boundary's (size × size levels) or a picture frame's
    (flat). A network frame has more parts: decode_network."""
    return decode_boundary(frame) if frame_header(frame).get("type") == "boundary" else decode_picture(frame)


def dataset_points(data: Dataset) -> dict[str, list | None]:
    """The points a page draws: rows of [x1, x2] and 0/1 labels, test set or null."""
    return {
        "X_train": _rows(data.X_train),
        "y_train": _labels(data.Y_train),
        "X_test": _rows(data.X_test),
        "y_test": _labels(data.Y_test),
    }


def snapshot_dataset(data: Dataset) -> dict[str, Any]:
    """What the snapshot says of a run's data: a 2-D dataset's points (drawn under the boundary), any other's
    labels alone (its examples come as the example-images or example-points frame), with its width and image shape."""
    points = dataset_points(data) if data.planar else {
        "X_train": None, "y_train": _labels(data.Y_train), "X_test": None, "y_test": _labels(data.Y_test),
    }  # fmt: skip
    return {**points, "features": data.n_features, "image_shape": list(data.image_shape) if data.image_shape else None}


def progress_message(points_json: str) -> str:
    """A progress batch, from its points already encoded (as a JSON array)."""
    return '{"type":"progress","points":' + points_json + "}"


def status_message(status: str, epoch: int, reason: str | None = None) -> str:
    message: dict[str, Any] = {"type": "status", "status": status, "epoch": epoch}
    if reason is not None:
        message["reason"] = reason
    return dumps(message)


def result_message(result_json: str) -> str:
    return '{"type":"result","result":' + result_json + "}"


def diagnosis_message(epoch: int, diagnosis: Diagnosis | None) -> str:
    """What is wrong with the run now (core/diagnosis.py), or null when nothing is (any more)."""
    return dumps({"type": "diagnosis", "epoch": epoch, "diagnosis": diagnosis and diagnosis.to_dict()})


def error_message(text: str) -> str:
    return dumps({"type": "error", "message": text})


def snapshot_message(
    fields: dict[str, Any], config_json: str, costs_json: str, result_json: str | None, dataset_json: str
) -> str:
    """The snapshot, assembled from parts encoded once: a config's inline data and a history are not encoded
    again per watcher."""
    head = dumps({"type": "snapshot", **fields})[:-1]
    parts = f'"config":{config_json},"costs":{costs_json},"result":{result_json or "null"},"dataset":{dataset_json}'
    return f"{head},{parts}}}"


def created_json(run: Any) -> str:
    """A created run's answer ({"id", "status", "config"}) from a channel, its config as encoded once."""
    return f'{{"id":{dumps(run.id)},"status":{dumps(run.status)},"config":{run.config_json}}}'


def config_json(config: RunConfig, inline_json: str | None = None) -> str:
    """The config as JSON text; inline_json: its inline dataset already encoded (runs that share it encode it once)."""
    if inline_json is None:
        return dumps(config.model_dump(mode="json"))
    return dumps(config.model_dump(mode="json", exclude={"dataset"}))[:-1] + f',"dataset":{inline_json}}}'
