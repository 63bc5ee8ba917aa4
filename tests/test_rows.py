"""fit trains on distinct rows: weights are repetitions, row order is no input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor
from sklearn_spectral._rows import merge_rows


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clone(est).fit(X, y, **kw)


def test_duplicates_merge_with_summed_weights_and_zero_weights_drop():
    X = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [5.0, 6.0], [1.0, 2.0]])
    y = np.array([0, 1, 0, 1, 1])  # the last row has the inputs of the first
    w = np.array([1.0, 2.0, 0.5, 0.0, 1.0])
    Xm, ym, wm = merge_rows(X, y, w, reorder=False)
    # first occurrences in the order given; the zero-weight row is gone
    np.testing.assert_array_equal(Xm, [[1, 2], [3, 4], [1, 2]])
    np.testing.assert_array_equal(ym, [0, 1, 1])
    np.testing.assert_array_equal(wm, [1.5, 2.0, 1.0])
    # without weights: the counts
    Xm, ym, wm = merge_rows(X, y, None, reorder=False)
    np.testing.assert_array_equal(wm, [2.0, 1.0, 1.0, 1.0])
    # nothing to merge, nothing to drop, no reordering: the arrays themselves
    Xd, yd = np.eye(3), np.arange(3)
    for weights in (None, np.full(3, 2.5)):  # equal weights are no weights
        out = merge_rows(Xd, yd, weights, reorder=True)
        assert out[0] is Xd and out[1] is yd and out[2] is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reordered_rows_do_not_depend_on_the_order_given(dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4)).astype(dtype)
    X[7] = -0.0  # -0.0 and 0.0 are the same value
    X[8] = 0.0
    y = rng.choice(np.array(["a", "b"], dtype=object), size=50)
    y[8] = y[7]
    perm = rng.permutation(50)
    w = rng.uniform(0.5, 2.0, size=50)
    a = merge_rows(X, y, w, reorder=True)
    b = merge_rows(X[perm], y[perm], w[perm], reorder=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])
    assert a[0].shape[0] == 49
    np.testing.assert_allclose(a[2].sum(), w.sum())


def test_sparse_rows_merge_like_dense_rows():
    rng = np.random.RandomState(1)
    X = rng.binomial(1, 0.3, size=(60, 5)).astype(float)  # many repeats
    y = rng.randint(0, 2, size=60)
    dense = merge_rows(X, y, None, reorder=True)
    sparse = merge_rows(sp.csr_matrix(X), y, None, reorder=True)
    np.testing.assert_array_equal(sparse[0].toarray(), dense[0])
    np.testing.assert_array_equal(sparse[1], dense[1])
    np.testing.assert_array_equal(sparse[2], dense[2])
    assert len(dense[2]) == len(np.unique(np.c_[X, y], axis=0))


@pytest.mark.parametrize(
    "est",
    [
        SpectralMLPClassifier(max_iter=30, batch_size=16, random_state=0),
        SpectralMLPRegressor(max_iter=30, batch_size=16, random_state=0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_fit_is_a_function_of_the_rows_not_of_their_order(est):
    # minibatches of 16 rows: a permutation of the rows, or a weight of k in
    # place of k copies, is the same training, bit for bit
    rng = np.random.RandomState(3)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    if isinstance(est, SpectralMLPRegressor):
        y = X[:, 0] - 2 * X[:, 1]
    perm = rng.permutation(120)
    w = rng.randint(0, 4, size=120)
    base = _fit(est, X, y, sample_weight=w)
    shuffled = _fit(est, X[perm], y[perm], sample_weight=w[perm])
    repeated = _fit(est, X.repeat(w, axis=0), y.repeat(w))
    for other in (shuffled, repeated):
        np.testing.assert_array_equal(other.predict(X), base.predict(X))
        np.testing.assert_array_equal(
            other.feature_importances_, base.feature_importances_
        )
        assert other.n_iter_ == base.n_iter_


def test_shuffle_false_keeps_the_order_given():
    # shuffle=False trains on the rows in the order given (first occurrences)
    rng = np.random.RandomState(4)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -1.0, 0.5]
    est = SpectralMLPRegressor(max_iter=5, batch_size=8, shuffle=False, random_state=0)
    forward = _fit(est, X, y)
    backward = _fit(est, X[::-1], y[::-1])
    assert not np.array_equal(forward.predict(X), backward.predict(X))
    # a repeated row is still one row with its count as weight
    twice = _fit(est, np.r_[X, X[:1]], np.r_[y, y[:1]])
    weighted = _fit(est, X, y, sample_weight=np.r_[2.0, np.ones(79)])
    np.testing.assert_array_equal(twice.predict(X), weighted.predict(X))
