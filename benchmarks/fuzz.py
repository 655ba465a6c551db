"""Schemathesis against a real server's OpenAPI schema with many more cases than the test suite's
(tests/app/test_fuzz.py): every operation, valid and invalid requests; prints each failure and a summary.

    python benchmarks/fuzz.py --examples 200
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.app.fuzzing import fuzzed
from tests.app.test_fuzz import FUZZ_SERVER
from tests.conftest import running_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and generation mode")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_server(Path(tmp) / "data", **FUZZ_SERVER) as (base, _):
        started = time.perf_counter()
        report = fuzzed(base, args.examples, args.seed)
        elapsed = time.perf_counter() - started
    for failure in report.failures:
        print(failure)
    print(f"fuzz: {report.summary}; {elapsed:.0f} s")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
