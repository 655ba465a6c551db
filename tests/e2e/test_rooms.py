"""A lecture room in two browsers (two contexts: no shared storage, as two machines): the presenter trains,
the viewer's page follows within a second, the viewer's controls are refused by the server, and a fork
is the viewer's own run."""

import statistics
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Recorder, new_page
from tests.e2e.test_a11y import serious_violations
from tests.e2e.test_page import assert_clean, status_is, wait_until

SETUP = "?epochs=100000&speed=500&dataset=moons&grid_size=30"  # 200 s: longer than the test; a light page
RUN = "window.trainlab.live.runs[0]"
SHOWN_EPOCH = "Number(document.getElementById('epoch').textContent.split(' ')[1].replaceAll(',', ''))"
EPOCH_MARKS = range(1000, 5000, 500)  # 2 to 9 s into the run
FOLLOW_S = 1.0

# from the viewer's own page, as any script on it could: controls without the room's secret
FETCH_CONTROL = """async ([id, method, body]) => {
  const response = await fetch(`/api/runs/${id}${body ? "/control" : ""}`, {
    method, headers: {"Content-Type": "application/json"}, body: body && JSON.stringify(body),
  });
  return [response.status, (await response.json()).detail];
}"""
SOCKET_CONTROL = """(id) => new Promise((resolve, reject) => {
  const socket = new WebSocket(`ws://${location.host}/ws/runs/${id}`);
  socket.onopen = () => socket.send(JSON.stringify({type: "control", action: "stop"}));
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return;
    const message = JSON.parse(event.data);
    if (message.type === "error") { socket.close(); resolve(message.message); }
  };
  setTimeout(() => reject(new Error("no answer to the control")), 10000);
})"""


@pytest.fixture
def presenter(browser) -> Iterator[tuple[Page, Recorder]]:
    recorder = Recorder()
    with new_page(browser, recorder) as page:
        yield page, recorder


@pytest.fixture
def viewer(browser) -> Iterator[tuple[Page, Recorder]]:
    recorder = Recorder()
    with new_page(browser, recorder) as page:
        yield page, recorder


def ready(page: Page) -> None:
    page.wait_for_function("document.body.dataset.ready === 'true'")


def open_room(page: Page, base: str, query: str) -> tuple[str, str]:
    """The presenter opens a room from the normal page; the room's code and viewer link."""
    page.goto(f"{base}/{query}")
    ready(page)
    page.get_by_test_id("open-room").click()
    page.get_by_test_id("room-open").click()  # the class's limits as they are
    page.wait_for_url("**/r/*#secret=*")
    ready(page)
    expect(page.get_by_test_id("room-panel")).to_be_visible()
    return page.get_by_test_id("room-code").text_content(), page.get_by_test_id("room-link").text_content()


def stamp(page: Page, name: str, condition: str) -> None:
    """Have the page note the time (the machine's clock, shared by both pages) when condition first holds."""
    page.evaluate(
        """([name, condition]) => {
          const holds = new Function(`return ${condition}`);
          window.stamps ??= {};
          const timer = setInterval(() => holds() && ((window.stamps[name] = Date.now()), clearInterval(timer)), 5);
        }""",
        [name, condition],
    )


def stamped(page: Page, name: str) -> float:
    """When the page saw its condition `name` hold, in seconds."""
    wait_until(page, f"window.stamps['{name}'] !== undefined", timeout=30_000)
    return page.evaluate(f"window.stamps['{name}']") / 1000


