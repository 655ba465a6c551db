"""The course's published numbers and data (../shared/reference), which the course-number tests read.

The project ships no copy. A test that needs a file of it is marked `@pytest.mark.reference("expected.json", ...)`
(or asks `reference(...)` itself); when a file is missing the test is skipped with a reason starting with MISSING,
and the run ends with one loud line counting such skips (tests/conftest.py). Under CI=true it fails instead: CI
must check the course's numbers. TRAINLAB_REFERENCE names another folder.
"""

import json
import os
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("TRAINLAB_REFERENCE") or REPO.parent / "shared" / "reference")
MISSING = "the course's reference is missing"


def reference(*names: str) -> Path:
    """The reference folder, once the files named are in it; else skip the test (fail it under CI=true)."""
    missing = [name for name in names if not (REFERENCE / name).is_file()]
    if missing:
        message = f"{MISSING}: no {', '.join(missing)} in {REFERENCE}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return REFERENCE


@cache
def published() -> dict:
    """expected.json, or {} when it is missing (tests that read it are marked, and skip or fail)."""
    path = REFERENCE / "expected.json"
    return json.loads(path.read_text()) if path.is_file() else {}


@cache
def published_images() -> dict:
    """images.json (the course's cat classifiers), or {} when it is missing (its tests are marked)."""
    path = REFERENCE / "images.json"
    return json.loads(path.read_text()) if path.is_file() else {}
