"""Relevance over seeds: does every relevant input rank above the noise?

The estimators' ``feature_importances_`` are judged over many seeds, with
their spread and worst case, on data whose relevance is known:

* **the first paper's independent-Gaussian set**
  (``make_independent_gaussian``, 20 000 rows, 20 inputs, 11 relevant,
  one data seed per fit seed): Pearson correlation of the importances with
  the true relevance; the *margin*, the smallest importance of an input of
  true relevance >= 0.2 minus the largest importance of a noise input
  (positive on a seed = every such input ranks above every noise input);
  the relevant inputs at exactly 0 (and those of relevance >= 0.2 among
  them); the noise inputs left non-zero. The importances are read per
  unit-variance input, the paper's relevance is a class-mean distance in
  raw units: the Pearson correlation is also given per raw unit (the
  importances divided by each column's standard deviation), beside that of
  the exact Bayes reading per unit-variance input (``r_j sd_j``, from the
  true parameters: the ceiling of the first) and of a nearly unpenalised
  logistic regression in both units;
* **the first paper's correlated-Gaussian set** (20 000 rows, relevance in
  pairs of inputs, flip probabilities 0.8 > 0.7 > 0.6 > 0.4): the seeds
  where the pairs rank in that order, the gap of the two weakest pairs,
  the largest noise importance;
* **a clear linear target** ``y = x0 - 2 x1 + 0.1 e`` (300 rows, 5
  standard-normal inputs): the largest importance of the three noise
  inputs, whether x1 (coefficient 2) ranks first, R^2 on the training data;
* **the headline classification problem** (``make_classification``,
  1000 x 50, 10 informative, 75/25 split, standardised): recall and
  precision of the model's own non-zero importances at its default
  ``alpha``, test accuracy;
* **prediction quality**: 5-fold stratified CV accuracy on
  ``load_breast_cancer`` and ``load_digits`` (standardised inside each
  fold; ``--fold-states k`` fits each fold with k random states), with the
  paired difference of each configuration from the first on the same
  folds and states, so that a default that helps relevance is not bought
  with accuracy.

Every fit runs at the estimator's defaults (one torch thread) under each
*configuration* asked for: ``default`` (the library's settings),
``baseline`` (the end-of-fit step of the inputs turned off: no KKT
re-admission, no full-batch solve, i.e. the fits before them), or any
``NAME:FIELD=VALUE,...`` of ``Settings`` fields given on the command line
(passed as ``settings=dataclasses.replace(DEFAULT_SETTINGS, ...)``).
Each cell is the mean ± std over seeds (or folds), with the worst seed;
the epochs and CPU time per fit (``time.process_time``: robust to the load
of a shared machine) are reported beside, and
``MLPClassifier()``'s accuracy and time on the same folds for reference.

Writes ``results/stability_relevance.md`` (``results/full/`` without
``--quick``).

    python benchmarks/bench_stability_relevance.py --quick
    python benchmarks/bench_stability_relevance.py --configs default baseline
    python benchmarks/bench_stability_relevance.py --configs default \
        previous:input_test_level=0.001 baseline --fold-states 3
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from _common import md_table, setup, write_result
from bench_headline import N_INFORMATIVE, headline_data
from scipy.stats import pearsonr
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    Settings,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.datasets import (
    make_correlated_gaussian,
    make_independent_gaussian,
)

#: The settings before the end-of-fit step of the inputs (no KKT
#: re-admission, no full-batch solve at the end).
BASELINE = {"input_test_level": 0.0, "input_settle_max_iter": 0}

#: Relevance at or above this counts as "clearly relevant" (issue 20).
STRONG = 0.2

#: The correlated-Gaussian set's flip probabilities, strongest first.
PAIRS = (0.8, 0.7, 0.6, 0.4)

SIZES = {
    True: {"paper_seeds": 5, "linear_seeds": 10, "headline": (3, 2), "folds": 3},
    False: {"paper_seeds": 10, "linear_seeds": 10, "headline": (3, 5), "folds": 5},
}


# --------------------------------------------------------------------------- #
# configurations
# --------------------------------------------------------------------------- #
def parse_config(text):
    """``"name"`` or ``"name:field=value,field=value"`` -> (name, overrides)."""
    name, _, rest = text.partition(":")
    overrides = dict(BASELINE) if name == "baseline" else {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        overrides[key.strip().lower()] = float(value)
    return name, overrides


def estimator_kwargs(overrides):
    """The keyword arguments that put ``overrides`` (Settings fields) in force."""
    if not overrides:
        return {}
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    unknown = sorted(set(overrides) - set(types))
    if unknown:
        raise SystemExit(f"unknown Settings fields: {unknown}")
    values = {k: int(v) if types[k] == "int" else v for k, v in overrides.items()}
    return {"settings": dataclasses.replace(DEFAULT_SETTINGS, **values)}


def _readmitted(model):
    """Inputs the KKT check switched back on during the fit."""
    cb = dict(model.net_.callbacks_).get("input_settling")
    return 0 if cb is None else len(cb.readmitted_)


# --------------------------------------------------------------------------- #
# the four problems
# --------------------------------------------------------------------------- #
def paper_set(seeds, extra):
    rows = []
    for s in seeds:
        X, y, rel = make_independent_gaussian(20_000, random_state=s)
        t = time.process_time()
        model = SpectralMLPClassifier(random_state=s, n_threads=1, **extra).fit(X, y)
        seconds = time.process_time() - t
        imp = model.feature_importances_
        noise, strong = rel == 0, rel >= STRONG
        # reference: the coefficients of a nearly unpenalised logistic
        # regression on standardised columns
        Xs = StandardScaler().fit_transform(X)
        coef = np.abs(LogisticRegression(C=1e4, max_iter=1000).fit(Xs, y).coef_[0])
        # the paper's relevance is a class-mean distance in the raw units of
        # x (every input has within-class sd 0.5); the importances are read
        # per unit-variance input, so divided by each column's sd they are in
        # the paper's units. The Bayes log-odds is linear, sum_j 4 r_j x_j:
        # per unit-variance input its exact reading is r_j sd_j (the oracle)
        sd = X.std(axis=0)
        raw = imp / sd
        raw = raw / raw.sum()
        oracle = rel * sd
        rows.append(
            {
                "seed": s,
                "pearson": pearsonr(imp, rel)[0],
                "pearson_logreg": pearsonr(coef, rel)[0],
                "pearson_raw": pearsonr(raw, rel)[0],
                "pearson_logreg_raw": pearsonr(coef / sd, rel)[0],
                "pearson_oracle": pearsonr(oracle, rel)[0],
                "pearson_vs_oracle": pearsonr(imp, oracle)[0],
                "margin": imp[strong].min() - imp[noise].max(),
                "relevant_at_0": int((imp[~noise] == 0).sum()),
                "strong_at_0": int((imp[strong] == 0).sum()),
                "noise_on": int((imp[noise] > 0).sum()),
                "readmitted": _readmitted(model),
                "epochs": model.n_iter_,
                "seconds": seconds,
            }
        )
    return rows


def linear_target(seeds, extra):
    rows = []
    for s in seeds:
        rng = np.random.RandomState(s)
        X = rng.standard_normal((300, 5))
        y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(300)
        t = time.process_time()
        model = SpectralMLPRegressor(random_state=s, n_threads=1, **extra).fit(X, y)
        seconds = time.process_time() - t
        imp = model.feature_importances_
        rows.append(
            {
                "seed": s,
                "max_noise": imp[2:].max(),
                "x0": imp[0],
                "x1": imp[1],
                "x1_first": bool(np.argmax(imp) == 1),
                "r2": model.score(X, y),
                "epochs": model.n_iter_,
                "seconds": seconds,
            }
        )
    return rows


def headline(data_seeds, random_states, extra):
    rows = []
    for d in data_seeds:
        X_train, X_test, y_train, y_test = headline_data(d)
        for r in random_states:
            t = time.process_time()
            model = SpectralMLPClassifier(random_state=r, n_threads=1, **extra)
            model.fit(X_train, y_train)
            seconds = time.process_time() - t
            kept = model.feature_importances_ > 0
            hits = int(kept[:N_INFORMATIVE].sum())
            rows.append(
                {
                    "seed": f"{d}/{r}",
                    "recall": hits / N_INFORMATIVE,
                    "precision": hits / max(1, int(kept.sum())),
                    "kept": int(kept.sum()),
                    "accuracy": model.score(X_test, y_test),
                    "epochs": model.n_iter_,
                    "seconds": seconds,
                }
            )
    return rows


def accuracy_cv(loader, n_folds, configs, states=1):
    """``states`` fits per stratified fold and configuration, ``MLPClassifier()`` too.

    ``configs`` maps a label to its estimator keyword arguments; the key
    ``None`` is ``MLPClassifier()``. The fits of one fold and state run one
    after the other, so that the load of a shared machine weighs on each
    alike; fold ``k``'s state ``s`` is ``random_state = k + 100 s``.
    """
    X, y = loader(return_X_y=True)
    rows = {label: [] for label in configs}
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=0).split(X, y)
    for k, (train, test) in enumerate(folds):
        scaler = StandardScaler().fit(X[train])
        X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
        for state in range(states):
            seed = k + 100 * state
            for label, extra in configs.items():
                if label is None:
                    if state:
                        continue
                    model = MLPClassifier(random_state=k)
                else:
                    model = SpectralMLPClassifier(
                        random_state=seed, n_threads=1, **extra
                    )
                t = time.process_time()
                model.fit(X_train, y[train])
                seconds = time.process_time() - t
                rows[label].append(
                    {
                        "seed": seed,
                        "accuracy": model.score(X_test, y[test]),
                        "epochs": model.n_iter_,
                        "seconds": seconds,
                    }
                )
    return rows


def correlated_set(seeds, extra, n_samples=20_000):
    """The first paper's correlated-Gaussian set: are the pairs in order?

    Relevance lives in pairs of inputs (flip probabilities 0.8 > 0.7 > 0.6 >
    0.4); a pair's importance is the mean of its two inputs'. The order
    holds when each pair's importance is strictly above the next weaker
    one's; a pair at exactly 0 is counted apart.
    """
    rows = []
    for s in seeds:
        X, y, rel = make_correlated_gaussian(n_samples, random_state=s)
        t = time.process_time()
        model = SpectralMLPClassifier(random_state=s, n_threads=1, **extra).fit(X, y)
        seconds = time.process_time() - t
        imp = model.feature_importances_
        pairs = [imp[np.isclose(rel, p)].mean() for p in PAIRS]
        rows.append(
            {
                "seed": s,
                "order": all(a > b for a, b in zip(pairs[:-1], pairs[1:])),
                "pairs_at_0": sum(p == 0 for p in pairs),
                "weakest_gap": pairs[-2] - pairs[-1],
                "max_noise": imp[rel == 0].max(),
                "pairs": pairs,
                "epochs": model.n_iter_,
                "seconds": seconds,
            }
        )
    return rows


# --------------------------------------------------------------------------- #
# tables
# --------------------------------------------------------------------------- #
def _summary(rows, key, worst="min"):
    if not rows:
        return "n/a"
    values = np.array([float(r[key]) for r in rows])
    pick = np.argmin(values) if worst == "min" else np.argmax(values)
    return f"{values.mean():.3f} ± {values.std():.3f} (worst {values[pick]:.3f})"


def _cost(rows):
    if not rows:
        return "n/a", "n/a"
    epochs = np.array([r["epochs"] for r in rows], dtype=float)
    seconds = np.array([r["seconds"] for r in rows])
    return (
        f"{epochs.mean():.0f} ({epochs.min():.0f}-{epochs.max():.0f})",
        f"{seconds.mean():.2f} (max {seconds.max():.2f})",
    )


def _paired(rows, base):
    """Mean paired accuracy difference against ``base`` (same folds/states)."""
    if not rows or len(rows) != len(base) or rows is base:
        return "-"
    d = np.array([a["accuracy"] - b["accuracy"] for a, b in zip(rows, base)])
    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0
    return f"{d.mean():+.4f} ± {se:.4f} (worst {d.min():+.4f})"


def _count(rows, key):
    return sum(bool(r[key]) for r in rows)


def summary_tables(results, reference=None):
    paper = [
        [
            name,
            _summary(r["paper"], "pearson"),
            f"{sum(x['pearson'] >= 0.98 for x in r['paper'])}/{len(r['paper'])}",
            _summary(r["paper"], "pearson_raw"),
            f"{sum(x['pearson_raw'] >= 0.98 for x in r['paper'])}/{len(r['paper'])}",
            _summary(r["paper"], "pearson_oracle"),
            _summary(r["paper"], "pearson_vs_oracle"),
            _summary(r["paper"], "pearson_logreg"),
            _summary(r["paper"], "pearson_logreg_raw"),
            _summary(r["paper"], "margin"),
            f"{sum(x['margin'] > 0 for x in r['paper'])}/{len(r['paper'])}",
            sum(x["strong_at_0"] for x in r["paper"]),
            sum(x["relevant_at_0"] for x in r["paper"]),
            sum(x["noise_on"] for x in r["paper"]),
            sum(x["readmitted"] for x in r["paper"]),
            *_cost(r["paper"]),
        ]
        for name, r in results.items()
    ]
    linear = [
        [
            name,
            _summary(r["linear"], "max_noise", worst="max"),
            f"{sum(x['max_noise'] <= 0.05 for x in r['linear'])}/{len(r['linear'])}",
            f"{_count(r['linear'], 'x1_first')}/{len(r['linear'])}",
            _summary(r["linear"], "x1"),
            _summary(r["linear"], "r2"),
            *_cost(r["linear"]),
        ]
        for name, r in results.items()
    ]
    head = [
        [
            name,
            _summary(r["headline"], "recall"),
            _summary(r["headline"], "precision"),
            _summary(r["headline"], "accuracy"),
            *_cost(r["headline"]),
        ]
        for name, r in results.items()
    ]
    first = next(iter(results.values()))
    acc = [
        [
            name,
            _summary(r["breast_cancer"], "accuracy"),
            _paired(r["breast_cancer"], first["breast_cancer"]),
            *_cost(r["breast_cancer"]),
            _summary(r["digits"], "accuracy"),
            _paired(r["digits"], first["digits"]),
            *_cost(r["digits"]),
        ]
        for name, r in results.items()
    ]
    if reference:
        acc.append(
            [
                "MLPClassifier() (reference)",
                _summary(reference["breast_cancer"], "accuracy"),
                "",
                *_cost(reference["breast_cancer"]),
                _summary(reference["digits"], "accuracy"),
                "",
                *_cost(reference["digits"]),
            ]
        )
    corr = [
        [
            name,
            f"{_count(r['correlated'], 'order')}/{len(r['correlated'])}",
            sum(x["pairs_at_0"] for x in r["correlated"]),
            _summary(r["correlated"], "weakest_gap"),
            _summary(r["correlated"], "max_noise", worst="max"),
            *_cost(r["correlated"]),
        ]
        for name, r in results.items()
    ]
    have = {
        key: all(r[key] for r in results.values())
        for key in ("paper", "correlated", "linear", "headline", "breast_cancer")
    }
    tables = [
        "## The first paper's independent-Gaussian set (20 000 rows, 20 inputs, "
        "11 relevant)\n\nmargin = smallest importance of an input of true "
        f"relevance >= {STRONG} minus the largest noise importance (> 0: all "
        "ranked above the noise). Counts are summed over seeds. `Pearson`: "
        "the importances (per unit-variance input, what `feature_importances_` "
        "reads) against the true relevance; *paper's units*: the same "
        "importances divided by each column's standard deviation (the "
        "relevance per raw unit of x, the units of the paper's class-mean "
        "distance) and renormalised; *Bayes reading (oracle)*: the exact "
        "reading of the Bayes log-odds (linear here, `sum_j 4 r_j x_j`) per "
        "unit-variance input, `r_j sd_j`, from the true parameters: the ceiling "
        "of the `Pearson` column; *with the Bayes reading*: the importances "
        "against it (how well the network learnt the Bayes rule). "
        "`benchmarks/relevance_ceiling_probe.py` prints them per seed.\n\n"
        + md_table(
            [
                "config",
                "Pearson",
                "seeds >= 0.98",
                "paper's units: Pearson",
                "paper's units: seeds >= 0.98",
                "Bayes reading (oracle): Pearson",
                "Pearson with the Bayes reading",
                "Pearson, logistic regression abs(coef) (reference)",
                "logistic regression, paper's units",
                "margin",
                "seeds > 0",
                f"rel >= {STRONG} at 0",
                "relevant at 0",
                "noise on",
                "re-admitted",
                "epochs",
                "fit CPU s",
            ],
            paper,
        ),
        "## The first paper's correlated-Gaussian set (20 000 rows, 4 pairs, 2 "
        "noise inputs)\n\n"
        "A pair's importance is the mean of its two inputs'; *order*: the "
        "seeds where 0.8 > 0.7 > 0.6 > 0.4 strictly (the paper's claim); "
        "*weakest gap*: the 0.6 pair minus the 0.4 pair.\n\n"
        + md_table(
            [
                "config",
                "order holds",
                "pairs at 0",
                "weakest gap",
                "largest noise importance",
                "epochs",
                "fit CPU s",
            ],
            corr,
        ),
        "## Linear target y = x0 - 2 x1 + 0.1 e (300 rows, 3 noise inputs)\n\n"
        + md_table(
            [
                "config",
                "largest noise importance",
                "seeds <= 0.05",
                "x1 first",
                "importance of x1",
                "train R^2",
                "epochs",
                "fit CPU s",
            ],
            linear,
        ),
        "## Headline problem (1000 x 50, 10 informative): the model's own "
        "non-zero importances at its default alpha (data seed / random state)\n\n"
        + md_table(
            [
                "config",
                "recall",
                "precision",
                "test accuracy",
                "epochs",
                "fit CPU s",
            ],
            head,
        ),
        "## Prediction quality: stratified CV accuracy\n\n"
        f"{len(first['breast_cancer'])} fits per data set (folds x random "
        "states); *paired*: the mean difference from the first configuration "
        "on the same folds and states, ± its standard error (worst pair).\n\n"
        + md_table(
            [
                "config",
                "breast_cancer",
                "breast_cancer paired",
                "epochs",
                "fit CPU s",
                "digits",
                "digits paired",
                "epochs",
                "fit CPU s",
            ],
            acc,
        ),
    ]
    return [t for t, key in zip(tables, have) if have[key]]


def per_seed_tables(results):
    out = []
    for name, r in results.items():
        rows = [
            [
                x["seed"],
                f"{x['pearson']:.3f}",
                f"{x['pearson_raw']:.3f}",
                f"{x['pearson_oracle']:.3f}",
                f"{x['pearson_vs_oracle']:.3f}",
                f"{x['pearson_logreg']:.3f}",
                f"{x['margin']:+.4f}",
                x["strong_at_0"],
                x["relevant_at_0"],
                x["noise_on"],
                x["readmitted"],
                x["epochs"],
                f"{x['seconds']:.1f}",
            ]
            for x in r["paper"]
        ]
        out.append(
            f"### Per seed, paper's set, `{name}`\n\n"
            + md_table(
                [
                    "seed",
                    "Pearson",
                    "paper's units",
                    "oracle",
                    "with the oracle",
                    "logistic regression",
                    "margin",
                    f">= {STRONG} at 0",
                    "relevant at 0",
                    "noise on",
                    "re-admitted",
                    "epochs",
                    "fit CPU s",
                ],
                rows,
            )
        )
        rows = [
            [
                x["seed"],
                f"{x['x0']:.3f}",
                f"{x['x1']:.3f}",
                f"{x['max_noise']:.3f}",
                f"{x['r2']:.3f}",
                x["epochs"],
            ]
            for x in r["linear"]
        ]
        out.append(
            f"### Per seed, linear target, `{name}`\n\n"
            + md_table(["seed", "x0", "x1", "largest noise", "R^2", "epochs"], rows)
        )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--configs",
        nargs="+",
        default=["default", "baseline"],
        help="'default', 'baseline' or 'NAME:field=value,...' (Settings fields)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=["paper", "correlated", "linear", "headline", "accuracy"],
        help="problems to run",
    )
    parser.add_argument(
        "--fold-states",
        type=int,
        default=1,
        help="fits per CV fold and configuration (random states k + 100 s)",
    )
    parser.add_argument(
        "--name",
        default="stability_relevance",
        help="result file name (without .md)",
    )
    args = parser.parse_args()
    setup(args.threads, quick=args.quick)
    size = SIZES[args.quick]
    start = time.perf_counter()
    results, extras = {}, {}
    for text in args.configs:
        name, overrides = parse_config(text)
        r = {
            k: []
            for k in (
                "paper",
                "correlated",
                "linear",
                "headline",
                "breast_cancer",
                "digits",
            )
        }
        extra = estimator_kwargs(overrides)
        if "linear" in args.only:
            r["linear"] = linear_target(range(size["linear_seeds"]), extra)
        if "paper" in args.only:
            r["paper"] = paper_set(range(size["paper_seeds"]), extra)
        if "correlated" in args.only:
            r["correlated"] = correlated_set(range(size["paper_seeds"]), extra)
        if "headline" in args.only:
            d, s = size["headline"]
            r["headline"] = headline(range(d), range(100, 100 + s), extra)
        label = name if not overrides else f"{name} ({overrides})"
        extras[label] = extra
        results[label] = r
        print(label, flush=True)
    sections = [
        "Every fit at the estimator's defaults, one torch thread. "
        f"Configurations: {', '.join(results)}. `baseline` = {BASELINE} "
        "(no KKT re-admission, no full-batch solve: the fits before them).",
    ]
    reference = None
    if "accuracy" in args.only:
        configs = {**extras, None: {}}
        # torch threads 1 (setup); MLPClassifier's BLAS likewise
        with threadpool_limits(args.threads):
            for name, loader in (
                ("breast_cancer", load_breast_cancer),
                ("digits", load_digits),
            ):
                rows = accuracy_cv(
                    loader, size["folds"], configs, states=args.fold_states
                )
                for label in extras:
                    results[label][name] = rows[label]
                reference = reference or {}
                reference[name] = rows[None]
    sections += summary_tables(results, reference)
    sections += per_seed_tables({k: v for k, v in results.items() if v["paper"]})
    write_result(
        args.name,
        "Relevance over seeds (issue 20 item 2)",
        sections,
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
