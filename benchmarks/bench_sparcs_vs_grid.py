"""One auto-depth fit versus GridSearchCV over fixed architectures.

Same data for every contender: the SPARCS linear-to-nonlinear problem at
``alpha=1`` (``make_linear_to_nonlinear``, x uniform in [-1, 1]^2, target
``x1^2 + x2^2`` up to a tiny linear part), or ``--data teacher-student``
(20 inputs, 20 outputs). Contenders:

- ``SpectralMLPRegressor(auto_depth=True, hidden_layer_sizes=H)`` fitted once,
  with ``H`` the largest architecture of the grid ``(512, 512)`` and the
  estimator's default ``(100,)``;
- ``GridSearchCV(SpectralMLPRegressor(), {hidden_layer_sizes: depth 0-2 x
  width 32/128/512}, cv=3, n_jobs=1)``;
- the same grid over ``sklearn.neural_network.MLPRegressor``.

Depth 0 is one point (``()``, a linear model), so the grid has 7
architectures, 21 CV fits plus one refit. Every estimator uses the same
``max_iter`` / ``batch_size`` / ``learning_rate_init`` (those of the
spectral defaults unless changed). Reports wall time and test R^2 side by
side and the time ratio to the auto-depth fit.

Examples::

    python benchmarks/bench_sparcs_vs_grid.py --quick
    python benchmarks/bench_sparcs_vs_grid.py
    python benchmarks/bench_sparcs_vs_grid.py --data teacher-student
"""

from __future__ import annotations

import argparse
import time

from _common import md_table, setup, write_result
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor

from sklearn_spectral import SpectralMLPRegressor
from sklearn_spectral.datasets import make_linear_to_nonlinear, make_teacher_student

NAME = "sparcs_vs_grid"
DATA_SEED = 42
FIT_SEED = 0
WIDTHS = (32, 128, 512)
GRID = [()] + [(w,) for w in WIDTHS] + [(w, w) for w in WIDTHS]

#: mode -> (n_train, n_test, max_iter)
MODES = {"quick": (4_000, 5_000, 100), "full": (10_000, 10_000, 200)}


def data(kind, n_train, n_test):
    if kind == "teacher-student":
        X, y = make_teacher_student(n_train + n_test, random_state=DATA_SEED)
    else:
        X, y = make_linear_to_nonlinear(
            n_train + n_test, alpha=1.0, beta=5.0, random_state=DATA_SEED
        )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller data, fewer epochs"
    )
    parser.add_argument(
        "--data",
        choices=["linear-to-nonlinear", "teacher-student"],
        default="linear-to-nonlinear",
    )
    parser.add_argument("--max-iter", type=int)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    t0 = time.perf_counter()
    mode = "quick" if args.quick else "full"
    n_train, n_test, max_iter = MODES[mode]
    max_iter = args.max_iter or max_iter
    Xtr, ytr, Xte, yte = data(args.data, n_train, n_test)
    # the spectral default learning rate for every network, sklearn's too
    lr = SpectralMLPRegressor().learning_rate_init
    common = {"max_iter": max_iter, "batch_size": 200, "learning_rate_init": lr}

    rows = []

    lin, s = timed(lambda: LinearRegression().fit(Xtr, ytr))
    rows.append(
        ("LinearRegression", "()", "1 fit", s, r2_score(yte, lin.predict(Xte)), "")
    )

    auto = {}
    for hidden in [(512, 512), (100,)]:
        est, s = timed(
            lambda h=hidden: SpectralMLPRegressor(
                h, auto_depth=True, random_state=FIT_SEED, **common
            ).fit(Xtr, ytr)
        )
        auto[hidden] = s
        rows.append(
            (
                f"SpectralMLPRegressor(auto_depth=True, hidden_layer_sizes={hidden})",
                f"{est.architecture_} (found)",
                "1 fit",
                s,
                r2_score(yte, est.predict(Xte)),
                f"epochs {est.n_iter_}",
            )
        )
        print(rows[-1])

    grids = {
        "GridSearchCV(SpectralMLPRegressor)": SpectralMLPRegressor(
            random_state=FIT_SEED, **common
        ),
        "GridSearchCV(MLPRegressor)": MLPRegressor(random_state=FIT_SEED, **common),
    }
    for name, base in grids.items():
        search = GridSearchCV(
            base, {"hidden_layer_sizes": GRID}, cv=3, n_jobs=1, scoring="r2"
        )
        search, s = timed(lambda se=search: se.fit(Xtr, ytr))
        cv = search.cv_results_
        per_arch = ", ".join(
            f"{tuple(p['hidden_layer_sizes'])}: {m:.3f}"
            for p, m in zip(cv["params"], cv["mean_test_score"])
        )
        rows.append(
            (
                name,
                f"{tuple(search.best_params_['hidden_layer_sizes'])} (best CV)",
                f"{3 * len(GRID)} CV fits + refit",
                s,
                r2_score(yte, search.predict(Xte)),
                f"mean CV R^2 per architecture: {per_arch}",
            )
        )
        print(rows[-1])

    ref = auto[(512, 512)]
    out_rows = [
        (n, a, f, f"{s:.1f}", f"{r2:.4f}", f"{s / ref:.2f}", note)
        for n, a, f, s, r2, note in rows
    ]
    sections = [
        "The machine is shared with other jobs: absolute times are noisy; the "
        "contenders ran back to back in the same process.",
        f"Data: {args.data} (`random_state={DATA_SEED}`"
        + (", alpha=1, beta=5" if args.data == "linear-to-nonlinear" else "")
        + f"), {n_train} train rows, {n_test} test rows. Every network: "
        f"`max_iter={max_iter}, batch_size=200, learning_rate_init={lr:g}, "
        f"random_state={FIT_SEED}`, other parameters default (both libraries "
        "stop early when the training loss stalls, within n_iter_no_change=10 "
        f"epochs: tol={SpectralMLPRegressor().tol:g} for ours, 1e-4 for "
        "MLPRegressor). Grid: `hidden_layer_sizes` in "
        f"`{GRID}` (depth 0-2 x width 32/128/512), `cv=3, n_jobs=1`, "
        "scoring R^2, refit on the whole training set. `time / auto` divides by "
        "the auto-depth (512, 512) fit, the grid's largest architecture.",
        md_table(
            [
                "method",
                "architecture",
                "fits",
                "wall s",
                "test R^2",
                "time / auto",
                "notes",
            ],
            out_rows,
        ),
    ]
    write_result(
        NAME,
        f"Auto-depth versus GridSearchCV over fixed architectures ({mode})",
        sections,
        elapsed=time.perf_counter() - t0,
    )


if __name__ == "__main__":
    main()
