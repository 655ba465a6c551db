"""One iteration, stage by stage — forward, cost, backward, update — each value beside the course's equation.

The stages are computed on a twin of the run (`Training.twin`, `GridTraining.twin`), so the run itself does not
move: its next epoch (a step of one epoch) does exactly what the stages show. Every value is copied from the twin's
own buffers as its `Training.step` left them (the Z_l, which the workspace activates in place, are recomputed from
the weights before the update). A mini-batch epoch is several iterations: the stages are its first batch's.

Values are sent as summaries (shape, norm, min, max, mean, a histogram over the batch), with one chosen example's
column when a layer is narrow enough and a parameter matrix whole when it is small.
"""

import numpy as np

from core.insight import histogram
from core.network import cost, cross_entropy_sum, weight_squares
from core.train import Training

SHOWN_ENTRIES = 256  # a parameter block of at most this many entries is sent whole (16 × 16)
SHOWN_ROWS = 64  # one example's column of an activation, up to this many units (a 12,288-pixel input: summary)
BINS = 20


def summary(M: np.ndarray) -> dict:
    finite = M[np.isfinite(M)]
    spread = (float(finite.min()), float(finite.max()), float(finite.mean())) if finite.size else (None,) * 3
    return {
        "shape": list(M.shape),
        "norm": float(np.linalg.norm(M)),
        **dict(zip(("min", "max", "mean"), spread, strict=True)),
        "histogram": histogram(M, BINS),
    }


def batch_value(name: str, equation: str, M: np.ndarray, example: int) -> dict:
    """An (n, m) value over the batch: its summary, and the chosen example's column if n is small."""
    out = {"name": name, "equation": equation, **summary(M)}
    if M.shape[0] <= SHOWN_ROWS:
        out["example"] = M[:, example].tolist()
    return out


def block_value(name: str, equation: str, M: np.ndarray) -> dict:
    """A parameter-shaped value (W_l, db_l, v, ...): its summary, and the matrix itself if small."""
    out = {"name": name, "equation": equation, **summary(M)}
    if M.size <= SHOWN_ENTRIES:
        out["values"] = M.tolist()
    return out


def scalar(name: str, equation: str, value: float) -> dict:
    return {"name": name, "equation": equation, "value": float(value)}


def first_step(twin: Training) -> dict:
    """Train the twin one epoch, copying what its first `step` (one batch) reads and leaves: the batch, the weights
    and optimizer state before and after, the learning rate, and the workspace's buffers."""
    original, seen = twin.step, {}

    def step(X1: np.ndarray, Y: np.ndarray, with_cost: bool) -> float | None:
        if seen:
            return original(X1, Y, with_cost)
        optimizer = twin.optimizer
        seen.update(X1=X1.copy(), Y=Y.copy(), theta=twin.net.theta.copy(), rate=optimizer.learning_rate)
        seen["squares"] = weight_squares(twin.net)  # Σ ||W||² as this batch sees them
        seen["before"] = {name: np.copy(getattr(optimizer, name)) for name in ("v", "s") if hasattr(optimizer, name)}
        total = original(X1, Y, with_cost)
        ws = twin.workspaces[Y.shape[1]]
        seen["A"] = [A[:-1].copy() for A in ws.A[:-1]] + [ws.AL.copy()]
        seen["D"] = None if ws.keep is None else [D.copy() for D in ws.keep]
        seen["dZ"] = [dZ.copy() for dZ in ws.dZ]
        seen["dA"] = [dA[:-1].copy() for dA in ws.dA]
        seen["grad"] = ws.grad.copy()
        seen["after"] = {name: np.copy(getattr(optimizer, name)) for name in seen["before"]}
        seen["theta_after"] = twin.net.theta.copy()
        seen["t"] = getattr(optimizer, "t", None)
        return total

    twin.step = step  # the twin is this function's own: nothing else ever sees it patched
    with np.errstate(all="ignore"):
        twin.advance()
    return seen


