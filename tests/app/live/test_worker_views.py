"""The worker's network frames and diagnoses, in process: a network frame is core's diagram of the net as it stands,
sent at most 10 a second and within its byte budget; a diagnosis is sent when it changes, and a run's result says it."""

import json
import time
from itertools import pairwise

import numpy as np

from app.live.feeds import NETWORK_BYTES_PER_S
from app.live.protocol import Command, Finished, Frame, Start, StartGroup
from app.live.worker import Host
from app.messages import decode_network, levels
from core.config import RunConfig
from core.data import make_dataset
from core.diagram import DiagramPlane
from core.train import Training

WAIT_S = 30  # at most, for frames a loaded machine is slow to train to


def start(run_id: str, paused: bool, **fields: object) -> Start:
    return Start(run_id, RunConfig(**fields), make_dataset("circles"), paused=paused, speed=None)


def rounds(host: Host, seconds: float, until: str | None = None) -> list:
    """Train and report for `seconds`, or until the run `until` has finished."""
    events, end = [], time.perf_counter() + seconds
    with np.errstate(all="ignore"):
        while time.perf_counter() < end:
            host.train_round()
            events += host.report()
            if until and any(isinstance(e, Finished) and e.run_id == until for e in events):
                break
    return events


def frames(events: list, view: str) -> list[Frame]:
    return [e for e in events if isinstance(e, Frame) and e.view == view]


def test_a_paused_runs_network_frame_is_cores_diagram_of_its_weights():
    host = Host()
    host.handle(start("r", paused=True))
    host.handle(Command("r", "step", 40))
    shown = frames(rounds(host, 0.5), "network")[-1]
    header, pictures, weights, gradients = decode_network(shown.payload)
    assert header["epoch"] == shown.epoch == 40 and header["encoding"] == "sub-deflate"

    local = Training(RunConfig(), dataset=make_dataset("circles"))
    for _ in range(40):
        local.advance()
    view = local.view()
    diagram = DiagramPlane(view).diagram(view)
    assert [layer["units"] for layer in header["layers"]] == [2, 10, 5, 1]
    for got, layer, info in zip(pictures, diagram.layers, header["layers"], strict=True):
        assert (info["lo"], info["hi"]) == (layer.lo, layer.hi)
        assert np.array_equal(got, levels(layer.pictures, layer.lo, layer.hi))
    for got, expected in zip([*weights, *gradients], [*diagram.weights, *diagram.gradients], strict=True):
        np.testing.assert_array_equal(got, expected.astype(np.float32))


def test_network_frames_come_at_most_ten_a_second_and_a_wide_nets_within_its_bytes():
    host = Host()
    host.handle(start("small", paused=False, epochs=100_000))
    began = time.perf_counter()
    small = frames(rounds(host, 1.0), "network")
    while len(small) < 2 and time.perf_counter() - began < WAIT_S:  # a loaded machine trains slower
        small += frames(rounds(host, 0.2), "network")
    assert 2 <= len(small) <= 10 * (time.perf_counter() - began) + 2, len(small)
    host.handle(Command("small", "stop"))
    rounds(host, 0.2)

    host.handle(start("wide", paused=False, epochs=10_000, hidden_layers=[64] * 4, grid_size=10))
    sent, end = [], time.perf_counter() + WAIT_S
    with np.errstate(all="ignore"):
        while len(sent) < 3 and time.perf_counter() < end:
            host.train_round()
            asked = time.perf_counter()  # before the report: a frame's making (slow under load) is not in its time
            sent += [(asked, frame) for frame in frames(host.report(), "network")]
    assert len(sent) >= 3, f"{len(sent)} network frames in {WAIT_S} s"
    for (t, frame), (t_next, _) in pairwise(sent):  # each waits for its own bytes' share of the budget
        assert t_next - t >= 0.9 * len(frame.payload) / NETWORK_BYTES_PER_S
    header = decode_network(sent[-1][1].payload)[0]
    assert [(layer["units"], layer["shown"]) for layer in header["layers"]][1] == (64, 20)


def test_a_dying_run_is_diagnosed_live_and_in_its_result():
    host = Host()
    host.handle(start("dead", paused=False, learning_rate=1, epochs=3000))
    events = rounds(host, 30, until="dead")
    said = [json.loads(frame.payload) for frame in frames(events, "diagnosis")]
    assert said and said[-1]["diagnosis"] == {
        "kind": "dead",
        "text": "every ReLU unit in layer 2 is dead: the net outputs a constant",
    }
    assert all(a["diagnosis"] != b["diagnosis"] for a, b in pairwise(said))  # when it changes, not every report
    (finished,) = [e for e in events if isinstance(e, Finished)]
    assert finished.result["status"] == "done" and finished.result["diagnosis"] == said[-1]["diagnosis"]
    assert json.loads(finished.result_json)["diagnosis"]["kind"] == "dead"


def test_a_stacked_member_that_diverges_says_why():
    host = Host()
    tanh = {"activation": "tanh", "epochs": 3000}
    host.handle(StartGroup([start("calm", False, **tanh), start("wild", False, learning_rate=50, **tanh)]))
    events = rounds(host, 30, until="calm")
    results = {e.run_id: e.result for e in events if isinstance(e, Finished)}
    assert results["wild"]["status"] == "diverged"
    assert results["wild"]["diagnosis"]["text"] == "diverged: the cost stayed above 1.5× its start for 20 reports"
    assert results["calm"]["status"] == "done" and results["calm"]["diagnosis"] is None
    wild = [json.loads(frame.payload)["diagnosis"] for frame in frames(events, "diagnosis") if frame.run_id == "wild"]
    assert wild[-1]["kind"] == "divergence"
