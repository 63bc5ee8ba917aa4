"""Ablation: the ramp of the input penalty over the first epochs.

``SpectralMLPClassifier`` ramps its input-eigenvalue L1 up linearly over the
first ``PENALTY_WARMUP`` epochs (10, ``sklearn_spectral/_defaults.py``). This
script fits the default model with ramps of 0 (the penalty at full strength
from the first step), 5 and 10 epochs on two problems:

* the headline problem (``make_classification``, 1000 x 50, 10 informative,
  no redundant columns, standardised, 75/25 split): precision and recall of
  ``SpectralFeatureSelector()``'s set, and test accuracy;
* the first paper's independent-Gaussian set (4000 samples): Pearson
  correlation with the true relevance, how many irrelevant inputs the L1
  left non-zero, and the false positives / negatives of
  ``threshold="auto"``.

A second table covers wide data, the Madelon-like set of 600 x 500 (20
useful columns), where the ramp is shortened in proportion to the samples
per input (``RAMP_SAMPLES_PER_INPUT``): columns kept by
``SpectralFeatureSelector()`` without a ramp, with the full 10-epoch ramp,
and with the default (shortened) ramp.

Writes ``results/penalty_warmup.md``.

    python benchmarks/bench_penalty_warmup.py [--quick] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from _common import (
    make_madelon_like,
    md_table,
    mean_std,
    setup,
    standardize,
    write_result,
)
from bench_headline import N_INFORMATIVE, headline_data
from scipy.stats import pearsonr

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
)
from sklearn_spectral.datasets import make_independent_gaussian
from sklearn_spectral.relevance import auto_threshold


def ramp(warmup, samples_per_input=None):
    """The library's settings with the ramp constants replaced."""
    changes = {"penalty_warmup": warmup}
    if samples_per_input is not None:
        changes["ramp_samples_per_input"] = samples_per_input
    return replace(DEFAULT_SETTINGS, **changes)


def _headline(seed, warmup):
    X_train, X_test, y_train, y_test = headline_data(seed)
    model = SpectralMLPClassifier(random_state=seed, settings=ramp(warmup))
    sel = SpectralFeatureSelector(model).fit(X_train, y_train)
    chosen = np.flatnonzero(sel.get_support())
    hits = np.sum(chosen < N_INFORMATIVE)
    return (
        hits / max(len(chosen), 1),
        hits / N_INFORMATIVE,
        sel.estimator_.score(X_test, y_test),
    )


def _gaussian(seed, warmup):
    X, y, relevance = make_independent_gaussian(n_samples=4000, random_state=seed)
    model = SpectralMLPClassifier(random_state=seed, settings=ramp(warmup))
    scores = model.fit(X, y)
    scores = scores.feature_importances_
    left_on = int(np.sum(scores[relevance == 0] > 0))
    kept = scores >= auto_threshold(scores)
    false_pos = int(np.sum(kept & (relevance == 0)))
    false_neg = int(np.sum(~kept & (relevance > 0)))
    return pearsonr(scores, relevance)[0], left_on, false_pos, false_neg


def _wide(seed, warmup, samples_per_input):
    X, y = make_madelon_like(600, seed)
    (X,) = standardize(X)
    model = SpectralMLPClassifier(
        random_state=seed, settings=ramp(warmup, samples_per_input)
    )
    sel = SpectralFeatureSelector(model).fit(X, y)
    chosen = np.flatnonzero(sel.get_support())
    return len(chosen), int(np.sum(chosen < 20))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, quick=args.quick)
    headline_seeds = range(5 if args.quick else 10)
    gaussian_seeds = range(3 if args.quick else 6)
    start = time.perf_counter()
    rows = []
    for warmup in (0, 5, 10):
        head = np.array([_headline(s, warmup) for s in headline_seeds])
        gauss = [_gaussian(s, warmup) for s in gaussian_seeds]
        corr, left_on, fp, fn = (np.array(col) for col in zip(*gauss))
        rows.append(
            [
                warmup,
                mean_std(head[:, 0]),
                mean_std(head[:, 1]),
                mean_std(head[:, 2]),
                mean_std(corr),
                int(left_on.sum()),
                f"{fp.sum()} / {fn.sum()}",
            ]
        )
        print(rows[-1], flush=True)
    wide_rows = []
    default_rate = DEFAULT_SETTINGS.ramp_samples_per_input
    for label, warmup, rate in (
        ("none", 0, default_rate),
        ("full 10 epochs", 10, 1e-9),
        ("default (shortened to 1 epoch here)", 10, default_rate),
    ):
        kept = [_wide(s, warmup, rate) for s in range(2)]
        wide_rows.append(
            [
                label,
                ", ".join(str(k) for k, _ in kept),
                ", ".join(str(u) for _, u in kept),
            ]
        )
        print(wide_rows[-1], flush=True)
    header = [
        "ramp (epochs)",
        "headline precision",
        "headline recall",
        "headline test accuracy",
        "Gaussian Pearson",
        "Gaussian irrelevant inputs left non-zero (all seeds)",
        "Gaussian auto-threshold FP / FN (all seeds)",
    ]
    write_result(
        "penalty_warmup",
        "Ablation: ramp of the input penalty",
        [
            __doc__.split("\n\n")[1],
            f"Headline seeds {list(headline_seeds)}, Gaussian seeds "
            f"{list(gaussian_seeds)}; mean ± std over seeds.",
            md_table(header, rows),
            "Wide data: Madelon-like 600 x 500 (20 useful columns), seeds 0 and 1.",
            md_table(["ramp", "columns kept", "of which useful"], wide_rows),
        ],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
