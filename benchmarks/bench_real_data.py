"""Real data: our defaults against the models a user would pick instead.

Every data set ships offline with scikit-learn (no download):

* classification: ``load_breast_cancer``, ``load_wine``, ``load_digits``,
  ``load_iris``;
* regression: ``load_diabetes`` (an integer target with 214 distinct values),
  ``load_linnerud`` (20 rows, three targets: one multi-output fit), and three
  targets taken from the columns of the classification sets because
  scikit-learn ships only two regression sets: wine's ``alcohol`` from its
  other 12 columns, iris's ``petal width`` from the other 3, and breast
  cancer's ``mean radius`` from its other 29 (nearly linear: ``mean
  perimeter`` is about 2 pi times the radius; a control where a perceptron
  and a single column suffice).

Cross-validation: ``StratifiedKFold`` (classification) or ``KFold``
(regression), 5 folds (``--quick``: 3 folds and fewer sets), shuffled with
``random_state=0``; every model is ``Pipeline(StandardScaler(), model)`` and
has ``random_state=0``.

* **Prediction**: test accuracy / R^2 and fit time of
  ``SpectralMLPClassifier()`` / ``SpectralMLPRegressor()`` at defaults (fixed
  depth), the same with ``auto_depth=True`` (its ``architecture_`` per fold),
  ``MLPClassifier()`` / ``MLPRegressor()`` at defaults,
  ``RandomForest*(n_estimators=200, n_jobs=1)`` and a linear model
  (``LogisticRegression()`` / ``RidgeCV()``); the mean rank of each method
  over the data sets (1 = best mean score).
* **Selection**: ``SpectralFeatureSelector()`` at defaults on the
  standardised training fold: the kept set's size, the score of the linear
  model refit on the kept columns against all columns, the stability of the
  kept sets across folds (mean pairwise Jaccard) and the spread of the
  importances (smallest / largest).
* **Selection at stronger penalties**: the same with ``alpha=0.3`` and
  ``alpha=1`` (kept size and the linear model's score on the kept columns),
  to show where a default that selects would lie.
* **Warnings** per method, recorded in every fit and score (the library's
  defaults are meant to stop by their own rule without a
  ``ConvergenceWarning``), and the fits that ran to ``max_iter``.

Writes ``benchmarks/results/real_data.md`` (``--quick``) or
``benchmarks/results/full/real_data.md`` (the full mode).

Example::

    python benchmarks/bench_real_data.py --quick
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from _common import Timer, fmt, md_table, mean_std, setup, write_result
from scipy.stats import rankdata
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
)
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)

SEED = 0
OURS = "spectral"
AUTO = "spectral auto-depth"
LINEAR = "linear"
#: Prediction methods in table order.
METHODS = [OURS, AUTO, "MLP", "RandomForest", LINEAR]
DESCRIPTIONS = {
    OURS: "`SpectralMLPClassifier()` / `SpectralMLPRegressor()`, defaults "
    "(fixed depth, one hidden layer of 100)",
    AUTO: "the same with `auto_depth=True` (`hidden_layer_sizes=(100,)` is the "
    "largest network allowed)",
    "MLP": "`MLPClassifier()` / `MLPRegressor()`, defaults (the target is not "
    "scaled: scikit-learn's MLPRegressor does not do it, ours does)",
    "RandomForest": "`RandomForestClassifier` / `RandomForestRegressor"
    "(n_estimators=200, n_jobs=1)`",
    LINEAR: "`LogisticRegression()` / `RidgeCV()` (alphas 0.1, 1, 10)",
}
#: Regression only, outside the ranking: is our lead over MLPRegressor() only
#: the target scaling that ours does internally?
MLP_SCALED_Y = "MLP, scaled y"
#: Selector penalty strengths tried beside the default (``alpha=None``: the
#: model's 0.1), to show where a default that selects would lie.
ALPHA_SWEEP = (0.3, 1.0)
#: Data sets left out in ``--quick`` mode (the slowest and the tiniest).
QUICK_SKIP = {"digits", "linnerud", "iris: petal width"}


@dataclass
class DataSet:
    name: str
    task: str  # "classification" or "regression"
    X: np.ndarray
    y: np.ndarray
    note: str


def load_sets(quick):
    """The data sets, in table order (``quick`` drops ``QUICK_SKIP``)."""
    sets = []
    for name, loader in [
        ("breast_cancer", load_breast_cancer),
        ("wine", load_wine),
        ("digits", load_digits),
        ("iris", load_iris),
    ]:
        X, y = loader(return_X_y=True)
        sets.append(
            DataSet(
                name,
                "classification",
                X,
                y,
                f"`load_{name}`, {np.unique(y).size} classes",
            )
        )
    X, y = load_diabetes(return_X_y=True, scaled=False)
    sets.append(
        DataSet(
            "diabetes",
            "regression",
            X,
            y,
            f"`load_diabetes(scaled=False)`, integer target with "
            f"{np.unique(y).size} distinct values",
        )
    )
    X, y = load_linnerud(return_X_y=True)
    sets.append(
        DataSet(
            "linnerud",
            "regression",
            X,
            y,
            "`load_linnerud`, 3 exercise columns -> 3 physiological targets "
            "(one multi-output fit; R^2 averaged over the targets); with 5 "
            "folds a test fold has 4 rows, so its R^2 swings widely: read the "
            "order of the methods, not the values",
        )
    )
    for label, loader, col, what in [
        ("wine: alcohol", load_wine, 0, "wine's `alcohol` from its other 12 columns"),
        ("iris: petal width", load_iris, 3, "iris's petal width from the other 3"),
        (
            "breast_cancer: mean radius",
            load_breast_cancer,
            0,
            "breast cancer's `mean radius` from its other 29 columns (derived; "
            "nearly linear, `mean perimeter` ~ 2 pi radius)",
        ),
    ]:
        data = loader()
        X = np.delete(data.data, col, axis=1)
        sets.append(
            DataSet(label, "regression", X, data.data[:, col], f"derived: {what}")
        )
    for s in sets:
        s.note = f"{s.X.shape[0]} x {s.X.shape[1]}; " + s.note
    return [s for s in sets if not (quick and s.name in QUICK_SKIP)]


def make_model(method, task):
    """A fresh, unfitted model (without the scaler)."""
    clf = task == "classification"
    if method == OURS:
        cls = SpectralMLPClassifier if clf else SpectralMLPRegressor
        return cls(random_state=SEED)
    if method == AUTO:
        cls = SpectralMLPClassifier if clf else SpectralMLPRegressor
        return cls(auto_depth=True, random_state=SEED)
    if method == "MLP":
        return (MLPClassifier if clf else MLPRegressor)(random_state=SEED)
    if method == "RandomForest":
        cls = RandomForestClassifier if clf else RandomForestRegressor
        return cls(n_estimators=200, n_jobs=1, random_state=SEED)
    if method == LINEAR:
        return LogisticRegression(random_state=SEED) if clf else RidgeCV()
    if method == MLP_SCALED_Y:  # regression only, not ranked
        return TransformedTargetRegressor(
            MLPRegressor(random_state=SEED), transformer=StandardScaler()
        )
    raise ValueError(method)


# --------------------------------------------------------------------------- #
# one fold
# --------------------------------------------------------------------------- #
@dataclass
class Fold:
    score: float
    seconds: float
    convergence_warnings: int = 0
    other_warnings: list = field(default_factory=list)
    hit_max_iter: bool = False
    extra: dict = field(default_factory=dict)


class Recorder:
    """Record every warning raised inside the block (filters off)."""

    def __enter__(self):
        self._ctx = warnings.catch_warnings(record=True)
        self.caught = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        return False

    def counts(self):
        conv = sum(issubclass(w.category, ConvergenceWarning) for w in self.caught)
        other = [
            f"{w.category.__name__}: {str(w.message)[:90]}"
            for w in self.caught
            if not issubclass(w.category, ConvergenceWarning)
        ]
        return conv, other


def _hit_max_iter(model):
    if hasattr(model, "converged_"):
        return not bool(model.converged_)
    if isinstance(model, TransformedTargetRegressor):
        model = model.regressor_
    if isinstance(model, (MLPClassifier, MLPRegressor)):
        return model.n_iter_ >= model.max_iter
    return False


def run_prediction(method, ds, train, test):
    pipe = make_pipeline(StandardScaler(), make_model(method, ds.task))
    with Recorder() as rec:
        with Timer() as t:
            pipe.fit(ds.X[train], ds.y[train])
        score = pipe.score(ds.X[test], ds.y[test])
    conv, other = rec.counts()
    model = pipe[-1]
    extra = {}
    if hasattr(model, "n_iter_"):
        extra["n_iter"] = int(np.max(model.n_iter_))
    if method == AUTO:
        extra["architecture"] = tuple(int(w) for w in model.architecture_)
        extra["path"] = float(model.hidden_path_strength_)
    return Fold(score, t.seconds, conv, other, _hit_max_iter(model), extra)


def run_selection(ds, train, test):
    """The selector on the standardised training fold, then the linear model
    refit on the kept columns (a constant model when none is kept); the
    warnings counted are the selector's own."""
    scaler = StandardScaler().fit(ds.X[train])
    X_tr, X_te = scaler.transform(ds.X[train]), scaler.transform(ds.X[test])
    y_tr, y_te = ds.y[train], ds.y[test]
    with Recorder() as rec:
        with Timer() as t:
            sel = SpectralFeatureSelector(random_state=SEED).fit(X_tr, y_tr)
        kept = np.flatnonzero(sel.get_support())
    conv, other = rec.counts()
    score = _linear_on(ds, kept, X_tr, y_tr, X_te, y_te)
    # the reference a user would try: a forest's impurity importances above
    # their mean (SelectFromModel's default threshold)
    forest = SelectFromModel(make_model("RandomForest", ds.task)).fit(X_tr, y_tr)
    ref = np.flatnonzero(forest.get_support())
    imp = np.asarray(sel.estimator_.feature_importances_, dtype=float)
    sweep = {}
    for alpha in ALPHA_SWEEP:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stronger = SpectralFeatureSelector(alpha=alpha, random_state=SEED)
            cols = np.flatnonzero(stronger.fit(X_tr, y_tr).get_support())
        sweep[alpha] = (cols.size, _linear_on(ds, cols, X_tr, y_tr, X_te, y_te))
    return Fold(
        score,
        t.seconds,
        conv,
        other,
        _hit_max_iter(sel.estimator_),
        {
            "kept": kept,
            "task": getattr(sel, "task_", "?"),
            "spread": float(imp.min() / imp.max()) if imp.max() > 0 else np.nan,
            "ref_kept": ref,
            "ref_score": _linear_on(ds, ref, X_tr, y_tr, X_te, y_te),
            "sweep": sweep,
        },
    )


