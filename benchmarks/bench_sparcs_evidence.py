"""Auto-depth on generic data: architecture_ and score against fixed depth.

``SpectralMLPRegressor/Classifier(auto_depth=True)`` with defaults on linear
``make_regression`` (2000 rows; 5, 10, 20, 40 columns; noise 0.1, 1, 10),
``make_friedman1(3000, 10, noise=0.1)``, ``load_diabetes`` (standardised)
and a circle in 6 inputs (1500 rows, 2 relevant); 75/25 split per seed.
Reports ``architecture_``, ``hidden_path_strength_`` and held-out R^2 or
accuracy, against the fixed-depth estimator and a linear model (RidgeCV or
LogisticRegression). Auto-depth's evidence step (``nn.evidence.settle_depth``)
decides the architecture; this script measures it.

Examples::

    python benchmarks/bench_sparcs_evidence.py --quick   # seed 0 only
    python benchmarks/bench_sparcs_evidence.py           # seeds 0, 1, 2
    python benchmarks/bench_sparcs_evidence.py --rows 10 # 10x the rows

``--rows 10`` gives 56-113 minibatches an epoch, where the hidden
eigenvalues train at 1-2x the learning rate instead of 10x
(``_defaults.depth_lr_factor``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, setup, write_result
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor

NAME = "sparcs_evidence"
LINEAR = [(p, noise) for p in (5, 10, 20, 40) for noise in (0.1, 1.0, 10.0)]


def data(name, seed, rows=1):
    if name.startswith("linear"):
        _, p, noise = name.split(" ")
        p = int(p)
        X, y = make_regression(
            2000 * rows,
            p,
            n_informative=max(5, p // 2),
            noise=float(noise),
            random_state=seed,
        )
        return X, y, "reg"
    if name == "friedman1":
        X, y = make_friedman1(3000 * rows, 10, noise=0.1, random_state=seed)
        return X, y, "reg"
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        return StandardScaler().fit_transform(X), y, "reg"
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(1500 * rows, 6))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 0.6).astype(int)
    return X, y, "clf"


def run(name, seed, rows=1):
    X, y, kind = data(name, seed, rows)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=seed)
    est = SpectralMLPRegressor if kind == "reg" else SpectralMLPClassifier
    start = time.perf_counter()
    auto = est(auto_depth=True, random_state=seed, n_threads=1).fit(Xtr, ytr)
    fit_s = time.perf_counter() - start
    fixed = est(random_state=seed, n_threads=1).fit(Xtr, ytr)
    linear = RidgeCV() if kind == "reg" else LogisticRegression()
    return {
        "data": name,
        "seed": seed,
        "architecture": auto.architecture_,
        "path": auto.hidden_path_strength_,
        "auto": auto.score(Xte, yte),
        "fixed": fixed.score(Xte, yte),
        "linear": linear.fit(Xtr, ytr).score(Xte, yte),
        "epochs": auto.n_iter_,
        "fit_s": fit_s,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seed 0 only")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--rows",
        type=int,
        default=1,
        help="multiply the generated data sets' rows (not diabetes'); results "
        "go to sparcs_evidence_rows<K>.md",
    )
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    t0 = time.perf_counter()
    seeds = [0] if args.quick else [0, 1, 2]
    names = [f"linear {p} {noise:g}" for p, noise in LINEAR]
    names += ["friedman1", "diabetes", "circle"]
    results = []
    for name in names:
        for seed in seeds:
            r = run(name, seed, args.rows)
            print(
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
            )
            results.append(r)
    rows = [
        (
            r["data"],
            r["seed"],
            str(r["architecture"]),
            f"{r['path']:.3g}",
            f"{r['auto']:.4f}",
            f"{r['fixed']:.4f}",
            f"{r['linear']:.4f}",
            r["epochs"],
            f"{r['fit_s']:.1f}",
        )
        for r in results
    ]
    linear = [r for r in results if r["data"].startswith("linear")]
    n_perceptron = sum(r["architecture"] == () for r in linear)
    sections = [
        "Estimators: `SpectralMLPRegressor` / `SpectralMLPClassifier` with "
        "defaults, `auto_depth=True` or not, `random_state=seed`; linear "
        "model `RidgeCV()` / `LogisticRegression()`. Score: held-out R^2 "
        "(regression) or accuracy (circle), 75/25 split with the seed. "
        f"'linear p noise' is `make_regression({2000 * args.rows}, p, "
        "n_informative=max(5, p // 2), noise=noise, random_state=seed)`; "
        f"friedman1 {3000 * args.rows} rows, circle {1500 * args.rows} rows.",
        f"Linear targets with `architecture_ == ()`: {n_perceptron} of {len(linear)}.",
        md_table(
            [
                "data",
                "seed",
                "architecture_",
                "hidden path",
                "auto",
                "fixed depth",
                "linear model",
                "epochs",
                "fit s",
            ],
            rows,
        ),
    ]
    write_result(
        NAME if args.rows == 1 else f"{NAME}_rows{args.rows}",
        "Auto-depth on generic data",
        sections,
        elapsed=time.perf_counter() - t0,
    )


if __name__ == "__main__":
    main()
