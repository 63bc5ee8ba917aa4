"""The penalty strength of a selection, chosen by validation.

A minimal selection should keep the fewest columns that predict as well as
all of them. The strength that does it depends on the data: at the models'
default ``alpha`` an L1 on the input eigenvalues switches off the columns
that carry nothing, but keeps every column that carries a little, so on
real data (correlated, redundant columns) it keeps nearly all of them.

:func:`one_se_alpha` fits the model along a doubling grid of strengths
from the model's own ``alpha`` on one part of the rows, scores each fit on
the rest by its per-sample loss, and returns the largest strength whose
loss is within one standard error of the best one: the one-standard-error
rule (Breiman et al., 1984; Hastie, Tibshirani and Friedman, *The Elements
of Statistical Learning*, 7.10), the ``lambda.1se`` of glmnet. The standard
error is that of the paired per-sample differences to the best fit, so it
measures how sure the validation rows are that the sparser fit is worse.

This module is used by :class:`~sklearn_spectral.SpectralFeatureSelector`;
it knows nothing of the selector.
"""

from __future__ import annotations

import warnings
from inspect import signature

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_array

from ._defaults import DEFAULT_SETTINGS

__all__ = ["one_se_alpha"]

#: Rows scored at a time (the held-out rows are never copied all at once).
_CHUNK = 8192


def per_sample_loss(model, X, y, scale=1.0):
    """Loss of each row: cross-entropy for a classifier, squared error else.

    Parameters
    ----------
    model : fitted estimator
        A classifier with ``predict_proba`` and ``classes_``, or a
        regressor.
    X : ndarray of shape (n_samples, n_features)
        Rows to score.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Their targets.
    scale : float or ndarray of shape (n_outputs,), default=1.0
        A regressor's errors are divided by it before squaring (the target's
        spread, so that huge targets do not overflow).

    Returns
    -------
    ndarray of shape (n_samples,)
        The loss of each row (mean over the outputs of a multi-output
        regressor).
    """
    if is_classifier(model) and np.ndim(y) == 2:
        # multilabel: the mean binary cross-entropy over the labels
        y = np.asarray(y, dtype=float)
        p = np.clip(model.predict_proba(X), 1e-12, 1 - 1e-12)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1)
    if is_classifier(model):
        y = np.asarray(y)
        proba = model.predict_proba(X)
        index = np.searchsorted(model.classes_, y)
        index = np.clip(index, 0, len(model.classes_) - 1)
        seen = model.classes_[index] == y
        p = np.where(seen, proba[np.arange(len(y)), index], 0.0)
        return -np.log(np.clip(p, 1e-12, 1.0))
    y = np.asarray(y, dtype=float)
    error = np.asarray(model.predict(X), dtype=float).reshape(y.shape) - y
    error = error.reshape(len(error), -1) / scale
    return np.mean(error**2, axis=1)


def constant_loss(y_fit, w_fit, y, classifier, scale=1.0):
    """Per-sample loss of the best constant prediction learnt on ``y_fit``."""
    w_fit = np.ones(len(y_fit)) if w_fit is None else np.asarray(w_fit, float)
    if classifier and np.ndim(y) == 2:  # multilabel: each label's frequency
        p = np.clip(
            np.average(np.asarray(y_fit, float), axis=0, weights=w_fit),
            1e-12,
            1 - 1e-12,
        )
        y = np.asarray(y, dtype=float)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1)
    if classifier:
        classes, index = np.unique(np.asarray(y_fit), return_inverse=True)
        prior = np.bincount(index, weights=w_fit) / w_fit.sum()
        position = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
        p = np.where(classes[position] == y, prior[position], 0.0)
        return -np.log(np.clip(p, 1e-12, 1.0))
    y_fit = np.asarray(y_fit, dtype=float).reshape(len(y_fit), -1)
    mean = np.average(y_fit, axis=0, weights=w_fit)
    error = (np.asarray(y, dtype=float).reshape(len(y), -1) - mean) / scale
    return np.mean(error**2, axis=1)


def _validation_rows(y, fraction, seed, classifier):
    """Boolean mask of the held-out rows (stratified for classifiers)."""
    n = len(y)
    stratify = None
    if classifier and np.ndim(y) == 1:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2 and int(np.ceil(fraction * n)) >= len(counts):
            stratify = y
    _, held_out = train_test_split(
        np.arange(n), test_size=fraction, random_state=seed, stratify=stratify
    )
    mask = np.zeros(n, dtype=bool)
    mask[held_out] = True
    return mask


def _held_out_loss(model, X, y, rows, scale):
    """:func:`per_sample_loss` of ``rows``, by chunks (no copy of them all)."""
    chunks = [rows[start : start + _CHUNK] for start in range(0, len(rows), _CHUNK)]
    return np.concatenate(
        [
            per_sample_loss(model, _safe_indexing(X, part), y[part], scale)
            for part in chunks
        ]
    )


def _spread(y):
    """Standard deviation of each output, 1 where it is 0 or not finite."""
    targets = np.asarray(y, dtype=float).reshape(len(y), -1)
    # the spread of y / max|y|, times max|y|: no overflow on huge targets
    top = np.max(np.abs(targets), axis=0)
    top = np.where(np.isfinite(top) & (top > 0), top, 1.0)
    spread = np.std(targets / top, axis=0) * top
    return np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)


def _takes_sample_weight(estimator):
    return "sample_weight" in signature(estimator.fit).parameters


