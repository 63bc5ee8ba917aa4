"""The paper's set: how high can a reading's Pearson with the true relevance go?

A probe (prints, writes no result file). The first paper's
independent-Gaussian set draws each input from ``N(mu[j, y], 0.5^2)`` with
class means ``r_j`` apart, so the Bayes log-odds is *linear*,
``sum_j (r_j / 0.25) x_j + const``, and its gradient with respect to the raw
input ``x_j`` is exactly proportional to the true relevance ``r_j``. The
library reads relevance with respect to the *unit-variance* input
``u_j = x_j / sd_j`` (``feature_importances_``; a user's columns have
arbitrary units), and ``sd_j = sqrt(0.25 + r_j^2 / 4)`` grows with ``r_j``:
the exact Bayes reading on that scale is ``r_j sd_j``, not ``r_j``. For each
seed this prints the Pearson correlation with ``r_j`` of

* ``oracle``: the Bayes reading from the true generating parameters on the
  unit-variance scale (``4 r_j sd_j``, the sample ``sd_j``) - the ceiling of
  any faithful reading of a perfectly learnt model;
* ``oracle raw``: the same on the raw scale (``4 r_j``: Pearson 1);
* ``lda``: the plug-in Bayes rule from the sample (class-mean difference
  over the pooled variance, times ``sd_j``): the finite sample's ceiling;
* ``logreg``: ``|coef|`` of a nearly unpenalised logistic regression on the
  standardised columns (the benchmark's reference);
* ``model``: ``feature_importances_`` of ``SpectralMLPClassifier
  (random_state=seed)`` at its defaults, and the same gradient taken on the
  raw scale (importance / ``sd_j``, renormalised);
* ``first``: the first-layer reading ``|lam_j| ||phi[:, j]||``;
* ``vs oracle``: the model's Pearson with the oracle reading (how well the
  network learnt the Bayes function, whatever the scale);
* ``shrunk``: the oracle reading soft-thresholded, ``max(o_j - t, 0)`` (``o``
  normalised to sum 1), at the ``t`` that best matches the model's
  importances (``fit`` = that match's Pearson): what an L1 penalty's
  shrinkage of every eigenvalue by one amount alone does to the Pearson
  correlation of a perfectly learnt model;

plus the margin of each (smallest importance of an input of relevance >=
0.2 minus the largest noise one), the epochs, and what the *conditional*
likelihood (the one a classifier fits) says of the weakest inputs: the
Wald ``|z|`` of the logistic regression's coefficients (smallest over the
inputs of relevance >= 0.2, largest over the noise) and the Bayes error
``Phi(-Delta / 2)``, ``Delta^2 = sum_j r_j^2 / 0.25``. The set is nearly
separable (Bayes error 0.02-1.7 %), so a discriminative fit learns from the
few rows near the boundary: where ``|z|`` of the weakest relevant input is
no larger than the noise's, no classifier's reading can be expected to rank
it above the noise, while the class means (``lda``) still can.

::

    python benchmarks/relevance_ceiling_probe.py --seeds 0 1 2 3 4 5 6 7 8 9
    python benchmarks/relevance_ceiling_probe.py --params tol=1e-6 n_iter_no_change=30
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings

import numpy as np
import torch
from scipy.stats import norm, pearsonr
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralMLPClassifier
from sklearn_spectral.datasets import make_independent_gaussian

STRONG = 0.2
SCALE = 0.5


def margin(imp, rel):
    return imp[rel >= STRONG].min() - imp[rel == 0].max()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--set", nargs="*", default=[], help="Settings overrides FIELD=VALUE"
    )
    parser.add_argument(
        "--params",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="estimator parameters (e.g. tol=1e-6 n_iter_no_change=50 alpha=0.05)",
    )
    args = parser.parse_args(argv)
    params = {}
    for item in args.params:
        key, _, value = item.partition("=")
        number = float(value)
        params[key] = (
            int(number) if number.is_integer() and "." not in value else number
        )
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    overrides = {}
    types = {f.name: f.type for f in dataclasses.fields(DEFAULT_SETTINGS)}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = int(value) if types[key] == "int" else float(value)
    settings = dataclasses.replace(DEFAULT_SETTINGS, **overrides)
    cols = (
        "oracle",
        "lda",
        "logreg",
        "model",
        "model raw",
        "first",
        "vs oracle",
        "shrunk",
        "fit",
    )
    print(
        "seed " + " ".join(f"{c:>10}" for c in cols) + "  margins (oracle, "
        "logreg, model, model raw)  epochs  cpu  |z| strong/noise  Bayes err"
    )
    totals = {c: [] for c in cols}
    for s in args.seeds:
        X, y, rel = make_independent_gaussian(args.rows, random_state=s)
        sd = X.std(axis=0)
        oracle = rel / SCALE**2 * sd
        pooled = np.sqrt(
            ((X[y == 0] - X[y == 0].mean(0)) ** 2).sum(0)
            + ((X[y == 1] - X[y == 1].mean(0)) ** 2).sum(0)
        ) / np.sqrt(len(X) - 2)
        lda = np.abs(X[y == 1].mean(0) - X[y == 0].mean(0)) / pooled**2 * sd
        Xs = StandardScaler().fit_transform(X)
        lr = LogisticRegression(C=1e4, max_iter=5000).fit(Xs, y)
        logreg = np.abs(lr.coef_[0])
        p = lr.predict_proba(Xs)[:, 1]
        Z = np.c_[np.ones(len(Xs)), Xs]
        cov = np.linalg.pinv(Z.T @ (Z * (p * (1 - p))[:, None]))
        wald = np.abs(logreg / np.sqrt(np.diag(cov))[1:])
        bayes = norm.cdf(-np.sqrt(np.sum(rel**2) / SCALE**2) / 2)
        t = time.process_time()
        model = SpectralMLPClassifier(
            random_state=s, n_threads=1, settings=settings, **params
        )
        model.fit(X, y)
        cpu = time.process_time() - t
        imp = model.feature_importances_
        raw = imp / sd
        raw = raw / raw.sum()
        first = model._first_layer_importances
        unit = oracle / oracle.sum()
        fit, t = max(
            (pearsonr(np.clip(unit - t, 0, None), imp)[0], t)
            for t in np.linspace(0.0, 0.05, 101)
        )
        values = {
            "shrunk": pearsonr(np.clip(unit - t, 0, None), rel)[0],
            "fit": fit,
            "oracle": pearsonr(oracle, rel)[0],
            "lda": pearsonr(lda, rel)[0],
            "logreg": pearsonr(logreg, rel)[0],
            "model": pearsonr(imp, rel)[0],
            "model raw": pearsonr(raw, rel)[0],
            "first": pearsonr(first, rel)[0],
            "vs oracle": pearsonr(imp, oracle)[0],
        }
        for c in cols:
            totals[c].append(values[c])
        print(
            f"{s:4d} "
            + " ".join(f"{values[c]:10.4f}" for c in cols)
            + f"  {margin(oracle / oracle.sum(), rel):+.3f} "
            f"{margin(logreg / logreg.sum(), rel):+.3f} {margin(imp, rel):+.3f} "
            f"{margin(raw, rel):+.3f}  {model.n_iter_:4d} {cpu:5.2f}  "
            f"{wald[rel >= STRONG].min():4.1f} / {wald[rel == 0].max():4.1f}  "
            f"{bayes:.4f}  noise on {int((imp[rel == 0] > 0).sum())}",
            flush=True,
        )
    print("mean " + " ".join(f"{np.mean(totals[c]):10.4f}" for c in cols))
    print("min  " + " ".join(f"{np.min(totals[c]):10.4f}" for c in cols))
    print(
        ">=.98 "
        + " ".join(f"{int((np.array(totals[c]) >= 0.98).sum()):>9d}/" for c in cols)
    )


if __name__ == "__main__":
    main()
