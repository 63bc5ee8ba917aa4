"""What the selector shares with ``SelectFromModel``: thresholds, importances."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from sklearn.feature_selection._base import _get_feature_importances
from sklearn.feature_selection._from_model import _calculate_threshold

from .._base import BaseSpectralMLP
from .._defaults import resolve_settings
from ..relevance import auto_threshold

__all__ = [
    "documented_without_importances",
    "importances",
    "resolve_threshold",
    "without_gradient_reading",
]


def resolve_threshold(threshold, scores, estimator=None, settings=None):
    """Numeric threshold from a number, ``None`` or a string rule.

    ``"auto"`` is ours (:func:`~sklearn_spectral.relevance.auto_threshold`);
    everything else is scikit-learn's ``SelectFromModel`` rule, including
    ``None``: 1e-5 for an L1-penalised ``estimator`` (the spectral models'
    default ``penalty="l1"``), else ``"mean"``.
    """
    if isinstance(threshold, str):
        rule = threshold.strip().lower()
        if rule == "auto":
            settings = resolve_settings(settings)
            return float(
                auto_threshold(
                    scores,
                    min_ratio=settings.auto_threshold_ratio,
                    floor=settings.auto_threshold_floor,
                )
            )
        rule = rule.replace(" ", "")
        try:
            return float(_calculate_threshold(estimator, scores, rule))
        except ValueError:
            raise ValueError(
                f"threshold={threshold!r} is not understood: expected a float, "
                "None, 'auto', 'mean', 'median' or a scaled rule such as "
                "'0.5*mean'."
            ) from None
    return float(_calculate_threshold(estimator, scores, threshold))


_ATTRIBUTES_SECTION = re.compile(r"\n\s*Attributes\n\s*-+\n")


def documented_without_importances(estimator):
    """True for a scikit-learn model whose documented fitted attributes
    include neither ``coef_`` nor ``feature_importances_``.

    scikit-learn documents every fitted attribute in the numpydoc
    ``Attributes`` section of its estimators, so for them the answer is known
    before an expensive fit (e.g. ``KNeighborsClassifier``); other models are
    checked after their fit.
    """
    if estimator is None:
        return False
    cls = type(estimator)
    if not cls.__module__.startswith("sklearn."):
        return False
    doc = cls.__doc__ or ""
    if not _ATTRIBUTES_SECTION.search(doc):
        return False
    return "coef_" not in doc and "feature_importances_" not in doc


def importances(estimator, getter, norm_order):
    """One non-negative float64 importance per feature of a fitted model.

    A spectral model's first-layer reading (``_first_layer_importances``)
    under ``"auto"``: the selector ranks as it did before the estimators'
    ``feature_importances_`` became the gradient reading
    (``Settings.importance_gradient_rows``).
    """
    first_layer = getattr(estimator, "_first_layer_importances", None)
    if getter == "auto" and first_layer is not None:
        return np.asarray(first_layer, dtype=np.float64)
    scores = _get_feature_importances(
        estimator, getter, transform_func="norm", norm_order=norm_order
    )
    return np.asarray(scores, dtype=np.float64)


def without_gradient_reading(estimator):
    """``estimator`` set to skip the input-gradient reading of relevance.

    The selector's own fits (strength-search folds, consensus refits,
    all-relevant rounds) are ranked by the first-layer reading
    (:func:`importances`), so the extra pass a spectral model makes after
    training for its ``feature_importances_``
    (``Settings.importance_gradient_rows``) would be computed and thrown
    away: it is turned off on them. The training is the same either way
    (the reading comes after it). Other estimators are returned unchanged.
    """
    if not isinstance(estimator, BaseSpectralMLP):
        return estimator
    settings = resolve_settings(estimator.get_params(deep=False)["settings"])
    if settings.importance_gradient_rows:
        estimator.set_params(
            settings=dataclasses.replace(settings, importance_gradient_rows=0)
        )
    return estimator
