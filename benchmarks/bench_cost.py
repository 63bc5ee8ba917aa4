"""Table 2: cost, wall time from raw data to a global feature ranking.

Every method of ``_common.METHODS`` runs on the same data (binary
``make_classification`` with 5 informative and 5 redundant columns,
standardised) at two sizes, in one run; the table gives the seconds and the
ratio to ours (``SpectralMLPClassifier()`` default settings, one fit).
Post-hoc methods applied to our network (permutation importance, SHAP,
Integrated Gradients) include the network's fit, since a user needs it too.

Sizes: ``--quick`` 500 x 20 and 2000 x 50; full 2000 x 50 and 50000 x 500
(the full large size can take hours for LassoNet's default path; use
``--lassonet-budget S`` to stop its path after S seconds, as ``run_all.py``
does, or ``--methods`` to restrict the run).

Writes ``benchmarks/results/cost.md`` and ``cost.png`` (``results/full/`` in
the full mode).

Example::

    python benchmarks/bench_cost.py --quick
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    LASSONET_BUDGET_S,
    METHODS,
    NOT_INSTALLED,
    md_table,
    methods_section,
    rank_all,
    results_dir,
    setup,
    standardize,
    write_result,
)
from sklearn.datasets import make_classification

SIZES = {True: [(500, 20), (2000, 50)], False: [(2000, 50), (50000, 500)]}
OURS = "spectral (ours)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--methods",
        nargs="*",
        default=None,
        help="subset of the methods (default: all); ours is always run",
    )
    parser.add_argument(
        "--lassonet-budget",
        type=float,
        default=None,
        help="stop LassoNet's path after this many seconds (full mode; the "
        "quick mode always stops it at 20 s); its time is then a lower bound",
    )
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    if args.lassonet_budget is not None and not args.quick:
        LASSONET_BUDGET_S[False] = args.lassonet_budget
    methods = list(METHODS) if args.methods is None else args.methods
    if OURS not in methods:
        methods.insert(0, OURS)
    start = time.perf_counter()
    sizes = SIZES[args.quick]
    seconds = {}
    stopped = set()  # (method, n, p) whose time is a lower bound
    notes = []
    for n, p in sizes:
        X, y = make_classification(
            n, p, n_informative=5, n_redundant=5, shuffle=False, random_state=0
        )
        (X,) = standardize(X)
        print(f"{n} x {p}", flush=True)
        res = rank_all(X, y, seed=0, quick=args.quick, methods=methods)
        for name, r in res.items():
            seconds[(name, n, p)] = None if r.scores is None else r.seconds
            if r.note and r.scores is not None:
                notes.append(f"{n} x {p}, {name}: {r.note}")
                if "budget" in r.note:
                    stopped.add((name, n, p))
            print(f"   {name:28s} {r.seconds:8.2f}s", flush=True)

    header = ["method"]
    for n, p in sizes:
        header += [f"{n} x {p}: seconds", f"{n} x {p}: ratio to ours"]
    rows = []
    for name in methods:
        row = [name]
        for n, p in sizes:
            s = seconds.get((name, n, p))
            ours = seconds[(OURS, n, p)]
            if s is None:
                row += [NOT_INSTALLED, NOT_INSTALLED]
            elif (name, n, p) in stopped:  # stopped at its budget
                row += [f"> {s:.1f} (stopped)", f"> {s / ours:.2f}"]
            else:
                row += [s, s / ours]
        rows.append(row)
    sections = [
        "Wall time from standardised data to a global ranking, every method "
        "in the same run, one repetition, seed 0, single process "
        "(`torch.set_num_threads` fixed, sklearn estimators with their "
        "default `n_jobs`). Ratio > 1: slower than ours. Ours trains "
        "`SpectralMLPClassifier()` with its default `max_iter`, `tol` and "
        "`n_iter_no_change`, so its time depends on when its stopping rule "
        "fires; so does `MLPClassifier()`'s.",
        md_table(header, rows),
        methods_section(notes),
    ]
    plot(methods, sizes, seconds)
    write_result(
        "cost",
        "Cost: data to global ranking (Table 2)",
        sections,
        elapsed=time.perf_counter() - start,
    )


def plot(methods, sizes, seconds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(sizes)
    x = np.arange(len(methods))
    for i, (n, p) in enumerate(sizes):
        vals = [seconds.get((m, n, p)) or np.nan for m in methods]
        ax.bar(x + i * width, vals, width, label=f"{n} x {p}")
    ax.set_yscale("log")
    ax.set_ylabel("seconds (log)")
    ax.set_xticks(x + width * (len(sizes) - 1) / 2)
    ax.set_xticklabels(methods, rotation=40, ha="right", fontsize=8)
    ax.legend()
    fig.tight_layout()
    fig.savefig(results_dir() / "cost.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
