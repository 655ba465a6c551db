"""The page in a real browser against the real server: it loads offline and clean, trains live,
compares the course's initializations with the course's numbers, and restores a shared link."""

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

# the cost curve's data, read off its Plotly graph div; the boundary's, off its canvas once it shows a frame
CURVE_POINTS = "(document.getElementById('curves').data?.[0]?.x.length ?? 0)"
BOUNDARY_PIXELS = """(() => {
  const view = document.querySelector('[data-view=boundary]');
  if (!view.dataset.epoch) return null;
  const canvas = view.querySelector('canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < pixels.length; i += 4) sum += pixels[i] + 3 * pixels[i + 1] + 7 * pixels[i + 2];
  return sum;
})()"""


RUNS = "JSON.stringify(window.trainlab.live.runs.map((run) => [run.key, run.status, run.epoch, run.reason]))"


def status_is(status):
    return f"document.getElementById('status').dataset.status === '{status}'"


def wait_until(page, condition, timeout=20_000):
    """page.wait_for_function, and on a timeout, where each run had got to."""
    try:
        page.wait_for_function(condition, timeout=timeout)
    except PlaywrightTimeoutError:
        pytest.fail(f"timed out waiting for {condition}\nruns [key, status, epoch, reason]: {page.evaluate(RUNS)}")


def open_page(page, base_url, query=""):
    page.goto(f"{base_url}/{query}")
    page.wait_for_function("document.body.dataset.ready === 'true'")  # schema and datasets are in


def text(page, testid):
    return page.get_by_test_id(testid).text_content()


def assert_clean(recorder):
    assert recorder.page_errors == []
    assert recorder.console_errors == []
    assert recorder.foreign_hosts() == set(), "the page must work without the internet"


def test_page_loads_offline_with_the_course_defaults(page, recorder, live_server):
    open_page(page, live_server)

    assert page.locator("[data-field=dataset]").input_value() == "circles"
    assert page.locator("[data-field=initialization]").input_value() == "he"
    assert page.locator("[data-field=learning_rate]").input_value() == "0.01"
    assert page.locator("[data-field=epochs]").input_value() == "15000"
    assert [text(page, f"layer-{i}") for i in range(2)] == ["10", "5"]
    assert page.get_by_test_id("speed-label").text_content() == "1,000 epochs/s"
    assert page.evaluate("typeof Plotly") == "object"  # from /vendor, not a CDN
    assert_clean(recorder)


def test_training_he_on_circles_draws_live(page, recorder, live_server):
    open_page(page, live_server, "?speed=4000")  # ~4 s for 15000 epochs: slow enough to watch it happen
    page.get_by_test_id("train").click()

    wait_until(page, f"{CURVE_POINTS} >= 5 && {BOUNDARY_PIXELS} !== null")
    early_points, early_boundary = page.evaluate(f"[{CURVE_POINTS}, {BOUNDARY_PIXELS}]")
    wait_until(page, status_is("done"), timeout=30_000)
    wait_until(page, "document.querySelector('[data-view=boundary]').dataset.epoch === '15000'")

    assert page.evaluate(CURVE_POINTS) == 150 > early_points  # epochs 0, 100, ..., 14900
    assert page.evaluate(BOUNDARY_PIXELS) != early_boundary  # the canvas shows the later frame
    assert text(page, "train-acc") == "0.9933"
    assert text(page, "epoch") == "Epoch 15,000 / 15,000"
    assert_clean(recorder)


def test_step_before_train_starts_paused_and_settings_changes_are_flagged(page, recorder, live_server):
    open_page(page, live_server)
    page.get_by_test_id("step").click()

    wait_until(page, status_is("paused"))
    wait_until(page, f"{CURVE_POINTS} >= 1")
    assert text(page, "notice") == ""

    page.get_by_test_id("toggle-controls").click()  # the run folded the settings away: open them again
    page.locator("[data-field=learning_rate]").fill("0.05")
    expect(page.get_by_test_id("notice")).to_contain_text("Settings changed")  # at the next frame
    page.get_by_test_id("stop").click()
    wait_until(page, status_is("cancelled"))
    assert_clean(recorder)