def test_the_viewer_follows_live_cannot_control_and_forks(presenter, viewer, live_server):
    (p, p_recorder), (v, v_recorder) = presenter, viewer
    code, viewer_url = open_room(p, live_server, SETUP)
    assert viewer_url == f"{live_server}/r/{code}"
    assert p.evaluate("document.getElementById('room-qr').naturalWidth") > 100, "the QR code is drawn"
    assert viewer_url in p.get_by_test_id("room-qr").get_attribute("alt")
    expect(p.get_by_test_id("room-loopback")).to_be_visible()  # this server is on 127.0.0.1
    assert p.locator("[data-field=epochs]").input_value() == "100000", "the presenter kept the setup"

    v.goto(viewer_url)
    ready(v)
    expect(v.get_by_test_id("room-watching")).to_have_text(f"Watching room {code}, read-only")
    expect(v.get_by_test_id("room-panel")).to_be_hidden()
    wait_until(v, "document.querySelector('[data-field=dataset]').value === 'moons'")

    # the presenter trains: the viewer's page shows the same run, live (its epoch readout passing each mark
    # at most a second after the presenter's: the median of several, as two busy cores make pages stutter)
    marks = {"started": f"{SHOWN_EPOCH} > 0", **{f"epoch {n}": f"{SHOWN_EPOCH} >= {n}" for n in EPOCH_MARKS}}
    for page in (p, v):
        for name, condition in marks.items():
            stamp(page, name, condition)
    p.get_by_test_id("train").click()
    lags = {name: stamped(v, name) - stamped(p, name) for name in marks}
    print("\nthe viewer's page after the presenter's, s:", {name: round(lag, 2) for name, lag in lags.items()})
    assert lags["started"] < FOLLOW_S, "a new run reaches viewers through the room's update (polled), then its socket"
    assert statistics.median(lags.values()) < FOLLOW_S
    run_id = p.evaluate(f"{RUN}.id")
    assert v.evaluate(f"{RUN}.id") == run_id

    # every control of the viewer's page is locked, the keys do nothing ...
    for testid in ("train", "pause", "step", "stop", "reset", "mode-compare"):
        expect(v.get_by_test_id(testid)).to_be_disabled()
    expect(v.locator("[data-field=learning_rate]")).to_be_disabled()
    v.locator("body").focus()
    for key in ("Space", "s", "r", "1"):
        v.keyboard.press(key)
    # ... and the server refuses what a script on the viewer's page sends without the secret
    status, detail = v.evaluate(FETCH_CONTROL, [run_id, "POST", {"action": "pause"}])
    assert status == 403 and f"room {code}" in detail
    assert v.evaluate(FETCH_CONTROL, [run_id, "DELETE", None])[0] == 403
    assert v.evaluate(SOCKET_CONTROL, run_id).startswith("403")
    refused = [error for error in v_recorder.console_errors if "status of 403" in error]
    assert len(refused) == 2, "the browser logs the two refused requests: nothing else is wrong"
    v_recorder.console_errors = [error for error in v_recorder.console_errors if error not in refused]
    epoch = p.evaluate(f"{RUN}.epoch")
    wait_until(p, f"{RUN}.epoch > {epoch} + 100")
    for page in (p, v):
        assert page.evaluate(f"[{RUN}.id, {RUN}.status]") == [run_id, "running"], "the run went on"
        assert page.evaluate("window.trainlab.live.runs.length") == 1

    # the presenter pauses and resumes: within a second, the viewer's page shows it (paused at the same epoch)
    lags = []
    for i, (button, status) in enumerate([("pause", "paused"), ("resume", "running")] * 2):
        for page in (p, v):
            stamp(page, f"{status} {i}", status_is(status))
        p.get_by_test_id(button).click()
        lags.append(stamped(v, f"{status} {i}") - stamped(p, f"{status} {i}"))
        if status == "paused":
            expect(v.get_by_test_id("epoch")).to_have_text(p.get_by_test_id("epoch").text_content(), timeout=1000)
    print("pause, resume, pause, resume: the viewer's page after the presenter's, s:", [round(lag, 2) for lag in lags])
    assert statistics.median(lags) < FOLLOW_S

    # fork: the viewer's own run of the same setup, a student's run in the room (its own to control)
    v.get_by_test_id("fork").click()
    wait_until(v, f"{RUN}?.id && {RUN}.id !== '{run_id}' && {RUN}.epoch > 0")
    fork_id = v.evaluate(f"{RUN}.id")
    assert v.url.startswith(f"{live_server}/r/{code}?") and "epochs=100000" in v.url
    expect(v.get_by_test_id("room-watching")).to_contain_text("your own run")
    expect(v.get_by_test_id("fork")).to_be_hidden()
    assert v.evaluate("window.trainlab.room.role") == "student"
    expect(v.locator("[data-field=learning_rate]")).to_be_enabled()
    assert v.evaluate(f"[{RUN}.config.epochs, {RUN}.config.dataset]") == [100_000, "moons"]

    p.get_by_test_id("pause").click()
    wait_until(p, status_is("paused"))
    fork_epoch = v.evaluate(f"{RUN}.epoch")
    wait_until(v, f"{RUN}.epoch > {fork_epoch} + 100")
    assert v.evaluate(f"{RUN}.status") == "running", "pausing the presenter's run does not pause the fork"
    v.get_by_test_id("pause").click()  # the fork is the viewer's to control
    wait_until(v, status_is("paused"))
    assert p.evaluate(f"[{RUN}.id, {RUN}.status]") == [run_id, "paused"]
    v.get_by_test_id("stop").click()
    p.get_by_test_id("stop").click()
    wait_until(v, status_is("cancelled"))
    wait_until(p, status_is("cancelled"))
    assert fork_id != run_id
    assert_clean(p_recorder)
    assert_clean(v_recorder)


def test_a_comparison_reaches_the_viewer(presenter, viewer, live_server):
    (p, p_recorder), (v, v_recorder) = presenter, viewer
    code, viewer_url = open_room(p, live_server, "?speed=200")
    v.goto(viewer_url)
    ready(v)
    expect(v.get_by_test_id("room-watching")).to_contain_text(code)
    p.get_by_test_id("mode-compare").click()
    p.get_by_test_id("compare-group-initialization").click()
    wait_until(p, "window.trainlab.live.runs.length === 3 && window.trainlab.live.runs.every((run) => run.id)")
    ids = p.evaluate("window.trainlab.live.runs.map((run) => run.id)")
    wait_until(v, f"window.trainlab.live.runs.map((run) => run.id).join() === '{','.join(ids)}'")
    expect(v.locator("#compare-view")).to_be_visible()
    expect(v.locator("#compare-rows tr")).to_have_count(3)
    wait_until(v, "window.trainlab.live.runs.every((run) => run.epoch > 0)")
    assert serious_violations(p) == [], "the room's panel: the link, the QR code, the copy button"
    assert serious_violations(v) == [], "the viewer's banner and locked controls"
    p.get_by_test_id("reset").click()
    wait_until(v, "window.trainlab.live.runs.length === 0")
    assert_clean(p_recorder)
    assert_clean(v_recorder)