def _linear_on(ds, cols, X_tr, y_tr, X_te, y_te):
    """Test score of the linear model on ``cols`` (constant model if none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cols.size:
            model = make_model(LINEAR, ds.task).fit(X_tr[:, cols], y_tr)
            return model.score(X_te[:, cols], y_te)
        dummy = DummyClassifier if ds.task == "classification" else DummyRegressor
        return dummy().fit(X_tr, y_tr).score(X_te, y_te)


def jaccard(a, b):
    a, b = set(a), set(b)
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def folds_of(ds, n_splits):
    cls = StratifiedKFold if ds.task == "classification" else KFold
    cv = cls(n_splits=n_splits, shuffle=True, random_state=SEED)
    return list(cv.split(ds.X, ds.y))


# --------------------------------------------------------------------------- #
# tables
# --------------------------------------------------------------------------- #
def _scores(folds):
    return mean_std([f.score for f in folds])


def prediction_tables(sets, pred):
    """Score and time tables, the per-set ranks and the losses of ours."""
    header = ["data set", "metric", *METHODS, "best", f"{OURS} - best"]
    rows, time_rows, ranks = [], [], {}
    for ds in sets:
        means = np.array([_scores(pred[ds.name][m])[0] for m in METHODS])
        ranks[ds.name] = rankdata(-means)
        best = int(np.argmax(means))
        metric = "accuracy" if ds.task == "classification" else "R^2"
        rows.append(
            [
                ds.name,
                metric,
                *[_scores(pred[ds.name][m]) for m in METHODS],
                METHODS[best],
                f"{means[0] - means[best]:+.3f}",
            ]
        )
        seconds = [np.mean([f.seconds for f in pred[ds.name][m]]) for m in METHODS]
        time_rows.append([ds.name, *seconds])
    score_table = md_table(header, rows)
    time_table = md_table(["data set", *METHODS], time_rows)
    return score_table, time_table, ranks


def rank_table(sets, ranks):
    rows = []
    groups = [
        ("all", sets),
        ("classification", [d for d in sets if d.task == "classification"]),
        ("regression", [d for d in sets if d.task == "regression"]),
    ]
    for i, m in enumerate(METHODS):
        row = [m]
        for _, group in groups:
            row.append(
                float(np.mean([ranks[d.name][i] for d in group])) if group else np.nan
            )
        row.append(sum(ranks[d.name][i] == 1 for d in sets))
        rows.append(row)
    header = ["method", *[f"mean rank, {g} ({len(s)})" for g, s in groups], "wins"]
    return md_table(header, rows)


def auto_depth_table(sets, pred):
    rows = []
    for ds in sets:
        auto, fixed = pred[ds.name][AUTO], pred[ds.name][OURS]
        archs = [f.extra["architecture"] for f in auto]
        common, count = Counter(archs).most_common(1)[0]
        neurons = [sum(a) for a in archs]
        diff = _scores(auto)[0] - _scores(fixed)[0]
        rows.append(
            [
                ds.name,
                f"{common} ({count}/{len(archs)})",
                f"{min(neurons)}-{max(neurons)}",
                f"{sum(a == () for a in archs)}/{len(archs)}",
                float(np.mean([f.extra["path"] for f in auto])),
                f"{diff:+.3f}",
                f"{_scores(pred[ds.name][LINEAR])[0] - _scores(auto)[0]:+.3f}",
                f"{np.mean([f.extra['n_iter'] for f in auto]):.0f} / "
                f"{np.mean([f.extra['n_iter'] for f in fixed]):.0f}",
            ]
        )
    header = [
        "data set",
        "most common `architecture_` (folds)",
        "hidden neurons, min-max",
        "perceptrons `()`",
        "mean `hidden_path_strength_`",
        "score auto - fixed",
        "score linear - auto",
        "epochs auto / fixed",
    ]
    return md_table(header, rows)


def selection_table(sets, sel, pred):
    rows = []
    for ds in sets:
        folds = sel[ds.name]
        sizes = [f.extra["kept"].size for f in folds]
        ref_sizes = [f.extra["ref_kept"].size for f in folds]
        pairs = list(itertools.combinations([f.extra["kept"] for f in folds], 2))
        stab = float(np.mean([jaccard(a, b) for a, b in pairs]))
        kept_score = _scores(folds)
        all_score = _scores(pred[ds.name][LINEAR])
        warned = sum(f.convergence_warnings + len(f.other_warnings) for f in folds)
        tasks = ", ".join(sorted({str(f.extra["task"]) for f in folds}))
        rows.append(
            [
                ds.name,
                ds.X.shape[1],
                tasks,
                f"{np.mean(sizes):.1f} ({min(sizes)}-{max(sizes)})",
                f"{sum(s == ds.X.shape[1] for s in sizes)}/{len(sizes)}",
                stab,
                kept_score,
                all_score,
                f"{kept_score[0] - all_score[0]:+.3f}",
                float(np.nanmean([f.extra["spread"] for f in folds])),
                f"{np.mean(ref_sizes):.1f} ({min(ref_sizes)}-{max(ref_sizes)})",
                mean_std([f.extra["ref_score"] for f in folds]),
                warned,
                np.mean([f.seconds for f in folds]),
            ]
        )
    header = [
        "data set",
        "columns",
        "`task_`",
        "kept, mean (min-max)",
        "folds keeping all",
        "Jaccard across folds",
        "linear on kept",
        "linear on all",
        "kept - all",
        "importance min / max",
        "SFM(RF) kept",
        "linear on SFM(RF) kept",
        "warnings",
        "fit s",
    ]
    return md_table(header, rows)


def sweep_table(sets, sel, pred):
    rows = []
    for ds in sets:
        folds = sel[ds.name]
        all_score = _scores(pred[ds.name][LINEAR])[0]
        row = [ds.name, ds.X.shape[1]]
        sizes = [f.extra["kept"].size for f in folds]
        row += [f"{np.mean(sizes):.1f}", f"{_scores(folds)[0] - all_score:+.3f}"]
        for alpha in ALPHA_SWEEP:
            sizes = [f.extra["sweep"][alpha][0] for f in folds]
            score = np.mean([f.extra["sweep"][alpha][1] for f in folds])
            row += [f"{np.mean(sizes):.1f}", f"{score - all_score:+.3f}"]
        rows.append(row)
    header = ["data set", "columns", "kept, default", "kept - all, default"]
    for alpha in ALPHA_SWEEP:
        header += [f"kept, alpha={alpha}", f"kept - all, alpha={alpha}"]
    return md_table(header, rows)


def warning_table(sets, pred, sel):
    rows, messages = [], Counter()
    groups = [(m, [pred[d.name][m] for d in sets]) for m in METHODS]
    reg = [d for d in sets if MLP_SCALED_Y in pred[d.name]]
    if reg:
        groups.append((MLP_SCALED_Y, [pred[d.name][MLP_SCALED_Y] for d in reg]))
    groups.append(("SpectralFeatureSelector()", [sel[d.name] for d in sets]))
    for name, per_set in groups:
        where = reg if name == MLP_SCALED_Y else sets
        folds = [f for fs in per_set for f in fs]
        conv = sum(f.convergence_warnings for f in folds)
        other = sum(len(f.other_warnings) for f in folds)
        conv_sets = [
            d.name
            for d, fs in zip(where, per_set)
            if any(f.convergence_warnings for f in fs)
        ]
        maxed = [
            f"{d.name} {sum(f.hit_max_iter for f in fs)}"
            for d, fs in zip(where, per_set)
            if any(f.hit_max_iter for f in fs)
        ]
        for d, fs in zip(where, per_set):
            for f in fs:
                for msg in f.other_warnings:
                    messages[(name, d.name, msg)] += 1
        rows.append(
            [
                name,
                len(folds),
                conv,
                ", ".join(conv_sets) or "-",
                other,
                ", ".join(maxed) or "-",
            ]
        )
    header = [
        "method",
        "fits",
        "ConvergenceWarnings",
        "on",
        "other warnings",
        "fits that ran to max_iter (per set)",
    ]
    notes = [f"{n} x {c} on {d}: `{m}`" for (c, d, m), n in messages.most_common()]
    return md_table(header, rows), notes


def loss_lines(sets, pred, sel):
    """Plain sentences: where ours loses to another family of model, where
    auto-depth loses to fixed depth, and where the selector costs score."""
    lines = []
    others = [m for m in METHODS if m not in (OURS, AUTO)]
    for ds in sets:
        for ours in (OURS, AUTO):
            mine, std = _scores(pred[ds.name][ours])
            for m in others:
                gap = _scores(pred[ds.name][m])[0] - mine
                if gap > 0.005:
                    size = "within" if gap <= (std or 0.0) else "beyond"
                    lines.append(
                        f"{ds.name}: {m} beats `{ours}` by {gap:.3f} "
                        f"({size} the fold std of `{ours}`, {std or 0.0:.3f})"
                    )
        diff = _scores(pred[ds.name][AUTO])[0] - _scores(pred[ds.name][OURS])[0]
        if diff < -0.005:
            lines.append(f"{ds.name}: auto-depth loses {-diff:.3f} to fixed depth")
        gap = _scores(sel[ds.name])[0] - _scores(pred[ds.name][LINEAR])[0]
        if gap < -0.005:
            lines.append(
                f"{ds.name}: the linear model on the selector's columns loses "
                f"{-gap:.3f} to all columns"
            )
    folds = [f for d in sets for f in sel[d.name]]
    keep_all = [
        d.name
        for d in sets
        if all(f.extra["kept"].size == d.X.shape[1] for f in sel[d.name])
    ]
    total = sum(d.X.shape[1] * len(sel[d.name]) for d in sets)
    dropped = total - sum(f.extra["kept"].size for f in folds)
    lines.append(
        f"the selector kept every column in every fold on {len(keep_all)} of "
        f"{len(sets)} sets ({', '.join(keep_all) or '-'}); overall it dropped "
        f"{dropped} of {total} column-folds"
    )
    archs = [f.extra["architecture"] for d in sets for f in pred[d.name][AUTO]]
    lines.append(
        f"auto-depth returned a perceptron `()` in {sum(a == () for a in archs)} "
        f"of {len(archs)} fits; hidden neurons kept "
        f"{min(sum(a) for a in archs)}-{max(sum(a) for a in archs)} of 100"
    )
    return lines


def scaled_y_table(sets, pred):
    reg = [d for d in sets if MLP_SCALED_Y in pred[d.name]]
    rows = [
        [
            d.name,
            _scores(pred[d.name]["MLP"]),
            _scores(pred[d.name][MLP_SCALED_Y]),
            _scores(pred[d.name][OURS]),
        ]
        for d in reg
    ]
    return md_table(["data set", "MLP", MLP_SCALED_Y, OURS], rows)


# --------------------------------------------------------------------------- #
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 folds, without " + ", ".join(sorted(QUICK_SKIP)),
    )
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    n_splits = 3 if args.quick else 5
    t0 = time.perf_counter()
    sets = load_sets(args.quick)
    pred, sel = {}, {}
    for ds in sets:
        folds = folds_of(ds, n_splits)
        pred[ds.name] = {m: [] for m in METHODS}
        sel[ds.name] = []
        extra = [MLP_SCALED_Y] if ds.task == "regression" else []
        for m in extra:
            pred[ds.name][m] = []
        for train, test in folds:
            for m in METHODS + extra:
                pred[ds.name][m].append(run_prediction(m, ds, train, test))
            sel[ds.name].append(run_selection(ds, train, test))
        print(
            f"{ds.name}: "
            + ", ".join(f"{m} {fmt(_scores(pred[ds.name][m]))}" for m in METHODS)
            + f"; selector keeps {[f.extra['kept'].size for f in sel[ds.name]]}"
            + f" ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )

    score_table, time_table, ranks = prediction_tables(sets, pred)
    warn_table, warn_notes = warning_table(sets, pred, sel)
    lines = loss_lines(sets, pred, sel)
    sections = [
        "Each model is `Pipeline(StandardScaler(), model)` with "
        f"`random_state={SEED}`; {n_splits}-fold CV (`StratifiedKFold` for "
        "classification, `KFold` for regression, shuffled with "
        f"`random_state={SEED}`); mean ± std over the folds. One process, "
        "torch threads as in the header, every fit one after the other.",
        "## Data sets\n\n" + "\n".join(f"- **{d.name}**: {d.note}" for d in sets),
        "## Methods\n\n"
        + "\n".join(f"- **{k}**: {v}" for k, v in DESCRIPTIONS.items())
        + "\n- **selection**: `SpectralFeatureSelector(random_state=0)` "
        "(defaults otherwise) fitted on the standardised training fold; "
        "`LogisticRegression()` / `RidgeCV()` refit on the kept columns and "
        "scored on the test fold (a constant model when none is kept).",
        "## Prediction: test score\n\n" + score_table,
        "## Mean rank on prediction (1 = best mean score per data set, ties "
        "averaged)\n\n" + rank_table(sets, ranks),
        "## MLPRegressor with a standardised target (regression, not ranked)\n\n"
        "`TransformedTargetRegressor(MLPRegressor(), transformer="
        "StandardScaler())`: how much of the gap to `MLPRegressor()` is the "
        "target scaling ours does internally.\n\n" + scaled_y_table(sets, pred),
        "## Fit time, seconds per fold (pipeline fit)\n\n" + time_table,
        "## Auto-depth: the architecture it keeps\n\n"
        "Neurons are counted by `architecture_` (active: eigenvalue above "
        "1e-2 of the largest). A perceptron is `()`.\n\n"
        + auto_depth_table(sets, pred),
        "## Selection: `SpectralFeatureSelector()` at defaults\n\n"
        "`importance min / max`: the smallest over the largest importance of "
        "the selector's model, mean over folds (0 when the penalty switched "
        "an input off; near 1 when the importances are flat).\n\n"
        + selection_table(sets, sel, pred),
        "## Selection at a stronger penalty (guidance for the default)\n\n"
        "`SpectralFeatureSelector(alpha=a, random_state=0)` on the same folds: "
        "mean kept columns and the linear model's score on them minus its "
        "score on all columns (the default `alpha=None` is the model's "
        "0.1).\n\n" + sweep_table(sets, sel, pred),
        "## Warnings (every fit and score recorded, filters off)\n\n"
        + warn_table
        + (
            "\n\nOther warnings, by count:\n\n"
            + "\n".join(f"- {n}" for n in warn_notes)
            if warn_notes
            else ""
        ),
        "## Where we lose\n\n"
        + ("\n".join(f"- {line}" for line in lines) if lines else "- nowhere"),
    ]
    write_result(
        "real_data",
        "Real data: defaults against MLP, random forest and linear models",
        sections,
        elapsed=time.perf_counter() - t0,
    )


if __name__ == "__main__":
    main()
