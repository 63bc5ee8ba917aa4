"""Cost of one training step: auto-depth (SPARCS) against fixed depth.

Issue 22's bar: an auto-depth step costs at most 2x a fixed-depth step.
Both are the library's own steps as a fit runs them: the module's
hand-written forward and gradients (``data_loss_and_grads``) and the fit's
proximal Adam step (``optimizer.step()``), on the module and optimizer of a
``SpectralMLPRegressor(hidden_layer_sizes=(width,) * depth)`` fitted for one
epoch with and without ``auto_depth=True`` on the same data; one batch of
``--batch-size`` rows, one torch thread. A third column takes the
auto-depth step through autograd (the path before the hand-written
gradients). Timed in CPU time of the thread (``time.thread_time``: the
reference machine's 2 cores are shared, and wall time measured the other
jobs), interleaved, the best of ``--repeats`` runs of ``--steps`` steps.

Writes ``benchmarks/results/sparcs_step_cost.md``.

Example::

    python benchmarks/bench_sparcs_step_cost.py --quick
"""

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from sklearn_spectral import SpectralMLPRegressor


def fitted(X, y, **params):
    """An estimator after one epoch: its module and optimizer are built."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SpectralMLPRegressor(max_iter=1, n_threads=1, **params).fit(X, y)


def manual_step(est, x, y):
    module, opt = est.net_.module_, est.net_.optimizer_

    def step():
        with torch.no_grad():
            module.data_loss_and_grads(x, y, "squared_error")
            opt.step()

    return step


def autograd_step(est, x, y):
    module, opt = est.net_.module_, est.net_.optimizer_

    def step():
        opt.zero_grad(set_to_none=True)
        torch.mean((module(x) - y) ** 2).backward()
        opt.step()

    return step


def best_seconds(steps, n_steps, repeats):
    """Best CPU seconds per step of each closure, interleaved."""
    best = dict.fromkeys(steps, float("inf"))
    for step in steps.values():
        for _ in range(3):
            step()
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.thread_time()
            for _ in range(n_steps):
                step()
            best[name] = min(best[name], (time.thread_time() - start) / n_steps)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--depths", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--n-in", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=40)
    default_out = Path(__file__).parent / "results" / "sparcs_step_cost.md"
    parser.add_argument("--output", default=str(default_out))
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 10
    torch.set_num_threads(1)
    rng = np.random.RandomState(0)
    n_rows = 4 * args.batch_size
    X = rng.normal(size=(n_rows, args.n_in))
    y = np.tanh(X[:, 0] * X[:, 1]) + X[:, 2] + 0.1 * rng.normal(size=n_rows)
    x = torch.as_tensor(X[: args.batch_size], dtype=torch.float32)
    target = torch.as_tensor((y[: args.batch_size] - y.mean()) / y.std())
    target = target.to(torch.float32)[:, None]

    rows = []
    for depth in args.depths:
        common = {
            "hidden_layer_sizes": (args.width,) * depth,
            "batch_size": args.batch_size,
            "random_state": 0,
        }
        fixed = fitted(X, y, **common)
        auto = fitted(X, y, auto_depth=True, **common)
        auto_graph = fitted(X, y, auto_depth=True, **common)
        steps = {
            "fixed": manual_step(fixed, x, target),
            "auto": manual_step(auto, x, target),
            "auto, autograd": autograd_step(auto_graph, x, target),
        }
        best = best_seconds(steps, args.steps, args.repeats)
        rows.append(
            (
                depth,
                best["fixed"],
                best["auto"],
                best["auto, autograd"],
                best["auto"] / best["fixed"],
                best["auto, autograd"] / best["fixed"],
            )
        )
        print(
            f"depth {depth}: fixed {1e3 * best['fixed']:.3f} ms, auto "
            f"{1e3 * best['auto']:.3f} ms ({rows[-1][4]:.2f}x), autograd "
            f"{1e3 * best['auto, autograd']:.3f} ms ({rows[-1][5]:.2f}x)",
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
        f"Machine: {machine}. Its 2 cores were shared with other jobs: CPU "
        "time of the thread, best of the repeats, steps interleaved.",
        "",
        f"One step = the module's forward and hand-written gradients and the "
        f"fit's proximal Adam step, batch {args.batch_size} x {args.n_in}, "
        f"hidden layers of {args.width}, one output; best of {args.repeats} "
        f"runs of {args.steps} steps.",
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
