"""Shared helpers of the benchmark scripts.

Machine description, markdown tables, timing, and the global-ranking methods
compared side by side (ours and the alternatives a user would pick instead).
Optional competitors (``lassonet``, ``shap``, ``captum``) are imported lazily;
a method whose package is missing returns ``None`` and its rows say
"not installed".
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
import torch

SHAP_ROWS = 100  # rows explained by SHAP (global = mean |SHAP| over them)
SHAP_NSAMPLES = 100  # GradientExplainer samples per explained row
RESULTS = Path(__file__).resolve().parent / "results"
#: Where this run writes: ``results/`` in quick mode (and for scripts without
#: one), ``results/full/`` in the full mode. Set by :func:`setup`.
_OUT = {"dir": RESULTS}
NOT_INSTALLED = "not installed"


# --------------------------------------------------------------------------- #
# environment
# --------------------------------------------------------------------------- #
def setup(threads=1, quick=True):
    """Fix torch threads, silence the warnings benchmarks do not act on, and
    send the results of a full-mode run (``quick=False``) to ``results/full/``
    so that they sit next to the quick ones instead of replacing them."""
    torch.set_num_threads(int(threads))
    warnings.filterwarnings("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    _OUT["dir"] = RESULTS if quick else RESULTS / "full"
    _OUT["dir"].mkdir(parents=True, exist_ok=True)


def results_dir():
    """The folder this run writes to (see :func:`setup`)."""
    return _OUT["dir"]


def has_package(name):
    """Whether an optional package can be imported."""
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any import failure means "not usable"
        return False
    return True


def _version(name):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return NOT_INSTALLED


_DATE_FORMAT = ("--date=format-local:%Y-%m-%d %H:%M:%S UTC",)


def _git_state():
    """HEAD commit and its date, and whether sklearn_spectral/ differs from it.

    The date lets ``tools/readme_numbers.py`` order result files without the
    commit (a helper's commit that was rebased before merging is not in the
    history of a clean clone).
    """
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h of %cd", *_DATE_FORMAT, "HEAD"],
            cwd=root,
            env={**os.environ, "TZ": "UTC"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "sklearn_spectral"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"commit {head}" + (" + uncommitted changes" if dirty else "")


def machine_description():
    """One markdown paragraph describing the machine and the versions."""
    import skorch

    import sklearn_spectral

    extras = ", ".join(
        f"{name} {_version(name)}" for name in ("lassonet", "shap", "captum")
    )
    return (
        f"Machine: {platform.platform()}, {platform.machine()}, "
        f"{platform.processor() or 'cpu'}; os.cpu_count()={os.cpu_count()}, "
        f"torch threads={torch.get_num_threads()}; python "
        f"{sys.version.split()[0]}, torch {torch.__version__}, scikit-learn "
        f"{sklearn.__version__}, skorch {skorch.__version__}, numpy "
        f"{np.__version__}, sklearn_spectral {sklearn_spectral.__version__}; "
        f"competitors: {extras}. Library code: {_git_state()}. "
        "Load average at write time "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())} (the machine is "
        "shared: timings under load are inflated)."
    )


def command_line():
    """The command that produced a result file."""
    script = Path(sys.argv[0]).name
    return "python benchmarks/" + " ".join([script, *sys.argv[1:]])


# --------------------------------------------------------------------------- #
# markdown
# --------------------------------------------------------------------------- #
def fmt(value, digits=3):
    """Format a number (or a (mean, std) pair, or a string) for a table."""
    if value is None:
        return NOT_INSTALLED
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        mean, std = value
        if std is None or not np.isfinite(std):
            return fmt(mean, digits)
        return f"{mean:.{digits}f} ± {std:.{digits}f}"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def md_table(header, rows):
    """A markdown table from a header list and rows of cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c) for c in row) + " |")
    return "\n".join(lines)


def write_result(name, title, sections, *, elapsed=None):
    """Write ``benchmarks/results/<name>.md`` with the machine described.

    ``sections`` is a list of markdown strings (tables, notes).
    """
    parts = [
        f"# {title}",
        "",
        machine_description(),
        "",
        f"Command: `{command_line()}`"
        + (f" (wall time {elapsed:.0f} s)" if elapsed is not None else ""),
        "",
    ]
    for section in sections:
        parts += [section, ""]
    path = results_dir() / f"{name}.md"
    path.write_text("\n".join(parts))
    print(f"wrote {path}")
    return path


