"""/docs and /redoc work with no internet: their scripts and styles are served by TrainLab itself."""

import re
from urllib.parse import urljoin, urlparse

import pytest

from tests.app.client import HTTP

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_name_no_other_host_and_their_assets_are_here(live_server: str, path: str) -> None:
    page = HTTP.get(f"{live_server}{path}")
    assert page.status_code == 200
    hosts = set(re.findall(r"\b(?:https?:)?//([A-Za-z0-9.-]+)", page.text))
    assert hosts <= {"127.0.0.1"}, hosts  # no CDN, no fonts from elsewhere
    assets = [a or b for a, b in ASSET.findall(page.text)]
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        url = urljoin(f"{live_server}{path}", asset)
        assert urlparse(url).hostname == "127.0.0.1"
        assert HTTP.get(url).status_code == 200, asset
