"""Browser fixtures: Debian's Chromium driven by Playwright, with every request and console error recorded."""

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Recorder:
    """What a page did that a test may want to forbid."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def foreign_hosts(self) -> set[str]:
        hosts = {urlparse(url).hostname for url in self.urls if not url.startswith(("data:", "blob:"))}
        return hosts - {"127.0.0.1"}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def recorder():
    return Recorder()


@contextmanager
def new_page(
    browser, recorder: Recorder, viewport: tuple[int, int] = (1600, 900), mobile: bool = False, bypass_csp: bool = True
):
    """A page in a browser context of its own (two of them are two browsers, as the server sees it). The tests wait
    on string expressions, which Playwright evaluates in the page (eval), and the page's Content-Security-Policy
    forbids that: they bypass it; tests/e2e/test_security_headers.py checks the page under it (bypass_csp=False)."""
    # 1600×900 by default: a projector's shape, and wide enough for the three comparison panels side by side
    size = {"width": viewport[0], "height": viewport[1]}
    context = browser.new_context(viewport=size, is_mobile=mobile, has_touch=mobile, bypass_csp=bypass_csp)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda message: message.type == "error" and recorder.console_errors.append(message.text))
    page.on("pageerror", lambda error: recorder.page_errors.append(str(error)))
    page.on("request", lambda request: recorder.urls.append(request.url))
    page.on("websocket", lambda socket: recorder.urls.append(socket.url))
    yield page
    context.close()


@pytest.fixture
def page(browser, recorder):
    with new_page(browser, recorder) as page:
        yield page