# --------------------------------------------------------------------------- #
# timing
# --------------------------------------------------------------------------- #
class Timer:
    """``with Timer() as t: ...``; then ``t.seconds``."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False


def mean_std(values):
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return (np.nan, np.nan)
    return (float(values.mean()), float(values.std()) if values.size > 1 else None)


# --------------------------------------------------------------------------- #
# the global-ranking methods
# --------------------------------------------------------------------------- #
@dataclass
class Ranking:
    """Result of one method on one data set."""

    scores: np.ndarray | None  # one score per feature, larger = more relevant
    seconds: float  # wall time from raw (standardised) data to the scores
    selected: np.ndarray | None = None  # the method's own selected set, if any
    note: str = ""
    extra: dict = field(default_factory=dict)


#: Method names in table order, with a short description for the notes.
METHODS = {
    "spectral (ours)": "SpectralMLPClassifier() default settings, "
    "feature_importances_ after one fit; selected set = "
    "SpectralFeatureSelector() (threshold='auto') on the same fit",
    "LassoNet": "lassonet.LassoNetClassifier(...).path(X, y); "
    "feature_importances_ (the lambda at which a feature leaves the path)",
    "perm. imp. (spectral)": "permutation_importance(n_repeats=5) of the "
    "fitted spectral MLP on the same data (fit time included)",
    "perm. imp. (MLPClassifier)": "MLPClassifier() default + "
    "permutation_importance(n_repeats=5)",
    "SHAP (spectral)": "shap.GradientExplainer on est.net_.module_, 100 "
    "background rows, 100 explained rows, nsamples=100, global = mean |SHAP| summed "
    "over the class logits (fit time included)",
    "IG (spectral)": "captum IntegratedGradients on est.net_.module_, zero "
    "baseline (= feature means), target = predicted class, mean |attr| over "
    "up to 500 rows (fit time included)",
    "SFM(RandomForest)": "SelectFromModel(RandomForestClassifier("
    "n_estimators=100)); scores = impurity importances",
    "SFM(L1 LogReg)": "SelectFromModel(LogisticRegression(penalty='l1', "
    "solver='liblinear'), threshold=1e-5), one-vs-rest for multiclass; "
    "scores = sum of |coef| over classes",
    "mutual_info_classif": "mutual_info_classif (univariate)",
    "f_classif": "f_classif ANOVA F (univariate)",
}

LASSONET_QUICK = {"path_multiplier": 1.1, "n_iters": (200, 20), "patience": (20, 5)}
LASSONET_QUICK_BUDGET_S = 20.0
#: Seconds after which LassoNet's path is stopped, by mode (``quick`` key);
#: ``None`` runs the whole path. ``bench_cost.py --lassonet-budget`` sets the
#: full-mode one for its large size, where the whole path takes hours.
LASSONET_BUDGET_S = {True: LASSONET_QUICK_BUDGET_S, False: None}


LASSONET_NOTE = (
    "- LassoNet in `--quick` mode runs a shorter path than its default "
    "(`path_multiplier=1.1, n_iters=(200, 20), patience=(20, 5)`) and stops "
    "after a 20 s budget on the path itself (its dense initial fit and "
    "`lambda_start` search are not capped); features still on the path "
    "when it stops rank "
    "above the removed ones, by their skip-layer weight. Its time is then "
    "capped, i.e. it is cheaper than LassoNet's default. The full mode uses "
    "LassoNet's defaults and the whole path, unless `bench_cost.py "
    "--lassonet-budget S` stops it after S s (its time is then a lower "
    "bound; the run notes say where)."
)


def methods_section(notes=()):
    """The markdown section that describes the methods (and run notes)."""
    text = "## Methods\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in METHODS.items())
    text += "\n" + LASSONET_NOTE
    if notes:
        text += "\n\n## Run notes\n\n" + "\n".join(f"- {n}" for n in notes)
    return text


def _fit_spectral(X, y, seed):
    from sklearn_spectral import SpectralMLPClassifier

    with Timer() as t:
        est = SpectralMLPClassifier(random_state=seed).fit(X, y)
    return est, t.seconds


def _global_shap(module, X, seed):
    import shap

    rng = np.random.RandomState(seed)
    background = X[rng.choice(len(X), size=min(100, len(X)), replace=False)]
    explained = X[rng.choice(len(X), size=min(SHAP_ROWS, len(X)), replace=False)]
    module.eval()
    explainer = shap.GradientExplainer(
        module, torch.as_tensor(background, dtype=torch.float32)
    )
    values = explainer.shap_values(
        torch.as_tensor(explained, dtype=torch.float32), nsamples=SHAP_NSAMPLES
    )
    values = np.abs(np.stack(values, axis=-1) if isinstance(values, list) else values)
    values = np.asarray(values)
    # (rows, features[, outputs]): mean over rows, sum over outputs
    scores = values.mean(axis=0)
    if scores.ndim > 1:
        scores = scores.sum(axis=-1)
    return scores


def _global_ig(module, X, seed):
    from captum.attr import IntegratedGradients

    rng = np.random.RandomState(seed)
    rows = X[rng.choice(len(X), size=min(500, len(X)), replace=False)]
    inputs = torch.as_tensor(rows, dtype=torch.float32)
    module.eval()
    with torch.no_grad():
        target = module(inputs).argmax(dim=1)
    attr = IntegratedGradients(module).attribute(
        inputs, baselines=torch.zeros_like(inputs), target=target, n_steps=32
    )
    return attr.abs().mean(dim=0).detach().numpy()


class _PathBudget(Exception):
    """Raised from LassoNet's path callback when the time budget is spent."""


