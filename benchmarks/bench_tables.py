"""Users' tables (issue 21): does every relevant column rank above every
irrelevant one, over many tables and seeds?

The check of issue 21, at the estimators' defaults, on tables drawn by
:func:`~sklearn_spectral.datasets.make_random_table` (each seed draws its
own schema: which columns are float, nullable Int64, object, category,
string, bool or nullable boolean, which of them matter, the level effects)
and on the library's own :func:`~sklearn_spectral.datasets.make_mixed_table`.
The scenarios vary the rows (300-3000), the task (binary, 3 classes,
imbalanced 3 classes with ``class_weight="balanced"``, regression), the
share of missing cells, a column whose information is only in its
missingness, a weak column, categories of up to 24 levels and tables of
nullable columns only.

For every scenario and seed it fits ``SpectralMLPClassifier()`` /
``SpectralMLPRegressor()`` and ``SpectralFeatureSelector()`` at their
defaults (``--all-relevant``: also ``mode="all-relevant"`` on six of the
scenarios) and reports:

* ``clean``: the seeds where every relevant column's importance is above
  every irrelevant one's;
* ``margin``: smallest relevant importance minus largest irrelevant one
  (importances sum to 1; > 0 is a clean ranking), mean ± std and worst;
* ``pairs``: the share of (relevant, irrelevant) pairs ranked right (1 is
  clean; 0.5 is chance), mean and worst;
* for the selectors, the recall (relevant columns kept / relevant) and
  precision (relevant kept / kept; 1 when nothing is kept) of
  ``get_support()``, mean and worst.

Times are CPU seconds of this process (one torch thread). Writes
``benchmarks/results/tables.md`` (``results/full/`` in the full mode).

Example::

    python benchmarks/bench_tables.py --quick
    python benchmarks/bench_tables.py --scenarios mixed-regression --seeds 10
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from _common import md_table, mean_std, setup, write_result

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.datasets import make_mixed_table, make_random_table

#: ``--reading``: the model again with the first-layer reading of relevance
#: (``Settings.importance_gradient_rows=0``, the default before session 11).
FIRST_LAYER_READING = dataclasses.replace(DEFAULT_SETTINGS, importance_gradient_rows=0)

#: name -> (generator keyword arguments, short description)
SCENARIOS = {
    "binary-600": ({"n_samples": 600}, "10 columns, 4 relevant, 10 % NaN"),
    "binary-300": ({"n_samples": 300}, "as above, 300 rows"),
    "multiclass-600": (
        {"n_samples": 600, "task": "multiclass"},
        "3 ordered classes",
    ),
    "regression-600": ({"n_samples": 600, "task": "regression"}, "regression"),
    "regression-3000": (
        {"n_samples": 3000, "task": "regression"},
        "regression, 3000 rows",
    ),
    "missing-30": (
        {"n_samples": 600, "missing_fraction": 0.3},
        "30 % NaN in numeric columns",
    ),
    "missingness-signal": (
        {"n_samples": 600, "informative_missing": True},
        "one relevant float whose signal is its missingness",
    ),
    "weak-column": (
        {"n_samples": 1000, "task": "regression", "weak_effect": 0.3},
        "regression, one relevant column at 0.3 the effect",
    ),
    "wide-20": (
        {"n_samples": 1000, "n_columns": 20, "n_relevant": 5},
        "20 columns, 5 relevant",
    ),
    "many-levels": (
        {
            "n_samples": 600,
            "kinds": ("object", "category", "float", "bool"),
            "max_levels": 24,
        },
        "object and category columns of 3-24 levels, floats, bools",
    ),
    "nullable": (
        {
            "n_samples": 600,
            "kinds": ("count", "boolean", "float"),
            "missing_fraction": 0.2,
        },
        "nullable Int64 and boolean columns and floats, 20 % missing",
    ),
    "imbalanced-3class": (
        {"n_samples": 600, "task": "multiclass", "class_proportions": (0.7, 0.2, 0.1)},
        '3 classes 70/20/10 %, class_weight="balanced"',
    ),
    "mixed-binary": ({"generator": "mixed"}, "make_mixed_table(600)"),
    "mixed-regression": (
        {"generator": "mixed", "task": "regression"},
        "make_mixed_table(600, task='regression')",
    ),
}

#: estimator parameters of a scenario (the model's; the selector's estimator)
MODEL_PARAMS = {"imbalanced-3class": {"class_weight": "balanced"}}

#: the scenarios the all-relevant selector runs on (``--all-relevant``)
ALL_RELEVANT = (
    "binary-600",
    "regression-600",
    "multiclass-600",
    "missingness-signal",
    "mixed-binary",
    "mixed-regression",
)

QUICK = (
    "binary-600",
    "regression-600",
    "multiclass-600",
    "missingness-signal",
    "mixed-regression",
)


def make_table(kwargs, seed):
    kwargs = dict(kwargs)
    if kwargs.pop("generator", None) == "mixed":
        return make_mixed_table(n_samples=600, random_state=seed, **kwargs)
    return make_random_table(random_state=seed, **kwargs)


def ranking(scores, relevant):
    """Margin and share of (relevant, irrelevant) pairs ranked right."""
    good, bad = scores[relevant], scores[~relevant]
    margin = float(good.min() - bad.max())
    pairs = float(np.mean(good[:, None] > bad[None, :]))
    return margin, pairs


def support_scores(support, relevant):
    kept = int(support.sum())
    hits = int(np.sum(support & relevant))
    recall = hits / int(relevant.sum())
    precision = hits / kept if kept else 1.0
    return recall, precision


def evaluate(name, seeds, all_relevant, reading=False, selector_too=True):
    kwargs, _ = SCENARIOS[name]
    task = kwargs.get("task", "classification")
    model_cls = SpectralMLPRegressor if task == "regression" else SpectralMLPClassifier
    params = MODEL_PARAMS.get(name, {})
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    model = f"{model_cls.__name__}({shown})"

    def selector(seed, **kw):
        if params:  # the model's parameters, through the selector's estimator
            kw["estimator"] = model_cls(**params)
        return SpectralFeatureSelector(random_state=seed, **kw)

    selector_label = (
        f"SpectralFeatureSelector({'estimator=' + model if params else ''})"
    )
    fits = {model: lambda s: model_cls(random_state=s, **params)}
    if reading:
        fits[model + " first-layer reading"] = lambda s: model_cls(
            random_state=s, settings=FIRST_LAYER_READING, **params
        )
    if selector_too:
        fits[selector_label] = selector
    if all_relevant:
        fits['SpectralFeatureSelector(mode="all-relevant")'] = lambda s: selector(
            s, mode="all-relevant"
        )
    out = {
        label: {"margin": [], "pairs": [], "recall": [], "precision": [], "s": []}
        for label in fits
    }
    for seed in seeds:
        X, y, relevant = make_table(kwargs, seed)
        for label, make in fits.items():
            start = time.process_time()
            fit = make(seed).fit(X, y)
            record = out[label]
            record["s"].append(time.process_time() - start)
            scores = np.asarray(fit.feature_importances_, dtype=float)
            assert scores.shape == (X.shape[1],)
            margin, pairs = ranking(scores, relevant)
            record["margin"].append(margin)
            record["pairs"].append(pairs)
            if hasattr(fit, "get_support"):
                recall, precision = support_scores(fit.get_support(), relevant)
                record["recall"].append(recall)
                record["precision"].append(precision)
    rows = []
    for label, record in out.items():
        margins = np.array(record["margin"])
        row = [
            name,
            label,
            f"{int(np.sum(margins > 0))} of {len(margins)}",
            mean_std(margins),
            float(margins.min()),
            f"{np.mean(record['pairs']):.3f} / {np.min(record['pairs']):.3f}",
        ]
        if record["recall"]:
            row += [
                f"{np.mean(record['recall']):.2f} / {np.min(record['recall']):.2f}",
                f"{np.mean(record['precision']):.2f} / "
                f"{np.min(record['precision']):.2f}",
            ]
        else:
            row += ["", ""]
        row.append(f"{np.mean(record['s']):.2f}")
        rows.append(row)
        print(" | ".join(str(c) for c in row), flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 scenarios")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--scenarios", nargs="*", default=None, choices=sorted(SCENARIOS)
    )
    parser.add_argument(
        "--all-relevant",
        action="store_true",
        help="also SpectralFeatureSelector(mode='all-relevant'), on "
        + ", ".join(ALL_RELEVANT),
    )
    parser.add_argument(
        "--reading",
        action="store_true",
        help="also the model with Settings.importance_gradient_rows=0 "
        "(the first-layer reading of relevance)",
    )
    parser.add_argument("--no-selector", action="store_true", help="the models alone")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--name", default="tables", help="results file name (without .md)"
    )
    args = parser.parse_args()
    setup(args.threads, quick=args.quick or args.scenarios is not None)
    start = time.perf_counter()
    names = args.scenarios or (QUICK if args.quick else tuple(SCENARIOS))
    seeds = list(range(args.seeds))
    rows = []
    for name in names:
        rows += evaluate(
            name,
            seeds,
            args.all_relevant and name in ALL_RELEVANT,
            reading=args.reading,
            selector_too=not args.no_selector,
        )
    scenarios = md_table(
        ["scenario", "table"],
        [[name, SCENARIOS[name][1]] for name in names],
    )
    sections = [
        "## Scenarios",
        "`make_random_table(**kwargs, random_state=seed)` draws a new schema "
        "per seed (column kinds, which columns matter, level effects); "
        "effect 1 per relevant column unless said.",
        scenarios,
        "## Relevant columns above irrelevant ones, at defaults",
        f"Seeds {seeds[0]}-{seeds[-1]} per scenario. `clean`: seeds with every "
        "relevant column above every irrelevant one. `margin`: smallest "
        "relevant importance minus largest irrelevant one (importances sum "
        "to 1). `pairs`: share of (relevant, irrelevant) pairs in the right "
        "order, mean / worst. `recall`, `precision` of `get_support()`, "
        "mean / worst. `s`: CPU seconds per fit (one torch thread).",
        md_table(
            [
                "scenario",
                "estimator",
                "clean",
                "margin",
                "worst margin",
                "pairs",
                "recall",
                "precision",
                "s",
            ],
            rows,
        ),
    ]
    write_result(
        args.name,
        "Users' tables: the ranking of relevant columns over tables and seeds",
        sections,
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
