"""Teacher-student poster: does node relevance find the teacher's width?

The poster (``shared/papers/teacher-student-poster.md``) trains students of
width ``h`` on a teacher with 20 hidden ReLU neurons, with the destination
eigenvalues ``lam_out`` trained (``eigenvalues="out"``), prunes hidden nodes
by their relevance ``|lam_out_i| ||phi[i, :]||`` and finds the loss jump at
the teacher's width for every ``h``; a direct-space model does not show it.

Here: a teacher ``x -> W2 relu(W1 x + b1)`` with 10 inputs, 20 hidden neurons
and one output (Gaussian weights, seed 0), 20000 training and 4000
validation rows; students ``SpectralMLPRegressor((h,), penalized="all")``
with ``eigenvalues="out"`` (the poster's node relevance) or ``"in"`` (the
outgoing weights of each neuron, the direct-space analogue), pruned with
``prune(X_val, y_val, tol=0.05)``.

Run ``python benchmarks/bench_poster.py`` (``--quick``: one alpha).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, setup, write_result

from sklearn_spectral import SpectralMLPRegressor

TEACHER_WIDTH = 20


def teacher_data(n_train=20000, n_valid=4000, seed=0):
    rng = np.random.RandomState(seed)
    w1 = rng.normal(size=(TEACHER_WIDTH, 10)) / np.sqrt(10)
    b1 = rng.normal(size=TEACHER_WIDTH) * 0.1
    w2 = rng.normal(size=(1, TEACHER_WIDTH)) / np.sqrt(TEACHER_WIDTH)
    X = rng.normal(size=(n_train + n_valid, 10))
    y = (np.maximum(X @ w1.T + b1, 0) @ w2.T).ravel()
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default alpha only")
    args = parser.parse_args()
    setup(threads=1, quick=args.quick)
    X, y, X_val, y_val = teacher_data()
    alphas = [0.1] if args.quick else [0.1, 0.03]
    rows = []
    start = time.perf_counter()
    for eigenvalues in ("out", "in"):
        for alpha in alphas:
            for width in (60, 200):
                tic = time.perf_counter()
                reg = SpectralMLPRegressor(
                    (width,),
                    eigenvalues=eigenvalues,
                    penalized="all",
                    alpha=alpha,
                    random_state=0,
                ).fit(X, y)
                reg.prune(X_val, y_val, tol=0.05)
                rows.append(
                    [
                        f'"{eigenvalues}"',
                        alpha,
                        width,
                        str(reg.pruned_architecture_),
                        f"{reg.score(X_val, y_val):.4f}",
                        reg.n_iter_,
                        f"{time.perf_counter() - tic:.1f}",
                    ]
                )
                print(rows[-1], flush=True)
    header = [
        "eigenvalues",
        "alpha",
        "student width",
        "pruned_architecture_ (5 %)",
        "validation R^2",
        "epochs",
        "fit + prune s",
    ]
    write_result(
        "poster",
        "Teacher-student poster: pruned width by node relevance",
        [
            f"Teacher: 10 inputs, {TEACHER_WIDTH} hidden ReLU neurons, 1 output.",
            md_table(header, rows),
        ],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