def _lassonet(X, y, seed, quick):
    """LassoNet's path; returns (scores, note).

    In quick mode the path is shorter (``LASSONET_QUICK``). The path is
    stopped after ``LASSONET_BUDGET_S[quick]`` seconds (20 s in quick mode,
    none by default in the full mode); features still on the path then
    score above every removed one, ordered by their skip-layer weight.
    """
    from lassonet import LassoNetClassifier

    kwargs = LASSONET_QUICK if quick else {}
    budget = LASSONET_BUDGET_S[quick]
    model = LassoNetClassifier(verbose=0, random_state=seed, torch_seed=seed, **kwargs)
    hist = []
    start = []  # the budget clock starts at the first step of the path

    def callback(m, h):
        hist[:] = h
        if not start:
            start.append(time.perf_counter())
        elif budget is not None and time.perf_counter() - start[0] > budget:
            raise _PathBudget

    note = ""
    try:
        model.path(X, y, return_state_dicts=False, callback=callback)
        scores = model.feature_importances_
        scores = np.asarray(scores.numpy() if hasattr(scores, "numpy") else scores)
    except _PathBudget:
        scores = np.asarray(model._compute_feature_importances(hist).numpy())
        note = (
            f"path stopped at the {budget:.0f} s budget after "
            f"{len(hist)} steps, {int(np.isinf(scores).sum())} features still in"
        )
    scores = np.asarray(scores, dtype=float)
    remaining = np.isinf(scores)
    if remaining.any():
        finite = scores[~remaining]
        top = finite.max() if finite.size else 0.0
        skip = model.model.skip.weight.detach().abs().sum(dim=0).numpy()
        scores[remaining] = 2 * top + 1 + skip[remaining] / (skip.max() or 1)
    return scores, note


def _l1_logreg(X, y, seed):
    """SelectFromModel(L1 logistic regression); one-vs-rest when multiclass."""
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    base = LogisticRegression(penalty="l1", solver="liblinear", random_state=seed)
    if np.unique(y).size > 2:  # liblinear is binary-only in scikit-learn 1.9
        model = OneVsRestClassifier(base)

        def getter(est):
            return np.abs(np.vstack([e.coef_ for e in est.estimators_])).sum(axis=0)

        sfm = SelectFromModel(model, threshold=1e-5, importance_getter=getter)
    else:
        sfm = SelectFromModel(base, threshold=1e-5)
    sfm.fit(X, y)
    if np.unique(y).size > 2:
        scores = getter(sfm.estimator_)
    else:
        scores = np.abs(sfm.estimator_.coef_).sum(axis=0)
    return scores, sfm.get_support(indices=True)


