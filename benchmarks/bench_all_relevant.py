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

``--generality`` runs the all-relevant mode and BorutaPy on other sets
with a known truth instead (written to ``all_relevant_generality.md``):
``make_friedman1`` (1000 x 10, noise 1; columns 0-4 relevant),
``make_friedman2`` and ``make_friedman3`` (1000 rows, noise 50 and 0.1)
with 6 standard-normal noise columns appended (0-3 relevant), a linear
target with weak coefficients ``y = 2 x0 + x1 + x2/2 + x3/4 + x4/8 + e``
(500 x 20, standard normal inputs and noise), ``make_classification(600,
30, n_informative=4, n_redundant=4, n_repeated=2, shuffle=False)`` (0-9
useful), the first paper's independent-Gaussian set
(``sklearn_spectral.datasets.make_independent_gaussian(2000)``: 11 of 20
columns with class-mean shifts drawn from U(0, 1.4), so some are barely
relevant; recall is also given over those with a shift >= 0.2) and the
mixed table of ``make_mixed_table(600)`` (a DataFrame with categories and
missing cells, the first four columns relevant; BorutaPy takes numbers
only and is skipped there). 75/25 split, numeric columns standardised on
the training part; BorutaPy with a forest classifier or regressor
(``max_depth=5, n_jobs=1``); CPU seconds measured in the same run, its
results cached (``--cache``).

``--real`` asks of the all-relevant mode on real data (the four sets and
5-fold CV of ``benchmarks/bench_stability_selection.py``: ``load_breast_cancer``,
``load_diabetes``, ``load_wine``, ``load_digits``, each training fold
standardised; random state 0) whether the kept set loses anything, and which
columns flip between folds (written to ``all_relevant_real.md``). A model
refitted on the kept columns is compared with the same model on all columns
(paired over the folds, with the standard error): a random forest
(``n_estimators=100, random_state=0``), the same forest on the kept columns
plus a row-permuted copy of each dropped column (same number of columns,
none of the dropped information: what the forest loses to having fewer
columns to draw from rather than to the information left out), and a linear
model (``RidgeCV`` or ``LogisticRegression(max_iter=2000)``). Columns kept in
some folds and not in others are listed with their hits and p-values per
fold (``-log10``; kept at ``-log10(0.05 / n_features)``).

``--settings '{"all_relevant_parts": 1}'`` measures a variant: the JSON
fields replace those of ``DEFAULT_SETTINGS`` (``dataclasses.replace``) for
every spectral selection of the run; ``--name`` names the result file.

Usage::

    python benchmarks/bench_all_relevant.py --quick   # seed 0
    python benchmarks/bench_all_relevant.py           # seeds 0, 1, 2
    python benchmarks/bench_all_relevant.py --seeds 3 4
    python benchmarks/bench_all_relevant.py --generality --seeds 0 1
    python benchmarks/bench_all_relevant.py --real --sets diabetes wine
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import time
from pathlib import Path

import numpy as np
from _common import (
    NOT_INSTALLED,
    has_package,
    md_table,
    mean_std,
    setup,
    write_result,
)
from sklearn.datasets import (
    make_classification,
    make_friedman1,
    make_friedman2,
    make_friedman3,
)
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralFeatureSelector
from sklearn_spectral.datasets import make_independent_gaussian, make_mixed_table

SETS = {
    "10 informative": {"n_informative": 10, "n_redundant": 0},
    "5 informative + 5 redundant": {"n_informative": 5, "n_redundant": 5},
}
N_USEFUL = 10  # shuffle=False: the useful columns come first
#: the Settings of every spectral selection (``--settings``)
SETTINGS = {"value": None}
#: parameters of the all-relevant selector in ``--real`` (``--params``)
PARAMS = {}
#: ``--stability-cache PATH LABEL``: our ``--real`` rows also written there
STABILITY_CACHE = {"value": None}
#: ``--raw PATH``: every ``--real`` selection, read back to resume a run
RAW = {"path": None, "runs": {}}
#: the random states BorutaPy runs at in ``--real`` (None: every state)
BORUTA_STATES = {"value": None}


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


