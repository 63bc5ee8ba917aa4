"""Fits in threads and in worker processes equal fits in sequence (issue 12).

Randomness is local to each fit (its own ``torch.Generator``), so a fit's
result depends on its ``random_state`` only, not on what other fits run
beside it, and the caller's torch RNG is never touched.
"""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=3, random_state=0
    )
    Xr, yr = make_regression(
        n_samples=120, n_features=6, n_informative=2, random_state=0
    )
    return X, y, Xr, yr


def _classifier(seed):
    return SpectralMLPClassifier(
        (8,), max_iter=10, batch_size=32, early_stopping=True, random_state=seed
    )


def _auto_depth_regressor(seed):
    return SpectralMLPRegressor(
        (6, 4), auto_depth=True, max_iter=10, batch_size=32, random_state=seed
    )


def _selector(seed):
    return SpectralFeatureSelector(
        SpectralMLPClassifier((8,), max_iter=10, batch_size=32), random_state=seed
    )


def _outputs(estimator, X):
    """Everything a fit decides, as arrays to compare bit for bit."""
    if isinstance(estimator, SpectralFeatureSelector):
        return [estimator.feature_importances_, estimator.get_support()]
    out = [estimator.predict(X), estimator.feature_importances_]
    out.append(np.asarray(estimator.loss_curve_))
    if hasattr(estimator, "predict_proba"):
        out.append(estimator.predict_proba(X))
    return out


def _assert_same(a, b):
    assert len(a) == len(b)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize(
    "make, kind",
    [
        (_classifier, "classification"),
        (_auto_depth_regressor, "regression"),
        (_selector, "classification"),
    ],
    ids=["classifier-early-stopping", "regressor-auto-depth", "selector"],
)
def test_thread_parallel_fits_equal_sequential_fits(data, make, kind):
    X, y, Xr, yr = data
    if kind == "regression":
        X, y = Xr, yr
    seeds = [0, 0, 1, 1]  # two fits per seed run at the same time
    sequential = {seed: _outputs(make(seed).fit(X, y), X) for seed in set(seeds)}
    state = torch.random.get_rng_state()

    def fit(seed):
        return make(seed).fit(X, y)

    with ThreadPoolExecutor(max_workers=4) as pool:
        fitted = list(pool.map(fit, seeds))

    assert torch.equal(torch.random.get_rng_state(), state)
    for seed, estimator in zip(seeds, fitted):
        _assert_same(_outputs(estimator, X), sequential[seed])


def test_grid_search_with_threads_equals_sequential(data):
    X, y, _, _ = data
    search = GridSearchCV(
        SpectralMLPClassifier((8,), max_iter=8, batch_size=32, random_state=0),
        {"alpha": [0.01, 0.1], "learning_rate_init": [1e-3, 1e-2]},
        cv=2,
    )
    sequential = clone(search).fit(X, y)
    state = torch.random.get_rng_state()
    with joblib.parallel_config(backend="threading"):
        threaded = clone(search).set_params(n_jobs=4).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            threaded.cv_results_[key], sequential.cv_results_[key]
        )


def test_grid_search_on_a_dask_cluster_equals_sequential(data):
    """Two worker processes through joblib's dask backend, as on a cluster."""
    distributed = pytest.importorskip("dask.distributed")
    X, y, _, _ = data
    search = GridSearchCV(
        SpectralMLPClassifier((8,), max_iter=8, batch_size=32, random_state=0),
        {"alpha": [0.01, 0.1]},
        cv=2,
    )
    sequential = clone(search).set_params(n_jobs=1).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_config(backend="dask"),
    ):
        on_cluster = clone(search).set_params(n_jobs=2).fit(X, y)
    assert len(tasks.data) >= 4  # the cross-validation fits ran on the workers
    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )
    np.testing.assert_array_equal(
        on_cluster.best_estimator_.predict_proba(X),
        sequential.best_estimator_.predict_proba(X),
    )


