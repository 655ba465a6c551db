"""The worker's insight reports and gradient checks, in process: when they are sent, what a check answers."""

import json
import time

import numpy as np

from app.live.feeds import INSIGHT_S
from app.live.protocol import Answer, Check, Command, Insight, Start, StartGroup
from app.live.worker import Host
from core.config import RunConfig
from core.data import make_dataset
from core.insight import gradient_check_report, insight_report
from core.train import Training

WAIT_S = 30  # at most, for a step of 50 epochs on a loaded machine


def start(run_id: str, paused: bool, **fields: object) -> Start:
    return Start(run_id, RunConfig(**fields), make_dataset("circles"), paused=paused, speed=None)


def rounds(host: Host, seconds: float) -> list:
    events, end = [], time.perf_counter() + seconds
    with np.errstate(all="ignore"):
        while time.perf_counter() < end:
            host.train_round()
            events += host.report()
    return events


def test_a_paused_run_reports_once_then_once_per_finished_step():
    host = Host()
    host.handle(start("r", paused=True))
    first = [e for e in rounds(host, 0.3) if isinstance(e, Insight)]
    assert [e.epoch for e in first] == [0]  # the untrained net's, and nothing more while paused
    host.handle(Command("r", "step", 50))
    began, after_step = time.perf_counter(), []
    while not any(e.epoch == 50 for e in after_step) and time.perf_counter() - began < WAIT_S:
        after_step += [e for e in rounds(host, 0.1) if isinstance(e, Insight)]  # a loaded machine steps slowly
    stepping = time.perf_counter() - began
    after_step += [e for e in rounds(host, 0.3) if isinstance(e, Insight)]  # paused again: nothing more
    assert after_step[-1].epoch == 50 and [e.epoch for e in after_step].count(50) == 1
    # while the step trains, insight goes at most every INSIGHT_S (within 0.5 s: at most 3, as before)
    assert len(after_step) <= 3 + stepping / INSIGHT_S
    local = Training(RunConfig(), dataset=make_dataset("circles"))
    for _ in range(50):
        local.advance()
    message = json.loads(after_step[-1].message_json)
    assert message == json.loads(json.dumps(insight_report(local.view())))
    assert after_step[-1].norms == [50, [n["W"] for n in message["norms"]], [n["dW"] for n in message["norms"]]]


def test_a_training_run_reports_at_most_four_times_a_second():
    host = Host()
    host.handle(start("r", paused=False, epochs=100_000))
    insights = [e for e in rounds(host, 1.0) if isinstance(e, Insight)]
    epochs = [e.epoch for e in insights]
    assert 2 <= len(insights) <= 6 and epochs == sorted(epochs) and epochs[-1] > 0


def test_a_check_is_answered_between_slices_and_leaves_the_run_alone():
    host = Host()
    host.handle(start("r", paused=True))
    host.handle(Command("r", "step", 30))
    rounds(host, 0.3)
    theta = host.slots["r"].training.net.theta.copy()
    host.handle(Check("r", seq=7))
    (checked,) = [e for e in host.report() if isinstance(e, Answer)]
    assert checked.seq == 7 and checked.error is None
    assert checked.answer == gradient_check_report(host.slots["r"].training.view())
    assert checked.answer["epoch"] == 30
    np.testing.assert_array_equal(host.slots["r"].training.net.theta, theta)


def test_checks_that_cannot_run_say_why():
    host = Host()
    host.handle(Check("nobody", seq=1))
    host.handle(start("big", paused=True, hidden_layers=[64, 64]))
    host.handle(Check("big", seq=2))
    gone, big = [e for e in host.out if isinstance(e, Answer)]
    assert (gone.seq, gone.answer, gone.error) == (1, None, None)
    assert big.seq == 2 and big.refused and "4417 parameters" in big.error
    assert "big" in host.slots  # a refused check does not end the run


def test_a_run_trained_stacked_is_checked_at_its_own_weights():
    host = Host()
    host.handle(StartGroup([start("he", paused=True), start("xavier", paused=True, initialization="xavier")]))
    host.handle(Command("he", "step", 30))  # steps the whole group
    rounds(host, 0.5)
    host.handle(Check("xavier", seq=4))
    (checked,) = [e for e in host.out if isinstance(e, Answer)]
    alone = Training(RunConfig(initialization="xavier"), dataset=make_dataset("circles"))
    with np.errstate(all="ignore"):
        for _ in range(30):
            alone.advance()
    assert checked.error is None and checked.answer == gradient_check_report(alone.view())
    assert checked.answer["passed"]
