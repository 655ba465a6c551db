"""The page's downloads in a real browser: the export buttons come on as a run gets an id and as it ends,
and each saves the server's file under its name."""

import csv
import json

from playwright.sync_api import expect

from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

BUTTONS = ("export-json", "export-npz", "export-costs", "export-script")


def test_export_buttons_download_the_finished_runs_files(page, recorder, live_server, tmp_path):
    open_page(page, live_server, "?epochs=3000&speed=max")
    for testid in BUTTONS:
        expect(page.get_by_test_id(testid)).to_be_disabled()  # no run yet
    expect(page.get_by_role("group", name="Export:").get_by_role("button", name="Python script")).to_be_visible()

    page.get_by_test_id("step").click()  # a paused run: it has an id, so a script, but no weights yet
    wait_until(page, status_is("paused"))
    expect(page.get_by_test_id("export-script")).to_be_enabled()
    for testid in BUTTONS[:3]:
        expect(page.get_by_test_id(testid)).to_be_disabled()

    page.get_by_test_id("train").click()
    wait_until(page, status_is("done"))
    for testid in BUTTONS:
        expect(page.get_by_test_id(testid)).to_be_enabled()
    run_id = page.evaluate("window.trainlab.live.runs[0].id")

    with page.expect_download() as costs:
        page.get_by_role("button", name="Costs CSV").click()
    assert costs.value.suggested_filename == f"trainlab-{run_id}-costs.csv"
    rows = list(csv.reader(costs.value.path().open()))
    assert rows[0] == ["epoch", "cost", "train_accuracy", "test_accuracy"]
    assert [int(row[0]) for row in rows[1:]] == list(range(0, 3000, 100))

    with page.expect_download() as weights:
        page.get_by_role("button", name="Parameters JSON").click()
    parameters = json.loads(weights.value.path().read_text())["parameters"]
    assert list(parameters) == ["W1", "b1", "W2", "b2", "W3", "b3"] and len(parameters["W1"]) == 10
    assert_clean(recorder)
