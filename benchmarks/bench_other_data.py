"""Defaults on data the issues do not use: where they hold and where we lose.

The stability benchmarks judge every default on the sets it was tuned
against; this one runs the estimators at their defaults on scikit-learn
generators none of the defaults was tuned on, over several data seeds (a
75/25 split, stratified for classes, inputs standardised on the training
part, regression targets too), and reports the spread and the worst seed:

* **fixed network** (``SpectralMLPClassifier()`` / ``SpectralMLPRegressor()``)
  against ``MLPClassifier()`` / ``MLPRegressor()`` and the spectral model at
  ``alpha=0.01``: test score; where the relevant columns are known, how many
  of them keep a non-zero importance, how many noise columns do, and the
  margin (smallest relevant importance minus the largest noise one; > 0:
  every relevant column ranks above the noise);
* **auto-depth** (``auto_depth=True``) against the fixed network and a
  linear model (``LogisticRegression()`` / ``RidgeCV()``): test score, the
  paired difference auto minus fixed with its standard error over the
  seeds, the architectures chosen;
* **the selector** (``SpectralFeatureSelector()`` in both modes): recall and
  precision of the kept columns, CPU seconds;

and, for every configuration, the fits that raised a warning at the
defaults (they should not).

The sets: ``make_hastie_10_2`` (1000 rows; the target is a sum of squares
of all 10 inputs, no input has a marginal effect) with 5 standard-normal
noise columns; ``make_moons(600, noise=0.25)`` with 6 noise columns;
``make_circles(600, noise=0.1, factor=0.5)`` with 6 noise columns; an
XOR of the signs of two inputs among 6 (600 rows); ``make_friedman2`` and
``make_friedman3`` (500 rows, their 4 inputs all relevant); a sine target
``sin(2 x0) + 0.5 x1 + 0.3 e`` (500 rows, 5 uniform inputs on [-3, 3]).
The selector runs on ``make_sparse_uncorrelated(600, n_features=20)`` (4
relevant), ``make_classification(800, n_features=30, n_informative=6,
n_redundant=0, n_classes=3, shuffle=False)`` and ``make_friedman1(1000,
n_features=20, noise=1)`` (5 relevant).

Writes ``results/other_data.md``::

    python benchmarks/bench_other_data.py            # 5 data seeds
    python benchmarks/bench_other_data.py --seeds 0 1 2 --only fixed
    python benchmarks/bench_other_data.py --only fixed \
        --settings penalty_warmup=30 --name other_data_warmup30
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import fmt, md_table, setup, write_result
from bench_stability_relevance import estimator_kwargs, parse_config
from sklearn.datasets import (
    make_circles,
    make_classification,
    make_friedman1,
    make_friedman2,
    make_friedman3,
    make_hastie_10_2,
    make_moons,
    make_sparse_uncorrelated,
)
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)


def _with_noise(X, n_noise, seed):
    rng = np.random.default_rng(10_000 + seed)
    return np.hstack([X, rng.normal(size=(X.shape[0], n_noise))])


def _hastie(s):
    X, y = make_hastie_10_2(1000, random_state=s)
    return _with_noise(X, 5, s), y, np.arange(10)


def _moons(s):
    X, y = make_moons(600, noise=0.25, random_state=s)
    return _with_noise(X, 6, s), y, np.arange(2)


def _circles(s):
    X, y = make_circles(600, noise=0.1, factor=0.5, random_state=s)
    return _with_noise(X, 6, s), y, np.arange(2)


def _xor(s):
    X = np.random.default_rng(s).normal(size=(600, 6))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int), np.arange(2)


def _friedman2(s):
    X, y = make_friedman2(500, noise=0.1, random_state=s)
    return X, y, np.arange(4)


def _friedman3(s):
    X, y = make_friedman3(500, noise=0.05, random_state=s)
    return X, y, np.arange(4)


def _sine(s):
    rng = np.random.default_rng(s)
    X = rng.uniform(-3, 3, size=(500, 5))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] + 0.3 * rng.normal(size=500)
    return X, y, np.arange(2)


#: name -> (generator, is a classification)
MODEL_SETS = {
    "hastie_10_2 + 5 noise": (_hastie, True),
    "moons + 6 noise": (_moons, True),
    "circles + 6 noise": (_circles, True),
    "xor of 2 among 6": (_xor, True),
    "friedman2": (_friedman2, False),
    "friedman3": (_friedman3, False),
    "sine + linear": (_sine, False),
}


def _sparse_uncorrelated(s):
    X, y = make_sparse_uncorrelated(600, n_features=20, random_state=s)
    return X, y, np.arange(4)


def _three_classes(s):
    X, y = make_classification(
        800,
        n_features=30,
        n_informative=6,
        n_redundant=0,
        n_classes=3,
        shuffle=False,
        random_state=s,
    )
    return X, y, np.arange(6)


def _friedman1(s):
    X, y = make_friedman1(1000, n_features=20, noise=1.0, random_state=s)
    return X, y, np.arange(5)


SELECTION_SETS = {
    "sparse_uncorrelated (4 of 20)": (_sparse_uncorrelated, False),
    "3 classes (6 of 30)": (_three_classes, True),
    "friedman1 (5 of 20)": (_friedman1, False),
}


def split(X, y, seed, classification):
    """75/25 split, inputs (and a regression target) standardised."""
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=0.25,
        random_state=seed,
        stratify=y if classification else None,
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if not classification:
        mean, sd = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / sd, (y_test - mean) / sd
    return X_train, X_test, y_train, y_test


def fit_counting(estimator, X, y):
    """Fit and count the warnings the fit raised; CPU seconds."""
    start = time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)
    return len(caught), time.process_time() - start


def relevance_counts(importances, relevant):
    noise = np.setdiff1d(np.arange(importances.size), relevant)
    on = int(np.sum(importances[relevant] > 0))
    noise_on = int(np.sum(importances[noise] > 0)) if noise.size else 0
    margin = importances[relevant].min() - (
        importances[noise].max() if noise.size else 0.0
    )
    return on, noise_on, margin


def spread(values, digits=3):
    values = np.asarray(values, dtype=float)
    return f"{fmt(values.mean(), digits)} ± {fmt(values.std(), digits)}"


def paired(a, b):
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else 0.0
    return f"{d.mean():+.3f} ± {se:.3f}"


def run_models(seeds, parts, extra):
    fixed_rows, depth_rows = [], []
    for name, (make, classification) in MODEL_SETS.items():
        Spectral = SpectralMLPClassifier if classification else SpectralMLPRegressor
        MLP = MLPClassifier if classification else MLPRegressor
        Linear = LogisticRegression if classification else RidgeCV
        r = {k: [] for k in ("default", "alpha", "mlp", "auto", "linear")}
        rel = {k: [] for k in ("default", "alpha")}
        warned = dict.fromkeys(r, 0)
        archs, n_relevant = [], 0
        for s in seeds:
            X, y, relevant = make(s)
            n_relevant = relevant.size
            X_train, X_test, y_train, y_test = split(X, y, s, classification)
            models = {
                "default": Spectral(random_state=s, **extra),
                "alpha": Spectral(alpha=0.01, random_state=s, **extra),
                "mlp": MLP(random_state=s),
                "linear": Linear(),
            }
            if "auto-depth" in parts:
                models["auto"] = Spectral(auto_depth=True, random_state=s, **extra)
            for key, model in models.items():
                warned[key] += fit_counting(model, X_train, y_train)[0]
                r[key].append(model.score(X_test, y_test))
                if key in rel:
                    rel[key].append(
                        relevance_counts(model.feature_importances_, relevant)
                    )
            if "auto" in models:
                archs.append(models["auto"].architecture_)
        n_inputs = X.shape[1]
        for key, label in (("default", "defaults"), ("alpha", "alpha=0.01")):
            on, noise_on, margin = (np.array(v) for v in zip(*rel[key]))
            fixed_rows.append(
                [
                    name,
                    f"spectral, {label}",
                    f"{spread(r[key])} (worst {fmt(min(r[key]))})",
                    f"{on.mean():.1f} of {n_relevant} (min {on.min()})",
                    f"{noise_on.mean():.1f} of {n_inputs - n_relevant}",
                    f"{(margin > 0).sum()}/{len(seeds)}",
                    str(warned[key]),
                ]
            )
        fixed_rows.append(
            [
                name,
                "scikit-learn MLP, defaults",
                f"{spread(r['mlp'])} (worst {fmt(min(r['mlp']))})",
                "-",
                "-",
                "-",
                str(warned["mlp"]),
            ]
        )
        if archs:
            depth_rows.append(
                [
                    name,
                    spread(r["default"]),
                    f"{spread(r['auto'])} (worst {fmt(min(r['auto']))})",
                    paired(r["auto"], r["default"]),
                    spread(r["linear"]),
                    ", ".join(str(a) for a in archs),
                    f"{warned['auto']} / {warned['default']}",
                ]
            )
    sections = [
        "## The fixed network at its defaults\n\n"
        "Test score (accuracy or R^2) mean ± std over the seeds (worst seed); "
        "relevant columns with a non-zero importance (mean, min), noise "
        "columns with one, seeds where every relevant column ranks above "
        "every noise column; fits that warned.\n\n"
        + md_table(
            [
                "data",
                "model",
                "test score",
                "relevant on",
                "noise on",
                "ranked above noise",
                "warned",
            ],
            fixed_rows,
        )
    ]
    if depth_rows:
        sections.append(
            "## Auto-depth against the fixed network\n\n"
            "Paired over the seeds (auto minus fixed, standard error); the "
            "architectures chosen per seed; fits that warned (auto / "
            "fixed).\n\n"
            + md_table(
                [
                    "data",
                    "fixed",
                    "auto-depth (worst)",
                    "auto minus fixed",
                    "linear model",
                    "architectures",
                    "warned",
                ],
                depth_rows,
            )
        )
    return sections


def run_selection(seeds, extra):
    rows = []
    for name, (make, classification) in SELECTION_SETS.items():
        for mode in ("minimal", "all-relevant"):
            recall, precision, cpu, warned = [], [], [], 0
            for s in seeds:
                X, y, relevant = make(s)
                X_train, _, y_train, _ = split(X, y, s, classification)
                selector = SpectralFeatureSelector(
                    mode=mode, random_state=100 + s, **extra
                )
                n_warned, seconds = fit_counting(selector, X_train, y_train)
                warned += n_warned
                cpu.append(seconds)
                kept = np.flatnonzero(selector.get_support())
                hits = np.intersect1d(kept, relevant).size
                recall.append(hits / relevant.size)
                precision.append(hits / max(kept.size, 1))
            rows.append(
                [
                    name,
                    mode,
                    f"{spread(recall, 2)} (worst {fmt(min(recall), 2)})",
                    f"{spread(precision, 2)} (worst {fmt(min(precision), 2)})",
                    spread(cpu, 1),
                    str(warned),
                ]
            )
    return [
        "## The selector at its defaults\n\n"
        "Recall and precision of the kept columns, mean ± std over the seeds "
        "(worst); CPU seconds per selection; selections that warned.\n\n"
        + md_table(["data", "mode", "recall", "precision", "CPU s", "warned"], rows)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--only",
        nargs="+",
        default=["fixed", "auto-depth", "selection"],
        choices=["fixed", "auto-depth", "selection"],
    )
    parser.add_argument(
        "--settings",
        default="",
        metavar="FIELD=VALUE,...",
        help="Settings fields for every spectral estimator (default: none)",
    )
    parser.add_argument("--name", default="other_data")
    args = parser.parse_args()
    extra = estimator_kwargs(parse_config("x:" + args.settings)[1])
    setup(1, quick=True)
    start = time.perf_counter()
    sections = [
        f"Data seeds {args.seeds}; one torch thread; the estimators' defaults "
        "unless the row says otherwise; Settings overrides: "
        f"`{args.settings or 'none'}`."
    ]
    if {"fixed", "auto-depth"} & set(args.only):
        sections += run_models(args.seeds, args.only, extra)
    if "selection" in args.only:
        sections += run_selection(args.seeds, extra)
    write_result(
        args.name,
        "Defaults on data the issues do not use",
        sections,
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
