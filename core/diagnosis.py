"""States a learner can read: a run that diverged (and why), a dead network, a stalled one — in words.

A diagnosis is not a status (core/status.py): a run whose every ReLU died still ends `done`; the diagnosis says
what that `done` means. Divergence is both: its status is `diverged`, its diagnosis says which rule fired.
"""

from dataclasses import dataclass

import numpy as np

from core.network import Workspace

# Stalled: the cost has stayed within this relative distance of one value for this many reports in a row
STALL_REPORTS = 20
STALL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # "divergence" | "dead" | "stalled"
    text: str  # a sentence for the page, e.g. "every ReLU unit in layer 2 is dead: the net outputs a constant"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}


class Stall:
    """Has the cost stopped moving? Fed each report's (epoch, cost); O(1) per report."""

    def __init__(self) -> None:
        self.anchor: float | None = None  # the cost every report since `since` has stayed close to
        self.since = 0
        self.epoch = 0
        self.reports = 0

    def check(self, epoch: int, cost: float) -> None:
        # a non-finite cost is never still, nor does one anchor a stall (a random ×10 net's first costs are inf)
        anchored = self.anchor is not None and np.isfinite(self.anchor)
        still = anchored and abs(cost - self.anchor) <= STALL_TOLERANCE * abs(self.anchor)
        if still:
            self.reports += 1
        else:
            self.anchor, self.since, self.reports = cost, epoch, 0
        self.epoch = epoch

    @property
    def stalled(self) -> bool:
        return self.reports >= STALL_REPORTS

    @property
    def epochs(self) -> int:
        """Epochs since the cost last moved."""
        return self.epoch - self.since


def dead_layer(ws: Workspace) -> int | None:
    """The first hidden layer (1-based) whose every ReLU outputs 0 on every example of the workspace's last forward
    pass, or None. Past such a layer every example looks the same, so the net outputs one constant; no gradient
    flows back through it, so it never revives. Read it from a pass without dropout (dropped units look dead)."""
    if not ws.relu:
        return None
    for l in range(len(ws.net.layers) - 1):
        if not np.any(ws.hidden(l)):
            return l + 1
    return None


def diagnose(divergence_cause: str | None, ws: Workspace, stall: Stall) -> Diagnosis | None:
    """What is wrong with a run, the worst first: its divergence's cause (None: it has not diverged), a dead layer
    in `ws` (after a forward pass over the training set), a cost that has stopped moving; None when nothing is."""
    if divergence_cause:
        return Diagnosis("divergence", f"diverged: {divergence_cause}")
    layer = dead_layer(ws)
    if layer is not None:
        return Diagnosis("dead", f"every ReLU unit in layer {layer} is dead: the net outputs a constant")
    if stall.stalled:
        return Diagnosis("stalled", f"the cost has not moved in {stall.epochs:,} epochs")
    return None
