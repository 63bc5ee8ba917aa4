"""Minibatches per epoch of ``batch_size="auto"``: steps, epochs and scores.

The stopping rule and the penalty ramp count epochs, so the number of
minibatches per epoch sets how many optimizer steps a default fit takes,
and on small data the steps are most of the fit time. This script fits the
default estimators on the small data sets of ``bench_engine.py`` with
``Settings.auto_batches_per_epoch`` (``sklearn_spectral/_defaults.py``) set to each
value compared (1, the default: one full batch up to 200 rows; 2, the
default until 0.2.0), and with ``learning_rate_init`` at 1e-3 (the
default until 0.2.0, ``MLPClassifier``'s) and above it (issue 9: the steps
a tiny data set needs to stop are set by the step size), over several
75/25 splits, and reports the mean optimizer
steps, epochs, the fraction of fits that stopped by their own rule, the
test score (accuracy or R^2, mean +- std over the splits) and the number of
inputs kept. Steps and epochs do not depend on the machine's load.

Run ``python benchmarks/bench_batch_size.py`` (``--quick``: 3 splits).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from _common import md_table, setup, write_result
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.model_selection import train_test_split

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
    _defaults,
)

DATASETS = {
    "iris": (load_iris, SpectralMLPClassifier),
    "wine": (load_wine, SpectralMLPClassifier),
    "breast_cancer": (load_breast_cancer, SpectralMLPClassifier),
    "diabetes": (load_diabetes, SpectralMLPRegressor),
    "digits": (load_digits, SpectralMLPClassifier),
}
#: (batches per epoch, learning_rate_init) compared.
CONFIGS = ((2, 1e-3), (1, 1e-3), (2, 2e-3), (1, 2e-3), (1, 3e-3))


def run(name, per_epoch, lr, n_splits):
    load, cls = DATASETS[name]
    X, y = load(return_X_y=True)
    settings = replace(DEFAULT_SETTINGS, auto_batches_per_epoch=per_epoch)
    rows = []
    for seed in range(n_splits):
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
        model = cls(random_state=seed, learning_rate_init=lr, settings=settings)
        model.fit(X_train, y_train)
        steps = sum(row["train_batch_count"] for row in model.net_.history)
        rows.append(
            (
                steps,
                model.n_iter_,
                model.converged_,
                model.score(X_test, y_test),
                int((model.feature_importances_ > 0).sum()),
                model.net_.batch_size,
            )
        )
    r = np.asarray(rows, dtype=float)
    return [
        name,
        per_epoch,
        f"{lr:g}",
        int(r[0, 5]),
        f"{r[:, 0].mean():.0f}",
        f"{r[:, 1].mean():.0f}",
        f"{r[:, 2].mean():.2f}",
        f"{r[:, 3].mean():.3f} ± {r[:, 3].std():.3f}",
        f"{r[:, 4].mean():.1f}",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 splits instead of 8")
    args = parser.parse_args()
    setup(threads=1, quick=args.quick)
    n_splits = 3 if args.quick else 8
    start = time.perf_counter()
    rows = []
    for name in DATASETS:
        for per_epoch, lr in CONFIGS:
            rows.append(run(name, per_epoch, lr, n_splits))
            print(rows[-1], flush=True)
    header = [
        "data",
        "batches per epoch",
        "learning_rate_init",
        "batch size (first split)",
        "optimizer steps",
        "epochs",
        "stopped by its rule",
        "test score",
        "inputs kept",
    ]
    note = (
        f"Default estimators, `random_state=seed`, 75/25 split seeded by "
        f"`seed` in 0..{n_splits - 1}; the batch size is "
        "`ceil(n_train / n_batches)` for `n_batches = max(batches per epoch, "
        "ceil(n_train / 200))` (at least 32 rows). The library's defaults are "
        f"{DEFAULT_SETTINGS.auto_batches_per_epoch} (a full batch up to 200 rows) and "
        f"learning_rate_init={_defaults.LEARNING_RATE_INIT:g}; until version "
        "0.2.0 they were 2 and 1e-3."
    )
    write_result(
        "batch_size",
        "Minibatches per epoch of batch_size='auto'",
        [note, md_table(header, rows)],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