def test_auto_depth_grid_search_with_threads_equals_sequential(data):
    """Issue 23: auto-depth under GridSearchCV's threading backend scored
    differently than in sequence. Its evidence step ran after the fit's
    thread-count block, at whatever count the other running fits left in
    force; it now runs inside it, and holds out rows drawn from the fit's
    own seed."""
    X, y, _, _ = data
    search = GridSearchCV(
        SpectralMLPClassifier(
            (8,), auto_depth=True, max_iter=8, batch_size=32, random_state=0
        ),
        {"alpha": [0.01, 0.1], "depth_alpha": [1e-4, 1e-3]},
        cv=2,
    )
    sequential = clone(search).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        threaded = clone(search).set_params(n_jobs=4).fit(X, y)
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            threaded.cv_results_[key], sequential.cv_results_[key]
        )
    np.testing.assert_array_equal(
        threaded.best_estimator_.predict_proba(X),
        sequential.best_estimator_.predict_proba(X),
    )


def test_auto_depth_fit_does_not_depend_on_the_process_thread_count():
    """Everything an auto-depth fit computes, the evidence step included,
    runs at the fit's own thread count (``n_threads``), not at whatever
    count the process or other running fits left in force."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 20))
    y = np.tanh(X[:, 0] * X[:, 1]) + X[:, 2] + 0.3 * rng.normal(size=2000)
    before = torch.get_num_threads()
    fits = []
    try:
        for n_threads in (1, 2):
            torch.set_num_threads(n_threads)
            reg = SpectralMLPRegressor(
                (32,), auto_depth=True, max_iter=5, n_threads=1, random_state=0
            ).fit(X, y)
            fits.append(reg)
    finally:
        torch.set_num_threads(before)
    assert fits[0].architecture_ == fits[1].architecture_
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))


def _mixed_configurations():
    """Every configuration, small: (name, estimator factory, task)."""
    kw = {"max_iter": 5, "batch_size": 32}
    return [
        ("default", lambda s: SpectralMLPClassifier((8,), random_state=s, **kw), "c"),
        ("regressor", lambda s: SpectralMLPRegressor((8,), random_state=s, **kw), "r"),
        (
            "auto-depth",
            lambda s: SpectralMLPClassifier(
                (6,), auto_depth=True, random_state=s, **kw
            ),
            "c",
        ),
        *(
            (
                f"eigenvalues-{which}",
                lambda s, which=which: SpectralMLPRegressor(
                    (8,), eigenvalues=which, random_state=s, **kw
                ),
                "r",
            )
            for which in ("in", "out", "both")
        ),
        (
            "two-threads",
            # one batch per epoch: two threads on a busy machine wait a lot
            lambda s: SpectralMLPClassifier(
                (8,), n_threads=2, max_iter=5, batch_size=120, random_state=s
            ),
            "c",
        ),
    ]


def test_mixed_configurations_in_threads_equal_sequential_fits(data):
    """Issue 23: every configuration, fitted in a thread pool beside the
    others (one of them at two torch threads, the rest at one), equals its
    fit in sequence bit for bit, and the caller's thread count is kept (the
    selector is tested beside itself above)."""
    X, y, Xr, yr = data
    configurations = _mixed_configurations()
    before = torch.get_num_threads()

    def run(item):
        _, make, task = item
        est = make(0).fit(*((X, y) if task == "c" else (Xr, yr)))
        return _outputs(est, X if task == "c" else Xr)

    sequential = [run(item) for item in configurations]
    for order in (configurations, configurations[::-1]):
        with ThreadPoolExecutor(max_workers=4) as pool:
            threaded = list(pool.map(run, order))
        if order is not configurations:
            threaded = threaded[::-1]
        for (name, _, _), left, right in zip(configurations, threaded, sequential):
            assert len(left) == len(right), name
            for a, b in zip(left, right):
                np.testing.assert_array_equal(a, b, err_msg=name)
    assert torch.get_num_threads() == before


def test_a_fit_computes_at_its_own_thread_count_beside_other_fits():
    """torch's thread count is per thread: a block that asks for 2 threads
    runs at 2 while a block in another thread runs at 1 (the smallest count
    of all running fits was in force before, issue 23), and the counts of
    the caller and of threads started afterwards come back."""
    from sklearn_spectral._training.threads import torch_threads

    before = torch.get_num_threads()
    inside = threading.Barrier(2)
    seen = {}

    def block(n):
        with torch_threads(n):
            inside.wait(timeout=30)  # both blocks are running now
            seen[n] = torch.get_num_threads()
            inside.wait(timeout=30)

    workers = [threading.Thread(target=block, args=(n,)) for n in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert seen == {1: 1, 2: 2}
    assert torch.get_num_threads() == before
    fresh = []
    t = threading.Thread(target=lambda: fresh.append(torch.get_num_threads()))
    t.start()
    t.join()
    assert fresh == [before]
