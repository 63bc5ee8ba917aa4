"""The selector's penalty strength: the most reproducible selection among the
strengths that predict as well as the best (or the one-standard-error rule)."""

import warnings
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import xlogy
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._selection._strength import (
    cv_one_se_alpha,
    kept_set_agreement,
    per_sample_loss,
)


def _radius_from_the_rest():
    # breast cancer's "mean radius" from its 29 other columns: perimeter
    # and area carry it almost exactly, the rest is redundant
    X, _ = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[:, 1:], X[:, 0]


@pytest.mark.parametrize("data", ["radius", "diabetes"])
def test_auto_alpha_selects_on_a_regression_at_the_score_of_all_columns(data):
    if data == "radius":
        X, y = _radius_from_the_rest()
        margin = 0.01
    else:
        X, y = load_diabetes(return_X_y=True)  # integer target: a quantity
        X = StandardScaler().fit_transform(X)
        margin = 0.05  # the R^2 of its 5 folds spreads by about 0.1
    selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    kept = selector.get_support()
    assert selector.task_ == "regression"
    # whether a sparser network predicts within one standard error depends
    # on the data and the training: with the settling phase of the inputs
    # the radius keeps alpha 0.1 (before it: a stronger strength and fewer
    # columns), diabetes 1.6 (bmi, bp, s3, s5); the property is the score
    assert selector.alpha_ in selector.alpha_path_["alpha"]
    assert 1 <= kept.sum() <= X.shape[1]
    # judged with the selector's own model: the set is minimal for the
    # network (breast cancer's "mean area" alone carries the radius through
    # a square root, which a ridge cannot fit: ridge R^2 0.974 on it)
    model = SpectralMLPRegressor(random_state=0)
    on_kept = cross_val_score(model, X[:, kept], y, cv=5).mean()
    on_all = cross_val_score(model, X, y, cv=5).mean()
    assert on_kept >= on_all - margin


@pytest.mark.parametrize("seed", [0, 1])
def test_auto_alpha_takes_the_most_reproducible_strength_that_predicts(seed):
    X, y = make_classification(
        n_samples=800,
        n_features=20,
        n_informative=4,
        n_redundant=0,
        shuffle=False,
        random_state=seed,
    )
    # the rule reads the search alone: one fit on all rows instead of the
    # consensus of 5 (a cheaper test, the same strength)
    one_fit = replace(DEFAULT_SETTINGS, consensus_fits=1)
    selector = SpectralFeatureSelector(random_state=seed, settings=one_fit)
    selector.fit(X, y)
    assert np.sum(selector.get_support(indices=True) < 4) >= 3
    path = selector.alpha_path_
    assert path["alpha"][0] == pytest.approx(0.1)
    assert selector.alpha_ in path["alpha"]
    best = np.argmin(path["validation_loss"])
    chosen = list(path["alpha"]).index(selector.alpha_)
    tolerance = selector._settings().strength_stability_se
    gap = path["validation_loss"] - path["validation_loss"][best]
    candidates = gap <= tolerance * path["standard_error"] + 1e-12
    assert candidates[chosen]
    # no candidate's fold fits agree more, and none stronger agrees as much
    agreement = path["agreement"]
    assert np.all(agreement[candidates] <= agreement[chosen])
    stronger = candidates & (np.arange(len(agreement)) > chosen)
    assert np.all(agreement[stronger] < agreement[chosen])


def test_auto_alpha_is_reproducible_and_none_keeps_the_model_alpha():
    X, y = _radius_from_the_rest()
    X, y = X[:300], y[:300]
    first = SpectralFeatureSelector(random_state=3).fit(X, y)
    again = SpectralFeatureSelector(random_state=3).fit(X, y)
    assert first.alpha_ == again.alpha_
    np.testing.assert_array_equal(first.get_support(), again.get_support())
    model = SpectralMLPRegressor(alpha=0.05)
    plain = SpectralFeatureSelector(model, alpha=None, random_state=0).fit(X, y)
    assert plain.alpha_ == 0.05 and plain.alpha_path_ is None
    fixed = SpectralFeatureSelector(alpha=0.3, random_state=0).fit(X, y)
    assert fixed.alpha_ == 0.3 and fixed.alpha_path_ is None
    assert fixed.estimator_.alpha == 0.3


