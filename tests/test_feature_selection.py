"""SpectralFeatureSelector: selection rules, pipelines and grid search."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.feature_selection import _resolve_threshold


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def five_of_fifty():
    return make_classification(
        n_samples=2000,
        n_features=50,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )


def test_auto_threshold_keeps_exactly_the_informative_columns(five_of_fifty):
    X, y = five_of_fifty
    selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    np.testing.assert_array_equal(selector.get_support(indices=True), np.arange(5))
    assert selector.transform(X).shape == (2000, 5)
    assert isinstance(selector.estimator_, SpectralMLPClassifier)
    np.testing.assert_array_equal(
        selector.feature_importances_, selector.estimator_.feature_importances_
    )


def test_wide_data_keeps_a_small_set():
    # 600 x 500 with 20 useful columns: a full-length penalty ramp let the
    # network memorise the training set through noise inputs (45-62 kept);
    # the ramp is shortened when there are few samples per input (13 kept)
    X, y = make_classification(
        600,
        500,
        n_informative=5,
        n_redundant=15,
        flip_y=0.01,
        shuffle=False,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    kept = SpectralFeatureSelector(random_state=0).fit(X, y).get_support(indices=True)
    assert 0 < len(kept) <= 20
    assert np.sum(kept < 20) >= 5


@pytest.mark.parametrize(
    "threshold, expected",
    [
        (0.5, 0.5),
        ("mean", 0.25),
        ("median", 0.25),
        ("0.5*mean", 0.125),
        (" 2 * median ", 0.5),
        (None, -np.inf),
    ],
)
def test_threshold_rules(threshold, expected):
    scores = np.array([0.1, 0.2, 0.3, 0.4])
    assert _resolve_threshold(threshold, scores) == pytest.approx(expected)


def test_unknown_threshold_rule_fails_before_fitting(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="not understood"):
        SpectralFeatureSelector(threshold="top5").fit(X, y)


def test_max_features_and_threshold_none(classification_data):
    X, y = classification_data
    est = SpectralMLPClassifier(max_iter=30, random_state=0)
    selector = SpectralFeatureSelector(est, threshold=None, max_features=2).fit(X, y)
    support = selector.get_support()
    assert support.sum() == 2
    top2 = np.argsort(-selector.feature_importances_)[:2]
    assert set(np.flatnonzero(support)) == set(top2)


def test_regressor_chosen_for_continuous_targets(regression_data):
    X, y = regression_data
    selector = SpectralFeatureSelector(
        SpectralMLPRegressor(max_iter=150, random_state=0)
    ).fit(X, y)
    assert isinstance(selector.estimator_, SpectralMLPRegressor)
    assert set(selector.get_support(indices=True)) >= {0, 1}
    default = SpectralFeatureSelector(random_state=0, alpha=0.1)
    assert isinstance(default._make_estimator(y[:, 0]), SpectralMLPRegressor)


def test_alpha_and_random_state_override_the_estimator(classification_data):
    X, y = classification_data
    est = SpectralMLPClassifier(max_iter=5, alpha=0.5)
    selector = SpectralFeatureSelector(est, alpha=0.01, random_state=3).fit(X, y)
    assert selector.estimator_.alpha == 0.01
    assert selector.estimator_.random_state == 3
    assert est.alpha == 0.5  # the given estimator is cloned, not changed


def test_inverse_transform_and_feature_names(classification_data):
    pd = pytest.importorskip("pandas")
    X, y = classification_data
    df = pd.DataFrame(X, columns=[f"col{i}" for i in range(X.shape[1])])
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=200, random_state=0)
    ).set_output(transform="pandas")
    Xt = selector.fit_transform(df, y)
    assert list(Xt.columns) == list(selector.get_feature_names_out())
    assert {"col0", "col1", "col2"} <= set(Xt.columns)
    back = selector.inverse_transform(Xt.to_numpy())
    assert back.shape == X.shape
    assert np.all(back[:, ~selector.get_support()] == 0)


def test_pipeline_in_grid_search_over_penalty_strength(five_of_fifty):
    X, y = five_of_fifty
    X, y = X[:600], y[:600]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "select",
                SpectralFeatureSelector(
                    SpectralMLPClassifier(max_iter=40), random_state=0
                ),
            ),
            ("model", LogisticRegression()),
        ]
    )
    search = GridSearchCV(pipe, {"select__alpha": [0.03, 0.3]}, cv=2, n_jobs=1)
    search.fit(X, y)
    assert search.best_params_["select__alpha"] in (0.03, 0.3)
    assert search.score(X, y) > 0.7
    best = search.best_estimator_
    expected = best.predict_proba(X)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(best)).predict_proba(X), expected
    )
    np.testing.assert_array_equal(clone(best).fit(X, y).predict_proba(X), expected)


def test_joblib_round_trip(classification_data, tmp_path):
    X, y = classification_data
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=30), random_state=0
    ).fit(X, y)
    joblib.dump(selector, tmp_path / "sel.joblib")
    loaded = joblib.load(tmp_path / "sel.joblib")
    np.testing.assert_array_equal(loaded.transform(X), selector.transform(X))