def rank_all(X, y, *, seed=0, quick=True, methods=None, spectral=None):
    """Run every method on standardised ``(X, y)``.

    Parameters
    ----------
    methods : list of str or None
        Subset of ``METHODS``; all when None.
    spectral : (estimator, seconds) or None
        A spectral fit to reuse; fitted here when None.

    Returns
    -------
    dict name -> Ranking (``scores=None`` when the package is missing).
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_selection import (
        SelectFromModel,
        f_classif,
        mutual_info_classif,
    )
    from sklearn.inspection import permutation_importance
    from sklearn.neural_network import MLPClassifier

    from sklearn_spectral.relevance import auto_threshold

    methods = list(METHODS) if methods is None else methods
    out = {}
    need_spectral = any("spectral" in m for m in methods)
    if need_spectral:
        est, fit_s = spectral if spectral is not None else _fit_spectral(X, y, seed)
    for name in methods:
        sel = None
        if name == "spectral (ours)":
            scores = est.feature_importances_
            sel = np.flatnonzero(scores >= auto_threshold(scores))
            out[name] = Ranking(scores, fit_s, sel, extra={"n_iter": est.n_iter_})
            continue
        if name == "LassoNet" and not has_package("lassonet"):
            out[name] = Ranking(None, np.nan, note=NOT_INSTALLED)
            continue
        if name.startswith("SHAP") and not has_package("shap"):
            out[name] = Ranking(None, np.nan, note=NOT_INSTALLED)
            continue
        if name.startswith("IG") and not has_package("captum"):
            out[name] = Ranking(None, np.nan, note=NOT_INSTALLED)
            continue
        offset = fit_s if name.endswith("(spectral)") else 0.0
        note = ""
        with Timer() as t:
            if name == "LassoNet":
                scores, note = _lassonet(X, y, seed, quick)
            elif name == "perm. imp. (spectral)":
                scores = permutation_importance(
                    est, X, y, n_repeats=5, random_state=seed
                ).importances_mean
            elif name == "perm. imp. (MLPClassifier)":
                mlp = MLPClassifier(random_state=seed).fit(X, y)
                scores = permutation_importance(
                    mlp, X, y, n_repeats=5, random_state=seed
                ).importances_mean
            elif name == "SHAP (spectral)":
                scores = _global_shap(est.net_.module_, X, seed)
            elif name == "IG (spectral)":
                scores = _global_ig(est.net_.module_, X, seed)
            elif name == "SFM(RandomForest)":
                sfm = SelectFromModel(
                    RandomForestClassifier(n_estimators=100, random_state=seed)
                ).fit(X, y)
                scores = sfm.estimator_.feature_importances_
                sel = sfm.get_support(indices=True)
            elif name == "SFM(L1 LogReg)":
                scores, sel = _l1_logreg(X, y, seed)
            elif name == "mutual_info_classif":
                scores = mutual_info_classif(X, y, random_state=seed)
            elif name == "f_classif":
                scores = np.nan_to_num(f_classif(X, y)[0])
            else:
                raise ValueError(name)
        out[name] = Ranking(
            np.asarray(scores, dtype=float), t.seconds + offset, sel, note=note
        )
    return out


def top_k(scores, k, seed=0):
    """Indices of the ``k`` largest scores, ties broken at random.

    The synthetic sets put their useful columns first, so breaking ties by
    index would hand a method that scores many columns exactly zero (an L1
    selector) the useful columns for free; a seeded random order does not.
    """
    scores = np.asarray(scores, dtype=float)
    order = np.random.default_rng(seed).permutation(scores.size)
    return order[np.argsort(-scores[order], kind="stable")[:k]]


def make_madelon_like(n_samples, seed):
    """The Madelon-like hard case: 500 features, the first 20 useful.

    ``make_classification(n_samples, 500, n_informative=5, n_redundant=15,
    flip_y=0.01, shuffle=False)``: columns 0-4 informative, 5-19 redundant,
    the other 480 noise.
    """
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples,
        500,
        n_informative=5,
        n_redundant=15,
        flip_y=0.01,
        shuffle=False,
        random_state=seed,
    )


def standardize(X_train, *others):
    """Standardise with the training statistics."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X_train)
    return [scaler.transform(X_train)] + [scaler.transform(X) for X in others]
