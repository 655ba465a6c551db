"""Schemathesis against a running server's own OpenAPI schema: every operation in it (whatever routes
exist), valid and invalid requests, checked for no 5xx, documented status codes and content types, and
responses that match their schema. Shared by tests/app/test_fuzz.py (few cases) and benchmarks/fuzz.py."""

from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup

# `st run --checks all` runs the rest too (and positive_data_acceptance, with the exceptions schemathesis.toml
# explains); these are the ones a single generated case answers
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
    response_headers_conformance, negative_data_rejection, allow_header_conformance,
]  # fmt: skip
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class FuzzReport:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)  # how many answers of each status
    failures: list[str] = field(default_factory=list)  # "METHOD path: what failed"
    not_negatable: list[str] = field(default_factory=list)  # operations without any input to get wrong

    @property
    def summary(self) -> str:
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        return f"{self.cases} cases, {len(self.failures)} failures; statuses {counts}"


def fuzzed(base: str, examples: int, seed: int = 0) -> FuzzReport:
    """Run `examples` generated cases per operation and generation mode (from `seed`) against the server at base."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    report = FuzzReport()
    session = requests.Session()
    for result in schema.get_all_operations():
        for mode in MODES:
            try:
                fuzz_operation(result.ok(), mode, base, session, examples, seed, report)
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                report.not_negatable.append(result.ok().label)
    return report


def fuzz_operation(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    base: str,
    session: requests.Session,
    examples: int,
    seed: int,
    report: FuzzReport,
) -> None:
    """One operation's cases in one generation mode, added to report."""
    seen: set[str] = set()

    @hypothesis.seed(seed)  # the same cases on every run with this seed
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        suppress_health_check=list(HealthCheck),
    )
    def one_case(case: schemathesis.Case) -> None:
        report.cases += 1
        response = case.call(base_url=base, session=session, timeout=30)
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as error:
            for failure in getattr(error, "exceptions", [error]):
                what = f"{operation.label} [{mode.value}] {response.status_code}: {failure.title}"
                if what not in seen:  # one line per distinct failure
                    seen.add(what)
                    details = failure.message.strip()[:300]
                    report.failures.append(f"{what}\n    {details}\n    {case.as_curl_command()}")

    one_case()
