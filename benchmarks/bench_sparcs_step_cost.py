"""Cost of one training step: SparcsNetwork versus a plain torch MLP.

One step = forward + MSE backward + Adam step, batch 256, n_in 20, width 128,
depth (number of hidden layers) 1..6. Both networks are timed side by side in
the same run, interleaved, and the median over repeats is reported. Writes
``benchmarks/results/sparcs_step_cost.md``.

Example::

    python benchmarks/bench_sparcs_step_cost.py --quick
"""

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from torch import nn

from sklearn_spectral.nn.sparcs import SparcsNetwork


def mlp(sizes):
    """Plain ``nn.Sequential`` of Linear + ReLU with the same layer sizes."""
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def stepper(net, x, y):
    """Return a closure doing one Adam training step of ``net``."""
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        loss = torch.mean((net(x) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def time_steps(step, n_steps):
    """Seconds per step over ``n_steps`` consecutive steps."""
    start = time.perf_counter()
    for _ in range(n_steps):
        step()
    return (time.perf_counter() - start) / n_steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--depths", nargs="+", type=int, default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--n-in", type=int, default=20)
    parser.add_argument("--n-out", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--threads", type=int, default=None)
    default_out = Path(__file__).parent / "results" / "sparcs_step_cost.md"
    parser.add_argument("--output", default=str(default_out))
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.steps = 5, 10
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch_size, args.n_in, generator=gen)
    y = torch.randn(args.batch_size, args.n_out, generator=gen)

    rows = []
    for depth in args.depths:
        sizes = (args.n_in, *[args.width] * depth, args.n_out)
        sparcs = SparcsNetwork(sizes, generator=torch.Generator().manual_seed(depth))
        with torch.no_grad():  # non-zero eigenvalues: every path is in use
            for lam in sparcs.lam:
                lam.uniform_(-1.0, 1.0, generator=gen)
        steps = {"sparcs": stepper(sparcs, x, y), "mlp": stepper(mlp(sizes), x, y)}
        for step in steps.values():
            time_steps(step, 5)  # warm-up
        times = {name: [] for name in steps}
        for _ in range(args.repeats):
            for name, step in steps.items():
                times[name].append(time_steps(step, args.steps))
        med = {name: statistics.median(t) for name, t in times.items()}
        rows.append((depth, med["sparcs"], med["mlp"], med["sparcs"] / med["mlp"]))
        print(
            f"depth {depth}: sparcs {1e3 * med['sparcs']:.3f} ms, "
            f"mlp {1e3 * med['mlp']:.3f} ms, ratio {rows[-1][3]:.2f}",
            flush=True,
        )

    machine = (
        f"{platform.platform()}, {platform.processor() or platform.machine()}, "
        f"python {platform.python_version()}, torch {torch.__version__}, "
        f"os.cpu_count()={os.cpu_count()}, torch threads={torch.get_num_threads()}"
    )
    lines = [
        "# SPARCS training-step cost versus a plain MLP",
        "",
        f"Machine: {machine}.",
        "",
        f"One step = forward + MSE backward + Adam step; batch {args.batch_size}, "
        f"n_in {args.n_in}, width {args.width}, n_out {args.n_out}; median of "
        f"{args.repeats} repeats of {args.steps} steps, interleaved. "
        "SPARCS uses the O(depth) forward (`v_i = a_i - phi_{i-1} v_{i-1}`).",
        "",
        f"Command: `python benchmarks/bench_sparcs_step_cost.py"
        f"{' --quick' if args.quick else ''}`",
        "",
        "| hidden layers | SPARCS ms/step | MLP ms/step | ratio |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {d} | {1e3 * s:.3f} | {1e3 * m:.3f} | {r:.2f} |" for d, s, m, r in rows
    ]
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
