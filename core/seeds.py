"""Trust over seeds: one setup's runs over several seeds, summarized — the mean cost curve inside its min–max band
(and the standard deviation beside it), and each final number's mean and spread."""

from collections.abc import Sequence

import numpy as np


def spread(values: Sequence[float | None]) -> dict | None:
    """Mean, standard deviation (over the runs: ddof 0), min, max and n of the values there are; None without any."""
    known = np.array([v for v in values if v is not None], dtype=float)
    if not known.size:
        return None
    with np.errstate(invalid="ignore"):  # inf - inf in the deviation of a diverged seed's inf: nan, as it should
        return {"mean": float(known.mean()), "std": float(known.std()), "min": float(known.min()),
                "max": float(known.max()), "n": int(known.size)}  # fmt: skip


def band(curves: Sequence[Sequence[Sequence]]) -> dict:
    """The runs' cost curves ([[epoch, cost, ...], ...] each) at the epochs every one of them has reached: per epoch
    the mean, the standard deviation and the min–max band ("low", "high")."""
    if not curves:
        return {"epochs": [], "mean": [], "std": [], "low": [], "high": []}
    common = sorted(set.intersection(*({point[0] for point in curve} for curve in curves)))
    index = {epoch: i for i, epoch in enumerate(common)}
    costs = np.full((len(curves), len(common)), np.nan)
    for r, curve in enumerate(curves):
        for epoch, cost, *_ in curve:
            if epoch in index:
                costs[r, index[epoch]] = np.nan if cost is None else float(cost)
    with np.errstate(invalid="ignore"):
        return {
            "epochs": common,
            "mean": costs.mean(axis=0).tolist(),
            "std": costs.std(axis=0).tolist(),
            "low": costs.min(axis=0).tolist(),
            "high": costs.max(axis=0).tolist(),
        }