# --------------------------------------------------------------------------- #
# --generality: other sets with a known truth
# --------------------------------------------------------------------------- #
def _with_noise(X, seed, n_noise=6):
    noise = np.random.RandomState(seed + 1000).standard_normal((X.shape[0], n_noise))
    return np.hstack([X, noise])


def _general(name, seed):
    """``(X, y, relevant mask, classification, weak-relevant mask or None)``."""
    weak = None
    if name == "friedman1":
        X, y = make_friedman1(1000, n_features=10, noise=1.0, random_state=seed)
        relevant, classification = np.arange(10) < 5, False
    elif name == "friedman2 + 6 noise":
        X, y = make_friedman2(1000, noise=50.0, random_state=seed)
        X, relevant, classification = _with_noise(X, seed), np.arange(10) < 4, False
    elif name == "friedman3 + 6 noise":
        X, y = make_friedman3(1000, noise=0.1, random_state=seed)
        X, relevant, classification = _with_noise(X, seed), np.arange(10) < 4, False
    elif name == "weak linear":
        rng = np.random.RandomState(seed)
        X = rng.standard_normal((500, 20))
        coef = np.zeros(20)
        coef[:5] = [2.0, 1.0, 0.5, 0.25, 0.125]
        y = X @ coef + rng.standard_normal(500)
        relevant, classification = coef != 0, False
    elif name == "redundant + repeated":
        X, y = make_classification(
            600,
            30,
            n_informative=4,
            n_redundant=4,
            n_repeated=2,
            shuffle=False,
            random_state=seed,
        )
        relevant, classification = np.arange(30) < 10, True
    elif name == "independent Gaussian":
        X, y, relevance = make_independent_gaussian(2000, random_state=seed)
        relevant, classification, weak = relevance > 0, True, relevance >= 0.2
    else:  # mixed table
        X, y, relevant = make_mixed_table(600, random_state=seed)
        classification = True
    return X, y, relevant, classification, weak


GENERAL = [
    "friedman1",
    "friedman2 + 6 noise",
    "friedman3 + 6 noise",
    "weak linear",
    "redundant + repeated",
    "independent Gaussian",
    "mixed table",
]


def _general_split(name, seed):
    X, y, relevant, classification, weak = _general(name, seed)
    stratify = y if classification else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=stratify, random_state=seed
    )
    if hasattr(X_train, "iloc"):  # the table: numbers standardised in place
        numeric = X_train.select_dtypes("float64").columns
        scaler = StandardScaler().fit(X_train[numeric])
        X_train = X_train.copy()
        X_train[numeric] = scaler.transform(X_train[numeric])
    else:
        X_train = StandardScaler().fit(X_train).transform(X_train)
    return X_train, y_train, relevant, classification, weak


def _general_run(method, name, seed, cache):
    key = f"{method}|{name}|{seed}"
    if method == "boruta" and key in cache.get("data", {}):
        return cache["data"][key]
    X, y, _, classification, _ = _general_split(name, seed)
    start = time.process_time()
    if method == "boruta":
        from boruta import BorutaPy

        cls = RandomForestClassifier if classification else RandomForestRegressor
        forest = cls(max_depth=5, n_jobs=1)
        support = (
            BorutaPy(forest, n_estimators="auto", random_state=seed)
            .fit(np.asarray(X), y)
            .support_
        )
    else:
        selector = SpectralFeatureSelector(
            mode="all-relevant", random_state=seed, settings=SETTINGS["value"]
        )
        support = selector.fit(X, y).get_support()
    result = {
        "kept": np.flatnonzero(support).tolist(),
        "cpu": time.process_time() - start,
    }
    if method == "boruta" and cache.get("path"):
        cache.setdefault("data", {})[key] = result
        Path(cache["path"]).write_text(json.dumps(cache["data"]))
    return result


