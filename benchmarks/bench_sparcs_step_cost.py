"""Cost of one training step: auto-depth (SPARCS) against fixed depth.

Issue 22's bar: an auto-depth step costs at most 2x a fixed-depth step.
Both are the library's own steps as a fit runs them: forward, the data
loss's gradients (by hand where the module offers them, else autograd), the
proximal Adam step. Measured from inside real fits:
``SpectralMLPRegressor(hidden_layer_sizes=(width,) * depth)`` with and
without ``auto_depth=True`` on the same 2048 x 20 data, batch 256 (8 steps
an epoch), a fixed number of epochs (``tol=0``, so the stopping rule never
fires), one torch thread; the per-epoch time is skorch's ``dur`` of each
epoch (the evidence step at the end of an auto-depth fit is outside it),
median over the epochs after the first and over repeats, fits interleaved.
A third column times the auto-depth step through autograd (the module's
``manual_gradients`` switched off), the path it took before.

Writes ``benchmarks/results/sparcs_step_cost.md``.

Example::

    python benchmarks/bench_sparcs_step_cost.py --quick
"""

import argparse
import os
import platform
import statistics
import warnings
from pathlib import Path

import numpy as np
import torch

from sklearn_spectral import SpectralMLPRegressor
from sklearn_spectral.nn.gated import GatedSparcsNetwork


def epoch_seconds(reg, X, y, autograd=False):
    """Per-epoch seconds of one fit (every epoch after the first)."""
    original = GatedSparcsNetwork.manual_gradients
    if autograd:
        GatedSparcsNetwork.manual_gradients = lambda self: False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reg.fit(X, y)
    finally:
        GatedSparcsNetwork.manual_gradients = original
    return list(reg.net_.history[1:, "dur"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--depths", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--n-in", type=int, default=20)
    parser.add_argument("--rows", type=int, default=2048)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5)
    default_out = Path(__file__).parent / "results" / "sparcs_step_cost.md"
    parser.add_argument("--output", default=str(default_out))
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.epochs = 2, 6
    torch.set_num_threads(1)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(args.rows, args.n_in))
    y = np.tanh(X[:, 0] * X[:, 1]) + X[:, 2] + 0.1 * rng.normal(size=args.rows)
    steps = -(-args.rows // args.batch_size)

    rows = []
    for depth in args.depths:
        common = {
            "hidden_layer_sizes": (args.width,) * depth,
            "batch_size": args.batch_size,
            "max_iter": args.epochs,
            "tol": 0.0,
            "n_iter_no_change": args.epochs,
            "n_threads": 1,
            "random_state": 0,
        }
        runs = {
            "fixed": lambda: epoch_seconds(SpectralMLPRegressor(**common), X, y),
            "auto": lambda: epoch_seconds(
                SpectralMLPRegressor(auto_depth=True, **common), X, y
            ),
            "auto, autograd": lambda: epoch_seconds(
                SpectralMLPRegressor(auto_depth=True, **common), X, y, autograd=True
            ),
        }
        times = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, run in runs.items():
                times[name] += run()
        med = {name: statistics.median(t) / steps for name, t in times.items()}
        rows.append(
            (
                depth,
                med["fixed"],
                med["auto"],
                med["auto, autograd"],
                med["auto"] / med["fixed"],
                med["auto, autograd"] / med["fixed"],
            )
        )
        print(
            f"depth {depth}: fixed {1e3 * med['fixed']:.3f} ms, auto "
            f"{1e3 * med['auto']:.3f} ms ({rows[-1][4]:.2f}x), autograd "
            f"{1e3 * med['auto, autograd']:.3f} ms ({rows[-1][5]:.2f}x)",
            flush=True,
        )

    machine = (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}, torch {torch.__version__}, "
        f"os.cpu_count()={os.cpu_count()}, torch threads=1"
    )
    lines = [
        "# Auto-depth training step against a fixed-depth step",
        "",
        f"Machine: {machine}. The machine's 2 cores were shared with other "
        "jobs; the ratios come from fits interleaved in one run.",
        "",
        f"One step = forward, gradients, proximal Adam step, inside a fit of "
        f"`SpectralMLPRegressor((width,) * depth)` on {args.rows} x {args.n_in} "
        f"rows, batch {args.batch_size} ({steps} steps an epoch), width "
        f"{args.width}; median over epochs 2-{args.epochs} of {args.repeats} "
        "fits each (skorch's epoch `dur` / steps).",
        "",
        f"Command: `python benchmarks/bench_sparcs_step_cost.py"
        f"{' --quick' if args.quick else ''}`",
        "",
        "| hidden layers | fixed ms/step | auto-depth ms/step | auto-depth "
        "through autograd ms/step | auto / fixed | autograd / fixed |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d} | {1e3 * f:.3f} | {1e3 * a:.3f} | {1e3 * g:.3f} | {r:.2f} | {rg:.2f} |"
        for d, f, a, g, r, rg in rows
    ]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
