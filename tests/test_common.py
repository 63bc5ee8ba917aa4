"""scikit-learn's estimator checks, including those check_estimator skips."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_get_feature_names_out_error,
    check_param_validation,
    check_set_output_transform,
    check_set_output_transform_pandas,
    check_transformer_get_feature_names_out,
    check_transformer_get_feature_names_out_pandas,
    parametrize_with_checks,
)

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)

# Small but real settings: the checks fit dozens of times. The default
# instances, then every non-default network: the eigenvalue modes (out:
# the poster's node eigenvalues, fitted at its defaults; both) and
# auto-depth for both estimators.
MLPS = [
    SpectralMLPClassifier(max_iter=100, random_state=0),
    SpectralMLPRegressor(max_iter=100, random_state=0),
    SpectralMLPClassifier(eigenvalues="out", max_iter=100, random_state=0),
    SpectralMLPRegressor(eigenvalues="out", max_iter=100, random_state=0),
    SpectralMLPClassifier(eigenvalues="both", max_iter=100, random_state=0),
    SpectralMLPRegressor(eigenvalues="both", max_iter=100, random_state=0),
    SpectralMLPClassifier(
        auto_depth=True,
        hidden_layer_sizes=(16,),
        batch_size=32,
        max_iter=40,
        random_state=0,
    ),
    SpectralMLPRegressor(
        auto_depth=True,
        hidden_layer_sizes=(16,),
        batch_size=32,
        max_iter=40,
        random_state=0,
    ),
]
ESTIMATORS = [
    *MLPS,
    SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=50, random_state=0), random_state=0
    ),
]


@pytest.mark.parametrize("auto_depth", [False, True])
def test_predictions_do_not_depend_on_the_batch(auto_depth):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=300)
    reg = SpectralMLPRegressor(
        (16,), max_iter=20, auto_depth=auto_depth, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    whole = reg.predict(X)
    by_rows = np.concatenate([reg.predict(X[i : i + 7]) for i in range(0, 300, 7)])
    # float64 predictions (the float32 layers differed by 2.4e-7 to 4.8e-7)
    np.testing.assert_allclose(by_rows, whole, rtol=1e-12, atol=1e-12)


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_dataframe_column_names_consistency(estimator):
    pytest.importorskip("pandas")
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    "check",
    [
        check_set_output_transform,
        check_set_output_transform_pandas,
        check_transformer_get_feature_names_out,
        check_transformer_get_feature_names_out_pandas,
        check_get_feature_names_out_error,
    ],
)
def test_selector_output_checks(check):
    pytest.importorskip("pandas")
    check("SpectralFeatureSelector", ESTIMATORS[-1])


def _weighted_and_repeated(estimator):
    """scikit-learn's sample-weight check, returning both fits' outputs."""
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    if isinstance(estimator, SpectralMLPRegressor):
        y = y.astype(float)
    sw = rng.randint(0, 5, size=15)
    repeated = clone(estimator).fit(X.repeat(sw, axis=0), y.repeat(sw))
    weighted = clone(estimator).fit(X, y, sample_weight=sw)
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    return getattr(repeated, method)(X), getattr(weighted, method)(X)


@pytest.mark.parametrize("estimator", MLPS, ids=repr)
def test_sample_weight_equals_repeats(estimator):
    # scikit-learn's check asks rtol=1e-7; fit trains on the distinct rows
    # with summed weights in an order of their contents, so the two fits are
    # the same computation: equal bit for bit (auto-depth too, since its
    # evidence step counts the weight sum, not rows)
    repeated, weighted = _weighted_and_repeated(estimator)
    np.testing.assert_array_equal(weighted, repeated)
