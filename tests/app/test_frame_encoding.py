"""The boundary frame's sub-deflate encoding (docs/protocol.md): it round-trips bit-exactly to the levels the
raw format carried, and a real 100×100 frame is a fraction of its 10,000 raw bytes."""

import json
import zlib
from itertools import pairwise

import numpy as np
import pytest

from app.messages import HEADER_LENGTH, NAN_LEVEL, decode_boundary, encode_boundary
from core.config import RunConfig
from core.train import Boundary, Training


def levels_of(p: np.ndarray) -> np.ndarray:
    """The uint8 levels the frame carries: round(255 · a_L), nan as NAN_LEVEL (the raw format's values)."""
    levels = np.rint(np.clip(p, 0.0, 1.0) * 255)
    levels[np.isnan(p)] = NAN_LEVEL
    return levels.astype(np.uint8)


def boundary_of(p: np.ndarray, epoch: int = 7) -> Boundary:
    return Boundary(epoch, -1.5, 2.5, -3.0, 0.25, p)


@pytest.mark.parametrize("size", [10, 100, 200])
def test_random_values_with_nan_and_extremes_round_trip_bit_exactly(size: int) -> None:
    rng = np.random.default_rng(size)
    p = rng.random((size, size))
    p[rng.random((size, size)) < 0.1] = np.nan
    p[0, :] = np.where(np.arange(size) % 2, 0.0, 1.0)  # 0, 255, 0, 255: every difference wraps mod 256
    p[1, 0], p[1, 1] = np.inf, -np.inf  # clipped like any out-of-range value
    header, values = decode_boundary(encode_boundary(boundary_of(p)))
    assert values.dtype == np.uint8 and values.shape == (size, size)
    assert np.array_equal(values, levels_of(p))
    assert values[1, 0] == 255 and values[1, 1] == 0
    assert header["type"] == "boundary" and header["encoding"] == "sub-deflate"
    assert (header["epoch"], header["size"]) == (7, size)
    assert (header["x_min"], header["x_max"], header["y_min"], header["y_max"]) == (-1.5, 2.5, -3.0, 0.25)
    assert isinstance(header["t"], float)


def test_a_diverged_net_is_all_mid_scale() -> None:
    _, values = decode_boundary(encode_boundary(boundary_of(np.full((10, 10), np.nan))))
    assert (values == NAN_LEVEL).all()


def test_the_body_is_the_sub_filtered_rows_deflated_as_documented() -> None:
    """What a third-party client does by hand: zlib-inflate, then a running sum per row mod 256."""
    p = np.linspace(0, 1, 12 * 12).reshape(12, 12)[:, ::-1]  # falling along each row: negative differences
    frame = encode_boundary(boundary_of(p))
    (length,) = HEADER_LENGTH.unpack_from(frame)
    assert json.loads(frame[4 : 4 + length])["size"] == 12
    filtered = list(zlib.decompress(frame[4 + length :]))
    expected = levels_of(p).tolist()
    for i, row in enumerate(expected):
        assert filtered[i * 12] == row[0]
        assert filtered[i * 12 + 1 : (i + 1) * 12] == [(b - a) % 256 for a, b in pairwise(row)]


def test_a_real_boundary_is_small() -> None:
    training = Training(RunConfig(grid_size=100, seed=1, epochs=500))
    while training.epoch < 500:
        training.advance()
    for boundary in (Training(RunConfig(grid_size=100, seed=1)).boundary(), training.boundary()):
        frame = encode_boundary(boundary)
        assert len(frame) < 3000, len(frame)  # 10,000 values raw; ~2 KB measured (docs/protocol.md)
        assert np.array_equal(decode_boundary(frame)[1], levels_of(boundary.probabilities))


def test_an_unknown_encoding_is_refused_by_name() -> None:
    header = b'{"type":"boundary","size":1,"encoding":"png"}'
    with pytest.raises(ValueError, match="encoding 'png'"):
        decode_boundary(HEADER_LENGTH.pack(len(header)) + header + b"\x00")