def one_se_alpha(
    estimator,
    X,
    y,
    *,
    n_kept,
    sample_weight=None,
    factors=DEFAULT_SETTINGS.alpha_grid_factors,
    validation_fraction=DEFAULT_SETTINGS.validation_fraction,
    random_state=0,
):
    """The largest strength whose validation loss is within one SE of the best.

    Parameters
    ----------
    estimator : estimator
        Unfitted model with an ``alpha`` parameter (the grid starts there).
    X : ndarray of shape (n_samples, n_features)
        Training data.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Target.
    n_kept : callable
        Number of columns a fitted model keeps (the selector's rule).
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Passed to each fit; the validation losses are weighted by it.
    factors : sequence of float, default=DEFAULT_SETTINGS.alpha_grid_factors
        Strengths tried, as multiples of ``estimator.alpha``, increasing
        (the selector passes its ``Settings.alpha_grid_factors``).
    validation_fraction : float, default=DEFAULT_SETTINGS.validation_fraction
        Fraction of the rows held out, stratified for classifiers (the
        selector passes its ``Settings.validation_fraction``).
    random_state : int, default=0
        Seeds the split; each fit gets ``random_state`` as its own seed.

    Returns
    -------
    alpha : float
        The chosen strength.
    path : dict of ndarray
        ``"alpha"``, ``"validation_loss"`` (mean per-sample loss),
        ``"standard_error"`` (of the paired difference to the best fit) and
        ``"n_kept"`` for each strength tried. The grid stops early only at
        a strength that keeps no column. A strength whose fit does not beat
        the constant prediction by one standard error is never chosen; when
        none does, the model's own ``alpha`` is returned.
    """
    classifier = is_classifier(estimator)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=float)
    if not hasattr(X, "iloc"):
        # no copy of an array; a DataFrame stays one, so that the model
        # sees its column types (categorical columns, issue 21)
        X = check_array(
            X,
            accept_sparse=("csr", "csc"),
            dtype=None,
            ensure_all_finite=False,
            ensure_2d=False,
        )
    y = np.asarray(y)
    held_out = _validation_rows(y, validation_fraction, random_state, classifier)
    rows = np.flatnonzero(held_out)
    y_val = y[rows]
    w_val = np.ones(len(rows)) if sample_weight is None else sample_weight[rows]
    # what is learnt from the fit rows alone: the target's spread and the
    # constant prediction's loss on the held-out rows (no copy kept)
    fit_rows = ~held_out
    w_fit = None if sample_weight is None else sample_weight[fit_rows]
    scale = 1.0 if classifier else _spread(y[fit_rows])
    constant = constant_loss(y[fit_rows], w_fit, y_val, classifier, scale)
    if _takes_sample_weight(estimator):
        # the held-out rows get weight 0, which removes them from the fit
        # (tests/test_engine.py) without copying X
        fit_args = (X, y)
        fit_weight = fit_rows.astype(float)
        if sample_weight is not None:
            fit_weight *= sample_weight
        fit_params = {"sample_weight": fit_weight}
    elif sample_weight is not None:
        raise ValueError(f"{type(estimator).__name__}.fit takes no sample_weight.")
    else:
        fit_args = (_safe_indexing(X, fit_rows), y[fit_rows])
        fit_params = {}
    del fit_rows, w_fit
    w = w_val / w_val.sum()
    base = float(estimator.get_params()["alpha"])
    alphas, losses, kept = [], [], []

    def standard_error(a, b):
        # of a weighted mean of paired differences (Kish's effective n)
        diff = a - b
        var = float(np.sum(w * (diff - np.sum(w * diff)) ** 2))
        n_eff = 1.0 / float(np.sum(w**2))
        return np.sqrt(var / max(n_eff - 1.0, 1.0))

    for factor in factors:
        alpha = base * float(factor)
        model = clone(estimator).set_params(alpha=alpha, random_state=random_state)
        with warnings.catch_warnings():
            # candidates, not the answer: the strongest strengths are meant
            # to switch every input off, and their "no better than a
            # constant" or convergence warnings say nothing about the fit
            # the user gets (fitted afterwards, with its warnings)
            warnings.simplefilter("ignore")
            model.fit(*fit_args, **fit_params)
        alphas.append(alpha)
        losses.append(_held_out_loss(model, X, y, rows, scale))
        kept.append(int(n_kept(model)))
        # no early stop on a worse loss: the path is not monotone (a fit
        # that drops a block of redundant columns can score better than
        # the weaker strengths before it)
        if kept[-1] == 0:
            break
    means = np.array([float(np.sum(w * loss)) for loss in losses])
    best = int(np.argmin(means))
    ses = np.array([standard_error(loss, losses[best]) for loss in losses])
    # a selection is read from a fit that predicts: a strength whose fit
    # is not better than the constant prediction by one standard error
    # (e.g. an undertrained network) is not chosen over the model's alpha
    informative = [
        means[k] - float(np.sum(w * constant)) < -standard_error(losses[k], constant)
        for k in range(len(losses))
    ]
    within = [
        k
        for k in range(len(losses))
        if means[k] - means[best] <= ses[k] and informative[k]
    ]
    chosen = max(within, default=0)
    path = {
        "alpha": np.array(alphas),
        "validation_loss": means,
        "standard_error": ses,
        "n_kept": np.array(kept),
    }
    return alphas[chosen], path
