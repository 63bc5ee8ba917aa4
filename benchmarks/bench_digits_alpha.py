"""Accuracy on digits with default settings: the cost of the input penalty.

Compares ``SpectralMLPClassifier`` at several ``alpha`` (default settings
otherwise: 200 epochs with tol stopping) with ``MLPClassifier()`` in a
``StandardScaler`` pipeline, stratified k-fold CV, and counts the pixels the
spectral model keeps. Writes ``results/digits_alpha.md``.

    python benchmarks/bench_digits_alpha.py [--quick]
"""

import argparse
import time

import numpy as np
from _common import md_table, setup, write_result
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralMLPClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 folds, 2 alphas")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, quick=args.quick)
    t0 = time.perf_counter()
    X, y = load_digits(return_X_y=True)
    cv = StratifiedKFold(3 if args.quick else 5, shuffle=True, random_state=0)
    alphas = [0.1, 0.03] if args.quick else [0.3, 0.1, 0.05, 0.03, 0.01]
    models = [("MLPClassifier()", MLPClassifier(random_state=0))] + [
        (
            f"SpectralMLPClassifier(alpha={a})",
            SpectralMLPClassifier(alpha=a, random_state=0),
        )
        for a in alphas
    ]
    rows = []
    for name, model in models:
        start = time.perf_counter()
        res = cross_validate(
            make_pipeline(StandardScaler(), model), X, y, cv=cv, return_estimator=True
        )
        seconds = time.perf_counter() - start
        kept = "-"
        if isinstance(model, SpectralMLPClassifier):
            kept = np.mean(
                [np.count_nonzero(p[-1].input_eigenvalues_) for p in res["estimator"]]
            )
            kept = f"{kept:.1f} of 64"
        score = res["test_score"]
        rows.append(
            [
                name,
                f"{score.mean():.3f} ± {score.std():.3f}",
                kept,
                f"{seconds:.0f}",
            ]
        )
        print("| " + " | ".join(rows[-1]) + " |", flush=True)
    write_result(
        "digits_alpha",
        "Digits accuracy vs the input penalty",
        [
            f"{cv.get_n_splits()}-fold stratified CV, seed 0, `StandardScaler` "
            "pipeline, default settings otherwise.",
            md_table(["model", "accuracy", "pixels kept", "wall s"], rows),
        ],
        elapsed=time.perf_counter() - t0,
    )


if __name__ == "__main__":
    main()
