"""The lesson views in a real browser against the real server: the 1-D check shows core's numbers, the planted bug
shows its broken blocks, the stepper walks a paused run's next iteration and applies it, and the Optimization
group's landscape shows its three paths."""

import numpy as np
import pytest

from core.config import RunConfig
from core.gradcheck import one_dimensional
from core.stepper import iteration
from core.train import Training
from tests.e2e.test_a11y import serious_violations
from tests.e2e.test_page import assert_clean, open_page, status_is, text, wait_until

SMALL = "?dataset=moons&n_train=80&epochs=2000&report_every=50"
STEPPED = f"{status_is('paused')} && window.trainlab.live.runs[0].epoch === 50"


def shown(page, name: str) -> float:
    return float(text(page, f"gc1-{name}"))


def trained(page, epochs: int) -> Training:
    training = Training(RunConfig.model_validate(page.evaluate("window.trainlab.live.runs[0].config")))
    with np.errstate(all="ignore"):
        while training.epoch < epochs:
            training.advance()
    return training


def test_the_1d_check_and_the_planted_bug(page, recorder, live_server):
    open_page(page, live_server, SMALL)
    wait_until(page, "window.trainlab.lessons.gradcheck.oneD !== null")
    expected = one_dimensional(4.0, 2.0, 1e-7)
    for name in ("J", "J_plus", "J_minus", "grad", "gradapprox", "difference"):
        assert shown(page, name) == pytest.approx(expected[name], rel=1e-9), name
    page.get_by_test_id("gc1-epsilon").fill("1e-17")  # below θ's last digit: θ + ε is θ
    wait_until(page, "window.trainlab.lessons.gradcheck.oneD.epsilon === 1e-17")
    assert shown(page, "gradapprox") == 0 and shown(page, "difference") == 1
    assert text(page, "gc1-verdict") == "fails (not < 2e-7)"

    page.get_by_test_id("step").click()
    wait_until(page, STEPPED)
    page.get_by_test_id("bug-check").click()  # the notebook's two mistakes, the default
    wait_until(page, "document.getElementById('bug-blocks').dataset.broken !== ''")
    assert page.get_by_test_id("bug-blocks").get_attribute("data-broken") == "b1,W2"
    bars = page.evaluate("document.getElementById('bug-blocks').data[0]")
    assert bars["x"] == ["W1", "b1", "W2", "b2", "W3", "b3"] and bars["text"][1] == bars["text"][2] == "broken"
    assert "dW2 × 2 and db1 × 4" in text(page, "bug-result") and "fails" in text(page, "bug-result")

    page.get_by_test_id("bug-kind").select_option("block")
    page.get_by_test_id("bug-param").select_option("dW1")
    page.get_by_test_id("bug-scale").fill("-1")
    page.get_by_test_id("bug-check").click()
    wait_until(page, "document.getElementById('bug-blocks').dataset.broken === 'W1'")
    assert serious_violations(page) == []
    assert_clean(recorder)


def test_step_through_one_iteration_and_apply_it(page, recorder, live_server):
    open_page(page, live_server, f"{SMALL}&optimizer=adam&keep_prob=0.9")
    page.get_by_test_id("step").click()
    wait_until(page, STEPPED)
    page.get_by_test_id("stepper-example").fill("3")
    page.get_by_test_id("stepper-start").click()
    wait_until(page, "document.getElementById('stepper-items').dataset.stage === 'forward'")
    names = page.locator("#stepper-items .stepper-item").evaluate_all("cards => cards.map((c) => c.dataset.name)")
    assert names[:4] == ["A0", "Z1", "D1", "A1"] and "A3" in names
    expected = {
        s["stage"]: {i["name"]: i for i in s["items"]} for s in iteration(trained(page, 50).twin(), 3)["stages"]
    }
    answer = page.evaluate("window.trainlab.lessons.stepper.answer")
    got = {s["stage"]: {i["name"]: i for i in s["items"]} for s in answer["stages"]}
    assert got["forward"]["A1"]["example"] == expected["forward"]["A1"]["example"]
    assert got["cost"]["J"]["value"] == expected["cost"]["J"]["value"]

    page.get_by_test_id("stepper-update").click()
    wait_until(page, "document.getElementById('stepper-items').dataset.stage === 'update'")
    assert "v̂ = v / (1 - β1^t)" in text(page, "stepper-items")
    assert window_epoch(page) == 50  # walking through the stages moved nothing
    page.get_by_test_id("stepper-apply").click()
    wait_until(page, "window.trainlab.live.runs[0].epoch === 51 && window.trainlab.lessons.stepper.applied")
    wait_until(page, "document.getElementById('stepper-status').textContent.includes('Applied')")
    assert_clean(recorder)


def window_epoch(page) -> int:
    return page.evaluate("window.trainlab.live.runs[0].epoch")


def test_the_optimization_groups_landscape_shows_three_paths(page, recorder, live_server):
    open_page(page, live_server, "?compare=optimization&speed=max")
    page.get_by_test_id("compare-group-optimization").click()
    wait_until(page, "document.getElementById('landscape').dataset.paths === '3'", timeout=30_000)
    wait_until(page, "window.trainlab.live.runs[0].landscape?.directions === 'pca'", timeout=30_000)
    traces = page.evaluate("document.getElementById('landscape').data.map((t) => [t.type, t.name, t.x.length])")
    assert traces[0][0] == "contour" and traces[0][2] >= 50
    assert [name for _, name, _ in traces[1:]] == ["opt-gd", "opt-momentum", "opt-adam"]
    label = page.get_by_test_id("landscape").get_attribute("aria-label")
    assert "3 paths" in label and "principal directions" in text(page, "landscape-note")
    page.get_by_test_id("stop").click()
    assert_clean(recorder)
