"""All-relevant selection: SpectralFeatureSelector's modes against BorutaPy.

Issue 11's sets: ``make_classification(n_samples=1000, n_features=50,
n_repeated=0, shuffle=False, random_state=s)`` with 10 informative columns,
or 5 informative + 5 redundant (linear combinations of the informative
ones); 75/25 stratified split; standardised on the training part. Each
method selects on the training part; reported: precision and recall of the
kept set against the 10 useful columns, CPU seconds of the selection
(``time.process_time``, one torch thread), and the test accuracy of a
``LogisticRegression`` refitted on the kept columns (the majority class when
nothing is kept). The issue's target for the all-relevant mode: precision
and recall >= 0.95 on each seed of the redundant set in at most half of
BorutaPy's CPU time, measured in the same run.

Rows: ``SpectralFeatureSelector()`` (minimal mode, the default),
``SpectralFeatureSelector(mode="all-relevant")``, BorutaPy (random forest
with ``max_depth=5, n_jobs=1``, its defaults otherwise; skipped with a note
when ``boruta`` is not installed), a random forest with ``SelectFromModel``
and STG (stochastic gates, PyPI ``stg`` 0.1.2 through a small Python 3.11
shim, the settings of its README; skipped with a note when ``stg`` is not
installed).

Usage::

    python benchmarks/bench_all_relevant.py --quick   # seed 0
    python benchmarks/bench_all_relevant.py           # seeds 0, 1, 2
    python benchmarks/bench_all_relevant.py --seeds 3 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    NOT_INSTALLED,
    has_package,
    md_table,
    mean_std,
    setup,
    write_result,
)
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralFeatureSelector

SETS = {
    "10 informative": {"n_informative": 10, "n_redundant": 0},
    "5 informative + 5 redundant": {"n_informative": 5, "n_redundant": 5},
}
N_USEFUL = 10  # shuffle=False: the useful columns come first


def load(name, seed):
    X, y = make_classification(
        n_samples=1000,
        n_features=50,
        n_repeated=0,
        shuffle=False,
        random_state=seed,
        **SETS[name],
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _spectral_minimal(X, y, seed):
    return SpectralFeatureSelector(random_state=seed).fit(X, y).get_support()


def _spectral_all_relevant(X, y, seed):
    selector = SpectralFeatureSelector(mode="all-relevant", random_state=seed)
    return selector.fit(X, y).get_support()


def _boruta(X, y, seed):
    from boruta import BorutaPy

    forest = RandomForestClassifier(max_depth=5, n_jobs=1)
    return BorutaPy(forest, random_state=seed).fit(X, y).support_


def _stg_shim():
    """Import STG's 2020 release (PyPI ``stg`` 0.1.2, installed with
    ``pip install --no-deps stg``) on Python 3.11; None when it is missing.

    Its modules import ``h5py`` (only to read its example files) and
    ``lifelines`` (only for survival models) at import time, and use the
    ``collections`` aliases that Python 3.10 removed: the shim gives empty
    stand-ins for the two packages when they are missing and restores the
    aliases, in this benchmark process only.
    """
    import collections
    import collections.abc
    import importlib.util
    import sys
    import types

    if importlib.util.find_spec("stg") is None:
        return None
    for name in ("h5py", "lifelines"):
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = types.ModuleType(name)
    lifelines = sys.modules.get("lifelines")
    if lifelines is not None and lifelines.__spec__ is None:  # the stand-in
        utils = types.ModuleType("lifelines.utils")
        utils.concordance_index = None  # used by its survival loss only
        lifelines.utils = sys.modules.setdefault("lifelines.utils", utils)
    for alias in ("Iterable", "Sequence", "Mapping", "MutableMapping", "Set"):
        if not hasattr(collections, alias):
            setattr(collections, alias, getattr(collections.abc, alias))
    from stg import STG

    return STG


def _stg(X, y, seed):
    # the settings of STG's README example (there for regression): a
    # [500, 50, 10] tanh network, full-batch SGD at 0.1, sigma 0.5, lam 0.1,
    # 3000 epochs; a feature is kept when its gate is open with probability
    # > 0.5. STG ignores its random_state, so torch is seeded here, in a
    # forked RNG state.
    import torch

    STG = _stg_shim()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = STG(
            task_type="classification",
            input_dim=X.shape[1],
            output_dim=int(np.unique(y).size),
            hidden_dims=[500, 50, 10],
            activation="tanh",
            optimizer="SGD",
            learning_rate=0.1,
            batch_size=X.shape[0],
            feature_selection=True,
            sigma=0.5,
            lam=0.1,
            random_state=seed,
            device="cpu",
        )
        # it requires a validation set; the training data only log a loss
        model.fit(X, y, nr_epochs=3000, valid_X=X, valid_y=y, print_interval=10**6)
    return model.get_gates(mode="prob") > 0.5


def _forest_select_from_model(X, y, seed):
    forest = RandomForestClassifier(random_state=seed, n_jobs=1)
    return SelectFromModel(forest).fit(X, y).get_support()


METHODS = {
    "SpectralFeatureSelector()": (_spectral_minimal, None),
    'SpectralFeatureSelector(mode="all-relevant")': (_spectral_all_relevant, None),
    "BorutaPy (random forest, max_depth=5)": (_boruta, "boruta"),
    "random forest + SelectFromModel": (_forest_select_from_model, None),
    "STG (stochastic gates, README settings)": (_stg, "stg"),
}


def evaluate(method, name, seed):
    """Precision, recall, CPU seconds and refit test accuracy of one run."""
    X_train, X_test, y_train, y_test = load(name, seed)
    start = time.process_time()
    support = np.asarray(method(X_train, y_train, seed), dtype=bool)
    cpu = time.process_time() - start
    kept = np.flatnonzero(support)
    true_positives = int(np.sum(kept < N_USEFUL))
    precision = true_positives / kept.size if kept.size else 0.0
    recall = true_positives / N_USEFUL
    if kept.size:
        model = LogisticRegression().fit(X_train[:, kept], y_train)
        accuracy = model.score(X_test[:, kept], y_test)
    else:
        accuracy = float(np.mean(y_test == np.bincount(y_train).argmax()))
    return {
        "precision": precision,
        "recall": recall,
        "cpu": cpu,
        "accuracy": accuracy,
        "kept": kept,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="seed 0 only")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="data seeds (default: 0 1 2, or 0 with --quick)",
    )
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    wall = time.perf_counter()

    summary, per_seed, ratios = [], [], []
    for name in SETS:
        boruta_cpu = {}
        for label, (method, package) in METHODS.items():
            if package == "stg":
                available = _stg_shim() is not None
            else:
                available = package is None or has_package(package)
            if not available:
                summary.append([name, label, NOT_INSTALLED, "", "", ""])
                continue
            runs = []
            for seed in seeds:
                run = evaluate(method, name, seed)
                runs.append(run)
                print(name, label, seed, {k: run[k] for k in run if k != "kept"})
                per_seed.append(
                    [
                        name,
                        label,
                        seed,
                        run["precision"],
                        run["recall"],
                        run["cpu"],
                        run["accuracy"],
                        " ".join(map(str, run["kept"])),
                    ]
                )
                if package == "boruta":
                    boruta_cpu[seed] = run["cpu"]
            summary.append(
                [
                    name,
                    label,
                    *(mean_std([r[k] for r in runs]) for k in ("precision", "recall")),
                    mean_std([r["cpu"] for r in runs]),
                    mean_std([r["accuracy"] for r in runs]),
                ]
            )
        for row in per_seed:
            if row[0] == name and row[1].endswith('"all-relevant")'):
                if row[2] in boruta_cpu:
                    ratios.append([name, row[2], row[5] / boruta_cpu[row[2]]])

    sections = [
        __doc__.split("Usage::")[0].strip(),
        f"Seeds: {seeds}; mean ± std over the seeds.",
        md_table(
            ["data", "method", "precision", "recall", "CPU s", "test accuracy"],
            summary,
        ),
        "Per seed (kept columns; 0-9 are the useful ones):",
        md_table(
            [
                "data",
                "method",
                "seed",
                "precision",
                "recall",
                "CPU s",
                "test accuracy",
                "kept",
            ],
            per_seed,
        ),
    ]
    if ratios:
        sections += [
            "CPU time of the all-relevant mode / BorutaPy's, same run:",
            md_table(["data", "seed", "ratio"], ratios),
        ]
    default_seeds = [0] if args.quick else [0, 1, 2]
    write_result(
        "all_relevant"
        + ("" if seeds == default_seeds else "_seeds_" + "_".join(map(str, seeds))),
        "All-relevant selection: SpectralFeatureSelector against BorutaPy",
        sections,
        elapsed=time.perf_counter() - wall,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
