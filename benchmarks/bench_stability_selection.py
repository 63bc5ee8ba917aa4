"""Selection over seeds and folds: is the selected set a function of the data?

Every selection default is judged here, over random states, data seeds and
CV folds, beside BorutaPy and a random forest with ``SelectFromModel`` on
the same splits.

* **headline**: ``make_classification(n_samples=1000, n_features=50,
  n_informative=10, n_redundant=0, n_repeated=0, shuffle=False,
  random_state=s)``, 75/25 stratified split, standardised on the training
  part; columns 0-9 are the informative ones.
* **friedman1**: ``make_friedman1(5000, n_features=50, noise=1.0,
  random_state=s)``, same split (not stratified); columns 0-4 are relevant.
* **real data, 5-fold CV** (shuffled, ``random_state=0``; stratified for
  classes): ``load_breast_cancer``, ``load_diabetes``, ``load_wine``,
  ``load_digits``, each training fold standardised.

Reported per method: recall and precision of the kept set where the truth
is known; the mean pairwise Jaccard index of the kept sets across random
states (synthetic sets, per data seed) or across folds (real data), with
its worst pair; the kept counts; the held-out score of a random forest
(``n_estimators=100, random_state=0``) refitted on the kept columns
(accuracy or R^2; the majority class / mean when nothing is kept), and, on
real data, its paired difference to the same forest on all columns with
the standard error over folds; CPU seconds of the selection
(``time.process_time``, one torch thread, ``n_jobs=None``).

Methods: ``SpectralFeatureSelector(random_state=r)`` at its defaults (the
minimal mode), ``SpectralFeatureSelector(mode="all-relevant",
random_state=r)``, BorutaPy (``RandomForest*(max_depth=5, n_jobs=1)``,
``n_estimators="auto"``, ``random_state=r``, its defaults otherwise) and
``SelectFromModel(RandomForest*(n_estimators=100, random_state=r))``. The
competitors' results are cached (``--cache``) so that re-measuring a
default of ours does not re-run BorutaPy.

Usage::

    python benchmarks/bench_stability_selection.py --quick  # a few minutes
    python benchmarks/bench_stability_selection.py          # 20 x 3, all sets
    python benchmarks/bench_stability_selection.py --quick --only spectral \\
        --spectral-params '{"n_repeats": 5}'                # try a variant

Results are cached (``--cache``): the competitors' always, ours under the
git tree of ``sklearn_spectral/`` when it is committed, so parts run in
separate processes (``--only``, ``--sets``, each with its own first cache
file) are assembled by a last run that reads every file.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import md_table, setup, write_result
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_classification,
    make_friedman1,
)
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralFeatureSelector

# --------------------------------------------------------------------------- #
# data
# --------------------------------------------------------------------------- #
SYNTHETIC = {
    "headline": {"classification": True, "relevant": 10},
    "friedman1": {"classification": False, "relevant": 5},
}
REAL = {
    "breast_cancer": (load_breast_cancer, True),
    "diabetes": (load_diabetes, False),
    "wine": (load_wine, True),
    "digits": (load_digits, True),
}
N_FOLDS = 5


def _standardize(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def synthetic_split(name, seed):
    """Standardised 75/25 split of a synthetic set; its relevant columns."""
    if name == "headline":
        X, y = make_classification(
            n_samples=1000,
            n_features=50,
            n_informative=10,
            n_redundant=0,
            n_repeated=0,
            shuffle=False,
            random_state=seed,
        )
        stratify = y
    else:
        X, y = make_friedman1(5000, n_features=50, noise=1.0, random_state=seed)
        stratify = None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=stratify, random_state=seed
    )
    X_train, X_test = _standardize(X_train, X_test)
    return X_train, X_test, y_train, y_test


def real_folds(name):
    """The 5 standardised CV folds of a real data set."""
    loader, classification = REAL[name]
    X, y = loader(return_X_y=True)
    X = np.asarray(X, dtype=float)
    if classification:
        splitter = StratifiedKFold(N_FOLDS, shuffle=True, random_state=0)
    else:
        splitter = KFold(N_FOLDS, shuffle=True, random_state=0)
    for train, test in splitter.split(X, y):
        X_train, X_test = _standardize(X[train], X[test])
        yield X_train, X_test, y[train], y[test]


# --------------------------------------------------------------------------- #
# methods
# --------------------------------------------------------------------------- #
def _forest(classification, seed, **params):
    cls = RandomForestClassifier if classification else RandomForestRegressor
    return cls(random_state=seed, n_jobs=1, **params)


def _with_settings(params):
    """``params`` with a ``"settings"`` dict made the library's Settings
    (``dataclasses.replace`` of the defaults: a variant of a tuned constant,
    never a module global)."""
    if isinstance(params.get("settings"), dict):
        params = dict(params, settings=replace(DEFAULT_SETTINGS, **params["settings"]))
    return params


#: Fits the last minimal-mode selection made (strength search and fits on
#: all rows), recorded with its run.
_FITS = {}


def spectral(X, y, seed, classification, params):
    selector = SpectralFeatureSelector(random_state=seed, **_with_settings(params))
    selector.fit(X, y)
    path = selector.alpha_path_
    search = 0 if path is None else int(np.prod(path["fold_importances"].shape[:2]))
    consensus = getattr(selector, "consensus_importances_", None)
    on_all_rows = 1 if consensus is None else len(consensus)
    if consensus is not None and not np.any(
        np.isclose(
            getattr(selector, "consensus_alphas_", [selector.alpha_]), selector.alpha_
        )
    ):
        on_all_rows += 1  # estimator_ is not one of the voting fits
    _FITS["last"] = {"search": search, "all_rows": on_all_rows}
    return selector.get_support()


def spectral_all_relevant(X, y, seed, classification, params):
    selector = SpectralFeatureSelector(
        mode="all-relevant", random_state=seed, **_with_settings(params)
    )
    return selector.fit(X, y).get_support()


def boruta(X, y, seed, classification, params):
    from boruta import BorutaPy

    forest = _forest(classification, None, max_depth=5)
    return BorutaPy(forest, n_estimators="auto", random_state=seed).fit(X, y).support_


def forest_sfm(X, y, seed, classification, params):
    forest = _forest(classification, seed, n_estimators=100)
    return SelectFromModel(forest).fit(X, y).get_support()


METHODS = {
    "spectral": ("SpectralFeatureSelector()", spectral, False),
    "all-relevant": (
        'SpectralFeatureSelector(mode="all-relevant")',
        spectral_all_relevant,
        False,
    ),
    "boruta": ("BorutaPy (random forest, max_depth=5)", boruta, True),
    "rf-sfm": ("random forest + SelectFromModel", forest_sfm, True),
}


# --------------------------------------------------------------------------- #
# scoring
# --------------------------------------------------------------------------- #
def downstream(X_train, X_test, y_train, y_test, kept, classification):
    """Held-out score of a random forest on the kept columns."""
    if kept.size == 0:
        if classification:
            return float(np.mean(y_test == np.bincount(y_train).argmax()))
        residual = np.sum((y_test - y_train.mean()) ** 2)
        return float(1.0 - residual / np.sum((y_test - y_test.mean()) ** 2))
    model = _forest(classification, 0, n_estimators=100)
    model.fit(X_train[:, kept], y_train)
    return float(model.score(X_test[:, kept], y_test))


def jaccard(a, b):
    a, b = set(map(int, a)), set(map(int, b))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def pairwise_jaccard(sets):
    values = [jaccard(a, b) for a, b in itertools.combinations(sets, 2)]
    return (float(np.mean(values)), float(np.min(values))) if values else (1.0, 1.0)


class Cache:
    """Results keyed by method, data, split and seed.

    Read from every path given, written to the first, so that runs in
    separate processes (each with its own file) can be assembled by a last
    run that reads them all. Our own rows are cached only under the git
    tree of ``sklearn_spectral/`` when it is committed (see
    :func:`library_version`), so a changed library is always re-measured.
    """

    def __init__(self, paths):
        paths = [Path(p) for p in paths if p]
        self.path = paths[0] if paths else None
        self.data = {}
        for path in paths:
            if path.exists():
                self.data.update(json.loads(path.read_text()))

    def get(self, key):
        return self.data.get(key)

    def put(self, key, value):
        self.data[key] = value
        if self.path:
            self.path.write_text(json.dumps(self.data))


def run_one(method, X_train, X_test, y_train, y_test, seed, classification, params):
    _, function, _ = METHODS[method]
    start = time.process_time()
    support = np.asarray(
        function(X_train, y_train, seed, classification, params), dtype=bool
    )
    cpu = time.process_time() - start
    kept = np.flatnonzero(support)
    score = downstream(X_train, X_test, y_train, y_test, kept, classification)
    result = {"kept": kept.tolist(), "cpu": cpu, "score": score}
    if method == "spectral" and "last" in _FITS:
        result["fits"] = _FITS.pop("last")
    return result


def library_version():
    """Git tree id of ``sklearn_spectral/`` when committed, else None."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    clean = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", "sklearn_spectral"], cwd=root
    )
    if clean.returncode != 0:
        return None
    tree = subprocess.run(
        ["git", "rev-parse", "HEAD:sklearn_spectral"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return tree.stdout.strip()[:12] or None


LIBRARY = {"version": None, "params": "", "cached_only": False}


def cached_run(cache, key, method, *args):
    cacheable = METHODS[method][2]
    if not cacheable and LIBRARY["version"] is not None:
        cacheable = True
        key = f"{key}|{LIBRARY['version']}|{LIBRARY['params']}"
    if cacheable and cache.get(key) is not None:
        return cache.get(key)
    if LIBRARY["cached_only"]:
        return None
    result = run_one(method, *args)
    if cacheable:
        cache.put(key, result)
    return result


# --------------------------------------------------------------------------- #
# the two evaluations
# --------------------------------------------------------------------------- #
def evaluate_synthetic(
    name,
    methods,
    data_seeds,
    states,
    competitor_states,
    cache,
    params,
    boruta_seeds=None,
):
    info = SYNTHETIC[name]
    n_relevant = info["relevant"]
    rows = []
    for seed in data_seeds:
        split = synthetic_split(name, seed)
        for method in methods:
            if method == "boruta" and boruta_seeds is not None:
                if seed not in boruta_seeds:
                    continue
            # the minimal mode over every state; the all-relevant mode and
            # the competitors (10-60x its CPU time) over the first few
            seeds = states if method == "spectral" else competitor_states
            runs = []
            for state in seeds:
                key = f"{method}|{name}|{seed}|{state}"
                run = cached_run(
                    cache,
                    key,
                    method,
                    *split,
                    state,
                    info["classification"],
                    params.get(method, {}),
                )
                if run is None:
                    continue
                kept = np.asarray(run["kept"], dtype=int)
                hits = int(np.sum(kept < n_relevant))
                run = dict(
                    run,
                    recall=hits / n_relevant,
                    precision=hits / kept.size if kept.size else 0.0,
                )
                runs.append(run)
                print(
                    name,
                    seed,
                    method,
                    state,
                    len(kept),
                    f"{run['cpu']:.1f}s",
                    f"r={run['recall']:.2f} p={run['precision']:.2f}",
                    flush=True,
                )
            if runs:
                rows.append(
                    {"data": name, "seed": seed, "method": method, "runs": runs}
                )
    return rows


def evaluate_real(name, methods, states, cache, params, competitor_states=(0,)):
    """Every method on the 5 folds of a real set, at each random state
    (the minimal mode at ``states``, the others at ``competitor_states``)."""
    _, classification = REAL[name]
    folds = list(real_folds(name))
    rows = []
    baseline = []
    for i, (X_train, X_test, y_train, y_test) in enumerate(folds):
        all_columns = np.arange(X_train.shape[1])
        baseline.append(
            downstream(X_train, X_test, y_train, y_test, all_columns, classification)
        )
    for method in methods:
        runs = []
        for state in states if method == "spectral" else competitor_states:
            for i, split in enumerate(folds):
                key = f"{method}|{name}|fold{i}|{state}"
                run = cached_run(
                    cache,
                    key,
                    method,
                    *split,
                    state,
                    classification,
                    params.get(method, {}),
                )
                if run is None:
                    continue
                runs.append(dict(run, fold=i, state=state))
                print(
                    name,
                    i,
                    state,
                    method,
                    len(run["kept"]),
                    f"{run['cpu']:.1f}s",
                    f"score={run['score']:.3f}",
                    flush=True,
                )
        if runs and len({r["fold"] for r in runs}) == len(folds):
            rows.append(
                {"data": name, "method": method, "runs": runs, "baseline": baseline}
            )
    return rows


def fold_jaccards(runs):
    """Mean pairwise Jaccard of the kept sets of runs from different folds
    (data variation and training noise), with its worst pair, and of runs
    from the same fold at different random states (training noise alone;
    None with one state per fold)."""
    across, within = [], []
    for a, b in itertools.combinations(runs, 2):
        value = jaccard(a["kept"], b["kept"])
        (within if a.get("fold") == b.get("fold") else across).append(value)
    across_stat = (float(np.mean(across)), float(np.min(across))) if across else None
    within_stat = (float(np.mean(within)), float(np.min(within))) if within else None
    return across_stat, within_stat


# --------------------------------------------------------------------------- #
# tables
# --------------------------------------------------------------------------- #
def _ms(values, digits=2):
    values = np.asarray(values, dtype=float)
    if values.size == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def synthetic_table(rows):
    header = [
        "data",
        "seed",
        "method",
        "runs",
        "recall (min)",
        "precision (min)",
        "kept (min-max)",
        "Jaccard across states (min)",
        "test score",
        "CPU s",
    ]
    table = []
    for row in rows:
        runs = row["runs"]
        recall = [r["recall"] for r in runs]
        precision = [r["precision"] for r in runs]
        counts = [len(r["kept"]) for r in runs]
        jac, jac_min = pairwise_jaccard([r["kept"] for r in runs])
        table.append(
            [
                row["data"],
                row["seed"],
                METHODS[row["method"]][0],
                len(runs),
                f"{np.mean(recall):.2f} ({np.min(recall):.2f})",
                f"{np.mean(precision):.2f} ({np.min(precision):.2f})",
                f"{np.mean(counts):.1f} ({min(counts)}-{max(counts)})",
                f"{jac:.2f} ({jac_min:.2f})" if len(runs) > 1 else "-",
                _ms([r["score"] for r in runs], 3),
                _ms([r["cpu"] for r in runs], 1),
            ]
        )
    return md_table(header, table)


def real_table(rows):
    header = [
        "data",
        "method",
        "states",
        "kept per fold (min-max over states)",
        "Jaccard across folds (min)",
        "within a fold (min)",
        "forest score on kept",
        "minus all columns (paired SE)",
        "CPU s",
    ]
    table = []
    for row in rows:
        runs = row["runs"]
        n_folds = len(row["baseline"])
        by_fold = [[r for r in runs if r.get("fold", i) == i] for i in range(n_folds)]
        if "fold" not in runs[0]:  # an old raw file: one run per fold
            by_fold = [[r] for r in runs]
        scores = np.array([np.mean([r["score"] for r in f]) for f in by_fold])
        diff = scores - np.array(row["baseline"])
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        across, within = fold_jaccards(runs)
        counts = []
        for fold in by_fold:
            sizes = [len(r["kept"]) for r in fold]
            low, high = min(sizes), max(sizes)
            counts.append(str(low) if low == high else f"{low}-{high}")
        n_states = max(len(f) for f in by_fold)
        table.append(
            [
                row["data"],
                METHODS[row["method"]][0],
                n_states,
                ", ".join(counts),
                f"{across[0]:.2f} ({across[1]:.2f})" if across else "-",
                f"{within[0]:.2f} ({within[1]:.2f})" if within else "-",
                _ms([r["score"] for r in runs], 3),
                f"{diff.mean():+.3f} ({se:.3f})",
                _ms([r["cpu"] for r in runs], 1),
            ]
        )
    return md_table(header, table)


def budget_table(synthetic_rows, real_rows):
    """CPU time of ours over BorutaPy's on the same data."""
    cpu = {}
    for row in synthetic_rows:
        key = (row["data"], row["seed"])
        cpu.setdefault(key, {})[row["method"]] = np.mean(
            [r["cpu"] for r in row["runs"]]
        )
    for row in real_rows:
        key = (row["data"], "5 folds")
        cpu.setdefault(key, {})[row["method"]] = np.mean(
            [r["cpu"] for r in row["runs"]]
        )
    table = []
    for (data, seed), by_method in cpu.items():
        if "boruta" not in by_method:
            continue
        for method in ("spectral", "all-relevant"):
            if method in by_method:
                table.append(
                    [
                        data,
                        seed,
                        METHODS[method][0],
                        f"{by_method[method] / by_method['boruta']:.3f}",
                    ]
                )
    return md_table(["data", "seed", "method", "CPU / BorutaPy's"], table)


def _states(n):
    """Random states 0..n-1, in words."""
    return "0" if n == 1 else f"0-{n - 1}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument(
        "--only", nargs="+", choices=list(METHODS), default=list(METHODS)
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=[*SYNTHETIC, *REAL],
        default=[*SYNTHETIC, *REAL],
    )
    parser.add_argument(
        "--spectral-params",
        default="{}",
        help="JSON dict of SpectralFeatureSelector parameters for both "
        "spectral rows (measuring a variant); a 'settings' dict replaces "
        "those fields of DEFAULT_SETTINGS",
    )
    parser.add_argument(
        "--cache",
        nargs="*",
        default=["/tmp/bench_stability_selection_cache.json"],
        help="JSON files of earlier results, read from all, written to the "
        "first (none: no cache)",
    )
    parser.add_argument(
        "--library-version",
        default=None,
        help="cache key of our rows instead of the git tree of "
        "sklearn_spectral/ (e.g. a commit whose selection code is unchanged)",
    )
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="a run note for the result file (repeatable)",
    )
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="report only what the cache files hold (assembling parts)",
    )
    parser.add_argument("--name", default="stability_selection")
    parser.add_argument(
        "--fold-states",
        type=int,
        default=3,
        help="random states 0..N-1 of the minimal mode on each CV fold of "
        "the real sets: the Jaccard across folds is then the mean over pairs "
        "of runs from different folds, and the Jaccard within a fold (pairs "
        "of states on the same fold) is the training noise alone",
    )
    parser.add_argument(
        "--competitor-fold-states",
        type=int,
        default=1,
        help="random states 0..N-1 of the other methods on each CV fold",
    )
    parser.add_argument(
        "--data-seeds",
        nargs="+",
        type=int,
        default=None,
        help="headline data seeds, in this order (default 0 1 2): run the "
        "seeds a result needs first when a run may be cut short",
    )
    parser.add_argument(
        "--states",
        nargs="+",
        type=int,
        default=None,
        help="random states of the minimal mode on the headline problem "
        "(default 100-104 quick, 100-119 full)",
    )
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    extra = json.loads(args.spectral_params)
    params = {"spectral": extra, "all-relevant": extra}
    LIBRARY["version"] = (
        (args.library_version or library_version()) if args.cache else None
    )
    LIBRARY["params"] = json.dumps(extra, sort_keys=True)
    LIBRARY["cached_only"] = args.cached_only
    if args.quick:
        data_seeds, states, competitor_states = [0, 1, 2], list(range(100, 105)), [100]
        friedman_seeds, friedman_states = [0], [100, 101, 102]
    else:
        data_seeds, states = [0, 1, 2], list(range(100, 120))
        competitor_states = [100, 101, 102]
        friedman_seeds, friedman_states = [0, 1, 2], [100, 101, 102]
    if args.data_seeds is not None:
        data_seeds = args.data_seeds
    if args.states is not None:
        states = args.states
    wall = time.perf_counter()
    cache = Cache(args.cache)
    synthetic_rows, real_rows = [], []
    for name in args.sets:
        if name == "headline":
            synthetic_rows += evaluate_synthetic(
                name, args.only, data_seeds, states, competitor_states, cache, params
            )
        elif name == "friedman1":
            # BorutaPy on 3750 x 50 rows takes minutes: not in --quick, on
            # the first data seed otherwise
            methods = [m for m in args.only if m != "boruta" or not args.quick]
            synthetic_rows += evaluate_synthetic(
                name,
                methods,
                friedman_seeds,
                friedman_states,
                friedman_states[:1],
                cache,
                params,
                boruta_seeds=friedman_seeds[:1],
            )
        else:
            real_rows += evaluate_real(
                name,
                args.only,
                list(range(args.fold_states)),
                cache,
                params,
                list(range(args.competitor_fold_states)),
            )

    digest = hashlib.sha1(args.spectral_params.encode()).hexdigest()[:8]
    sections = [
        __doc__.split("Usage::")[0].strip(),
        f"Spectral parameters beyond the defaults: `{args.spectral_params}`"
        + ("" if extra == {} else f" (variant {digest})"),
        "## Known truth: recall, precision, stability across random states",
        f"Random states {states[0]}-{states[-1]} for the minimal mode on the "
        f"headline set, {competitor_states} for the all-relevant mode and the "
        f"competitors; friedman1: {friedman_states} for the minimal mode, "
        f"{friedman_states[:1]} for the others (BorutaPy "
        f"{'skipped' if args.quick else 'on data seed 0'}). Mean (min) over the "
        "states; test score ± std over the states.",
        synthetic_table(synthetic_rows),
        "## Real data: 5-fold CV, stability across folds",
        f"Random states {_states(args.fold_states)} of the minimal mode on "
        f"each fold, {_states(args.competitor_fold_states)} of the other "
        "methods. "
        "Jaccard across folds: the mean over every pair of runs from "
        "different folds (the data's variation plus the training noise; "
        "worst pair in brackets); within a fold: over pairs of runs of the "
        "same fold at different states (the training noise alone). The "
        "forest's score on the kept columns, mean ± std over the runs, and "
        "its paired difference to the forest on all columns (per fold the "
        "mean over the states; mean over folds, standard error).",
        real_table(real_rows),
        "## Budget",
        budget_table(synthetic_rows, real_rows),
    ]
    if args.note:
        sections += ["## Run notes", "\n".join(f"- {note}" for note in args.note)]
    write_result(
        args.name,
        "Selection over seeds and folds (stability)",
        sections,
        elapsed=time.perf_counter() - wall,
    )
    if args.cache:
        raw = Path(args.cache[0]).with_name(f"{args.name}_raw.json")
        raw.write_text(json.dumps({"synthetic": synthetic_rows, "real": real_rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
