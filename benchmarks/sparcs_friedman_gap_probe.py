"""Where auto-depth's deficit on make_friedman1 comes from (issue 20 item 5).

``make_friedman1(400, n_features=10, noise=1)``, the first ``--folds`` of
the 5-fold CV of ``bench_stability_depth.py`` (shuffled, ``random_state=0``)
and ``--states`` model seeds per fold, every model in
``Pipeline(StandardScaler(), model)``. Per variant it prints the mean test
R^2, the mean training R^2, the mean epochs of the fit and the last fit's
``architecture_``:

* ``fixed``: ``SpectralMLPRegressor()``; ``auto``: ``auto_depth=True``;
* ``auto, relevant columns``: the 5 noise columns left out by hand (are
  they the gap?);
* ``auto, patience 60``: the held-out stopped training after the evidence
  step waits 60 epochs, any improvement counts, up to 5 times the fit's
  epochs (is it stopped too early?);
* ``auto, tolerance -1 / -3``: the evidence step keeps a smaller network
  only when it is better by 1 / 3 standard errors (more neurons);
* ``auto, tol=1e-4``: the fit itself runs longer; ``auto, 600 epochs``:
  ``max_iter=600, tol=1e-5, n_iter_no_change=30``;
* ``fixed (10,)`` and the same at ``learning_rate_init=0.01`` for 1000
  epochs: a plain network of auto-depth's width;
* ``auto, no challenger``: without the fixed network that challenges
  the grown one on the held-out rows (``Settings.settle_challenger_*``
  at ``inf``; the default before session 14), and ``fixed, 90 % of the
  rows``: the fixed network on the share of the rows auto-depth trains
  on (a random 90 %, drawn per fold and seed): how much of the gap is the
  rows held out.

Example::

    python benchmarks/sparcs_friedman_gap_probe.py --folds 3 --states 2
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import replace

import numpy as np
from _common import setup
from sklearn.datasets import make_friedman1
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralMLPRegressor


def variants():
    """``(name, estimator parameters, columns)`` of every variant."""
    s = DEFAULT_SETTINGS
    auto = {"auto_depth": True}
    no_challenger = replace(
        s,
        settle_challenger_tolerance=float("inf"),
        settle_challenger_linear_tolerance=float("inf"),
    )
    return [
        ("fixed", {}, None),
        ("fixed, 90 % of the rows", {}, "rows 0.9"),
        ("auto", auto, None),
        ("auto, no challenger", {**auto, "settings": no_challenger}, None),
        ("auto, relevant columns", auto, slice(0, 5)),
        (
            "auto, patience 60",
            {
                **auto,
                "settings": replace(
                    s,
                    settle_converge_patience=60,
                    settle_converge_tol=0.0,
                    settle_converge_fit_fraction=5.0,
                ),
            },
            None,
        ),
        (
            "auto, tolerance -1",
            {**auto, "settings": replace(s, settle_holdout_tolerance=-1.0)},
            None,
        ),
        (
            "auto, tolerance -3",
            {**auto, "settings": replace(s, settle_holdout_tolerance=-3.0)},
            None,
        ),
        ("auto, tol=1e-4", {**auto, "tol": 1e-4}, None),
        (
            "auto, 600 epochs",
            {**auto, "max_iter": 600, "tol": 1e-5, "n_iter_no_change": 30},
            None,
        ),
        (
            "auto, no challenger, 600 epochs",
            {
                **auto,
                "settings": no_challenger,
                "max_iter": 600,
                "tol": 1e-5,
                "n_iter_no_change": 30,
            },
            None,
        ),
        ("fixed (10,)", {"hidden_layer_sizes": (10,)}, None),
        (
            "fixed (10,), lr 0.01, 1000 epochs",
            {
                "hidden_layer_sizes": (10,),
                "learning_rate_init": 0.01,
                "max_iter": 1000,
                "tol": 1e-5,
                "n_iter_no_change": 30,
            },
            None,
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--states", type=int, default=2)
    parser.add_argument("--noise", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", default=None, help="variant names")
    args = parser.parse_args(argv)
    setup(threads=1)
    X, y = make_friedman1(400, n_features=10, noise=args.noise, random_state=0)
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))[: args.folds]
    for name, params, columns in variants():
        if args.only and name not in args.only:
            continue
        share = None
        if isinstance(columns, str):  # "rows F": a random share of the rows
            share, columns = float(columns.split()[1]), None
        cols = slice(None) if columns is None else columns
        test, train, epochs, cpu = [], [], [], 0.0
        for fold, (tr_all, te) in enumerate(folds):
            for state in range(args.states):
                tr = tr_all
                if share is not None:
                    rng = np.random.RandomState(1000 * fold + state)
                    tr = np.sort(rng.permutation(tr_all)[: int(share * len(tr_all))])
                model = SpectralMLPRegressor(random_state=state, **params)
                pipe = make_pipeline(StandardScaler(), model)
                start = time.process_time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pipe.fit(X[tr][:, cols], y[tr])
                cpu += time.process_time() - start
                test.append(pipe.score(X[te][:, cols], y[te]))
                train.append(pipe.score(X[tr][:, cols], y[tr]))
                epochs.append(len(model.net_.history))
        arch = getattr(model, "architecture_", "")
        print(
            f"{name:36s} test {np.mean(test):.4f}  train {np.mean(train):.4f}  "
            f"epochs {np.mean(epochs):5.0f}  CPU s/fit {cpu / len(test):.2f}  "
            f"{arch}",
            flush=True,
        )


if __name__ == "__main__":
    main()
