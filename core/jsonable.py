"""JSON has no Infinity or NaN: such numbers travel as the strings "inf", "-inf" and "nan"."""

import math
from typing import Any


def jsonable(value: Any) -> Any:
    """value with every non-finite float replaced by its string, recursively (dicts, lists, tuples)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
