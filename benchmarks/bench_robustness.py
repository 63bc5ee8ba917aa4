"""Non-default settings on small real tables: errors, warnings and silent losses.

The other benchmarks judge the defaults. A user who comes from
``MLPClassifier`` also tries small networks, other activations, penalties,
eigenvalue sets, early stopping and strengths; this script fits each such
configuration on six small tables over several seeds and reports, per
configuration:

* **errors**: a fit that raised (it should not on clean data);
* **warned**: fits that gave a warning (``ConvergenceWarning`` for the
  iteration cap, or for a fit no better than a constant);
* **score - linear**: the held-out score minus a linear model's
  (``LogisticRegression()`` / ``LinearRegression()`` on standardised inputs)
  on the same split, mean +- standard deviation over sets and seeds, and
  the worst;
* **silent losses**: fits that scored more than ``--margin`` (accuracy) or
  ``1.5 * --margin`` (R^2) below the linear model *without any warning*:
  the cases where a user is told nothing. Each is listed with its set,
  seed and score.

A silent loss is not necessarily a bug (a strong ``alpha`` is the user's
choice, a 2-neuron network may be too small), but each one was read; this
script found an auto-depth network narrower than its inputs whose chosen
affine map was not the one it computed (CHANGELOG, session 12).

Sets: ``load_diabetes``, iris as a regression (sepal length from the other
three columns), ``load_iris``, ``load_breast_cancer``, ``load_wine``,
``make_friedman1(400, n_features=10)``; one 75/25 split per seed (the
seed draws the split and the model's ``random_state``).

Writes ``benchmarks/results/robustness.md``.

Example::

    python benchmarks/bench_robustness.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import fmt, md_table, setup, write_result
from sklearn import datasets
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor

#: The configurations tried: what a user of MLPClassifier would change.
CONFIGS = [
    {},
    *[
        {"hidden_layer_sizes": h, "auto_depth": a}
        for h in [(), (2,), (4,), (8,), (4, 4), (16, 16, 16)]
        for a in (False, True)
        if not (h == () and a)
    ],
    *[{"hidden_layer_sizes": (8,), "activation": a} for a in ("tanh", "logistic")],
    {"hidden_layer_sizes": (8,), "activation": "identity"},
    *[{"hidden_layer_sizes": (8,), "penalty": p} for p in ("l2", "group")],
    *[{"hidden_layer_sizes": (8,), "eigenvalues": e} for e in ("out", "both")],
    {"hidden_layer_sizes": (8,), "early_stopping": True},
    {"hidden_layer_sizes": (8,), "alpha": 0.0},
    {"hidden_layer_sizes": (8,), "alpha": 1.0},
    {"batch_size": 16},
    {"learning_rate_init": 0.02},
    # a few neurons move their function slowly at the default step: the
    # same small networks at a larger one
    *[{"hidden_layer_sizes": h, "learning_rate_init": 0.02} for h in [(), (4,), (8,)]],
    {"hidden_layer_sizes": (16, 16, 16), "learning_rate_init": 0.0125},
]


def load_sets():
    """``{name: (kind, X, y)}``; kind ``"c"`` (classification) or ``"r"``."""
    sets = {}
    X, y = datasets.load_diabetes(return_X_y=True)
    sets["diabetes"] = ("r", X, y)
    X, y = datasets.load_iris(return_X_y=True)
    sets["iris (regression)"] = ("r", X[:, 1:], X[:, 0])
    sets["iris"] = ("c", X, y)
    sets["breast_cancer"] = ("c", *datasets.load_breast_cancer(return_X_y=True))
    sets["wine"] = ("c", *datasets.load_wine(return_X_y=True))
    X, y = datasets.make_friedman1(400, n_features=10, random_state=0)
    sets["friedman1"] = ("r", X, y)
    return sets


def label(config):
    """A short name of a configuration."""
    if not config:
        return "defaults"
    return ", ".join(f"{k}={v!r}" for k, v in config.items())


def fit_one(kind, config, seed, split):
    """``(score, error, warnings)`` of one configuration on one split."""
    X_train, X_test, y_train, y_test = split
    cls = SpectralMLPRegressor if kind == "r" else SpectralMLPClassifier
    est = cls(random_state=seed, **config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X_train, y_train)
            score, error = float(est.score(X_test, y_test)), ""
        except Exception as exc:  # noqa: BLE001 - an error is a finding here
            score, error = np.nan, f"{type(exc).__name__}: {str(exc)[:120]}"
    messages = sorted({type(w.message).__name__ for w in caught})
    return score, error, messages


def linear_score(kind, split):
    X_train, X_test, y_train, y_test = split
    model = LinearRegression() if kind == "r" else LogisticRegression(max_iter=5000)
    pipe = make_pipeline(StandardScaler(), model).fit(X_train, y_train)
    return float(pipe.score(X_test, y_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--margin", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(threads=args.threads, quick=True)
    start = time.time()
    sets = load_sets()
    splits, linear = {}, {}
    for name, (kind, X, y) in sets.items():
        for seed in args.seeds:
            split = train_test_split(
                X,
                y,
                test_size=0.25,
                random_state=seed,
                stratify=y if kind == "c" else None,
            )
            splits[name, seed] = split
            linear[name, seed] = linear_score(kind, split)
    rows, silent = [], []
    for config in CONFIGS:
        gaps, errors, warned = [], [], 0
        n_silent = 0
        for name, (kind, _, _) in sets.items():
            for seed in args.seeds:
                score, error, messages = fit_one(kind, config, seed, splits[name, seed])
                if error:
                    errors.append(f"{name} seed {seed}: {error}")
                    continue
                warned += bool(messages)
                gap = score - linear[name, seed]
                gaps.append(gap)
                bar = args.margin * (1.5 if kind == "r" else 1.0)
                if gap < -bar and not messages:
                    n_silent += 1
                    silent.append(
                        [label(config), name, seed, score, linear[name, seed]]
                    )
        gaps = np.asarray(gaps)
        rows.append(
            [
                label(config),
                len(gaps) + len(errors),
                len(errors),
                warned,
                (float(gaps.mean()), float(gaps.std())) if gaps.size else np.nan,
                float(gaps.min()) if gaps.size else np.nan,
                n_silent,
            ]
        )
        print(label(config), rows[-1][1:], flush=True)
        for error in errors:
            print("  error:", error, flush=True)
    table = md_table(
        [
            "configuration",
            "fits",
            "errors",
            "warned",
            "score - linear, mean ± sd",
            "worst",
            "silent losses",
        ],
        rows,
    )
    silent_table = (
        md_table(["configuration", "set", "seed", "score", "linear"], silent)
        if silent
        else "None."
    )
    n_sets = len(sets)
    write_result(
        "robustness",
        "Non-default settings: errors, warnings and silent losses",
        [
            f"{n_sets} sets x seeds {args.seeds} (one 75/25 split per seed); a "
            f"silent loss is a fit {fmt(args.margin)} accuracy (or "
            f"{fmt(1.5 * args.margin)} R^2) below the linear model with no "
            "warning.",
            table,
            "## Silent losses",
            silent_table,
        ],
        elapsed=time.time() - start,
    )


if __name__ == "__main__":
    main()
