"""The Insight section in a real browser against the real server: the views fill in while a run trains (once
scrolled into sight: below the fold they cost nothing), zeros init is shown to stay symmetric, and "Check
gradients" shows core's number for the same weights."""

import numpy as np
import pytest

from core.config import RunConfig
from core.insight import gradient_check_report
from core.train import Training
from tests.e2e.test_a11y import serious_violations
from tests.e2e.test_page import assert_clean, open_page, status_is, text, wait_until

TRACES = "(document.getElementById('{}').data?.length ?? 0)"


def test_the_insight_views_follow_a_run(page, recorder, live_server):
    open_page(page, live_server, "?speed=3000&epochs=15000")
    assert page.get_by_test_id("insight-empty").is_visible()
    page.get_by_test_id("train").click()
    wait_until(page, "window.trainlab.live.runs[0].insight !== null")
    assert page.evaluate(TRACES.format("insight-norms")) == 0  # below the fold: not drawn
    page.get_by_test_id("insight").scroll_into_view_if_needed()

    # during the run: 3 layers' norms (W and dW each), 3 histograms, 2 hidden layers' units
    wait_until(page, f"{TRACES.format('insight-norms')} === 6 && {status_is('running')}")
    assert page.evaluate(TRACES.format("insight-activations")) == 3
    assert page.evaluate(TRACES.format("insight-units")) == 2
    assert page.get_by_test_id("insight-empty").is_hidden()
    wait_until(page, "document.getElementById('insight-norms').data[0].x.length >= 3")  # the chart grows
    label = page.get_by_test_id("insight-norms").get_attribute("aria-label")
    assert "layer 1 weights" in label and "layer 3 weights" in label
    notes = page.get_by_test_id("insight-activation-notes").locator("li").all_text_contents()
    assert notes[0].startswith("Layer 1: dead ") and notes[2].startswith("Layer 3 (output): saturated ")
    symmetry = page.get_by_test_id("insight-symmetry").locator("li").all_text_contents()
    assert len(symmetry) == 2 and all("its units differ" in line for line in symmetry)
    wait_until(page, status_is("done"), timeout=40_000)
    wait_until(page, "window.trainlab.live.runs[0].insight.epoch === 15000")  # the end's insight came too
    assert_clean(recorder)


def test_zeros_init_is_seen_to_stay_symmetric(page, recorder, live_server):
    open_page(page, live_server, "?initialization=zeros&epochs=2000&speed=2000")
    page.get_by_test_id("train").click()
    page.get_by_test_id("insight").scroll_into_view_if_needed()
    wait_until(page, status_is("done"), timeout=30_000)
    wait_until(page, "window.trainlab.live.runs[0].insight?.epoch === 2000")
    symmetry = page.get_by_test_id("insight-symmetry").locator("li").all_text_contents()
    same = "spread 0 — every unit computes the same function, so they all learn the same thing."
    assert symmetry == [f"Layer 1: {same}", f"Layer 2: {same}"]
    notes = page.get_by_test_id("insight-activation-notes").locator("li").all_text_contents()
    assert notes[:2] == ["Layer 1: dead 100%", "Layer 2: dead 100%"]
    # every unit's row in the heatmap is the same
    rows = page.evaluate("document.getElementById('insight-units').data.map((trace) => trace.z)")
    assert all(row == layer[0] for layer in rows for row in layer)
    assert "every norm is 0" in page.get_by_test_id("insight-norms").text_content()  # not an empty chart
    assert serious_violations(page) == []  # with every insight view on the page
    assert_clean(recorder)


def test_check_gradients_on_a_paused_run_shows_cores_number(page, recorder, live_server):
    open_page(page, live_server, "?keep_prob=0.8&l2_lambda=0.1")
    page.get_by_test_id("step").click()
    wait_until(page, f"{status_is('paused')} && window.trainlab.live.runs[0].epoch === 100")
    page.get_by_test_id("insight").scroll_into_view_if_needed()
    page.get_by_test_id("gradcheck").click()
    wait_until(page, "document.getElementById('gradcheck-result').dataset.difference !== ''")

    config = RunConfig.model_validate(page.evaluate("window.trainlab.live.runs[0].config"))
    training = Training(config)
    with np.errstate(all="ignore"):
        while training.epoch < 100:
            training.advance()
    expected = gradient_check_report(training.view())
    shown = float(page.get_by_test_id("gradcheck-result").get_attribute("data-difference"))
    assert shown == pytest.approx(expected["difference"], rel=1e-6)
    digits = page.evaluate(f"Number({expected['difference']!r}).toPrecision(2)")
    assert text(page, "gradcheck-result") == f"difference {digits} — passes (< 2e-7)"
    assert "epoch 100" in text(page, "gradcheck-details") and "91 parameters" in text(page, "gradcheck-details")
    assert "Dropout is off for the check" in text(page, "insight")
    assert_clean(recorder)