def test_one_se_alpha_weights_and_per_sample_loss():
    X, y = make_classification(
        n_samples=300, n_features=5, n_informative=2, random_state=1
    )
    weight = np.where(y == 1, 2.0, 1.0)
    model = SpectralMLPClassifier(max_iter=20, random_state=0)
    alpha, path = cv_one_se_alpha(
        model,
        X,
        y,
        kept=lambda m: m.feature_importances_ > 0,
        sample_weight=weight,
        factors=(1.0, 4.0),
        n_folds=3,
        random_state=0,
    )
    assert alpha in (0.1, 0.4)
    assert set(path) == {
        "alpha",
        "validation_loss",
        "standard_error",
        "n_kept",
        "agreement",
        "importances",
        "fold_importances",
        "in_band",
    }
    # each strength's importances, mean over the folds (issue 21's path),
    # each fold fit's (the selector's band vote) and the candidates
    assert path["importances"].shape == (len(path["alpha"]), 5)
    assert path["fold_importances"].shape[:1] == (len(path["alpha"]),)
    np.testing.assert_allclose(
        path["fold_importances"].mean(axis=1), path["importances"]
    )
    assert path["in_band"].dtype == bool
    assert path["in_band"][list(path["alpha"]).index(alpha)]
    assert np.all(np.isfinite(path["validation_loss"]))
    assert np.all((path["n_kept"] >= 0) & (path["n_kept"] <= 5))
    assert np.all((path["agreement"] >= 0) & (path["agreement"] <= 1))
    fitted = model.fit(X, y)
    loss = per_sample_loss(fitted, X, y)
    assert loss.shape == (300,) and np.all(loss >= 0)
    proba = fitted.predict_proba(X)[np.arange(300), y]
    np.testing.assert_allclose(loss, -np.log(proba), rtol=1e-6)


def test_held_out_loss_is_the_models_own_criterion():
    # the strength search scores a fold by the loss the model trains on
    # (nn/losses.py): the Poisson deviance of a Poisson regressor, the
    # labels' summed binary cross-entropies of a multilabel classifier
    from sklearn_spectral import SpectralMLPRegressor
    from sklearn_spectral._selection._strength import constant_loss

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    counts = rng.poisson(np.exp(0.5 * X[:, 0])).astype(float)
    reg = SpectralMLPRegressor(loss="poisson", max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, counts)
    mu = reg.predict(X)
    deviance = mu - counts * np.log(mu) + xlogy(counts, counts) - counts
    np.testing.assert_allclose(per_sample_loss(reg, X, counts), deviance, rtol=1e-6)
    mean = counts.mean()
    constant = mean - counts * np.log(mean) + xlogy(counts, counts) - counts
    np.testing.assert_allclose(
        constant_loss(counts, None, counts, "poisson"), constant, rtol=1e-10
    )

    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    clf = SpectralMLPClassifier(max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y)
    p = np.clip(clf.predict_proba(X), 1e-12, 1 - 1e-12)
    summed = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum(axis=1)
    np.testing.assert_allclose(per_sample_loss(clf, X, Y), summed, rtol=1e-6)


def test_auto_alpha_leaves_other_models_alpha_alone():
    from sklearn.linear_model import Lasso

    X, y = _radius_from_the_rest()
    selector = SpectralFeatureSelector(Lasso(alpha=0.01), random_state=0).fit(X, y)
    assert selector.alpha_path_ is None
    assert selector.alpha_ == 0.01 == selector.estimator_.alpha


def test_kept_set_agreement_is_the_mean_pairwise_jaccard():
    masks = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]], dtype=bool)
    # pairs: 1/3, 1, 1/3
    assert kept_set_agreement(masks) == pytest.approx(5 / 9)
    assert kept_set_agreement(masks[:1]) == 1.0
    assert kept_set_agreement(np.zeros((3, 4), dtype=bool)) == 1.0


def _small_search(seed, factors):
    """Data, model and the common keywords of a small strength search."""
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=2, random_state=seed
    )
    model = SpectralMLPClassifier(hidden_layer_sizes=(8,), max_iter=30)
    common = {
        "kept": lambda m: m.feature_importances_ > 0,
        "factors": factors,
        "n_folds": 3,
        "random_state": seed,
    }
    return X, y, model, common


@pytest.mark.parametrize("seed", [0, 1])
def test_stability_se_none_is_the_one_standard_error_rule(seed):
    # the rule the search replaced stays available: the sparsest strength
    # within one standard error of the best (0 standard errors: the best);
    # the model's own alpha when no strength beats the constant prediction
    X, y, model, common = _small_search(seed, (1.0, 4.0, 16.0))
    alpha, path = cv_one_se_alpha(model, X, y, stability_se=None, **common)
    gap = path["validation_loss"] - path["validation_loss"].min()
    within = path["alpha"][gap <= path["standard_error"] + 1e-12]
    assert alpha in (*within, 0.1)
    best, _ = cv_one_se_alpha(model, X, y, stability_se=0.0, **common)
    assert best in (path["alpha"][np.argmin(path["validation_loss"])], 0.1)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_path_stops_at_the_first_clearly_worse_strength(seed):
    # Settings.strength_stop_after: the search ends once a strength loses to
    # the best before it (by more than two standard errors); waiting for a
    # second one fits the same strengths first, on the same folds and seeds
    X, y, model, common = _small_search(seed, (1.0, 4.0, 16.0, 64.0))
    _, first = cv_one_se_alpha(model, X, y, stop_after=1, **common)
    _, second = cv_one_se_alpha(model, X, y, stop_after=2, **common)
    n = len(first["alpha"])
    assert n <= len(second["alpha"])
    np.testing.assert_allclose(second["validation_loss"][:n], first["validation_loss"])
    np.testing.assert_allclose(second["importances"][:n], first["importances"])
    if n < len(second["alpha"]):  # it stopped on a worse strength
        losses = first["validation_loss"]
        assert losses[-1] > losses[:-1].min()
        assert not first["in_band"][-1]