def forward_stage(twin: Training, seen: dict, example: int) -> list[dict]:
    net, D, keep_prob = twin.net, seen["D"], twin.config.keep_prob
    layers = net.views(seen["theta"])
    L, g = len(layers), "relu" if net.activation == "relu" else "tanh"
    items = [batch_value("A0", "A[0] = X", seen["X1"][:-1], example)]
    A_prev = seen["X1"]
    for l in range(1, L + 1):
        items.append(
            batch_value(f"Z{l}", f"Z[{l}] = W[{l}] A[{l - 1}] + b[{l}]", np.dot(layers[l - 1], A_prev), example)
        )
        A = seen["A"][l - 1]
        if l == L:
            items.append(batch_value(f"A{l}", f"a[{l}] = σ(Z[{l}]) = 1 / (1 + e^(-Z[{l}]))", A, example))
            break
        if D is not None:
            items.append(batch_value(f"D{l}", f"D[{l}] = (rand(n[{l}], m) < keep_prob)", D[l - 1], example))
            equation = f"A[{l}] = {g}(Z[{l}]) * D[{l}] / keep_prob   (keep_prob = {keep_prob:g})"
        else:
            equation = f"A[{l}] = {g}(Z[{l}])"
        items.append(batch_value(f"A{l}", equation, A, example))
        A_prev = np.vstack([A, np.ones((1, A.shape[1]))])
    return items


def cost_stage(twin: Training, seen: dict) -> list[dict]:
    Y, AL = seen["Y"], seen["A"][-1]
    m, l2_lambda = Y.shape[1], twin.config.l2_lambda
    squares = seen["squares"] if l2_lambda else 0.0
    total = cross_entropy_sum(AL, Y)
    items = [scalar("cross_entropy", "-1/m Σ_i [y log a[L] + (1 - y) log(1 - a[L])]", cost(total, 0.0, 0.0, m))]
    if l2_lambda:
        items.append(
            scalar("L2", f"λ/(2m) Σ_l ||W[l]||²   (λ = {l2_lambda:g}, m = {m})", l2_lambda / (2 * m) * squares)
        )
    items.append(scalar("J", "J = cross_entropy" + (" + L2" if l2_lambda else ""), cost(total, squares, l2_lambda, m)))
    return items


def backward_stage(twin: Training, seen: dict, example: int) -> list[dict]:
    net, D, l2_lambda = twin.net, seen["D"], twin.config.l2_lambda
    grads = net.views(seen["grad"])
    L = len(grads)
    slope = "1{Z > 0}" if net.activation == "relu" else "(1 - tanh²(Z))"
    penalty = " + λ/m W[{l}]" if l2_lambda else ""
    # the workspace folds the course's 1/m into dZ: dZ here is the course's dZ / m, and dW = dZ A^T
    items = [batch_value(f"dZ{L}", f"dZ[{L}] = (a[{L}] - Y) / m", seen["dZ"][-1], example)]
    for l in range(L, 0, -1):
        items.append(
            block_value(f"dW{l}", f"dW[{l}] = dZ[{l}] A[{l - 1}]^T" + penalty.format(l=l), grads[l - 1][:, :-1])
        )
        items.append(block_value(f"db{l}", f"db[{l}] = Σ_i dZ[{l}]", grads[l - 1][:, -1:]))
        if l == 1:
            break
        dropout = f" * D[{l - 1}] / keep_prob" if D is not None else ""
        items.append(batch_value(f"dA{l - 1}", f"dA[{l - 1}] = W[{l}]^T dZ[{l}]{dropout}", seen["dA"][l - 2], example))
        dZ = seen["dZ"][l - 2]
        items.append(
            batch_value(f"dZ{l - 1}", f"dZ[{l - 1}] = dA[{l - 1}] * {slope.replace('Z', f'Z[{l - 1}]')}", dZ, example)
        )
    return items


