"""Feature selection with the input eigenvalues of a spectral network."""

from __future__ import annotations

import re
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone, is_classifier
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from ._mlp import SpectralMLPClassifier, SpectralMLPRegressor
from .relevance import auto_threshold

__all__ = ["SpectralFeatureSelector"]

_SCALED = re.compile(r"^\s*([0-9.eE+-]+)\s*\*\s*(mean|median)\s*$")


def _resolve_threshold(threshold, scores):
    """Numeric threshold from a number or a string rule."""
    if threshold is None:
        return -np.inf
    if isinstance(threshold, Real):
        return float(threshold)
    rule = threshold.strip().lower()
    if rule == "auto":
        return auto_threshold(scores)
    if rule == "mean":
        return float(np.mean(scores))
    if rule == "median":
        return float(np.median(scores))
    match = _SCALED.match(rule)
    if match:
        base = np.mean(scores) if match.group(2) == "mean" else np.median(scores)
        return float(match.group(1)) * float(base)
    raise ValueError(
        f"threshold={threshold!r} is not understood: expected a float, 'auto', "
        "'mean', 'median' or a scaled rule such as '0.5*mean'."
    )


class SpectralFeatureSelector(SelectorMixin, BaseEstimator):
    """Keep the features that the input eigenvalues of a spectral network use.

    One ``fit`` trains a spectral MLP whose L1 penalty on the input
    eigenvalues switches irrelevant inputs off; the features whose relevance
    clears ``threshold`` are kept.

    Parameters
    ----------
    estimator : SpectralMLPClassifier, SpectralMLPRegressor or None, \
default=None
        The spectral model to fit (it is cloned). ``None`` picks
        ``SpectralMLPClassifier`` when ``y`` holds class labels (binary or
        multiclass) and ``SpectralMLPRegressor`` when it is continuous. Any
        estimator exposing ``feature_importances_`` after ``fit`` works.

    threshold : str or float, default="auto"
        Features with ``feature_importances_ >= threshold`` are kept.
        ``"auto"``: the gap the eigenvalue penalty opens between relevant
        and irrelevant inputs (see :func:`~sklearn_spectral.relevance.\
auto_threshold`); ``"mean"``, ``"median"``, a scaled rule such as
        ``"0.5*mean"``, or a number on the scale of ``feature_importances_``
        (which sums to 1). ``None`` keeps the ``max_features`` best.

    max_features : int or None, default=None
        Keep at most this many features (the most relevant ones).

    alpha : float or None, default=None
        Eigenvalue penalty strength of the model; when not None it replaces
        the estimator's ``alpha``. This is the parameter to tune in a grid
        search, e.g. ``{"select__alpha": [0.01, 0.03, 0.1]}`` for a pipeline
        step named ``"select"``.

    random_state : int, RandomState instance or None, default=None
        When not None, replaces the estimator's ``random_state``.

    Attributes
    ----------
    estimator_ : estimator
        The fitted spectral model.

    feature_importances_ : ndarray of shape (n_features_in_,)
        The fitted model's ``feature_importances_``.

    threshold_ : float
        The numeric threshold that was applied.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit; only when ``X`` has string
        column names.

    See Also
    --------
    SpectralMLPClassifier : The model fitted by default for class labels.
    SpectralMLPRegressor : The model fitted by default for continuous targets.
    sklearn.feature_selection.SelectFromModel : Selection from any model's
        importances.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_spectral import SpectralFeatureSelector
    >>> X, y = make_classification(n_samples=1000, n_features=12, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    >>> selector.get_support(indices=True)
    array([0, 1, 2])
    >>> selector.transform(X).shape
    (1000, 3)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"]), None],
        "threshold": [
            str,
            Interval(Real, None, None, closed="neither"),
            None,
        ],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        threshold="auto",
        max_features=None,
        alpha=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.max_features = max_features
        self.alpha = alpha
        self.random_state = random_state

    def _make_estimator(self, y):
        if self.estimator is not None:
            estimator = clone(self.estimator)
        else:
            target = type_of_target(y, input_name="y")
            if target in ("binary", "multiclass"):
                estimator = SpectralMLPClassifier()
            elif target in ("continuous", "continuous-multioutput"):
                estimator = SpectralMLPRegressor()
            else:
                raise ValueError(
                    f"Unsupported target type {target!r}: pass an estimator explicitly."
                )
        overrides = {}
        if self.alpha is not None:
            overrides["alpha"] = self.alpha
        if self.random_state is not None:
            overrides["random_state"] = self.random_state
        if overrides:
            estimator.set_params(**overrides)
        return estimator

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the spectral model and choose the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; standardise it first so that relevance is
            comparable across features.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (class labels or continuous).

        Returns
        -------
        self : SpectralFeatureSelector
            The fitted selector.
        """
        X, y = validate_data(
            self, X, y, dtype=(np.float64, np.float32), multi_output=True
        )
        if isinstance(self.threshold, str):
            _resolve_threshold(self.threshold, np.ones(1))  # fail before fitting
        self.estimator_ = self._make_estimator(y)
        if is_classifier(self.estimator_) and y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        self.estimator_.fit(X, y)
        scores = np.asarray(self.estimator_.feature_importances_, dtype=np.float64)
        self.feature_importances_ = scores
        self.threshold_ = _resolve_threshold(self.threshold, scores)
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        scores = self.feature_importances_
        mask = scores >= self.threshold_
        if self.max_features is not None and mask.sum() > self.max_features:
            order = np.argsort(-scores, kind="stable")
            keep = np.zeros_like(mask)
            keep[order[: self.max_features]] = True
            mask &= keep
        return mask

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        return tags
