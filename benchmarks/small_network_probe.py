"""Small networks: where a fit starts, and auto-depth's affine map when narrow.

Two measurements behind session 12's fixes (see the CHANGELOG):

* **start**: the loss a fresh network starts at, in units of a constant
  prediction's loss (``StopOnDivergence.start_loss_`` over the regressor's
  baseline, 1 on standardised targets), over seeds, for the default
  network and a 4-neuron one (fixed and auto-depth) on iris (all four
  columns as inputs, the class as a number) and diabetes; and how many
  3-epoch fits of the 4-neuron auto-depth network on iris end with an error
  (the old divergence rule raised "Training diverged" on them).
* **narrow**: 5-fold CV R^2 (shuffled, ``random_state=0``) of
  ``SpectralMLPRegressor((4,), auto_depth=True, random_state=s)`` on
  ``load_diabetes`` for s = 0..7: a hidden layer of 4 neurons is narrower
  than the 10 inputs, and the affine map the evidence step may choose must
  be one the network can carry.

Prints the numbers (no result file: a probe). Example::

    python benchmarks/small_network_probe.py --seeds 30 --error-seeds 300
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import KFold, cross_val_score

from sklearn_spectral import SpectralMLPRegressor


def start_ratio(X, y, seed, **params):
    """Start loss over the constant's (1 on standardised targets)."""
    reg = SpectralMLPRegressor(max_iter=1, random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y)
    return dict(reg.net_.callbacks_)["stop_on_divergence"].start_loss_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--error-seeds", type=int, default=300)
    parser.add_argument("--cv-seeds", type=int, default=8)
    args = parser.parse_args()
    torch.set_num_threads(1)
    sets = {
        "iris": load_iris(return_X_y=True),
        "diabetes": load_diabetes(return_X_y=True),
    }
    print("start loss / constant's loss, median (max) over seeds 0 ..", args.seeds - 1)
    for name, (X, y) in sets.items():
        for label, params in [
            ("default", {}),
            ("default auto-depth", {"auto_depth": True}),
            ("(4,)", {"hidden_layer_sizes": (4,)}),
            ("(4,) auto-depth", {"hidden_layer_sizes": (4,), "auto_depth": True}),
        ]:
            ratios = [start_ratio(X, y, s, **params) for s in range(args.seeds)]
            print(
                f"  {name:9s} {label:18s} {np.median(ratios):.2f} ({max(ratios):.2f})"
            )
    X, y = sets["iris"]
    errors, far = [], []
    for seed in range(args.error_seeds):
        reg = SpectralMLPRegressor((4,), auto_depth=True, max_iter=3, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reg.fit(X, y)
            except ValueError:
                errors.append(seed)
                continue
        start = dict(reg.net_.callbacks_)["stop_on_divergence"].start_loss_
        if start > 10:
            far.append(start)
    print(
        f"iris (4,) auto-depth, 3 epochs, seeds 0 .. {args.error_seeds - 1}: "
        f"{len(errors)} errors {errors[:10]}, {len(far)} fits starting > 10x a "
        f"constant ({min(far, default=0):.1f}-{max(far, default=0):.1f}x)"
    )
    X, y = sets["diabetes"]
    folds = KFold(5, shuffle=True, random_state=0)
    scores = []
    for seed in range(args.cv_seeds):
        reg = SpectralMLPRegressor((4,), auto_depth=True, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores.append(cross_val_score(reg, X, y, cv=folds).mean())
    print(
        f"diabetes (4,) auto-depth, 5-fold CV R^2 over seeds 0 .. "
        f"{args.cv_seeds - 1}: {np.mean(scores):.3f} (worst {np.min(scores):.3f})"
    )


if __name__ == "__main__":
    main()
