"""Image data on the real page: the built-in `shapes` trains live, and the examples grid (with its right/wrong
marks) and the first layer's weight pictures are drawn from the server's frames and move as the net learns;
the Initialization-on-images comparison shows each run's first layer side by side."""

import numpy as np
from playwright.sync_api import expect

from tests.e2e.test_a11y import serious_violations
from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

RUN = "window.trainlab.live.runs[0]"
VIEW = "document.querySelector('[data-view={}]')"


def drawn_epoch(page, view: str) -> int:
    return int(page.evaluate(f"{VIEW.format(view)}.dataset.epoch ?? -1"))


def canvas_pixels(page, view: str) -> np.ndarray:
    """The view's canvas as RGBA bytes, as the browser drew it."""
    data = page.evaluate(
        f"""(() => {{
            const canvas = {VIEW.format(view)}.querySelector('canvas');
            return Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
        }})()"""
    )
    return np.array(data, dtype=np.uint8).reshape(-1, 4)


def test_the_built_in_images_train_on_the_page_and_both_views_update(page, recorder, live_server):
    open_page(page, live_server, "?dataset=shapes&hidden_layers=5,5&activation=tanh&initialization=xavier"
              "&learning_rate=0.05&epochs=3000&speed=300")  # fmt: skip
    expect(page.get_by_test_id("boundary")).to_be_hidden()  # no plane to draw a boundary over
    expect(page.get_by_test_id("pictures")).to_be_visible()
    page.get_by_test_id("train").click()
    wait_until(page, f"{RUN}.views.weights && {RUN}.views.examples && {RUN}.views['example-images']")
    wait_until(page, "document.querySelector('[data-view=weights]').dataset.epoch > 0")
    first = {view: drawn_epoch(page, view) for view in ("examples", "weights")}
    first_weights = canvas_pixels(page, "weights")

    wait_until(page, f"{RUN}.epoch >= {first['weights'] + 600}", timeout=60_000)
    wait_until(page, f"document.querySelector('[data-view=weights]').dataset.epoch > {first['weights'] + 500}")
    later = {view: drawn_epoch(page, view) for view in ("examples", "weights")}
    assert later["examples"] > first["examples"] and later["weights"] > first["weights"], (first, later)
    assert not np.array_equal(canvas_pixels(page, "weights"), first_weights)  # the pictures moved

    shown = page.evaluate(f"{RUN}.views['example-images']")
    assert shown["shape"] == [16, 16, 3] and len(shown["train"]) == 24 and len(shown["test"]) == 12
    weights = page.evaluate(f"(({{values, ...header}}) => header)({RUN}.views.weights)")
    assert weights["units"] == weights["of"] == 5 and weights["shape"] == [16, 16, 3] and weights["scale"] > 0
    assert "Misclassified:" in page.get_by_test_id("misclassified").text_content()
    assert len(np.unique(canvas_pixels(page, "examples"), axis=0)) > 50  # real thumbnails, not a blank canvas
    wait_until(page, status_is("done"), timeout=60_000)
    wait_until(page, "document.querySelector('[data-view=weights]').dataset.epoch == 3000")  # the last frame drawn
    assert serious_violations(page) == []
    assert_clean(recorder)


def test_initialization_on_images_compares_the_first_layers_side_by_side(page, recorder, live_server):
    open_page(page, live_server, "?dataset=shapes&compare=initialization-on-images&speed=max")
    page.get_by_test_id("compare-group-initialization-on-images").click()
    wait_until(page, "window.trainlab.live.runs.length === 4 && window.trainlab.live.runs.every("
               "(run) => run.status === 'done')", timeout=120_000)  # fmt: skip
    panels = page.locator("#panels [data-view=weights]")
    assert panels.count() == 4
    frames = page.evaluate("window.trainlab.live.runs.map((run) => [run.key, run.views.weights.scale, "
                           "Array.from(run.views.weights.values)])")  # fmt: skip
    by_key = {key: (scale, np.array(values)) for key, scale, values in frames}
    zeros_scale, zeros = by_key["images-init-zeros"]
    assert zeros_scale == 0 and (zeros == 128).all()  # one blank picture, for every unit
    he_scale, he = by_key["images-init-he"]
    assert he_scale > 0 and len(np.unique(he)) > 20
    assert serious_violations(page) == []
    assert_clean(recorder)
