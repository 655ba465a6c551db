"""What a user types never runs as HTML in the page, and a link with garbage or out-of-range values shows
which fields are wrong instead of breaking: real server, real Chromium."""

from urllib.parse import urlencode

from tests.app.client import HTTP
from tests.e2e.test_page import open_page, wait_until

PAYLOAD = '<img src=x onerror="window.pwned=1">'
SVG_PAYLOAD = '"><svg onload="window.pwned=2">'
INJECTED = "document.querySelectorAll('img[src=x], svg[onload], [onerror]').length"


def assert_not_injected(page) -> None:
    assert page.evaluate("window.pwned") is None, "a payload ran"
    assert page.evaluate(INJECTED) == 0, "a payload became an element"


def notice(page) -> str:
    return page.get_by_test_id("notice").text_content() or ""


def test_a_link_full_of_markup_and_garbage_shows_field_errors(page, recorder, live_server) -> None:
    query = urlencode(
        [
            ("dataset", PAYLOAD),
            ("epochs", "1000000000"),
            ("learning_rate", "-5"),
            ("hidden_layers", "1000,2"),
            ("grid_size", SVG_PAYLOAD),  # not a number: the default stays
            ("seed", "NaN"),
            ("activation", PAYLOAD),
        ]
    )
    open_page(page, live_server, "?" + query)

    wait_until(page, "document.getElementById('notice').textContent.includes('out of bounds')")
    for field in ("dataset", "epochs", "learning_rate", "hidden_layers", "grid_size", "seed", "activation"):
        assert f"{field}: " in notice(page), (field, notice(page))
    for field in ("epochs", "learning_rate", "grid_size", "seed", "activation", "dataset"):
        assert page.locator(f"[data-field={field}]").get_attribute("aria-invalid") == "true", field
        assert page.locator(f"label:has([data-field={field}])").get_attribute("data-error"), field
    # a value a link gets wrong is flagged, not silently replaced: the box keeps the default and says why
    assert page.locator("[data-field=grid_size]").input_value() == "100"
    assert "not a number" in page.locator("label:has([data-field=grid_size])").get_attribute("data-error")

    requests = []
    page.on("request", lambda request: "/api/runs" in request.url and requests.append(request.url))
    page.get_by_test_id("train").click()  # nothing starts: Train waits until the fields are right
    wait_until(page, "document.getElementById('notice').textContent.startsWith('Not started')")
    for field in ("dataset", "epochs", "learning_rate", "activation"):
        assert f"{field}: " in notice(page), (field, notice(page))
    assert requests == [] and page.evaluate("window.trainlab.live.runs.length") == 0
    assert_not_injected(page)
    assert recorder.page_errors == []


def test_a_comparison_setup_with_markup_is_shown_as_text(page, recorder, live_server) -> None:
    setup = urlencode({"dataset": PAYLOAD, "learning_rate": SVG_PAYLOAD})
    open_page(page, live_server, "?" + urlencode([("compare", "custom"), ("setup", setup), ("setup", PAYLOAD)]))

    setups = page.locator("#setups").text_content()
    assert "<img src=x" in setups, setups  # the page shows the text it was given
    page.get_by_test_id("train").click()
    wait_until(page, "document.getElementById('notice').textContent.length > 0")
    assert_not_injected(page)
    assert recorder.page_errors == []


def test_an_uploaded_dataset_with_markup_trains_as_text(page, recorder, live_server) -> None:
    # the API echoes a bad cell in its 422, as JSON: a browser does not render that as a page
    bad = HTTP.post(f"{live_server}/api/datasets", params={"name": "markup"}, content=f"0,0,1,{PAYLOAD}\n".encode())
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/json"
    assert PAYLOAD in bad.json()["detail"][0]["msg"]

    csv = f"x1,x2,{PAYLOAD}\n" + "".join(f"{i / 10},{1 - i / 10},{i % 2}\n" for i in range(20))
    created = HTTP.post(f"{live_server}/api/datasets", params={"name": "lecture data"}, content=csv.encode())
    assert created.status_code == 201, created.text
    name = created.json()["name"]

    open_page(page, live_server, "?" + urlencode({"dataset": name, "epochs": 200, "report_every": 10}))
    assert page.locator("[data-field=dataset]").input_value() == name
    page.get_by_test_id("train").click()
    wait_until(page, "document.getElementById('status').dataset.status === 'done'")
    assert_not_injected(page)
    assert recorder.page_errors == []