def test_a_diverged_tanh_net_and_a_dead_relu_net_say_so_in_words(page, recorder, live_server):
    """The cause the server found, in words beside the curve (the readout's numbers are the result's)."""
    open_page(page, live_server, "?activation=tanh&learning_rate=50&epochs=3000&speed=max")
    page.get_by_test_id("train").click()
    wait_until(page, status_is("diverged"))
    expect(page.get_by_test_id("diagnosis")).to_have_text(
        "Diverged: the cost stayed above 1.5× its start for 20 reports. Try a smaller learning rate."
    )
    result = page.evaluate("window.trainlab.live.runs[0].result")
    assert text(page, "cost") == page.evaluate(f"Number({result['final_cost']!r}).toPrecision(4)")

    page.get_by_test_id("toggle-controls").click()  # Train folded the settings away
    page.locator("[data-field=activation]").select_option("relu")
    page.locator("[data-field=learning_rate]").fill("1")
    page.get_by_test_id("train").click()
    wait_until(page, status_is("done"), timeout=30_000)  # "done" — and the words say what that means
    expect(page.get_by_test_id("diagnosis")).to_contain_text(
        "Every ReLU unit in layer 2 is dead: the net outputs a constant."
    )
    assert text(page, "train-acc") == "0.5000"
    assert_clean(recorder)


def test_initialization_comparison_shows_the_course_numbers(page, recorder, live_server):
    open_page(page, live_server)
    page.get_by_test_id("mode-compare").click()
    page.get_by_test_id("compare-group-initialization").click()

    runs = ["init-zeros", "init-random", "init-he"]
    done = "document.querySelector('[data-testid=compare-status-{}]')?.textContent === 'done'"
    wait_until(page, " && ".join(done.format(run) for run in runs), timeout=40_000)
    train = {run: float(text(page, f"compare-train-acc-{run}")) for run in runs}
    assert train == pytest.approx({"init-zeros": 0.5, "init-random": 0.83, "init-he": 0.9933}, abs=5e-5)
    assert page.evaluate("document.getElementById('compare-curves').data.length") == 3
    assert "compare=initialization" in page.url
    assert_clean(recorder)


SHARED = {
    "dataset": "moons",
    "noise": "0.3",
    "hidden_layers": "8,4,2",
    "activation": "tanh",
    "initialization": "xavier",
    "optimizer": "adam",
    "beta1": "0.8",
    "learning_rate": "0.005",
    "mini_batch_size": "32",
    "speed": "200",
    "log_scale": "true",
    "show_test": "true",
    "compare": "optimization",
}


def test_a_shared_link_restores_the_setup(page, recorder, live_server):
    open_page(page, live_server, "?" + "&".join(f"{k}={v}" for k, v in SHARED.items()))

    for field in ("dataset", "noise", "activation", "initialization", "optimizer", "beta1", "learning_rate"):
        assert page.locator(f"[data-field={field}]").input_value() == SHARED[field], field
    assert page.locator("[data-field=mini_batch_size]").input_value() == "32"
    assert page.locator("[data-field=beta1]").is_visible()  # Adam's settings show, momentum's do not
    assert page.locator("[data-field=beta]").is_hidden()
    assert [text(page, f"layer-{i}") for i in range(3)] == ["8", "4", "2"]
    assert page.get_by_test_id("log-scale").is_checked()
    assert page.get_by_test_id("speed-label").text_content() == "200 epochs/s"
    assert page.locator("#compare-view").is_visible()
    assert page.get_by_test_id("compare-group-optimization").get_attribute("aria-pressed") == "true"

    settings = page.evaluate("window.trainlab.settings")
    assert settings["hidden_layers"] == [8, 4, 2]
    assert settings["noise"] == 0.3
    assert settings["speed"] == 200
    assert settings["compare"] == "optimization"
    # and the page writes the same setup back into its own URL
    written = {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}
    assert {k: written[k] for k in SHARED} == SHARED
    assert_clean(recorder)
