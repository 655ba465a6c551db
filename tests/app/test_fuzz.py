"""Schemathesis fuzzes every operation of the app's OpenAPI schema on a real server: no 5xx, every status
and content type documented, every response matching its schema (a few cases each here; benchmarks/fuzz.py
runs many more). Creating runs is real: the server has one worker and room for 3 live runs, and each
client may start 10 a minute, so that most creates past the first few are a (documented) 429."""

import pytest

from tests.app.fuzzing import fuzzed
from tests.conftest import running_server

EXAMPLES = 25  # per operation and generation mode (valid, invalid)
FUZZ_SERVER = {
    "TRAINLAB_WORKERS": "1",
    "TRAINLAB_MAX_LIVE_RUNS": "3",
    "TRAINLAB_CLIENT_RUNS_PER_MINUTE": "10",
    "TRAINLAB_CLIENT_UPLOADS_PER_MINUTE": "10",
}


def test_the_api_holds_up_to_fuzzing(tmp_path_factory: pytest.TempPathFactory) -> None:
    with running_server(tmp_path_factory.mktemp("fuzz") / "data", **FUZZ_SERVER) as (base, _):
        report = fuzzed(base, EXAMPLES)
    print(report.summary)
    assert not report.failures, "\n".join(report.failures)
    assert report.statuses.get(201, 0) >= 2, report.summary  # creates were exercised, not all refused
    assert report.statuses.get(422, 0) > 0, report.summary
