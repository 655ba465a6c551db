"""The boundary frame's sub-deflate encoding (docs/protocol.md): it round-trips bit-exactly to the levels the
raw format carried, and a real 100×100 frame is a fraction of its 10,000 raw bytes."""

import json
import zlib
from itertools import pairwise

import numpy as np
import pytest

from app.messages import HEADER_LENGTH, NAN_LEVEL, decode_boundary, decode_network, encode_boundary, encode_network
from core.config import RunConfig
from core.diagram import Diagram, Layer
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


def test_a_network_frame_round_trips_its_pictures_and_links() -> None:
    """Pictures on each layer's own scale (nan at mid-scale), then the links as float32, in one zlib stream."""
    rng = np.random.default_rng(4)
    shown = [2, 3, 1]
    pictures = [rng.normal(size=(k, 6, 6)) for k in shown]
    pictures[1][0, 0, :2] = [np.nan, 50.0]  # out of its scale: clipped
    scales = [(-2.0, 2.0), (-1.0, 1.0), (0.0, 1.0)]
    layers = [Layer(n, p, lo, hi) for n, p, (lo, hi) in zip([2, 30, 1], pictures, scales, strict=True)]
    weights = [rng.normal(size=(3, 3)), rng.normal(size=(1, 4))]
    gradients = [w / 7 for w in weights]
    frame = encode_network(Diagram(12, (-1.0, 1.0, -0.5, 0.5), layers, weights, gradients))

    header, got, got_weights, got_gradients = decode_network(frame)
    assert header["type"] == "network" and header["epoch"] == 12 and header["size"] == 6
    assert header["layers"] == [{"units": n, "shown": k, "lo": lo, "hi": hi} for n, k, (lo, hi) in
                                zip([2, 30, 1], shown, scales, strict=True)]  # fmt: skip
    for levels_got, p, (lo, hi) in zip(got, pictures, scales, strict=True):
        expected = np.rint((np.clip(p, lo, hi) - lo) / (hi - lo) * 255)
        expected[np.isnan(p)] = NAN_LEVEL
        assert np.array_equal(levels_got, expected.astype(np.uint8))
    assert got[1][0, 0, 0] == NAN_LEVEL and got[1][0, 0, 1] == 255
    for a, b in zip([*got_weights, *got_gradients], [*weights, *gradients], strict=True):
        np.testing.assert_array_equal(a, b.astype(np.float32))
    # by hand, as docs/protocol.md says: the levels' rows, Sub-filtered, then float32 little-endian
    (length,) = HEADER_LENGTH.unpack_from(frame)
    body = zlib.decompress(frame[4 + length :])
    assert len(body) == 6 * 6 * sum(shown) + 4 * (9 + 4) * 2
    assert np.frombuffer(body[-4:], "<f4")[0] == np.float32(gradients[1][0, -1])
