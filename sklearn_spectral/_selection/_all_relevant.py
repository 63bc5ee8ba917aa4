"""The all-relevant test: every column that beats its shadows.

In the spirit of Boruta (Kursa and Rudnicki, 2010) on the eigenvalue
relevance: each round splits the columns at random into two halves and fits
the model on each half beside a shadow copy of every column (its rows
permuted: it keeps the column's distribution and loses its link to ``y``).
A column scores a hit in a round when its relevance exceeds a high quantile
of all shadow relevances; a binomial test of the hits, Bonferroni-corrected
over the columns, decides which are kept. The constants are fields of
:class:`~sklearn_spectral.Settings` (``all_relevant_*``).
"""

from __future__ import annotations

import warnings

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import binom
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array

from ._face import importances as _importances

__all__ = ["hit_test", "shadow_refits"]


def shadow_fit_plan(n_features, seeds):
    """The fits of the all-relevant rounds: ``(columns, shadow seed, model seed)``.

    Each round (one per seed) splits the columns at random into two halves
    and fits the model once per half. A column that copies or combines
    others is then often fitted without them and must carry their
    information itself, which is what makes the L1 keep redundant columns
    (random forests get the same from drawing candidate columns at each
    split).
    """
    plan = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        halves = np.array_split(rng.permutation(n_features), 2)
        for columns in halves:
            if columns.size:
                plan.append(
                    (
                        np.sort(columns),
                        int(rng.randint(np.iinfo(np.int32).max)),
                        int(rng.randint(np.iinfo(np.int32).max)),
                    )
                )
    return plan


def _fit_with_shadows(
    estimator, X, y, columns, fit_params, shadow_seed, model_seed, getter, norm_order
):
    """Fit on ``[X[:, columns], shadows]``; the two sets of importances.

    The shadows are all columns of ``X``, each with its rows permuted: they
    keep every column's distribution and lose any link to ``y``.
    """
    rng = np.random.RandomState(shadow_seed)
    if hasattr(X, "iloc"):
        data = _table_with_shadows(X, columns, rng)
    else:
        shadows = np.column_stack([rng.permutation(column) for column in X.T])
        data = np.hstack([X[:, columns], shadows])
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=model_seed)
    with warnings.catch_warnings():
        # one refit of many: its convergence note says nothing about the
        # answer (a hit test over all rounds); the fit on all data, which
        # the user gets as estimator_, keeps its warnings
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(data, y, **fit_params)
    scores = _importances(estimator, getter, norm_order)
    return scores[: columns.size], scores[columns.size :]


def _table_with_shadows(X, columns, rng):
    """A DataFrame's ``columns``, then a shadow of every column of it.

    Each shadow keeps its column's dtype (a category stays a category, so a
    model that encodes tables encodes the shadow alike) with its rows
    permuted; shadows are named ``shadow_<name>``.
    """
    import pandas as pd

    real = X.iloc[:, columns].reset_index(drop=True)
    shadows = {
        f"shadow_{name}": X[name].iloc[rng.permutation(len(X))].reset_index(drop=True)
        for name in X.columns
    }
    return pd.concat([real, pd.DataFrame(shadows)], axis=1)


def shadow_refits(template, X, y, params, seeds, *, getter, norm_order, n_jobs):
    """Relevances of the real columns per round and of every shadow.

    Returns ``importances`` of shape ``(n_rounds, n_features)`` (each
    column's relevance from the fit of its half) and ``shadows`` of shape
    ``(n_fits, n_features)``.
    """
    if not hasattr(X, "iloc"):  # a DataFrame keeps its column types
        # shadows are permuted columns: sparse input is made dense; missing
        # cells stay (the spectral models impute them)
        X = check_array(
            X,
            accept_sparse=True,
            dtype=(np.float64, np.float32),
            ensure_all_finite="allow-nan",
        )
        if hasattr(X, "toarray"):
            X = X.toarray()
    n_rounds = len(seeds)
    plan = shadow_fit_plan(X.shape[1], seeds)
    jobs = (
        delayed(_fit_with_shadows)(
            clone(template),
            X,
            y,
            columns,
            params,
            shadow_seed,
            model_seed,
            getter,
            norm_order,
        )
        for columns, shadow_seed, model_seed in plan
    )
    results = Parallel(n_jobs=n_jobs)(jobs)
    fits_per_round = len(plan) // n_rounds
    importances = np.empty((n_rounds, X.shape[1]))
    for i, ((columns, _, _), (real, _)) in enumerate(zip(plan, results)):
        importances[i // fits_per_round, columns] = real
    return importances, np.vstack([shadow for _, shadow in results])


def hit_test(importances, shadow_importances, quantile):
    """The bar of a hit and each column's binomial p-value of its hits.

    Returns ``(shadow_threshold, pvalues)``: the ``quantile`` of every
    shadow relevance, and ``P(Binomial(n_rounds, 1 - quantile) >= hits)``.
    """
    bar = float(np.quantile(shadow_importances, quantile))
    hits = np.sum(importances > bar, axis=0)
    pvalues = binom.sf(hits - 1, importances.shape[0], 1 - quantile)
    return bar, pvalues
