"""The Content-Security-Policy the server sends is one the page meets: the page trains, compares, saves a PNG
and opens a lecture room, and /docs and /redoc show the API, without one CSP violation in the browser."""

from urllib.parse import urlparse

import pytest

from tests.app.client import HTTP
from tests.e2e.conftest import new_page

REDOC_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"
VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def strict_page(browser, recorder):
    """A page under the server's policy (the other tests' pages bypass it), counting its violations."""
    with new_page(browser, recorder, bypass_csp=False) as page:
        page.add_init_script(VIOLATIONS)
        yield page


def wait(page, condition: str, timeout: float = 30_000) -> None:
    """Wait for condition, given as a function: an expression would be eval'd in the page, which its CSP forbids."""
    page.wait_for_function(f"() => {condition}", timeout=timeout)


def violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def csp_errors(recorder) -> list[str]:
    return [e for e in recorder.console_errors if "Content Security Policy" in e or "Refused to" in e]


def test_the_page_meets_its_policy(strict_page, recorder, live_server):
    page = strict_page
    response = page.goto(f"{live_server}/?speed=max&epochs=2000")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    wait(page, "document.body.dataset.ready === 'true'")
    page.get_by_test_id("train").click()
    wait(page, "document.getElementById('status').dataset.status === 'done'")
    with page.expect_download():
        page.get_by_test_id("png-boundary").click()
    page.get_by_test_id("mode-compare").click()
    page.keyboard.press("1")  # the initialization comparison
    page.wait_for_timeout(1500)
    assert violations(page) == [] and csp_errors(recorder) == [], (violations(page), recorder.console_errors)


def test_a_rooms_page_meets_its_policy(strict_page, recorder, live_server):
    page = strict_page
    room = HTTP.post(f"{live_server}/api/rooms").json()
    path = urlparse(room["presenter_url"])
    page.goto(f"{live_server}{path.path}#{path.fragment}")
    wait(page, "document.body.dataset.ready === 'true'")
    wait(page, "document.getElementById('room-qr').complete && document.getElementById('room-qr').naturalWidth > 0")
    page.wait_for_timeout(500)
    assert violations(page) == [] and csp_errors(recorder) == [], (violations(page), recorder.console_errors)


@pytest.mark.parametrize(("path", "shown"), [("/docs", ".swagger-ui .info"), ("/redoc", "redoc-wrap, .api-content")])
def test_the_api_docs_meet_theirs(strict_page, recorder, live_server, path, shown):
    page = strict_page
    page.goto(f"{live_server}{path}")
    page.wait_for_selector(shown, timeout=20_000)
    page.wait_for_timeout(1000)
    # Redoc's bundle shows its maker's logo from their CDN: the policy blocks it, as it should (no request leaves
    # a lecture hall's server); nothing else is refused
    found = [v for v in violations(page) if not v.startswith(REDOC_LOGO)]
    errors = [e for e in csp_errors(recorder) if REDOC_LOGO.split()[1] not in e]
    assert found == [] and errors == [], (violations(page), recorder.console_errors)


def test_every_answer_has_the_headers(live_server):
    answers = [
        HTTP.get(f"{live_server}/"),
        HTTP.get(f"{live_server}/api/health"),
        HTTP.get(f"{live_server}/api/runs/nonesuch"),
        HTTP.put(f"{live_server}/api/runs"),
        HTTP.post(f"{live_server}/api/runs", json={"epochs": -1}),
        HTTP.post(f"{live_server}/api/runs", content=b"[" * 200_000, headers={"content-type": "application/json"}),
        HTTP.get(f"{live_server}/static/main.js"),
        HTTP.get(f"{live_server}/openapi.json"),
    ]
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "no-referrer", response.url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], response.url
        assert response.headers["x-frame-options"] == "DENY", response.url
