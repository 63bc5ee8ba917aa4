"""Groups of near-duplicate columns, decided together by the minimal mode.

Among strongly correlated columns (breast cancer's radius, perimeter and
area) a minimal set is not unique: which member an L1 keeps is the
training's choice, not the data's, so the selected set changes with the
seed and the fold. :func:`correlated_groups` finds the columns whose rank
(Spearman) correlation is high, by hierarchical clustering as in
scikit-learn's example "Permutation Importance with Multicollinear or
Correlated Features"; the selector keeps such a group whole when it keeps
one of its members.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from scipy.stats import rankdata

__all__ = ["correlated_groups", "expand_to_groups"]

#: Wider data are not grouped: the correlation matrix has n_features**2
#: entries (1000 columns: 8 MB).
MAX_FEATURES = 1000
#: The correlations are read on at most this many rows.
MAX_ROWS = 10_000


def _numeric_dense(X, max_rows, seed):
    """At most ``max_rows`` rows of ``X`` as a 2-D float64 array, or None.

    None for sparse or non-numeric data. The rows are drawn (``seed``)
    before the cast, so that a large float32 ``X`` is never copied whole.
    """
    if hasattr(X, "tocsr") or hasattr(X, "sparse"):
        return None
    array = np.asarray(X)  # an ndarray as it is: no copy
    if array.ndim != 2:
        return None
    if array.shape[0] > max_rows:
        rows = np.random.RandomState(seed).choice(array.shape[0], max_rows, False)
        array = array[np.sort(rows)]
    try:
        with np.errstate(all="ignore"):
            return np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def correlated_groups(
    X, level, *, max_features=MAX_FEATURES, max_rows=MAX_ROWS, seed=0
):
    """Groups of columns whose pairwise |Spearman| correlation is >= level.

    Complete linkage on ``1 - |rho|``, cut at ``1 - level``: every pair of
    columns in a group has ``|rho| >= level``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data. Only numeric dense data are grouped; a column with
        a missing or infinite cell, or a constant one, is its own group.
    level : float in (0, 1]
        Smallest absolute rank correlation within a group.
    max_features : int, default=MAX_FEATURES
        Wider data are not grouped (the correlation matrix has
        ``n_features**2`` entries).
    max_rows : int, default=MAX_ROWS
        The correlations are read on at most this many rows, drawn at
        random (``seed``) when there are more.
    seed : int, default=0
        Seeds the draw of the rows.

    Returns
    -------
    list of ndarray
        The column indices of each group of two columns or more, by
        increasing first column.
    """
    array = _numeric_dense(X, max_rows, seed)
    if array is None or not 2 <= array.shape[1] <= max_features:
        return []
    usable = np.flatnonzero(
        np.all(np.isfinite(array), axis=0) & (np.ptp(array, axis=0) > 0)
    )
    if usable.size < 2:
        return []
    ranks = rankdata(array[:, usable], axis=0)
    ranks -= ranks.mean(axis=0)
    ranks /= np.sqrt(np.sum(ranks**2, axis=0))
    distance = np.clip(1.0 - np.abs(ranks.T @ ranks), 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="complete")
    labels = fcluster(tree, t=1.0 - level, criterion="distance")
    groups = [usable[labels == label] for label in np.unique(labels)]
    return sorted((g for g in groups if g.size > 1), key=lambda g: g[0])


def expand_to_groups(keep, groups):
    """``keep`` with every group that has a kept member kept whole."""
    keep = np.array(keep, dtype=bool)
    for group in groups:
        if keep[group].any():
            keep[group] = True
    return keep
