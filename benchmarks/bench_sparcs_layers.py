"""What each hidden layer of an auto-depth student carries, held out.

The teacher-student task (:func:`sklearn_spectral.datasets.make_teacher_student`,
one hidden layer of 20 neurons in the teacher) with a ``(200, 200)``
``SpectralMLPRegressor(auto_depth=True)`` student at a few sizes and data
seeds. For each fit the evidence step's layer step reports, on the rows the
fit held out, how much the loss rises without each hidden layer (the highest
one dropped with the readout of the layer below refitted by least squares,
the lower one switched off) and how much the hidden layers gain over the
affine map of the inputs (``DepthDecision.layers_held_out``). A layer goes
when the network without it is not worse
(``Settings.settle_layer_tolerance``) or worse by at most
``Settings.settle_layer_gain_fraction`` of that gain.

Examples::

    python benchmarks/bench_sparcs_layers.py --quick
    python benchmarks/bench_sparcs_layers.py --rows 1000 5000 --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, setup, write_result
from sklearn.metrics import r2_score

from sklearn_spectral import SpectralMLPRegressor
from sklearn_spectral.datasets import make_teacher_student

NAME = "sparcs_layers"
N_TEST = 20_000


def fit_one(n_rows, seed, sizes):
    """Fit one student; return the row of the table."""
    X, Y = make_teacher_student(n_rows + N_TEST, random_state=seed)
    est = SpectralMLPRegressor(sizes, auto_depth=True, random_state=seed)
    start = time.process_time()
    est.fit(X[:n_rows], Y[:n_rows])
    cpu = time.process_time() - start
    decision = est._depth_decision
    stats = decision.layers_held_out
    gain = stats.get(0, (float("nan"), 0.0))[0]

    def without(layer):
        if layer not in stats:
            return "-"
        mean, se = stats[layer]
        return f"{mean:+.4f} ± {se:.4f} ({mean / gain:.0%})"

    return [
        n_rows,
        seed,
        str(est.architecture_),
        f"{r2_score(Y[n_rows:], est.predict(X[n_rows:])):.4f}",
        f"{gain:.4f}",
        *[without(k) for k in range(1, len(sizes) + 1)],
        decision.n_layers,
        est.n_iter_,
        f"{cpu:.1f}",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000 rows, 3 seeds")
    parser.add_argument("--rows", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 200])
    args = parser.parse_args(argv)
    setup(1, quick=True)
    rows, seeds = args.rows, args.seeds
    if args.quick:
        rows, seeds = [1000], [0, 1, 2]
    sizes = tuple(args.sizes)
    t0 = time.perf_counter()
    table = []
    for n_rows in rows:
        for seed in seeds:
            table.append(fit_one(n_rows, seed, sizes))
            print(table[-1], flush=True)
    header = [
        "rows",
        "data seed",
        "`architecture_`",
        "test R^2",
        "held-out gain of the hidden layers over the affine map",
        *[
            f"loss rise without layer {k} (share of the gain)"
            for k in range(1, len(sizes) + 1)
        ],
        "layers left by the layer step",
        "epochs",
        "CPU s",
    ]
    sections = [
        f"Student: `SpectralMLPRegressor({sizes}, auto_depth=True, "
        "random_state=seed)`, defaults otherwise; data "
        f"`make_teacher_student(rows + {N_TEST}, random_state=seed)`, the last "
        f"{N_TEST} rows for the test R^2 (averaged over the 20 outputs). "
        "Losses are the mean squared error of the standardised targets on the "
        "rows the fit held out (`validation_fraction`), paired per row, ± its "
        "standard error: without the highest layer its readout is refitted by "
        "least squares, a lower layer is switched off without a refit.",
        md_table(header, table),
    ]
    write_result(
        NAME,
        "What each hidden layer of an auto-depth student carries (held out)",
        sections,
        elapsed=time.perf_counter() - t0,
    )
    return np.asarray(table, dtype=object)


if __name__ == "__main__":
    main()
