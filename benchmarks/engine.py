"""TrainLab's training loop against the course notebooks' plain loop, in the same run.

For init-he, reg-l2, reg-dropout and opt-adam: µs per iteration (a mini-batch step for Adam) of each,
the ratio, and whether TrainLab's numbers are still the course's. Targets: ≥ 3× on the full-batch
experiments, ≥ 5× on mini-batch Adam.

Then the comparison grid: the three Initialization presets × learning rates 0.005, 0.01, 0.02, nine nets
trained together (core.grid) against the course's loop run for the same nine configs one after another;
µs per net-iteration of each, the ratio (target ≈ 4.5×), and whether every net's numbers are still the ones
it gets trained alone.

Last, one loss landscape (core/landscape.py): the cost over a 51 × 51 slice around the Optimization group after
1000 epochs, its 2601 costs computed stacked against one Training cost evaluation per point; seconds per slice of
each, and whether the centre's value is the current cost. Target: ≤ 0.5 s a slice.

Then wide inputs, where the first layer's two products are the whole cost: images-deep (12,288 × 209, [20, 7, 5],
the course's cat / non-cat when its files are in --data-dir, else generated data of that shape) and the
67,500-feature tanh [5, 5] experiment on 100 generated 150×150×3 images: µs per iteration of the course's own
L-layer loop (which also computes the unused dA0) and of TrainLab, the ratio (target ≥ 1.4×), and the GFLOP/s
TrainLab's products achieve against this machine's matrix-multiply rate, measured here (target ≥ 60 %).

Like the server's workers (app/live/pool.py), this runs with one BLAS thread unless OPENBLAS_NUM_THREADS says
otherwise: "the machine's rate" is then one core's, which is what one worker has; both loops get the same threads.

    python benchmarks/engine.py [--repeat 3] [--data-dir ../shared/reference] [--wide-epochs 50] [--wide-only]
                                [--only landscape]
"""

import os

for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")  # before NumPy loads its BLAS: one thread, as a worker has

import argparse  # noqa: E402 - after the BLAS threads are set
import json  # noqa: E402
import time  # noqa: E402
from functools import partial  # noqa: E402
from itertools import pairwise  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from course_loop import L_layer_model, model  # noqa: E402

from app.cli import train_with_bar  # noqa: E402
from core.config import RunConfig  # noqa: E402
from core.data import find_football, resolve_dataset  # noqa: E402
from core.dataset import Dataset  # noqa: E402
from core.grid import GridTraining, train_grid  # noqa: E402
from core.images import load_catvnoncat  # noqa: E402
from core.landscape import RESOLUTION, Paths, Slicer, directions, landscape_steps, made  # noqa: E402
from core.network import with_ones_row  # noqa: E402
from core.presets import GROUPS, preset_config  # noqa: E402
from core.train import Result, Training, train  # noqa: E402

REF = Path(__file__).resolve().parents[2] / "shared" / "reference"
CASES = {  # preset: (target ratio, baseline's init scale, baseline's keyword arguments, expected.json entry)
    "init-he": (3, lambda n: np.sqrt(2 / n), {}, ("initialization", "he")),
    "reg-l2": (3, lambda n: 1 / np.sqrt(n), {"lambd": 0.7}, ("regularization", "l2")),
    "reg-dropout": (3, lambda n: 1 / np.sqrt(n), {"keep_prob": 0.86}, ("regularization", "dropout")),
    "opt-adam": (5, lambda n: np.sqrt(2 / n), {"adam": True, "mini_batch_size": 64}, ("optimization", "adam")),
}
GRID_TARGET = 4.5
CLI_TARGET = 1.10  # the CLI's path (Training.events through the progress bar) against bare train(): at most 10 % more
GRID_LEARNING_RATES = (0.005, 0.01, 0.02)
INIT_SCALES = {"zeros": lambda n: 0.0, "random": lambda n: 10.0, "he": lambda n: np.sqrt(2 / n)}  # the baseline's
CHAOTIC = {"random"}  # past iteration 0 the large random init's costs are chaotic (tolerance_advice)
LANDSCAPE_TARGET_S = 0.5  # one 51 × 51 slice of the course's optimization net
LANDSCAPE_EPOCHS = 1000  # the group trains this far first, its paths recorded every 100 epochs


def matches_course(costs: dict[int, float], train_accuracy: float, published: dict) -> bool:
    """Within the reference's tolerance_advice: rel 1e-9, or the 6 printed decimals for optimization."""
    if "costs_6dp" in published:
        ok = all(round(costs[int(e)], 6) == c for e, c in published["costs_6dp"].items())
    else:
        ok = all(abs(costs[int(e)] - c) <= 1e-9 * abs(c) for e, c in published["costs"].items())
    return ok and train_accuracy == published["train_acc"]


