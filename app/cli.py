"""`trainlab`: train in the terminal, list presets, check gradients, serve the web lab."""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from pydantic import ValidationError
from tqdm import tqdm

from app.models import SweepRequest
from app.settings import Settings
from core.config import RunConfig
from core.data import DatasetUnavailable
from core.gradcheck import gradient_check, planted_bug
from core.insight import check_refusal
from core.jsonable import jsonable
from core.presets import DESCRIPTIONS, PRESETS, preset_config
from core.status import RunStatus
from core.sweep import MAX_SWEEP_RUNS, planned, planned_size, run_sweep, sweep_config
from core.train import Progress, Result, Training

POLL_S = 0.5  # how often `trainlab sweep --server` asks for progress


def field_value(text: str) -> object:
    """--set values are JSON where they parse (numbers, lists, true), else plain strings (names)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def overrides_of(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--set {pair}: expected field=value")
        out[field.strip()] = field_value(value)
    return out


def config_of(args: argparse.Namespace) -> RunConfig:
    """The run config from a JSON file and/or a preset, then --set overrides; validated once."""
    fields = json.loads(Path(args.config).read_text()) if args.config else {}
    fields.update(overrides_of(args.set))
    if args.preset:
        return preset_config(args.preset, fields)
    return RunConfig.model_validate(fields)


def errors_of(error: ValidationError) -> list[str]:
    """One line per problem, naming the field."""
    lines = []
    for e in error.errors():
        field = ".".join(str(part) for part in e["loc"]) or "config"
        lines.append(f"{field}: {e['msg']}")
    return lines


def train_with_bar(training: Training, quiet: bool) -> Result:
    """Train to the end with a progress bar; the bar ends on the result's numbers (the final weights'), as printed."""
    with tqdm(total=training.config.epochs, unit="epoch", disable=quiet, file=sys.stderr) as bar:
        for event in training.events():
            if isinstance(event, Progress):
                bar.update(event.epoch + 1 - bar.n)
                bar.set_postfix(cost=f"{event.cost:.6g}", train=f"{event.train_accuracy:.4f}", refresh=False)
            elif isinstance(event, Result):
                bar.set_postfix(cost=f"{event.final_cost:.6g}", train=f"{event.train_accuracy:.4f}", refresh=False)
                bar.update(event.epochs_run - bar.n)
                return event
    raise RuntimeError("training ended without a result")


def run(args: argparse.Namespace) -> int:
    training = Training(config_of(args), data_dir=args.data_dir)
    result = train_with_bar(training, quiet=args.json)
    if args.json:
        print(json.dumps(jsonable(result.to_dict(with_parameters=args.parameters))))
    else:
        test = "n/a" if result.test_accuracy is None else f"{result.test_accuracy:.4f}"
        print(
            f"{result.status}: {result.epochs_run} epochs in {result.duration_s:.2f} s, final cost "
            f"{result.final_cost:.6g}, train accuracy {result.train_accuracy:.4f}, test accuracy {test}"
        )
    return 0 if result.status == RunStatus.DONE else 3


def presets(args: argparse.Namespace) -> int:
    for name, fields in PRESETS.items():
        print(f"{name:14s} {DESCRIPTIONS[name]}")
        if args.verbose:
            print(f"{'':14s} {json.dumps(fields)}")
    return 0


def bug_of(text: str) -> str | tuple[str, float]:
    """--bug course, or --bug dW2=2 (a block of backprop's gradient and its scale)."""
    if text == "course":
        return text
    param, sep, scale = text.partition("=")
    try:
        if sep:
            return param, float(scale)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r}: expected course, or a block and its scale such as dW2=2")


def parameters_of(path: str) -> dict:
    """{"W1": ..., "b1": ..., ...}, or a parameters.json export (its "parameters")."""
    loaded = json.loads(Path(path).read_text())
    return loaded.get("parameters", loaded)


def gradcheck(args: argparse.Namespace) -> int:
    config = config_of(args)
    training = Training(config, data_dir=args.data_dir)
    if args.parameters:
        training.net.set_parameters(parameters_of(args.parameters))
    bug = planted_bug(args.bug, len(training.net.layers)) if args.bug else None
    data = training.data
    refusal = check_refusal(training.net.theta.size, training.m)  # images-deep's 245,973 weights: hours
    if refusal:
        raise ValueError(refusal)
    check = gradient_check(training.net, data.X_train, data.Y_train, config.l2_lambda, config.keep_prob, bug=bug)
    verdict = "backprop is right" if check.passed else "backprop disagrees with the numerical gradient"
    print(f"difference {check.difference:.10g} (threshold {check.threshold:.0e}): {verdict}")
    if bug is not None:
        print(f"planted: {bug.note}")
    for block in check.blocks:
        print(f"  {block.param:4s} {block.difference:.3e}{'  broken' if block.broken else ''}")
    for warning in check.warnings:
        print(f"warning: {warning}")
    return 0 if check.passed else 1


def sweep(args: argparse.Namespace) -> int:
    """Train a sweep, here (a process pool, or Dask with TRAINLAB_DASK_ADDRESS) or on a server; print its table."""
    request = SweepRequest.model_validate_json(Path(args.sweep).read_text())
    if args.server:
        body = request.model_dump(mode="json", exclude_none=True)
        values, rows = sweep_on_server(args.server.rstrip("/"), body, args.token)
    else:
        values, rows = sweep_here(request, args.data_dir)
    print_table(list(values[0]) if values else [], values, rows)
    return 0 if all(row["status"] == RunStatus.DONE for row in rows) else 3