def generality(seeds, cache_path):
    cache = {"path": cache_path, "data": {}}
    if cache_path and Path(cache_path).exists():
        cache["data"] = json.loads(Path(cache_path).read_text())
    labels = {
        "all-relevant": 'SpectralFeatureSelector(mode="all-relevant")',
        "boruta": "BorutaPy (random forest, max_depth=5)",
    }
    rows, per_seed = [], []
    for name in GENERAL:
        cpu = {}
        for method in labels:
            if method == "boruta" and (
                name == "mixed table" or not has_package("boruta")
            ):
                continue
            recalls, precisions, weak_recalls, cpus = [], [], [], []
            for seed in seeds:
                _, _, relevant, _, weak = _general_split(name, seed)
                run = _general_run(method, name, seed, cache)
                kept = np.zeros(relevant.size, dtype=bool)
                kept[run["kept"]] = True
                hits = int(np.sum(kept & relevant))
                recalls.append(hits / relevant.sum())
                precisions.append(hits / kept.sum() if kept.any() else 0.0)
                if weak is not None:
                    weak_recalls.append(np.sum(kept & weak) / weak.sum())
                cpus.append(run["cpu"])
                cpu[(method, seed)] = run["cpu"]
                print(name, method, seed, run, flush=True)
                per_seed.append(
                    [
                        name,
                        labels[method],
                        seed,
                        f"{recalls[-1]:.2f}",
                        f"{precisions[-1]:.2f}",
                        f"{run['cpu']:.1f}",
                        " ".join(map(str, run["kept"])),
                    ]
                )
            rows.append(
                [
                    name,
                    labels[method],
                    f"{np.mean(recalls):.2f} ({np.min(recalls):.2f})",
                    f"{np.mean(precisions):.2f} ({np.min(precisions):.2f})",
                    f"{np.mean(weak_recalls):.2f}" if weak_recalls else "-",
                    f"{np.mean(cpus):.1f}",
                    "-",
                ]
            )
        if ("boruta", seeds[0]) in cpu:  # ours / BorutaPy's, per seed
            ratios = [cpu[("all-relevant", s)] / cpu[("boruta", s)] for s in seeds]
            mine = next(
                r for r in rows if r[0] == name and r[1] == labels["all-relevant"]
            )
            mine[-1] = f"{np.mean(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
    return [
        f"Data seeds (= random states) {seeds}; mean (min) over them.",
        md_table(
            [
                "data",
                "method",
                "recall (min)",
                "precision (min)",
                "recall, shift >= 0.2",
                "CPU s",
                "CPU / BorutaPy's (range)",
            ],
            rows,
        ),
        "Per seed (kept columns):",
        md_table(
            ["data", "method", "seed", "recall", "precision", "CPU s", "kept"],
            per_seed,
        ),
    ]


REAL = ["breast_cancer", "diabetes", "wine", "digits"]


def _paired(a, b):
    """Mean of ``a - b`` over the folds and its standard error."""
    diff = np.asarray(a) - np.asarray(b)
    return f"{diff.mean():+.3f} ({diff.std(ddof=1) / np.sqrt(diff.size):.3f})"


def _downstream(X_train, X_test, y_train, y_test, kept, classification, fold):
    """Scores on the test fold of the models refitted on the kept columns."""
    forest_cls = RandomForestClassifier if classification else RandomForestRegressor
    dropped = np.flatnonzero(~kept)
    rng = np.random.RandomState(fold)

    def permuted(X):  # the dropped columns, rows shuffled: no information
        return np.column_stack([X[rng.permutation(len(X)), j] for j in dropped])

    scores = {}
    for label, columns in (("all", np.ones_like(kept)), ("kept", kept)):
        if not columns.any():  # nothing kept: the majority class / the mean
            scores[f"forest {label}"] = scores[f"linear {label}"] = (
                np.mean(y_test == np.bincount(y_train).argmax())
                if classification
                else 1 - np.mean((y_test - y_train.mean()) ** 2) / np.var(y_test)
            )
            continue
        forest = forest_cls(n_estimators=100, random_state=0, n_jobs=1)
        forest.fit(X_train[:, columns], y_train)
        scores[f"forest {label}"] = forest.score(X_test[:, columns], y_test)
        linear = LogisticRegression(max_iter=2000) if classification else RidgeCV()
        linear.fit(X_train[:, columns], y_train)
        scores[f"linear {label}"] = linear.score(X_test[:, columns], y_test)
    if dropped.size and kept.any():
        forest = forest_cls(n_estimators=100, random_state=0, n_jobs=1)
        forest.fit(np.hstack([X_train[:, kept], permuted(X_train)]), y_train)
        scores["forest kept + permuted"] = forest.score(
            np.hstack([X_test[:, kept], permuted(X_test)]), y_test
        )
    else:
        scores["forest kept + permuted"] = scores["forest kept"]
    return scores


