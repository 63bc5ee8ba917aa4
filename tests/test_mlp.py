"""Behaviour of SpectralMLPClassifier and SpectralMLPRegressor."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)

FAST = {"max_iter": 30, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_multiclass_string_labels_and_proba(classification_data):
    X, y = classification_data
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = SpectralMLPClassifier(**FAST).fit(X, labels)
    assert list(clf.classes_) == ["cat", "dog", "emu"]
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-9)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels) > 0.8


def test_non_contiguous_integer_labels(classification_data):
    X, y = classification_data
    labels = np.array([-7, 3, 100])[y]
    clf = SpectralMLPClassifier(**FAST).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, [-7, 3, 100])
    assert clf.score(X, labels) > 0.8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_and_float64_input(classification_data, dtype):
    X, y = classification_data
    clf = SpectralMLPClassifier(**FAST).fit(X.astype(dtype), y)
    assert clf.predict_proba(X.astype(dtype)).dtype == np.float64


def test_multi_output_regression(regression_data):
    X, y = regression_data
    reg = SpectralMLPRegressor(max_iter=150, random_state=0).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.n_outputs_ == 2
    assert reg.score(X, y) > 0.8
    # the informative columns are the first two
    assert set(np.argsort(-reg.feature_importances_)[:2]) == {0, 1}


def test_fitted_attributes(classification_data):
    X, y = classification_data
    clf = SpectralMLPClassifier(hidden_layer_sizes=(16, 8), **FAST).fit(X, y)
    assert clf.n_features_in_ == 8
    assert clf.feature_importances_.shape == (8,)
    np.testing.assert_allclose(clf.feature_importances_.sum(), 1.0)
    assert clf.input_eigenvalues_.shape == (8,)
    assert [lam_in.shape for lam_in, _ in clf.eigenvalues_] == [(8,), (16,), (8,)]
    assert clf.n_iter_ == len(clf.loss_curve_) <= 30
    # relevance is the norm of the direct-space columns: |lam_in| * ||phi[:, j]||
    layer = clf.net_.module_.layers[0]
    expected = layer.lam_in.abs() * torch.linalg.vector_norm(layer.phi, dim=0)
    np.testing.assert_allclose(
        clf.input_relevance_, expected.detach().double(), rtol=1e-6
    )


def test_l1_switches_noise_inputs_off_exactly():
    X, y = make_classification(
        n_samples=1000,
        n_features=8,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        shuffle=False,
        random_state=0,
    )
    clf = SpectralMLPClassifier(max_iter=200, random_state=0).fit(X, y)
    assert clf.converged_
    assert np.all(clf.input_eigenvalues_[3:] == 0.0)
    assert np.all(clf.input_eigenvalues_[:3] != 0.0)
    selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), [0, 1, 2])


def test_same_seed_same_bits_and_global_rng_untouched(classification_data):
    X, y = classification_data
    state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = SpectralMLPClassifier(**FAST).fit(X, y)
    b = SpectralMLPClassifier(**FAST).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.feature_importances_, b.feature_importances_)
    c = SpectralMLPClassifier(max_iter=30, random_state=1).fit(X, y)
    assert not np.array_equal(a.feature_importances_, c.feature_importances_)


def test_clone_pickle_joblib_round_trips(classification_data, tmp_path):
    X, y = classification_data
    clf = SpectralMLPClassifier(**FAST).fit(X, y)
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), expected
    )
    joblib.dump(clf, tmp_path / "clf.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "clf.joblib").predict_proba(X), expected
    )
    refit = clone(clf).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), expected)


def test_input_arrays_are_not_modified(regression_data):
    X, y = regression_data
    X_copy, y_copy = X.copy(), y.copy()
    reg = SpectralMLPRegressor(**FAST).fit(X, y)
    reg.predict(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_warm_start_continues_training(classification_data):
    X, y = classification_data
    clf = SpectralMLPClassifier(max_iter=5, warm_start=True, tol=0, random_state=0)
    clf.fit(X, y)
    first = clf.net_.module_
    clf.fit(X, y)
    assert clf.net_.module_ is first
    # n_iter_ counts the last call, as MLPClassifier; the curve keeps all
    assert clf.n_iter_ == 5
    assert len(clf.loss_curve_) == 10


def test_early_stopping_records_validation_loss(classification_data):
    X, y = classification_data
    clf = SpectralMLPClassifier(
        early_stopping=True, n_iter_no_change=3, max_iter=100, random_state=0
    ).fit(X, y)
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_validation_loss_ == min(clf.validation_loss_curve_)


def test_convergence_warning_when_max_iter_reached(classification_data):
    X, y = classification_data
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        with warnings.catch_warnings():
            warnings.simplefilter("always", ConvergenceWarning)
            SpectralMLPClassifier(max_iter=2, random_state=0).fit(X, y)


def test_divergence_is_a_clear_error_not_a_warning(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="Lower learning_rate_init"):
        SpectralMLPClassifier(learning_rate_init=10, max_iter=50, random_state=0).fit(
            X, y
        )


def test_random_labels_keep_a_warning(classification_data):
    X, _ = classification_data
    y = np.random.RandomState(0).randint(0, 2, size=X.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("always", ConvergenceWarning)
        with pytest.warns(ConvergenceWarning, match="no better than a constant"):
            clf = SpectralMLPClassifier(alpha=1.0, max_iter=60, random_state=0).fit(
                X, y
            )
    assert np.all(np.isfinite(clf.feature_importances_))


def test_non_finite_loss_is_a_clear_error(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="Training diverged"):
        SpectralMLPClassifier(
            learning_rate_init=1e30, max_iter=50, alpha=0, random_state=0
        ).fit(X * 1e30, y)


@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.full((10, 3), np.nan), "NaN"),
        (np.full((10, 3), np.inf), "infinity"),
        (np.arange(10.0), "Expected 2D array"),
        (np.empty((0, 3)), "0 sample"),
    ],
)
def test_bad_X_raises_clear_error(X_bad, message):
    y = np.arange(len(X_bad)) % 2
    with pytest.raises(ValueError, match=message):
        SpectralMLPClassifier(**FAST).fit(X_bad, y)


def test_wrong_number_of_features_at_predict(classification_data):
    X, y = classification_data
    clf = SpectralMLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features"):
        clf.predict(X[:, :5])


def test_single_class_and_regression_target_rejected(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="Unknown label type"):
        SpectralMLPClassifier(**FAST).fit(X, np.linspace(0, 1, len(X)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -1.0}, "alpha"),
        ({"penalty": "l0"}, "penalty"),
        ({"eigenvalues": "out", "penalized": "input"}, "penalized='input'"),
        ({"auto_depth": True, "penalized": "all"}, "auto_depth"),
        ({"device": "not-a-device"}, "device"),
    ],
)
def test_bad_parameters_raise(classification_data, params, match):
    X, y = classification_data
    with pytest.raises(ValueError, match=match):
        SpectralMLPClassifier(**FAST, **params).fit(X, y)


@pytest.mark.parametrize("eigenvalues", ["out", "both"])
def test_node_relevance_modes(classification_data, eigenvalues):
    X, y = classification_data
    clf = SpectralMLPClassifier(
        hidden_layer_sizes=(12,), eigenvalues=eigenvalues, penalized="all", **FAST
    ).fit(X, y)
    (relevance,) = clf.node_relevance()
    assert relevance.shape == (12,) and np.all(relevance >= 0)
    assert np.isclose(clf.feature_importances_.sum(), 1.0)


@pytest.mark.parametrize("penalty", ["l2", "group"])
def test_differentiable_penalties_train(classification_data, penalty):
    X, y = classification_data
    clf = SpectralMLPClassifier(penalty=penalty, **FAST).fit(X, y)
    assert clf.score(X, y) > 0.8


def test_fixed_depth_export_matches_predictions(classification_data, regression_data):
    X, y = classification_data
    clf = SpectralMLPClassifier(hidden_layer_sizes=(16, 8), **FAST).fit(X, y)
    logits = clf.to_torch()(torch.as_tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(
        torch.softmax(logits, 1).detach().numpy(), clf.predict_proba(X), atol=1e-5
    )
    X, y = regression_data
    reg = SpectralMLPRegressor(**FAST).fit(X, y)
    out = reg.to_torch()(torch.as_tensor(X, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(out, reg.predict(X), rtol=1e-4, atol=1e-3)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="CUDA is not available"):
        SpectralMLPClassifier(device="cuda", **FAST).fit(X, y)