def sweep_here(request: SweepRequest, data_dir: str) -> tuple[list[dict], list[dict]]:
    from app.executors import sweep_executor  # Dask, if asked for, loads only here

    size = planned_size(request.grid, request.trials, request.seeds)
    if size > MAX_SWEEP_RUNS:
        raise ValueError(f"the sweep makes {size} runs, more than a sweep's {MAX_SWEEP_RUNS}")
    space = None if request.space is None else {f: d.model_dump() for f, d in request.space.items()}
    values, _ = planned(request.base, request.grid, space, request.trials or 0, request.seed, request.seeds)
    configs = [sweep_config(request.base, v) for v in values]
    rows: list[dict] = [{} for _ in configs]
    with sweep_executor() as executor, tqdm(total=len(configs), unit="run", file=sys.stderr) as bar:
        for i, row in run_sweep(configs, executor, data_dir):
            rows[i] = row
            bar.update()
    return values, rows


def sweep_on_server(server: str, request: dict, token: str | None) -> tuple[list[dict], list[dict]]:
    """POST the sweep, then poll its progress (stdlib HTTP: the CLI needs no HTTP client package)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    created = http_json(Request(f"{server}/api/sweeps", json.dumps(request).encode(), headers, method="POST"))
    with tqdm(total=len(created["runs"]), unit="run", file=sys.stderr) as bar:
        while True:
            info = http_json(Request(f"{server}/api/sweeps/{created['id']}"))
            bar.update(info["finished"] - bar.n)
            if info["finished"] == info["total"]:
                return [row["values"] for row in info["rows"]], info["rows"]
            time.sleep(POLL_S)


def http_json(request: Request) -> dict:
    try:
        with urlopen(request, timeout=30) as response:
            return json.load(response)
    except HTTPError as error:  # the server's detail names the field
        raise ValueError(f"{error.code}: {error.read().decode()}") from None


def print_table(fields: list[str], values: list[dict], rows: list[dict]) -> None:
    header = [*fields, "status", "final_cost", "train_acc", "test_acc"]
    lines = [header]
    for given, row in zip(values, rows, strict=True):
        measured = [row["final_cost"], row["train_accuracy"], row["test_accuracy"]]
        lines.append([*(shown(given[f]) for f in fields), row["status"], *(shown(v) for v in measured)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def shown(value: object) -> str:
    if value is None:
        return "n/a"
    return f"{value:.6g}" if isinstance(value, float) else value if isinstance(value, str) else json.dumps(value)


def serve(args: argparse.Namespace) -> int:
    from app.main import serve as serve_app  # the web stack loads only for this command

    serve_app(args.host, args.port, args.data_dir)
    return 0


def parser() -> argparse.ArgumentParser:
    settings = Settings.from_env()  # the server's defaults, so that the CLI and the server find the same data
    top = argparse.ArgumentParser(prog="trainlab", description="Watch a NumPy neural network learn.")
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=text, description=text, formatter_class=argparse.ArgumentDefaultsHelpFormatter
        )

    def with_data_dir(p: argparse.ArgumentParser, what: str) -> argparse.ArgumentParser:
        p.add_argument("--data-dir", default=str(settings.data_dir), help=f"{what} (env TRAINLAB_DATA_DIR)")
        return p

    def with_config_options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("config", nargs="?", help="a run config as a JSON file")
        p.add_argument("--preset", choices=list(PRESETS), help="start from one of the course's experiments")
        p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="override a field")
        return with_data_dir(p, "where the course's data (data.mat) and uploaded datasets are")

    p = with_config_options(command("run", "train and print the result"))
    p.add_argument("--json", action="store_true", help="print the result object alone, as JSON")
    p.add_argument("--parameters", action="store_true", help="include the learned parameters in --json")
    p.set_defaults(handler=run)
    p = command("presets", "list the course's experiments")
    p.add_argument("-v", "--verbose", action="store_true", help="show each preset's config")
    p.set_defaults(handler=presets)
    p = with_config_options(command("gradcheck", "check backprop numerically"))
    p.add_argument(
        "--bug", type=bug_of, metavar="course|dWl=SCALE", help="plant mistakes in backprop's gradient for the check "
        "to catch: the notebook's (dW2 × 2, db1 × 4), or one block scaled (dW2=2, db1=0.5)"
    )  # fmt: skip
    p.add_argument(
        "--parameters", metavar="FILE", help="check these weights (a parameters.json export, or W1, b1, ...)"
    )
    p.set_defaults(handler=gradcheck)
    p = command("sweep", "train every combination of a grid, print the table")
    p.add_argument(
        "sweep",
        help='a JSON file: {"base": <config or {"preset", "overrides"}>, "grid": {field: [values]}}, or '
        '"search": "random" with "space": {field: {"distribution": ...}}, "trials" and "seed"; "seeds": N repeats each',
    )
    p.add_argument("--server", metavar="URL", help="run it on this TrainLab server (else here, or on Dask)")
    p.add_argument("--token", default=os.environ.get("TRAINLAB_API_TOKEN"), help="the server's API token")
    with_data_dir(p, "where the course's data and uploaded datasets are, for a sweep trained here")
    p.set_defaults(handler=sweep)
    p = command("serve", "serve the web lab")
    p.add_argument("--host", default=settings.host, help="the address to listen on (env TRAINLAB_HOST)")
    p.add_argument("--port", type=int, default=settings.port, help="the port (env TRAINLAB_PORT)")
    with_data_dir(p, "where runs are kept and the course's data is looked for")
    p.set_defaults(handler=serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except ValidationError as error:
        for line in errors_of(error):
            print(f"trainlab: invalid config: {line}", file=sys.stderr)
    except (KeyError, ValueError, DatasetUnavailable, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"trainlab: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
