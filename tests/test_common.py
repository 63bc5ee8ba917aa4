"""scikit-learn's estimator checks, including those check_estimator skips."""

import pytest
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

# Small but real settings: the checks fit dozens of times.
ESTIMATORS = [
    SpectralMLPClassifier(max_iter=100, random_state=0),
    SpectralMLPRegressor(max_iter=100, random_state=0),
    SpectralMLPRegressor(
        auto_depth=True,
        hidden_layer_sizes=(16,),
        batch_size=32,
        max_iter=40,
        random_state=0,
    ),
    SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=50, random_state=0), random_state=0
    ),
]


def _expected_failed_checks(estimator):
    if isinstance(estimator, (SpectralMLPClassifier, SpectralMLPRegressor)):
        # Weighted and repeated fits agree to float32 rounding (outputs
        # within about 1e-7 relative; the check asks for rtol=1e-7 on float64
        # outputs). tests/test_engine.py checks the equivalence at 1e-4.
        reason = "float32 training: equal up to rounding (about 1e-7 relative)"
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            # sparse X is accepted since issue 21: the same float32 training
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
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
