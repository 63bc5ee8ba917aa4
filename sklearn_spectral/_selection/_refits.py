"""Fits of one model on many seeds or resamples, in parallel through joblib."""

from __future__ import annotations

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import _safe_indexing, resample
from sklearn.utils.validation import _check_method_params, _num_samples

from ._face import importances as _importances
from ._face import without_gradient_reading

__all__ = ["half_sample", "refit_importances"]


def half_sample(n_samples, y, classification, seed):
    """Indices of a half-sample without replacement (stratified for classes)."""
    stratify = np.asarray(y) if classification else None
    if stratify is not None and stratify.ndim == 2 and stratify.shape[1] == 1:
        stratify = stratify.ravel()
    if stratify is not None and stratify.ndim != 1:
        stratify = None
    return resample(
        np.arange(n_samples),
        replace=False,
        n_samples=max(n_samples // 2, 1),
        stratify=stratify,
        random_state=seed,
    )


def fit_on(estimator, X, y, indices, fit_params, seed, getter, norm_order, alpha=None):
    """Fit ``estimator`` on the rows ``indices`` (all rows for None).

    Returns its importances; ``seed`` (when not None) replaces the model's
    ``random_state``, ``alpha`` (when not None) its ``alpha``.
    """
    if seed is not None and "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    if alpha is not None:
        estimator.set_params(alpha=alpha)
    if indices is not None:
        fit_params = _check_method_params(X, params=fit_params, indices=indices)
        X, y = _safe_indexing(X, indices), _safe_indexing(y, indices)
    with warnings.catch_warnings():
        # one refit of many: its convergence note says nothing about the
        # answer; the fit the user gets as estimator_ keeps its warnings
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y, **fit_params)
    return _importances(estimator, getter, norm_order)


def refit_importances(
    template,
    X,
    y,
    params,
    seeds,
    *,
    classification,
    getter,
    norm_order,
    n_jobs,
    alphas=None,
):
    """Importances of one refit per ``(split seed, model seed)`` pair.

    A split seed of None fits all rows (only the model seed changes);
    otherwise the refit sees a half-sample of the rows. ``alphas`` (one per
    pair, or None for the template's own) sets each refit's ``alpha``.
    Returns an array of shape ``(len(seeds), n_features)``.
    """
    seeds = list(seeds)
    alphas = [None] * len(seeds) if alphas is None else list(alphas)
    if len(alphas) != len(seeds):
        raise ValueError(
            f"alphas must have one strength per seed pair: got {len(alphas)} "
            f"for {len(seeds)} pairs."
        )
    # array-likes without a shape (lists, objects with __array__) become
    # arrays; DataFrames stay as they are for the model
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    elif hasattr(X, "tocsr"):
        X = X.tocsr()  # row indexing (coo, dia and bsr have none)
    if y is not None and not hasattr(y, "shape"):
        y = np.asarray(y)
    n_samples = _num_samples(X)
    jobs = (
        delayed(fit_on)(
            without_gradient_reading(clone(template)),
            X,
            y,
            None
            if split_seed is None
            else half_sample(n_samples, y, classification, int(split_seed)),
            params,
            int(model_seed),
            getter,
            norm_order,
            None if alpha is None else float(alpha),
        )
        for (split_seed, model_seed), alpha in zip(seeds, alphas)
    )
    results = Parallel(n_jobs=n_jobs)(jobs)
    return np.vstack([np.asarray(r, dtype=np.float64) for r in results])
