"""The page inflates the sub-deflate boundary frames (static/net.js) to exactly the values the server sent,
and in order: a finished run shows its last frame."""

import numpy as np

from app.messages import decode_boundary, is_boundary
from tests.app.client import open_socket
from tests.e2e.test_page import assert_clean, open_page, status_is, wait_until

RUN = "window.trainlab.live.runs[0]"


def frame_of(base: str, run_id: str) -> tuple[dict, np.ndarray]:
    """The latest boundary frame the server holds for a run (a new watcher gets it after the snapshot)."""
    with open_socket(base, run_id) as ws:
        while not is_boundary(message := ws.recv(timeout=10)):
            pass
    return decode_boundary(message)


def shown_boundary(page) -> tuple[dict, np.ndarray]:
    header = page.evaluate(f"(({{values, ...header}}) => header)({RUN}.boundary)")
    values = np.array(page.evaluate(f"Array.from({RUN}.boundary.values)"), dtype=np.uint8)
    return header, values.reshape(header["size"], header["size"])


def test_a_paused_runs_boundary_on_the_page_is_the_servers_bit_for_bit(page, recorder, live_server):
    open_page(page, live_server, "?grid_size=60")
    page.get_by_test_id("step").click()  # a paused run, stepped to epoch 100: its frame stays the latest
    wait_until(page, f"{status_is('paused')} && {RUN}.boundary?.epoch === 100")

    shown_header, shown = shown_boundary(page)
    header, values = frame_of(live_server, page.evaluate(f"{RUN}.id"))
    assert header["epoch"] == shown_header["epoch"] == 100
    assert shown_header["encoding"] == "sub-deflate" and shown.shape == (60, 60)
    assert len(np.unique(values)) > 10  # a real boundary, not a blank frame: the filter's sums matter
    assert np.array_equal(shown, values)
    assert shown_header == header
    assert_clean(recorder)


def test_a_finished_run_shows_its_last_frame(page, recorder, live_server):
    open_page(page, live_server, "?epochs=1500&speed=5000")
    page.get_by_test_id("train").click()
    wait_until(page, f"{status_is('done')} && {RUN}.epoch === 1500", timeout=60_000)
    wait_until(page, f"{RUN}.boundary?.epoch === 1500")

    _, shown = shown_boundary(page)
    header, values = frame_of(live_server, page.evaluate(f"{RUN}.id"))
    assert header["epoch"] == 1500
    assert np.array_equal(shown, values)
    assert_clean(recorder)