def matches_alone(together: Result, alone: Result, chaotic: bool) -> bool:
    """Same status and accuracies, and costs within rel 1e-9 (a chaotic run: only its first cost)."""
    pairs = list(zip(together.costs, alone.costs, strict=True))[: 1 if chaotic else None]
    same_costs = all(e == f and (c == d or abs(c - d) <= 1e-9 * abs(d)) for (e, c), (f, d) in pairs)
    same_ends = (together.status, together.train_accuracy, together.test_accuracy) == (
        alone.status, alone.train_accuracy, alone.test_accuracy,
    )  # fmt: skip
    return same_costs and same_ends


def best_times(fns: list, repeat: int) -> list[tuple[float, object]]:
    """Each function's fastest of `repeat` calls, and its result. The calls take turns, so a burst of other
    work on the machine hits both sides alike instead of one side's whole series."""
    best = [(np.inf, None)] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            out = fn()
            best[i] = (min(best[i][0], time.perf_counter() - start), out)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings of each loop, taking turns")
    parser.add_argument("--data-dir", default=str(REF), help="holds the course's football and cat / non-cat data")
    parser.add_argument("--wide-epochs", type=int, default=50, help="iterations of each wide-input loop timed")
    parser.add_argument("--wide-only", action="store_true", help="only the wide-input rows")
    parser.add_argument("--only", choices=["landscape"], help="run this row alone")
    args = parser.parse_args()
    if args.only == "landscape":
        print(landscape_row(args.repeat))
        return
    if args.wide_only:
        print("\n".join(wide_rows(args.repeat, args.wide_epochs, args.data_dir)))
        return
    expected = json.loads((REF / "expected.json").read_text()) if (REF / "expected.json").exists() else None
    header = f"{'experiment':12s} {'baseline µs/it':>15s} {'TrainLab µs/it':>15s} {'ratio':>7s} {'target':>7s}"
    print(f"{header}  course numbers")
    for name, (target, scale, baseline_kwargs, entry) in CASES.items():
        config = preset_config(name, {"report_every": 1000})
        data = find_football(args.data_dir) if config.dataset == "football" else resolve_dataset(config.dataset)
        m = data.Y_train.shape[1]
        steps = config.epochs * (-(-m // config.mini_batch_size) if config.mini_batch_size else 1)
        layers = [2, *config.hidden_layers, 1]
        (base_s, _), (ours_s, result) = best_times(
            [
                partial(model, data.X_train, data.Y_train, layers, scale, config.learning_rate, config.epochs,
                        **baseline_kwargs),
                partial(train, config, dataset=data),
            ],
            args.repeat,
        )  # fmt: skip
        verdict = "n/a (no ../shared/reference)"
        if expected is not None:
            published = expected[entry[0]][entry[1]]["published"]
            same = matches_course(dict(result.costs), result.train_accuracy, published)
            verdict = "match" if same else "DIFFER"
        print(row(name, base_s / steps, ours_s / steps, target, verdict))
    print(grid_row(args.repeat))
    print(cli_row(args.repeat))
    print(landscape_row(args.repeat))
    for line in wide_rows(args.repeat, args.wide_epochs, args.data_dir):
        print(line)


def row(name: str, base_s: float, ours_s: float, target: float, verdict: str) -> str:
    ratio = base_s / ours_s
    return (
        f"{name:12s} {base_s * 1e6:15.1f} {ours_s * 1e6:15.1f} {ratio:6.2f}x {target:6g}x  "
        f"{verdict}{'' if ratio >= target else '  (below target)'}"
    )


def grid_row(repeat: int) -> str:
    """The nine Initialization configs as one grid against the course's loop for each in turn, per net-iteration."""
    configs = [
        preset_config(name, {"learning_rate": lr, "report_every": 1000})
        for name in GROUPS["initialization"]
        for lr in GRID_LEARNING_RATES
    ]
    data = resolve_dataset(configs[0].dataset)
    layers = [2, *configs[0].hidden_layers, 1]

    def one_by_one() -> None:
        for config in configs:
            model(data.X_train, data.Y_train, layers, INIT_SCALES[config.initialization], config.learning_rate,
                  config.epochs)  # fmt: skip

    with np.errstate(all="ignore"):  # the random init's first costs are inf, as the course shows
        (base_s, _), (grid_s, together) = best_times([one_by_one, partial(train_grid, configs, dataset=data)], repeat)
    same = all(
        matches_alone(result, train(config, dataset=data), config.initialization in CHAOTIC)
        for config, result in zip(configs, together, strict=True)
    )
    net_iterations = len(configs) * configs[0].epochs
    verdict = f"{'match' if same else 'DIFFER'} (each net alone)"
    return row(f"grid {len(configs)} nets", base_s / net_iterations, grid_s / net_iterations, GRID_TARGET, verdict)


def cli_row(repeat: int) -> str:
    """init-he as `trainlab run` trains it (events, the paced loop, a progress bar) against bare train()."""
    config = preset_config("init-he")
    data = resolve_dataset(config.dataset)
    (bare_s, bare), (cli_s, through_cli) = best_times(
        [partial(train, config, dataset=data), lambda: train_with_bar(Training(config, dataset=data), quiet=True)],
        repeat,
    )
    ratio = cli_s / bare_s
    same = (bare.costs, bare.final_cost) == (through_cli.costs, through_cli.final_cost)
    return (
        f"{'cli path':12s} {bare_s / config.epochs * 1e6:15.1f} {cli_s / config.epochs * 1e6:15.1f} {ratio:6.2f}x "
        f"{'≤' + format(CLI_TARGET, 'g'):>6s}x  {'same numbers' if same else 'DIFFER'} (bare train() | CLI path)"
        f"{'' if ratio <= CLI_TARGET else '  (above target)'}"
    )


def landscape_row(repeat: int) -> str:
    """One 51 × 51 landscape of the Optimization group, stacked, against a Training's cost at each point in turn."""
    configs = [preset_config(name, {"report_every": 100}) for name in GROUPS["optimization"]]
    grid = GridTraining(configs)
    paths = Paths(grid.stack.theta.shape[1], len(configs))
    while grid.epoch < LANDSCAPE_EPOCHS:
        if grid.epoch % 100 == 0:
            for k in range(len(configs)):
                paths.record(str(k), grid.epoch, grid.stack.theta[k])
        grid.advance()
    centre = grid.stack.theta[0].copy()
    slicer = Slicer(grid.stack.net.layer_sizes, configs[0].activation, grid.X1, grid.Y)
    D, _, _ = directions(slicer.net, centre, np.vstack([t for points in paths.points.values() for _, t in points]))
    one = Training(grid.configs[0], dataset=grid.data)

    def point_by_point() -> list[float]:
        drawn = made(landscape_steps(slicer, centre, paths.points, 0.0, resolution=3))  # the same grid's axes, cheaply
        reach = np.array([drawn["a"][-1], drawn["b"][-1]])
        costs = []
        for b in np.linspace(-reach[1], reach[1], RESOLUTION):
            for a in np.linspace(-reach[0], reach[0], RESOLUTION):
                one.net.theta[...] = centre + a * D[0] + b * D[1]
                costs.append(one.current_cost())
        return costs

    (base_s, _), (ours_s, drawn) = best_times(
        [point_by_point, lambda: made(landscape_steps(slicer, centre, paths.points, 0.0))], repeat
    )
    middle = RESOLUTION // 2
    current = grid.current_costs()[0]
    same = abs(drawn["costs"][middle][middle] - current) <= 1e-12 * abs(current)
    verdict = (
        f"centre {'= current cost' if same else 'DIFFERS from the current cost'} ({drawn['directions']} directions)"
    )
    ratio, target = base_s / ours_s, "≤" + format(LANDSCAPE_TARGET_S, "g")
    late = "" if ours_s <= LANDSCAPE_TARGET_S else "  (above target)"
    return (
        f"{'landscape':12s} {base_s:14.3f}s {ours_s:14.3f}s {ratio:6.1f}x {target:>6s}s  "
        f"{verdict}, {RESOLUTION}×{RESOLUTION} costs a slice (s per slice: point by point | stacked){late}"
    )


# ---------------------------------------------------------------- wide inputs

WIDE_TARGET = 1.4
RATE_TARGET = 0.6
GEMM_SIDE = 1536  # the square product the machine's rate is measured on: large enough for BLAS's best


def matmul_gflops(repeat: int) -> float:
    """This process's matrix-multiply rate: the best of `repeat` square GEMMs, in GFLOP/s."""
    a, b = np.random.default_rng(0).random((2, GEMM_SIDE, GEMM_SIDE))
    out = np.empty_like(a)
    best = np.inf
    for _ in range(max(repeat, 2)):
        start = time.perf_counter()
        np.dot(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * GEMM_SIDE**3 / best / 1e9


def product_flops(sizes: list[int], m: int) -> float:
    """One iteration's necessary products: Z_l = [W_l|b_l]·[A;1] and dθ_l = dZ_l·[A;1]^T for every layer, and
    dA_{l-1} = W_l^T·dZ_l down to layer 2 (not dA0: nothing uses it)."""
    layers = list(pairwise(sizes))
    return 2 * m * (2 * sum(n * (n_prev + 1) for n_prev, n in layers) + sum(n * n_prev for n_prev, n in layers[1:]))


def trained_epochs(config: RunConfig, data: Dataset, epochs: int) -> Training:
    """`epochs` epochs of a fresh Training, as the course's loop runs them: its setup (the [X; 1] copy, the
    evaluation buffers) and its final evaluation passes are each a few iterations' worth on wide data, once."""
    training = Training(config, dataset=data)
    for _ in range(epochs):
        training.advance()
    return training


def products_alone_s(sizes: list[int], X1: np.ndarray, repeat: int) -> float:
    """The best time of one iteration's necessary products (as product_flops counts them) done alone, with their
    buffers made beforehand: what BLAS itself gives these shapes, the ceiling of any loop built on them."""
    rng = np.random.default_rng(0)
    m = X1.shape[1]
    layers = [rng.standard_normal((n, n_prev + 1)) for n_prev, n in pairwise(sizes)]
    inputs = [X1] + [rng.standard_normal((n + 1, m)) for n in sizes[1:-1]]
    outputs = [np.empty((n, m)) for n in sizes[1:]]
    grads = [np.empty_like(layer) for layer in layers]
    back = [np.empty((n_prev + 1, m)) for n_prev in sizes[1:-1]]
    best = np.inf
    for _ in range(max(repeat, 2)):
        start = time.perf_counter()
        for layer, A, Z, grad in zip(layers, inputs, outputs, grads, strict=True):
            np.dot(layer, A, out=Z)
            np.dot(Z, A.T, out=grad)
        for layer, Z, dA in zip(layers[1:], outputs[1:], back, strict=True):
            np.dot(layer.T, Z, out=dA)
        best = min(best, time.perf_counter() - start)
    return best


def wide_cases(data_dir: str) -> list[tuple[str, Dataset, list[int], str, float]]:
    """(name, data, hidden layers, activation, learning rate) of the two wide-input rows."""
    try:
        cats = load_catvnoncat(data_dir)
        cats_name = "images-deep"
    except ValueError:  # without the course's files: generated data of their shape
        rng = np.random.default_rng(1)
        cats = Dataset("generated", rng.random((12288, 209)), (rng.random((1, 209)) > 0.65) * 1.0, None, None)
        cats_name = "images-deep*"
    rng = np.random.default_rng(2)
    wide = Dataset("generated", rng.random((67500, 100)), (np.arange(100)[None, :] % 2) * 1.0, None, None)
    return [(cats_name, cats, [20, 7, 5], "relu", 0.0075), ("tanh 67,500", wide, [5, 5], "tanh", 0.01)]


def wide_rows(repeat: int, epochs: int, data_dir: str) -> list[str]:
    """Each wide case: the course's L_layer_model against TrainLab's train(), per iteration, and GFLOP/s."""
    rate = matmul_gflops(repeat)
    lines = [f"wide inputs: this process's matrix-multiply rate {rate:.1f} GFLOP/s ({GEMM_SIDE}² GEMM, "
             f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']})"]  # fmt: skip
    for name, data, hidden, activation, learning_rate in wide_cases(data_dir):
        sizes = [data.n_features, *hidden, 1]
        config = RunConfig.model_validate(
            {
                "dataset": "shapes",
                "hidden_layers": hidden,
                "activation": activation,
                "initialization": "xavier",
                "seed": 1,
                "learning_rate": learning_rate,
                "epochs": epochs,
                "report_every": 100,
            }
        )  # fmt: skip  (the dataset field names a stand-in: the data is given)
        (base_s, (_, course_costs)), (ours_s, ours) = best_times(
            [partial(L_layer_model, data.X_train, data.Y_train, sizes, learning_rate, epochs, activation),
             partial(trained_epochs, config, data, epochs)],
            repeat,
        )  # fmt: skip
        same = abs(dict(ours.costs)[0] - course_costs[0]) <= 1e-9 * abs(course_costs[0])
        flops = product_flops(sizes, data.X_train.shape[1])
        gflops = flops / (ours_s / epochs) / 1e9
        alone = flops / products_alone_s(sizes, with_ones_row(data.X_train), repeat) / 1e9  # [X; 1] as ours lays it out
        verdict = (
            f"{gflops:.1f} GFLOP/s = {gflops / rate:.0%} of the rate (target ≥ {RATE_TARGET:.0%})"
            f"{'' if gflops / rate >= RATE_TARGET else ' (below target)'}, {gflops / alone:.0%} of its products "
            f"alone ({alone:.1f}); first cost {'same' if same else 'DIFFER'}"
        )
        lines.append(row(name, base_s / epochs, ours_s / epochs, WIDE_TARGET, verdict))
    return lines


if __name__ == "__main__":
    main()
