"""Users' tables: when the model alone ranks a table wrong, is it the fit or
the reading of its relevance?

A probe (prints, writes no result file) of ``bench_tables.py``'s scenarios,
the model alone at its defaults, over data seeds x model seeds (model
``random_state = 100 * state + seed``). For every fit it compares three
rankings of the columns by the margin (smallest relevant score minus
largest irrelevant one, scores summing to 1; > 0 is a clean ranking):

* ``norm``: the first-layer reading of relevance (the norm of the
  first-layer weights leaving each column's inputs; ``feature_importances_``
  at ``Settings.importance_gradient_rows=0``, the fitted
  ``_first_layer_importances``);
* ``gradient``: the default reading of the same fit (``feature_importances_``
  at ``importance_gradient_rows=2048``: the root mean square of the
  network's own input gradient);
* ``dependence``: how much the fitted model's output moves when the column
  is permuted on the training rows (root mean square change of the
  prediction, or of the probability of the last class);
* ``oracle``: a linear / logistic model on the encoded table, the
  likelihood-ratio test of dropping each column (``-log p``, so a column
  of many levels is not credited for its levels): what the data support.

::

    python benchmarks/tables_reading_probe.py --seeds 20 --states 3
    python benchmarks/tables_reading_probe.py --set input_test_level=0.01
"""

import argparse
import dataclasses
import sys
import time
import warnings

import numpy as np
import torch
from bench_tables import SCENARIOS, make_table
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._tabular import TableEncoder

#: Both readings from one fit: the gradient one is ``feature_importances_``,
#: the first-layer one the fitted ``_first_layer_importances``.
READING = dataclasses.replace(DEFAULT_SETTINGS, importance_gradient_rows=2048)

DEFAULT = (
    "binary-300",
    "binary-600",
    "regression-600",
    "multiclass-600",
    "missingness-signal",
    "mixed-regression",
)


def margin(scores, relevant):
    return float(scores[relevant].min() - scores[~relevant].max())


def dependence(model, X, regression, seed):
    """RMS change of the model's output when each column is permuted."""

    def output(frame):
        if regression:
            return model.predict(frame)
        return model.predict_proba(frame)[:, -1]

    base = output(X)
    rng = np.random.RandomState(seed)
    out = []
    for name in X.columns:
        shuffled = X.copy()
        shuffled[name] = X[name].to_numpy()[rng.permutation(len(X))]
        out.append(np.sqrt(np.mean((base - output(shuffled)) ** 2)))
    out = np.asarray(out)
    return out / max(out.sum(), 1e-300)


def _loglik(Z, y, regression):
    if regression:
        residual = y - (LinearRegression().fit(Z, y).predict(Z) if Z.shape[1] else 0)
        residual = residual - residual.mean()
        return -0.5 * len(y) * np.log(np.mean(residual**2))
    if not Z.shape[1]:
        share = np.bincount(y) / len(y)
        return float(np.sum(np.log(share[y])))
    proba = LogisticRegression(C=1e4, max_iter=2000).fit(Z, y).predict_proba(Z)
    return float(np.sum(np.log(proba[np.arange(len(y)), y] + 1e-300)))


def oracle(X, y, regression):
    """``-log p`` of the likelihood-ratio test of dropping each column."""
    encoder = TableEncoder("from_dtype", None, DEFAULT_SETTINGS)
    Z = encoder.fit_transform(X)
    column = encoder.column_of_input_
    full = _loglik(Z, y, regression)
    out = []
    for j in range(X.shape[1]):
        dropped = _loglik(Z[:, column != j], y, regression)
        ratio = max(2 * (full - dropped), 0.0)
        out.append(-stats.chi2.logsf(ratio, int(np.sum(column == j))))
    return np.asarray(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios", nargs="*", default=list(DEFAULT), choices=sorted(SCENARIOS)
    )
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--states", type=int, default=3)
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="FIELD=VALUE",
        help="Settings fields to override (e.g. input_test_level=0.01)",
    )
    args = parser.parse_args(argv)
    types = {f.name: f.type for f in dataclasses.fields(DEFAULT_SETTINGS)}
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in types:
            parser.error(f"--set: unknown Settings field {key!r}")
        overrides[key] = int(value) if types[key] == "int" else float(value)
    settings = dataclasses.replace(READING, **overrides)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print(
        f"data seeds 0-{args.seeds - 1} x {args.states} model seeds; clean: "
        "fits ranked cleanly; margin mean / worst",
        flush=True,
    )
    for name in args.scenarios:
        start = time.process_time()
        kwargs, _ = SCENARIOS[name]
        regression = kwargs.get("task") == "regression"
        cls = SpectralMLPRegressor if regression else SpectralMLPClassifier
        norm, grad, dep, orc, wrong = [], [], [], [], []
        for seed in range(args.seeds):
            X, y, relevant = make_table(kwargs, seed)
            orc.append(margin(oracle(X, y, regression), relevant))
            for state in range(args.states):
                model = cls(random_state=100 * state + seed, settings=settings)
                model.fit(X, y)
                norm.append(margin(model._first_layer_importances, relevant))
                grad.append(margin(model.feature_importances_, relevant))
                dep.append(margin(dependence(model, X, regression, seed), relevant))
                if norm[-1] <= 0:
                    wrong.append(f"{seed}:{state}")
        norm, grad, dep, orc = map(np.asarray, (norm, grad, dep, orc))
        n = len(norm)
        failing = norm <= 0
        print(
            f"{name} | norm clean {np.sum(norm > 0)}/{n}, {norm.mean():.3f} / "
            f"{norm.min():.3f} | gradient clean {np.sum(grad > 0)}/{n}, "
            f"{grad.mean():.3f} / {grad.min():.3f} | "
            f"dependence clean {np.sum(dep > 0)}/{n}, "
            f"{dep.mean():.3f} / {dep.min():.3f} | of the norm's failures, "
            f"clean by dependence {np.sum(dep[failing] > 0)}/{failing.sum()} "
            f"({' '.join(wrong)}), by gradient {np.sum(grad[failing] > 0)} | "
            f"gradient wrong where norm clean "
            f"{np.sum((grad <= 0) & ~failing)} | "
            f"oracle clean {np.sum(orc > 0)}/{len(orc)}, "
            f"worst -log p margin {orc.min():.2f} | "
            f"{time.process_time() - start:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
