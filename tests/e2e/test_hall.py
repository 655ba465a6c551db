"""A lecture hall in two browsers: predict, then reveal (a viewer votes once, sees no counts until the presenter
reveals them next to the table with the actual outcome); the crowd sweep (a student's forked runs appear on the
presenter's crowd view, its best and worst boundaries drawn); a cut room socket reconnects and resyncs by itself;
blank, freeze and end reach the viewer. Hooks: data-view, data-testid and window.trainlab, not layout."""

from playwright.sync_api import expect

from app.rooms import CLASS_RUNS, MAX_CLASS_RUNS, MAX_RUNS_PER_MEMBER, RUNS_PER_MEMBER
from tests.app.client import HTTP, wait_for
from tests.e2e.test_page import assert_clean, wait_until
from tests.e2e.test_rooms import open_room, presenter, ready, viewer  # noqa: F401 - fixtures

ROOM = "window.trainlab.room"
RUNS = "window.trainlab.live.runs"
# every socket a page opens, so that a test can cut one as a dropped Wi-Fi would
KEEP_SOCKETS = """
window.sockets = [];
const Original = window.WebSocket;
window.WebSocket = class extends Original {
  constructor(...args) { super(...args); window.sockets.push(this); }
};
"""
CUT_ROOM_SOCKET = (
    "window.sockets.filter((s) => s.url.includes('/ws/rooms/') && s.readyState === 1).forEach((s) => s.close(4000))"
)


def open_room_for_a_class(page, base: str, query: str, runs_per_member: int, max_runs: int) -> tuple[str, str]:
    """open_room, setting the class's limits in the dialog."""
    page.goto(f"{base}/{query}")
    ready(page)
    page.get_by_test_id("open-room").click()
    for testid, default, most in [("room-runs-per-member", RUNS_PER_MEMBER, MAX_RUNS_PER_MEMBER),
                                  ("room-max-runs", CLASS_RUNS, MAX_CLASS_RUNS)]:  # fmt: skip
        field = page.get_by_test_id(testid)  # the dialog offers the server's bounds, not copies of them
        assert (field.input_value(), field.get_attribute("max")) == (str(default), str(most))
    page.get_by_test_id("room-runs-per-member").fill(str(runs_per_member))
    page.get_by_test_id("room-max-runs").fill(str(max_runs))
    page.get_by_test_id("room-open").click()
    page.wait_for_url("**/r/*#secret=*")
    ready(page)
    return page.get_by_test_id("room-code").text_content(), page.get_by_test_id("room-link").text_content()


def join(page, url: str) -> None:
    page.goto(url)
    ready(page)
    wait_until(page, f"{ROOM}.connection === 'open' && {ROOM}.member !== null")


def test_predict_then_reveal(presenter, viewer, live_server):  # noqa: F811 - fixtures
    (p, p_recorder), (v, v_recorder) = presenter, viewer
    code, url = open_room(p, live_server, "?speed=300")
    join(v, url)
    p.get_by_test_id("mode-compare").click()
    p.get_by_test_id("compare-group-initialization").click()
    wait_until(p, f"{RUNS}.length === 3 && {RUNS}.every((run) => run.id)")
    wait_until(v, f"{RUNS}.length === 3 && {RUNS}.every((run) => run.id)")

    p.get_by_test_id("poll-kind").select_option("lowest_cost")
    p.get_by_test_id("poll-ask").click()
    expect(v.get_by_test_id("poll-question")).to_have_text("Which will reach the lowest cost?")
    keys = v.evaluate(f"{RUNS}.map((run) => run.key)")
    assert v.evaluate(f"{ROOM}.poll.answers.map((a) => a.key)") == keys, "the answers are the comparison's runs"
    v.get_by_test_id(f"poll-answer-{keys[2]}").click()
    expect(v.get_by_test_id(f"poll-answer-{keys[0]}")).to_be_disabled()
    expect(p.get_by_test_id("poll-votes")).to_have_text("1 voted so far")
    # the viewer cannot vote again, nor see the counts before the reveal
    again = v.evaluate(
        """async ([code, poll, token]) => (await fetch(`/api/rooms/${code}/polls/${poll}/votes`, {method: "POST",
             headers: {"Content-Type": "application/json", "X-Room-Member": token},
             body: JSON.stringify({answer: "init-zeros"})})).status""",
        [code, v.evaluate(f"{ROOM}.poll.id"), v.evaluate(f"{ROOM}.member.token")],
    )
    assert again == 409
    v_recorder.console_errors = [e for e in v_recorder.console_errors if "status of 409" not in e]
    assert v.evaluate(f"{ROOM}.poll.counts") is None
    expect(v.get_by_test_id("poll-results")).to_have_count(0)

    p.get_by_test_id("poll-reveal").click()
    for page in (p, v):
        expect(page.get_by_test_id("poll-results")).to_be_visible()
        expect(page.get_by_test_id(f"poll-count-{keys[2]}")).to_have_attribute("data-count", "1")
        expect(page.get_by_test_id(f"poll-count-{keys[0]}")).to_have_attribute("data-count", "0")
        expect(page.get_by_test_id("compare-table")).to_be_visible()  # the results are next to the table
        wait_until(page, "document.querySelector('[data-testid=poll-outcome]').dataset.outcome !== ''")
    p.get_by_test_id("stop").click()
    assert_clean(p_recorder)
    assert_clean(v_recorder)


