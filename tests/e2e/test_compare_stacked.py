"""The page's comparison goes to the server as one POST /api/comparisons, and its runs, trained stacked, step
together: one Step is one report interval for each of them, not one per run."""

import re

from playwright.sync_api import expect

from tests.e2e.test_page import RUNS, assert_clean, open_page, text, wait_until


def test_step_steps_a_stacked_comparison_once(page, recorder, live_server):
    open_page(page, live_server, "?compare=initialization")
    with page.expect_response("**/api/comparisons") as answer:
        page.get_by_test_id("step").click()
    assert answer.value.status == 201 and answer.value.json()["stacked"] is True
    runs = ["init-zeros", "init-random", "init-he"]
    paused_at = "window.trainlab.live.runs.every((run) => run.status === 'paused' && run.epoch === {})"
    wait_until(page, paused_at.format(100))  # report_every: 100 epochs, once
    page.get_by_test_id("step").click()
    wait_until(page, paused_at.format(200))
    assert [text(page, f"compare-status-{run}") for run in runs] == ["paused"] * 3
    page.wait_for_timeout(300)  # nothing more arrives: the group stays where the steps left it
    assert page.evaluate(paused_at.format(200)), page.evaluate(RUNS)
    assert_clean(recorder)


def test_a_refused_setup_is_named_and_nothing_starts(page, recorder, live_server):
    """The comparison is one request: a setup the server refuses (named by its index) starts none of them."""
    open_page(page, live_server, "?compare=custom&setup=learning_rate%3D0.1&setup=learning_rate%3D500")
    with page.expect_response("**/api/comparisons") as answer:
        page.get_by_test_id("train").click()
    assert answer.value.status == 422
    wait_until(page, "window.trainlab.live.runs.every((run) => run.status === 'failed')")
    runs = page.evaluate("window.trainlab.live.runs.map((run) => [run.name, run.reason])")
    assert runs[0] == ["Setup 1", "not started: another run of the comparison was refused"]
    assert runs[1][0] == "Setup 2" and runs[1][1].startswith("learning_rate: ")
    expect(page.get_by_test_id("notice")).to_have_text(re.compile(r"^Setup 2: learning_rate: "))  # at the next frame
    assert recorder.page_errors == []