def _boruta_real(name, fold, state, split, classification, caches):
    """BorutaPy's kept columns and CPU time on a fold (``--boruta-cache``
    files of ``bench_stability_selection.py``, whose keys these are; run and
    added to the first file when absent)."""
    from bench_stability_selection import Cache, cached_run

    if caches is None:
        return None
    cache = Cache(caches)
    return cached_run(
        cache,
        f"boruta|{name}|fold{fold}|{state}",
        "boruta",
        *split,
        state,
        classification,
        {},
    )


def real_data(sets, states=(0,), boruta_caches=None):
    """The all-relevant mode over 5-fold CV on real data (see ``--real``)."""
    from bench_stability_selection import REAL as LOADERS
    from bench_stability_selection import real_folds

    rows, flips, always, borutas = [], [], [], []
    for name in sets:
        classification = LOADERS[name][1]
        folds = []  # one entry per fold: a list over the states
        boruta = []
        for fold, split in enumerate(real_folds(name)):
            X_train, X_test, y_train, y_test = split
            runs = []
            for state in states:
                raw_key = f"{name}|{fold}|{state}|{json.dumps(PARAMS, sort_keys=True)}"
                if RAW["path"] is not None and raw_key in RAW["runs"]:
                    # resumed from ``--raw`` (a run cut short)
                    run = RAW["runs"][raw_key]
                    runs.append(
                        {
                            k: np.asarray(v) if isinstance(v, list) else v
                            for k, v in run.items()
                        }
                    )
                    print(name, fold, state, "from --raw", flush=True)
                    other = (
                        _boruta_real(
                            name, fold, state, split, classification, boruta_caches
                        )
                        if BORUTA_STATES["value"] is None
                        or state in BORUTA_STATES["value"]
                        else None
                    )
                    if other is not None:
                        boruta.append((fold, state, other))
                    continue
                start = time.process_time()
                selector = SpectralFeatureSelector(
                    mode="all-relevant",
                    random_state=state,
                    settings=SETTINGS["value"],
                    **PARAMS,
                ).fit(X_train, y_train)
                cpu = time.process_time() - start
                kept = selector.get_support()
                runs.append(
                    {
                        "kept": kept,
                        "cpu": cpu,
                        "rounds": selector.importances_.shape[0],
                        "tentative": int(selector.tentative_.sum()),
                        "weak": kept | selector.tentative_,
                        "frequency": selector.selection_frequencies_,
                        **_downstream(
                            X_train, X_test, y_train, y_test, kept, classification, fold
                        ),
                    }
                )
                print(name, fold, state, int(kept.sum()), f"{cpu:.1f} s", flush=True)
                if RAW["path"] is not None:
                    RAW["runs"][raw_key] = {
                        k: v.tolist() if isinstance(v, np.ndarray) else v
                        for k, v in runs[-1].items()
                    }
                    Path(RAW["path"]).write_text(json.dumps(RAW["runs"]))
                if STABILITY_CACHE["value"] is not None:
                    # the row bench_stability_selection.py would compute, under
                    # its cache key (``--library-version LABEL`` reads it)
                    from bench_stability_selection import Cache

                    path, label = STABILITY_CACHE["value"]
                    Cache([path]).put(
                        f"all-relevant|{name}|fold{fold}|{state}|{label}|{{}}",
                        {
                            "kept": np.flatnonzero(kept).tolist(),
                            "cpu": cpu,
                            "score": runs[-1]["forest kept"],
                        },
                    )
                other = (
                    _boruta_real(
                        name, fold, state, split, classification, boruta_caches
                    )
                    if BORUTA_STATES["value"] is None or state in BORUTA_STATES["value"]
                    else None
                )
                if other is not None:
                    boruta.append((fold, state, other))
            folds.append(runs)
        # stability across folds, for each state; and across states per fold
        across_folds, with_tentative = [], []
        for k in range(len(states)):
            sets_kept = [set(np.flatnonzero(f[k]["kept"])) for f in folds]
            across_folds += [
                len(a & b) / max(1, len(a | b))
                for a, b in itertools.combinations(sets_kept, 2)
            ]
            sets_weak = [set(np.flatnonzero(f[k]["weak"])) for f in folds]
            with_tentative += [
                len(a & b) / max(1, len(a | b))
                for a, b in itertools.combinations(sets_weak, 2)
            ]
        across_states = [
            len(a & b) / max(1, len(a | b))
            for f in folds
            for a, b in itertools.combinations(
                [set(np.flatnonzero(r["kept"])) for r in f], 2
            )
        ]

        def per_fold(key, folds=folds):
            return [np.mean([r[key] for r in f]) for f in folds]

        flat = [r for f in folds for r in f]
        rows.append(
            [
                name,
                " ".join(
                    f"{min(len(np.flatnonzero(r['kept'])) for r in f)}-"
                    f"{max(len(np.flatnonzero(r['kept'])) for r in f)}"
                    for f in folds
                ),
                f"{np.mean(across_folds):.2f} ({np.min(across_folds):.2f})",
                f"{np.mean(across_states):.2f} ({np.min(across_states):.2f})"
                if across_states
                else "-",
                _paired(per_fold("forest kept"), per_fold("forest all")),
                _paired(per_fold("forest kept + permuted"), per_fold("forest all")),
                _paired(per_fold("linear kept"), per_fold("linear all")),
                f"{np.mean([r['rounds'] for r in flat]):.0f} "
                f"({min(r['rounds'] for r in flat)}-{max(r['rounds'] for r in flat)})",
                f"{np.mean([r['tentative'] for r in flat]):.1f} ("
                + " ".join("/".join(str(r["tentative"]) for r in f) for f in folds)
                + ")",
                f"{np.mean(with_tentative):.2f}",
                f"{np.mean([r['cpu'] for r in flat]):.1f}",
            ]
        )
        if boruta:
            by_state = {}
            for fold, state, run in boruta:
                by_state.setdefault(state, []).append(set(run["kept"]))
            b_folds = [
                len(a & b) / max(1, len(a | b))
                for kept_sets in by_state.values()
                for a, b in itertools.combinations(kept_sets, 2)
            ]
            b_score = [
                np.mean([run["score"] for f, _, run in boruta if f == fold])
                for fold in range(len(folds))
            ]
            b_cpu = np.mean([run["cpu"] for _, _, run in boruta])
            borutas.append(
                [
                    name,
                    " ".join(map(str, sorted(by_state))),
                    f"{np.mean(b_folds):.2f} ({np.min(b_folds):.2f})",
                    " ".join(
                        str(len(run["kept"]))
                        for f, s_, run in boruta
                        if s_ == states[0]
                    ),
                    _paired(b_score, per_fold("forest all")),
                    f"{b_cpu:.1f}",
                    f"{np.mean([r['cpu'] for r in flat]) / b_cpu:.2f}",
                ]
            )
        n_kept = np.sum([r["kept"] for r in flat], axis=0)
        always.append(
            [
                name,
                " ".join(map(str, np.flatnonzero(n_kept == len(flat)))) or "-",
                " ".join(map(str, np.flatnonzero(n_kept == 0))) or "-",
            ]
        )
        for j in np.flatnonzero((n_kept > 0) & (n_kept < len(flat))):
            flips.append(
                [
                    name,
                    j,
                    f"{n_kept[j]}/{len(flat)}",
                    " ".join(
                        "/".join(f"{r['frequency'][j]:.2f}" for r in f) for f in folds
                    ),
                ]
            )
    sections = [
        f"Random states {list(states)} on each of the 5 folds. Jaccard across "
        "folds: mean (min) over the pairs of folds, each random state apart; "
        "across states: over the pairs of states, each fold apart. Score "
        "differences: the model on the kept columns minus the same model on "
        "all columns, mean over the states per fold, then mean over the folds "
        "(paired standard error over the folds); forest + permuted: the kept "
        "columns plus a row-permuted copy of each dropped column. Rounds: "
        "shadow rounds run, mean (min-max); tentative: columns undecided at "
        "the end, mean per selection (per fold, each state's count).",
        md_table(
            [
                "data",
                "kept per fold (min-max over states)",
                "Jaccard across folds (min)",
                "across states (min)",
                "forest: kept - all (SE)",
                "forest: kept + permuted - all (SE)",
                "linear: kept - all (SE)",
                "rounds",
                "tentative",
                "Jaccard with the tentative kept",
                "CPU s per selection",
            ],
            rows,
        ),
    ]
    if borutas:
        sections += [
            "BorutaPy (``RandomForest*(max_depth=5, n_jobs=1)``, "
            "``n_estimators='auto'``) on the same folds and states; the forest "
            "on its kept columns minus all columns; our CPU time over its:",
            md_table(
                [
                    "data",
                    "BorutaPy's random states",
                    "BorutaPy Jaccard across folds (min)",
                    f"kept per fold (state {states[0]})",
                    "forest: kept - all (SE)",
                    "CPU s",
                    "ours / BorutaPy CPU",
                ],
                borutas,
            ),
        ]
    sections += [
        "Columns kept in every selection and in none:",
        md_table(["data", "kept in every selection", "kept in none"], always),
        "Columns kept in some selections: in how many, and their hit "
        "frequency per fold (one value per state):",
        md_table(["data", "column", "kept in", "hit frequency per fold"], flips)
        if flips
        else "Every column is kept in every selection or in none.",
    ]
    return sections


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
    parser.add_argument(
        "--generality",
        action="store_true",
        help="the all-relevant mode and BorutaPy on other sets (see above)",
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="the all-relevant mode on real data over 5-fold CV (see above)",
    )
    parser.add_argument(
        "--sets", nargs="+", choices=REAL, default=REAL, help="--real: the sets"
    )
    parser.add_argument(
        "--states",
        type=int,
        nargs="+",
        default=[0],
        help="--real: random states of the selection on each fold",
    )
    parser.add_argument(
        "--boruta-cache",
        nargs="+",
        default=None,
        help="--real: cache files of bench_stability_selection.py with "
        "BorutaPy's runs (keys boruta|set|fold|state; missing runs are added "
        "to the first)",
    )
    parser.add_argument(
        "--settings",
        default=None,
        help="JSON dict of Settings fields for the spectral selections",
    )
    parser.add_argument(
        "--boruta-states",
        type=int,
        nargs="+",
        default=None,
        help="--real: the random states BorutaPy runs at (default: --states)",
    )
    parser.add_argument(
        "--stability-cache",
        nargs=2,
        default=None,
        metavar=("PATH", "LABEL"),
        help="--real: also write each selection as a row of "
        "bench_stability_selection.py's cache at PATH, for its "
        "--library-version LABEL",
    )
    parser.add_argument(
        "--raw",
        default=None,
        help="--real: JSON file of every selection, read back to resume",
    )
    parser.add_argument(
        "--params",
        default=None,
        help="--real: JSON dict of SpectralFeatureSelector parameters",
    )
    parser.add_argument("--name", default=None, help="result file name")
    parser.add_argument(
        "--cache",
        default="/tmp/bench_all_relevant_cache.json",
        help="JSON file of BorutaPy's --generality results ('' for none)",
    )
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick or args.real)
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    wall = time.perf_counter()
    if args.settings:
        SETTINGS["value"] = dataclasses.replace(
            DEFAULT_SETTINGS, **json.loads(args.settings)
        )
    if args.params:
        PARAMS.update(json.loads(args.params))
    BORUTA_STATES["value"] = args.boruta_states
    STABILITY_CACHE["value"] = args.stability_cache
    if args.raw:
        RAW["path"] = args.raw
        if Path(args.raw).exists():
            RAW["runs"] = json.loads(Path(args.raw).read_text())
    if args.real:
        write_result(
            args.name or "all_relevant_real",
            "All-relevant selection on real data: does the kept set lose anything?",
            [
                __doc__.split("Usage::")[0].strip(),
                *real_data(args.sets, args.states, args.boruta_cache),
            ],
            elapsed=time.perf_counter() - wall,
        )
        return 0
    if args.generality:
        write_result(
            args.name or "all_relevant_generality",
            "All-relevant selection on other sets: SpectralFeatureSelector "
            "against BorutaPy",
            [__doc__.split("Usage::")[0].strip(), *generality(seeds, args.cache)],
            elapsed=time.perf_counter() - wall,
        )
        return 0

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
