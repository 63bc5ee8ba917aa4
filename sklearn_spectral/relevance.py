"""Relevance scores and the automatic threshold that separates them."""

from __future__ import annotations

import numpy as np

__all__ = ["auto_threshold", "normalize_relevance"]


def normalize_relevance(relevance):
    """Scale non-negative relevance scores to sum to one.

    Parameters
    ----------
    relevance : array-like of shape (n_features,)
        Non-negative scores.

    Returns
    -------
    ndarray of shape (n_features,)
        ``relevance / relevance.sum()``, or all zeros when every score is
        zero (the model switched every input off).

    See Also
    --------
    auto_threshold : Threshold that separates relevant from irrelevant scores.

    Examples
    --------
    >>> normalize_relevance([1.0, 3.0, 0.0])
    array([0.25, 0.75, 0.  ])
    """
    relevance = np.asarray(relevance, dtype=np.float64)
    total = relevance.sum()
    if not np.isfinite(total):
        raise ValueError("Relevance scores must be finite.")
    if total <= 0:
        return np.zeros_like(relevance)
    return relevance / total


def auto_threshold(relevance, *, min_ratio=10.0, floor=1e-2):
    """Threshold at the gap an eigenvalue penalty opens in the relevance.

    The scores are sorted from the largest down; the cut is placed at the
    first drop by at least ``min_ratio`` between consecutive scores (the
    geometric mean of the two). Scores below ``floor`` times the largest are
    always cut: with an L1 penalty the irrelevant inputs are exactly zero or
    orders of magnitude below the relevant ones. When no such drop exists
    the threshold is ``floor`` times the largest score.

    Parameters
    ----------
    relevance : array-like of shape (n_features,)
        Non-negative scores.
    min_ratio : float, default=10.0
        Smallest ratio between consecutive sorted scores that counts as a gap.
    floor : float, default=1e-2
        Relative cut below which a score is always irrelevant.

    Returns
    -------
    float
        Features whose score is ``>=`` the threshold are relevant.

    See Also
    --------
    normalize_relevance : Scale relevance scores to sum to one.

    Examples
    --------
    >>> auto_threshold([0.9, 0.5, 0.4, 0.02, 0.0])
    0.0894...
    >>> auto_threshold([1.0, 0.8, 0.6, 1e-4])
    0.01
    """
    scores = np.sort(np.asarray(relevance, dtype=np.float64))[::-1]
    if scores.size == 0 or scores[0] <= 0:
        return np.inf
    top = scores[0]
    low = floor * top
    above = scores[scores >= low]
    ratios = above[:-1] / above[1:]
    gaps = np.flatnonzero(ratios >= min_ratio)
    if gaps.size:
        k = gaps[0]
        return float(np.sqrt(above[k] * above[k + 1]))
    return float(low)
