"""The page without a mouse: the keys drive training and the comparisons, every control is reached
by Tab and has a name, and the keys keep out of the way while typing."""

from playwright.sync_api import expect

from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

EPOCH = "window.trainlab.live.runs[0]?.epoch ?? 0"


def test_the_main_flow_by_keyboard_alone(page, recorder, live_server):
    open_page(page, live_server, "?speed=2000")
    page.locator("body").focus()

    page.keyboard.press("Space")  # train
    wait_until(page, status_is("running"))
    wait_until(page, f"{EPOCH} >= 300")

    page.keyboard.press("Space")  # pause
    wait_until(page, status_is("paused"))
    paused_at = page.evaluate(EPOCH)
    page.wait_for_timeout(500)
    assert page.evaluate(EPOCH) == paused_at

    page.keyboard.press("s")  # one report interval, then paused again
    wait_until(page, f"{EPOCH} >= {paused_at + 100}")
    wait_until(page, status_is("paused"))

    page.keyboard.press("Space")  # resume
    wait_until(page, status_is("running"))

    page.keyboard.press("r")  # reset
    wait_until(page, status_is("idle"))

    page.keyboard.press("1")  # the initialization comparison
    expect(page.locator("#compare-view")).to_be_visible()
    expect(page.get_by_test_id("compare-group-initialization")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#compare-rows tr")).to_have_count(3)
    assert page.evaluate("window.trainlab.live.runs.map((run) => run.key)") == ["init-zeros", "init-random", "init-he"]

    page.keyboard.press("?")
    dialog = page.get_by_test_id("keys-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Space")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("r")
    assert_clean(recorder)


def test_space_after_a_click_on_a_button_trains_and_pauses_not_that_button(page, recorder, live_server):
    """A clicked button keeps the focus, and Space would press it again (Train: a new run; Projector: the layout
    back): here Space is train / pause wherever the focus is."""
    open_page(page, live_server, "?speed=2000")
    page.get_by_test_id("train").click()
    wait_until(page, status_is("running"))
    run_id = page.evaluate("window.trainlab.live.runs[0].id")
    assert page.evaluate("document.activeElement.id") == "train"
    page.keyboard.press("Space")
    wait_until(page, status_is("paused"))
    assert page.evaluate("window.trainlab.live.runs[0].id") == run_id  # the same run, paused: not a new one

    page.get_by_test_id("projector").click()
    expect(page.get_by_test_id("projector")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    wait_until(page, status_is("running"))
    expect(page.get_by_test_id("projector")).to_have_attribute("aria-pressed", "true")  # not toggled back
    page.get_by_test_id("show-test").click()  # a checkbox: Space is train / pause there too
    page.keyboard.press("Space")
    wait_until(page, status_is("paused"))
    assert page.get_by_test_id("show-test").is_checked()
    page.get_by_test_id("reset").click()
    assert_clean(recorder)


def test_keys_are_ignored_while_typing(page, recorder, live_server):
    open_page(page, live_server)
    rate = page.locator("[data-field=learning_rate]")
    rate.focus()
    page.keyboard.press("s")
    page.keyboard.press("1")
    page.keyboard.press("Space")
    page.keyboard.press("r")
    page.keyboard.press("Shift+Slash")
    page.wait_for_timeout(300)
    assert page.evaluate("window.trainlab.live.runs.length") == 0
    assert page.evaluate("window.trainlab.settings.compare") == ""
    assert page.get_by_test_id("keys-dialog").is_hidden()
    page.locator("[data-field=optimizer]").focus()
    page.keyboard.press("s")
    assert page.evaluate("window.trainlab.live.runs.length") == 0
    assert_clean(recorder)


# every visible control, each with its accessible name (its labels, aria-label(ledby), or its text)
CONTROLS = """(() => {
  const visible = (el) => el.checkVisibility() && !el.closest('.js-plotly-plot');
  const controls = [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')].filter(visible);
  const name = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    if (el.labels?.length) return [...el.labels].map((l) => l.textContent).join(' ');
    return ['BUTTON', 'SUMMARY', 'A'].includes(el.tagName) ? el.textContent : '';
  };
  controls.forEach((el, i) => { el.dataset.tabCheck = i; });
  return controls.map((el) => [el.tagName, el.id || el.dataset.field || '', name(el).trim(), el.disabled]);
})()"""


def test_every_control_is_labelled_and_reached_by_tab(page, recorder, live_server):
    open_page(page, live_server)
    page.locator("details summary").click()  # the "More" settings too
    controls = page.evaluate(CONTROLS)
    assert len(controls) > 30
    assert [c for c in controls if not c[2]] == [], "controls without a name"

    wanted = {i for i, c in enumerate(controls) if not c[3]}  # disabled buttons are skipped by Tab, rightly
    page.locator("body").focus()
    reached = set()
    # a radio-less page: one Tab per control, and a few spare
    for _ in range(len(controls) + 10):
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement?.dataset.tabCheck ?? null")
        if index is not None:
            reached.add(int(index))
    assert sorted(wanted - reached) == [], [controls[i] for i in sorted(wanted - reached)]
    assert_clean(recorder)