def test_the_crowd_sweep_shows_the_students_runs(presenter, viewer, live_server):  # noqa: F811 - fixtures
    (p, p_recorder), (v, v_recorder) = presenter, viewer
    code, url = open_room_for_a_class(p, live_server, "?epochs=3000&speed=2000&grid_size=30", 3, 40)
    assert HTTP.get(f"{live_server}/api/rooms/{code}").json()["limits"] == {"runs_per_member": 3, "max_runs": 40}
    p.get_by_test_id("crowd-setting").select_option("learning_rate")
    join(v, url)
    expect(v.locator("[data-view=crowd-prompt]")).to_contain_text("learning_rate")
    v.get_by_test_id("fork").click()
    wait_until(v, f"{RUNS}[0]?.id && {RUNS}[0].epoch > 0")
    first = v.evaluate(f"{RUNS}[0].id")
    v.get_by_test_id("toggle-controls").click()  # the run has the screen: the settings are one click away
    v.locator("[data-field=learning_rate]").fill("0.3")
    v.locator("[data-field=learning_rate]").dispatch_event("change")
    v.get_by_test_id("train").click()
    wait_until(v, f"{RUNS}[0]?.id && {RUNS}[0].id !== '{first}'")
    second = v.evaluate(f"{RUNS}[0].id")

    expect(p.locator("[data-view=crowd]")).to_be_visible()
    wait_until(p, f"{ROOM}.crowd && {ROOM}.crowd.runs.length === 2", timeout=30_000)
    shown = p.evaluate(f"Object.fromEntries({ROOM}.crowd.runs.map((run) => [run.id, run.value]))")
    assert shown == {first: 0.01, second: 0.3}, "each student's run with its learning rate"
    wait_until(p, "document.querySelector('[data-testid=crowd-plot]').data?.some((t) => t.x.length)")
    for which in ("best", "worst"):
        wait_until(p, f"document.querySelector('[data-testid=crowd-{which}]').dataset.epoch > 0", timeout=30_000)
        expect(p.get_by_test_id(f"crowd-{which}-caption")).to_contain_text("learning_rate")
    v.get_by_test_id("stop").click()
    assert_clean(p_recorder)
    assert_clean(v_recorder)


def test_a_cut_socket_resyncs_and_the_presenter_steers_the_screens(presenter, viewer, live_server):  # noqa: F811
    (p, p_recorder), (v, v_recorder) = presenter, viewer
    v.add_init_script(KEEP_SOCKETS)
    _, url = open_room(p, live_server, "?epochs=100000&speed=300&grid_size=20&dataset=flower")
    join(v, url)  # before the presenter trains: the viewer sees the presenter's data already
    wait_until(v, "window.trainlab.live.preview?.X_train.length === 400")
    p.get_by_test_id("train").click()
    wait_until(v, f"{RUNS}[0]?.id && {RUNS}[0].epoch > 0")
    wait_until(p, f"{ROOM}.presence && {ROOM}.presence.viewers === 1", timeout=10_000)

    # the Wi-Fi drops: the page says so, comes back by itself, and shows what changed meanwhile
    v.evaluate(CUT_ROOM_SOCKET)
    expect(v.locator("[data-view=room-connection]")).to_be_visible()
    p.get_by_test_id("toggle-controls").click()  # Train gave the plots the screen: the settings are one click away
    p.locator("[data-field=dataset]").select_option("moons")
    wait_until(v, f"{ROOM}.connection === 'open'", timeout=15_000)
    expect(v.locator("[data-view=room-connection]")).to_be_hidden()
    wait_until(v, "document.querySelector('[data-field=dataset]').value === 'moons'")

    def screen(name: str) -> None:
        p.get_by_test_id(f"room-screen-{name}").click()
        wait_until(v, f"{ROOM}.screen === '{name}'")

    screen("blank")
    expect(v.locator("[data-view=room-screen]")).to_have_attribute("data-screen", "blank")
    expect(v.locator("[data-view=room-screen]")).to_be_visible()
    screen("frozen")
    shown = v.get_by_test_id("epoch").text_content()
    epoch = v.evaluate(f"{RUNS}[0].epoch")
    wait_until(v, f"{RUNS}[0].epoch > {epoch} + 300")  # the run goes on underneath ...
    assert v.get_by_test_id("epoch").text_content() == shown, "... and the screen holds still"
    screen("live")
    expect(v.locator("[data-view=room-screen]")).to_be_hidden()
    wait_until(v, f"document.getElementById('epoch').textContent !== {shown!r}")

    p.once("dialog", lambda dialog: dialog.accept())
    p.get_by_test_id("room-end").click()
    wait_until(v, f"{ROOM}.ended")
    run_id = v.evaluate(f"{RUNS}[0].id")
    assert wait_for(lambda: HTTP.get(f"{live_server}/api/runs/{run_id}").json()["status"] == "cancelled")
    wait_until(v, f"{RUNS}[0].status === 'cancelled'", timeout=40_000)  # a busy machine's page may lag behind
    assert_clean(p_recorder)
    assert_clean(v_recorder)
