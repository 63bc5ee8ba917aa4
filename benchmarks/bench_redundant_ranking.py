"""Ranking with redundant columns: the default L1 against ``penalty="l2"``.

The L1 keeps a minimal set: when columns are linear combinations of others
it switches the redundant ones off, so a top-k taken from its ranking fills
up with zero-scored columns. This script ranks the columns of the two sets
of Table 1 that have redundant columns with ``SpectralMLPClassifier()``
(L1) and ``SpectralMLPClassifier(penalty="l2")``, and reports the precision
of the top-k (k = number of useful columns, ties broken at random) next to
the random forest's impurity importances:

* ``make_classification`` 5000 x 50, 5 informative + 5 redundant;
* the Madelon-like set, 2000 x 500, 5 informative + 15 redundant.

Writes ``results/redundant_ranking.md``.

    python benchmarks/bench_redundant_ranking.py [--seeds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    make_madelon_like,
    md_table,
    mean_std,
    setup,
    standardize,
    top_k,
    write_result,
)
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from sklearn_spectral import SpectralMLPClassifier


def _data(name, seed):
    if name == "make_classification 5000 x 50":
        X, y = make_classification(
            5000, 50, n_informative=5, n_redundant=5, shuffle=False, random_state=seed
        )
        return standardize(X)[0], y, 10
    X, y = make_madelon_like(2000, seed)
    return standardize(X)[0], y, 20


def _scores(method, X, y, seed):
    if method == "RandomForestClassifier()":
        return RandomForestClassifier(random_state=seed).fit(X, y).feature_importances_
    penalty = "l2" if "l2" in method else "l1"
    est = SpectralMLPClassifier(penalty=penalty, random_state=seed).fit(X, y)
    return est.feature_importances_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads)
    methods = [
        "SpectralMLPClassifier() (L1)",
        'SpectralMLPClassifier(penalty="l2")',
        "RandomForestClassifier()",
    ]
    start = time.perf_counter()
    rows = []
    for name in ("make_classification 5000 x 50", "Madelon-like 2000 x 500"):
        for method in methods:
            precision, nonzero = [], []
            for seed in range(args.seeds):
                X, y, n_useful = _data(name, seed)
                scores = _scores(method, X, y, seed)
                precision.append(np.mean(top_k(scores, n_useful, seed=seed) < n_useful))
                nonzero.append(int(np.sum(scores > 0)))
            rows.append([name, method, mean_std(precision), np.mean(nonzero)])
            print(rows[-1], flush=True)
    write_result(
        "redundant_ranking",
        "Ranking with redundant columns: L1 against L2",
        [
            __doc__.split("\n\n")[1],
            f"Mean ± std over {args.seeds} seeds.",
            md_table(["data", "method", "top-k precision", "columns scored > 0"], rows),
        ],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
