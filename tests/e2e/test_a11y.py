"""Accessibility and layout: axe-core finds nothing serious on the page (in both layouts, with a run in every view),
the projector layout round-trips through the URL, the settings open over the plots without moving them, a phone
gets no sideways scrolling, the explanations follow the controls, and the plots save as PNG."""

from importlib.util import find_spec
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

SERIOUS = {"serious", "critical"}


def axe_script() -> Path:
    # axe.min.js comes with the axe-playwright-python package (the test extra); nothing fetched online
    spec = find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        pytest.skip("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Path(spec.origin).parent / "axe.min.js"


def serious_violations(page):
    page.add_script_tag(path=str(axe_script()))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], v["help"], [node["target"] for node in v["nodes"]][:5])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("query", ["", "?projector=true"], ids=["standard", "projector"])
def test_axe_finds_no_serious_violations(page, recorder, live_server, query):
    open_page(page, live_server, query)
    page.wait_for_function("document.querySelector('[data-view=boundary] canvas').geometry")  # the data is drawn
    assert serious_violations(page) == []  # the settings panel open over the plots
    page.get_by_test_id("step").click()  # every view with a run in it: boundary, cost, network
    wait_until(page, f"{status_is('paused')} && document.querySelector('[data-view=network]').dataset.epoch === '100'")
    assert serious_violations(page) == []
    page.keyboard.press("?")
    expect(page.get_by_test_id("keys-dialog")).to_be_visible()
    assert serious_violations(page) == []
    assert_clean(recorder)


def test_axe_on_a_comparison(page, recorder, live_server):
    open_page(page, live_server, "?compare=initialization&speed=max")
    page.get_by_test_id("compare-group-initialization").click()
    wait_until(page, "window.trainlab.live.runs.every((run) => run.status === 'done')", timeout=40_000)
    assert serious_violations(page) == []
    assert_clean(recorder)


def test_projector_layout_is_in_the_url_and_the_settings_open_over_the_plots(page, recorder, live_server):
    open_page(page, live_server)
    button = page.get_by_test_id("projector")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.wait_for_url("**projector=true**")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > normal_size

    plot = page.locator("[data-view=boundary]").bounding_box()
    toggle = page.get_by_test_id("toggle-controls")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#controls")).to_be_visible()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#controls")).to_be_hidden()
    assert page.locator("[data-view=boundary]").bounding_box() == plot  # the panel lies over the plots: none moves
    toggle.click()
    expect(page.locator("#controls")).to_be_visible()
    assert page.locator("[data-view=boundary]").bounding_box() == plot

    page.reload()
    page.wait_for_function("document.body.dataset.ready === 'true'")
    expect(page.get_by_test_id("projector")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.classList.contains('projector')")
    assert_clean(recorder)


NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("query", ["", "?projector=true", "?compare=initialization"])
def test_a_phone_scrolls_only_down_with_the_plots_first(browser, live_server, query):
    # bypass_csp: the waits are strings Playwright evaluates (tests/e2e/conftest.py new_page)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    try:
        page = context.new_page()
        open_page(page, live_server, query)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        plots = page.locator("#compare-curves" if "compare" in query else "[data-view=network]").bounding_box()
        controls = page.locator("#controls").bounding_box()
        assert plots["y"] + plots["height"] <= controls["y"]  # the settings come below the plots, the last of them
        assert controls["width"] <= 390
    finally:
        context.close()


def test_the_explanations_follow_the_controls(page, recorder, live_server):
    open_page(page, live_server)
    explain = page.get_by_test_id("explain-initialization")
    expect(explain).to_contain_text("ReLU")  # He, the default
    page.locator("[data-field=initialization]").select_option("zeros")
    expect(explain).to_contain_text("symmetry never breaks")
    page.locator("[data-field=initialization]").select_option("random")
    expect(explain).to_contain_text("saturate")

    optimizer = page.get_by_test_id("explain-optimizer")
    page.locator("[data-field=optimizer]").select_option("adam")
    expect(optimizer).to_contain_text("Adam")
    page.locator("[data-field=optimizer]").select_option("momentum")
    expect(optimizer).to_contain_text("smoother")

    regularization = page.get_by_test_id("explain-regularization")
    expect(regularization).to_contain_text("None")
    page.locator("[data-field=l2_lambda]").fill("0.7")
    expect(regularization).to_contain_text("smoother boundary")
    page.locator("[data-field=l2_lambda]").fill("0")
    page.locator("[data-field=keep_prob]").fill("0.86")
    expect(regularization).to_contain_text("overfitting")
    assert_clean(recorder)


def test_the_plots_save_as_png(page, recorder, live_server):
    open_page(page, live_server, "?epochs=500&speed=max")
    page.get_by_test_id("train").click()
    wait_until(page, status_is("done"))
    for testid, name in (("png-boundary", "trainlab-boundary.png"), ("png-cost", "trainlab-cost.png")):
        with page.expect_download() as download:
            page.get_by_test_id(testid).click()
        assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if testid == "png-boundary":  # the canvas itself, heatmap and points: many colours, its own size
            image = Image.open(download.value.path()).convert("RGB")
            size = page.evaluate("(c => [c.width, c.height])(document.querySelector('[data-view=boundary] canvas'))")
            assert list(image.size) == size and len(image.getcolors(maxcolors=1 << 20)) > 200
    assert_clean(recorder)