def update_stage(twin: Training, seen: dict) -> list[dict]:
    net, config = twin.net, twin.config
    name, rate = config.optimizer, seen["rate"]
    items = [scalar("learning_rate", "α" + ("" if config.lr_decay == "none" else " (decayed this epoch)"), rate)]
    after = seen["after"]
    if name == "adam":
        t = seen["t"]
        c1, c2 = 1 - config.beta1**t, 1 - config.beta2**t
        items += [scalar("t", "t: updates so far, this one included", t),
                  scalar("c1", f"1 - β1^t   (β1 = {config.beta1:g})", c1),
                  scalar("c2", f"1 - β2^t   (β2 = {config.beta2:g})", c2)]  # fmt: skip
    old, new, grad = net.views(seen["theta"]), net.views(seen["theta_after"]), net.views(seen["grad"])
    v_after = net.views(after["v"]) if "v" in after else None
    s_after = net.views(after["s"]) if "s" in after else None
    for l in range(1, len(old) + 1):
        for p, part in ((f"W{l}", np.s_[:, :-1]), (f"b{l}", np.s_[:, -1:])):
            d = f"d{p}"
            items.append(block_value(p, f"{p} before the update", old[l - 1][part]))
            if name == "momentum":
                items.append(
                    block_value(f"v_{d}", f"v = β v + (1 - β) {d}   (β = {config.beta:g})", v_after[l - 1][part])
                )
                equation = f"{p} = {p} - α v"
            elif name == "adam":
                v, s = v_after[l - 1][part], s_after[l - 1][part]
                items += [block_value(f"v_{d}", f"v = β1 v + (1 - β1) {d}", v),
                          block_value(f"s_{d}", f"s = β2 s + (1 - β2) {d}²", s),
                          block_value(f"v̂_{d}", "v̂ = v / (1 - β1^t)", v / c1),
                          block_value(f"ŝ_{d}", "ŝ = s / (1 - β2^t)", s / c2)]  # fmt: skip
                equation = f"{p} = {p} - α v̂ / (√ŝ + ε)   (ε = {config.epsilon:g})"
            else:
                items.append(block_value(d, f"{d} (from the backward stage)", grad[l - 1][part]))
                equation = f"{p} = {p} - α {d}"
            items.append(
                block_value(f"step_{p}", f"the step: {p} before - {p} after", old[l - 1][part] - new[l - 1][part])
            )
            items.append(block_value(f"{p}_new", equation, new[l - 1][part]))
    return items


class NoSuchExample(ValueError):  # noqa: N818 - reads as a sentence: raise NoSuchExample
    """The example asked for is not in the batch; the message says which there are."""


def iteration(twin: Training, example: int = 0) -> dict:
    """The next iteration of the run `twin` was made from, in stages (the twin trains one epoch: it is spent).
    `example` picks the batch's example whose columns are shown (NoSuchExample when the batch has none such)."""
    config, epoch = twin.config, twin.epoch
    if not 0 <= example < twin.batch:
        raise NoSuchExample(f"the batch has {twin.batch} examples: 0 to {twin.batch - 1}")
    seen = first_step(twin)
    m = seen["Y"].shape[1]
    return {
        "epoch": epoch,
        "example": example,
        "batch": {"m": m, "examples": twin.m, "first_of_epoch": m < twin.m},
        "optimizer": config.optimizer,
        "activation": config.activation,
        "keep_prob": config.keep_prob,
        "l2_lambda": config.l2_lambda,
        "label": float(seen["Y"][0, example]),
        "stages": [
            {"stage": "forward", "items": forward_stage(twin, seen, example)},
            {"stage": "cost", "items": cost_stage(twin, seen)},
            {"stage": "backward", "items": backward_stage(twin, seen, example)},
            {"stage": "update", "items": update_stage(twin, seen)},
        ],
    }
