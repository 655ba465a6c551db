"""One screen for a lecture, in a real browser: at 1280×720, 1366×768 and 1920×1080 (desktop and projector) and on a
390×844 phone, the boundary and the cost are wholly on the screen once a run starts — each at least 40 % of its
height on the wide screens — nothing moves when Train is pressed (Chromium's layout shift stays under 0.02), and a
comparison's panels, curves and table fit too. Positions and sizes only: how fast it draws is benchmarks/page.py's."""

import pytest

from tests.e2e.conftest import new_page
from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

# layout shifts not caused by the user's own input, summed from when the test resets the sum
SHIFTS = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: "layout-shift"});
"""
LONG_RUN = "?speed=2000&epochs=100000"  # far longer than the test: Reset ends it
RUNNING = f"{status_is('running')} && window.trainlab.live.runs[0].epoch >= 600"
DRAWN = "document.querySelector('[data-view=boundary]').dataset.epoch !== ''"


def boxes(page, views: list[str]) -> dict[str, dict]:
    return {view: page.locator(f"[data-view={view}]").bounding_box() for view in views}


def assert_on_screen(page, found: dict[str, dict], tall: set[str]) -> None:
    """Each box wholly inside the viewport, nothing scrolled; the `tall` ones at least 40 % of its height."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert page.evaluate("[scrollX, scrollY, document.querySelector('main').scrollTop]") == [0, 0, 0]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "sideways scrolling"
    for view, box in found.items():
        assert box is not None, f"{view} is not on the page"
        inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5
        assert inside and box["y"] + box["height"] <= height + 0.5, (view, box, (width, height))
        if view in tall:
            assert box["height"] >= 0.4 * height, (view, box["height"], 0.4 * height)


def train_and_check(page, views: list[str], tall: set[str], start: str = "train") -> None:
    before = boxes(page, views)
    page.evaluate("window.__shift = 0")
    page.get_by_test_id(start).click()
    every_run = "window.trainlab.live.runs.every((run) => run.epoch >= 300)"
    wait_until(page, f"{RUNNING} && {DRAWN}" if start == "train" else every_run)
    page.wait_for_timeout(300)  # a few more frames drawn
    after = boxes(page, views)
    assert after == before, "a view moved or changed size when the run started"
    assert_on_screen(page, after, tall)
    assert page.evaluate("window.__shift") < 0.02
    page.get_by_test_id("reset").click()


@pytest.mark.parametrize("viewport", [(1280, 720), (1366, 768), (1920, 1080)], ids=["720p", "768p", "1080p"])
def test_a_wide_screen_shows_boundary_cost_and_network_at_once(browser, live_server, recorder, viewport):
    with new_page(browser, recorder, viewport) as page:
        page.add_init_script(SHIFTS)
        open_page(page, live_server, LONG_RUN)
        views, tall = ["boundary", "cost", "network"], {"boundary", "cost"}
        train_and_check(page, views, tall)
        page.get_by_test_id("projector").click()
        wait_until(page, "document.documentElement.classList.contains('projector')")
        train_and_check(page, views, tall)
        if viewport == (1280, 720):  # the tightest: a comparison on a projector, the table in sight too
            page.get_by_test_id("mode-compare").click()
            views = ["panels", "compare-cost", "table"]
            train_and_check(page, views, {"panels", "compare-cost"}, start="compare-group-initialization")
        assert_clean(recorder)


def test_a_phone_shows_the_plots_first_and_whole(browser, live_server, recorder):
    with new_page(browser, recorder, (390, 844), mobile=True) as page:
        page.add_init_script(SHIFTS)
        open_page(page, live_server, LONG_RUN)
        train_and_check(page, ["boundary", "cost"], set())
        places = ("[data-view=boundary]", "[data-view=cost]", "#controls")
        order = [page.locator(selector).bounding_box()["y"] for selector in places]
        assert order == sorted(order), "the boundary, then the cost, then the settings"
        assert_clean(recorder)
