"""The headline comparison: is the selected set right, and what does it cost?

One problem, the one the project's brief names: ``make_classification``
with 1000 samples, 50 features, 10 informative (no redundant columns), split
75/25. Each method selects a set in one call with its default settings:

* ours: ``SpectralFeatureSelector()`` (``threshold="auto"``);
* LassoNet's one-call selector ``LassoNetClassifierCV()`` (``best_selected_``);
* ``SelectFromModel(RandomForestClassifier(random_state=0))``;
* ``SelectFromModel(LogisticRegression(penalty="l1", solver="liblinear"))``.

Reported: selected count, precision and recall against the 10 informative
columns, wall and CPU seconds, and the test accuracy of each method's own
model next to ``MLPClassifier()``. Writes ``results/headline.md``.

    python benchmarks/bench_headline.py [--seeds 0 1 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import has_package, md_table, setup, write_result
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralFeatureSelector

N_INFORMATIVE = 10


def headline_data(seed):
    """The headline problem for one seed, standardised on its training split.

    Returns ``X_train, X_test, y_train, y_test``; the informative columns
    are the first ``N_INFORMATIVE``.
    """
    X, y = make_classification(
        n_samples=1000,
        n_features=50,
        n_informative=N_INFORMATIVE,
        n_redundant=0,
        shuffle=False,
        random_state=seed,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _ours(X, y, X_test, y_test, seed):
    sel = SpectralFeatureSelector(random_state=seed).fit(X, y)
    return sel.get_support(), sel.estimator_.score(X_test, y_test)


def _lassonet(X, y, X_test, y_test, seed):
    from lassonet import LassoNetClassifierCV

    model = LassoNetClassifierCV(random_state=seed, torch_seed=seed, verbose=0)
    model.fit(X, y)
    mask = np.asarray(model.best_selected_, dtype=bool)
    return mask, float(np.mean(model.predict(X_test) == y_test))


def _sfm(estimator):
    def run(X, y, X_test, y_test, seed):
        sfm = SelectFromModel(estimator.set_params(random_state=seed)).fit(X, y)
        return sfm.get_support(), sfm.estimator_.score(X_test, y_test)

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads)
    methods = [("SpectralFeatureSelector() (ours)", _ours)]
    if has_package("lassonet"):
        methods.append(("LassoNetClassifierCV()", _lassonet))
    methods += [
        ("SelectFromModel(RandomForestClassifier())", _sfm(RandomForestClassifier())),
        (
            "SelectFromModel(LogisticRegression(l1))",
            _sfm(LogisticRegression(penalty="l1", solver="liblinear", C=1.0)),
        ),
    ]
    start = time.perf_counter()
    rows = []
    for seed in args.seeds:
        X_train, X_test, y_train, y_test = headline_data(seed)
        mlp = MLPClassifier(random_state=seed).fit(X_train, y_train)
        rows.append(
            [
                seed,
                "MLPClassifier() (no selection)",
                "-",
                "-",
                "-",
                "-",
                "-",
                mlp.score(X_test, y_test),
            ]
        )
        for name, fn in methods:
            (mask, acc), wall, cpu = _timed(
                lambda fn=fn: fn(X_train, y_train, X_test, y_test, seed)
            )
            chosen = np.flatnonzero(mask)
            hits = int(np.sum(chosen < N_INFORMATIVE))
            precision = hits / max(len(chosen), 1)
            rows.append(
                [
                    seed,
                    name,
                    len(chosen),
                    precision,
                    hits / N_INFORMATIVE,
                    wall,
                    cpu,
                    acc,
                ]
            )
            print(rows[-1], flush=True)
    table = md_table(
        [
            "seed",
            "method",
            "selected",
            "precision",
            "recall",
            "wall s",
            "CPU s",
            "test accuracy (own model)",
        ],
        rows,
    )
    write_result(
        "headline",
        "Headline: selected set and cost, 1000 x 50 with 10 informative",
        [__doc__.split("\n\n")[1], table],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
