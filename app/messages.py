"""What goes over the wire (docs/protocol.md): JSON text with non-finite numbers spelled out, and the
binary boundary frame. Pure functions, no web imports: the worker processes build frames with them."""

import json
import struct
import time
import zlib
from typing import Any

import numpy as np

from core.boundary import Boundary
from core.data import Dataset
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


def encode_boundary(boundary: Boundary) -> bytes:
    """uint32 LE header length, the JSON header, then the size² levels round(255 · a_L), row-major, Sub-filtered
    per row (each value minus its left neighbour, mod 256) and deflated (zlib format). Compressed here, once
    per frame, rather than per watcher by the websocket. The header's "t" is when the frame was made (unix
    seconds): a client can measure how late it arrives."""
    size = boundary.probabilities.shape[0]
    header = dumps(
        {
            "type": "boundary",
            "epoch": boundary.epoch,
            "t": round(time.time(), 4),
            "size": size,
            "encoding": ENCODING,
            "x_min": boundary.x_min,
            "x_max": boundary.x_max,
            "y_min": boundary.y_min,
            "y_max": boundary.y_max,
        }
    ).encode()
    p = boundary.probabilities
    levels = np.rint(np.clip(p, 0.0, 1.0) * 255)
    levels[np.isnan(p)] = NAN_LEVEL
    filtered = np.diff(levels.astype(np.uint8), axis=1, prepend=np.uint8(0))  # uint8: wraps mod 256
    return HEADER_LENGTH.pack(len(header)) + header + zlib.compress(filtered.tobytes(), DEFLATE_LEVEL)


def encode_picture(header: dict[str, Any], body: np.ndarray) -> bytes:
    """A picture frame (examples, example-images, example-points, weights): uint32 LE header length, the JSON
    header (with "t" and "encoding": "deflate" added), then the uint8 body, row-major, deflated (zlib format)."""
    head = dumps({**header, "t": round(time.time(), 4), "encoding": PICTURE_ENCODING}).encode()
    raw = np.ascontiguousarray(body, dtype=np.uint8).tobytes()
    return HEADER_LENGTH.pack(len(head)) + head + zlib.compress(raw, DEFLATE_LEVEL)


def decode_picture(frame: bytes) -> tuple[dict, np.ndarray]:
    """(header, the body's uint8 values, flat): the inverse of encode_picture, for clients and tests."""
    (length,) = HEADER_LENGTH.unpack_from(frame)
    header = json.loads(frame[4 : 4 + length])
    if header.get("encoding") != PICTURE_ENCODING:
        raise ValueError(f"{header.get('type')} frame: unknown encoding {header.get('encoding')!r}")
    return header, np.frombuffer(zlib.decompress(frame[4 + length :]), dtype=np.uint8)


def decode_boundary(frame: bytes) -> tuple[dict, np.ndarray]:
    """(header, size × size uint8 levels): the inverse of encode_boundary, for clients and tests."""
    (length,) = HEADER_LENGTH.unpack_from(frame)
    header = json.loads(frame[4 : 4 + length])
    if header.get("encoding") != ENCODING:
        raise ValueError(f"boundary frame: unknown encoding {header.get('encoding')!r}")
    size = header["size"]
    filtered = np.frombuffer(zlib.decompress(frame[4 + length :]), dtype=np.uint8).reshape(size, size)
    return header, np.cumsum(filtered, axis=1, dtype=np.uint8)  # the running sum per row undoes the filter


def _rows(X: np.ndarray | None) -> list | None:
    return None if X is None else X.T.tolist()


def _labels(Y: np.ndarray | None) -> list | None:
    return None if Y is None else Y[0].astype(int).tolist()


def decode_frame(frame: bytes) -> tuple[dict, np.ndarray]:
    """Any binary frame, by its header's type: a boundary's (size × size levels) or a picture frame's (flat)."""
    (length,) = HEADER_LENGTH.unpack_from(frame)
    kind = json.loads(frame[4 : 4 + length]).get("type")
    return decode_boundary(frame) if kind == "boundary" else decode_picture(frame)


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


def error_message(text: str) -> str:
    return dumps({"type": "error", "message": text})


def snapshot_message(fields: dict[str, Any], costs_json: str, result_json: str | None, dataset_json: str) -> str:
    """The snapshot, assembled from parts encoded once: a long history is not encoded again per watcher."""
    head = dumps({"type": "snapshot", **fields})[:-1]
    return f'{head},"costs":{costs_json},"result":{result_json or "null"},"dataset":{dataset_json}}}'
