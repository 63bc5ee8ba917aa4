"""What the displays share: lazy matplotlib, style merging, fitted-attribute access.

The displays read *public* fitted attributes only (``feature_importances_``,
``eigenvalues_``, ``pruning_curve_``, ``network_``, ...), so that the
estimators may change their internals without breaking a plot. The reads
that several displays share live here.
"""

import numpy as np
from sklearn.utils._plotting import _validate_style_kwargs
from sklearn.utils.validation import check_is_fitted

from .._defaults import DEFAULT_SETTINGS

ACTIVE_RTOL = DEFAULT_SETTINGS.active_rtol

ACTIVE_COLOR = "tab:blue"
INACTIVE_COLOR = "0.8"


def fill_defaults(func):
    """Write the library defaults into ``func``'s docstring.

    ``{ACTIVE_RTOL}`` in the docstring becomes the value of
    ``DEFAULT_SETTINGS.active_rtol``, so the documented
    default cannot drift from the one used.
    """
    func.__doc__ = func.__doc__.replace("{ACTIVE_RTOL}", f"{ACTIVE_RTOL:g}")
    return func


def pyplot(caller):
    """Import ``matplotlib.pyplot`` or raise an ImportError naming ``caller``."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{caller} requires matplotlib. Install it with "
            "`pip install matplotlib` or `pip install sklearn-spectral[plot]`."
        ) from exc
    return plt


def get_ax(ax, caller, figsize=None):
    """``ax``, or the axes of a new constrained-layout figure when None."""
    plt = pyplot(caller)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def merge_style(default_kw, user_kw):
    """The display's default style updated by the user's, alias-safe.

    matplotlib refuses ``markersize`` and ``ms`` in one call; scikit-learn's
    helper maps the user's short aliases onto the long names the defaults
    use, so ``line_kw={"ms": 8}`` overrides the default ``markersize``.
    Giving both an alias and its long name raises a TypeError.
    """
    return _validate_style_kwargs(default_kw, user_kw or {})


def final_estimator(estimator):
    """The last step of a Pipeline, or the estimator itself."""
    if hasattr(estimator, "steps"):
        return estimator.steps[-1][1]
    return estimator


def model_of(estimator):
    """The fitted spectral model behind a selector, a pipeline or a model.

    Raises :class:`~sklearn.exceptions.NotFittedError` when it is not fitted.
    """
    estimator = final_estimator(estimator)
    check_is_fitted(estimator)
    inner = getattr(estimator, "estimator_", None)
    if inner is not None and hasattr(inner, "eigenvalues_"):
        return inner
    return estimator


def fitted_network(model):
    """The trained torch module of a fitted spectral estimator.

    The estimators expose it as the read-only fitted attribute ``network_``.
    Estimators built before that attribute existed only have the skorch net;
    the fallback below is the one place that reads it (drop it once every
    estimator has ``network_``).
    """
    network = getattr(model, "network_", None)
    if network is None:  # older estimators: the skorch net's module
        network = getattr(getattr(model, "net_", None), "module_", None)
    return network


def importances_of(estimator):
    """``feature_importances_`` of a fitted model, selector or pipeline."""
    final = final_estimator(estimator)
    check_is_fitted(final)
    for candidate in (final, getattr(final, "estimator_", None)):
        values = getattr(candidate, "feature_importances_", None)
        if values is not None:
            return np.asarray(values, dtype=np.float64)
    raise TypeError(
        f"{type(final).__name__} has no feature_importances_; pass a fitted "
        "SpectralMLPClassifier, SpectralMLPRegressor or SpectralFeatureSelector."
    )


def uncertainty_of(estimator):
    """``(importances_std_, selection_frequencies_)`` of the final estimator.

    Each is None when the fit did not compute it (a selector without
    refits, a plain model).
    """
    final = final_estimator(estimator)
    std = getattr(final, "importances_std_", None)
    freq = getattr(final, "selection_frequencies_", None)
    return (
        None if std is None else np.asarray(std, dtype=np.float64),
        None if freq is None else np.asarray(freq, dtype=np.float64),
    )


def feature_names_of(estimator, n_features, names=None):
    """Tick labels: ``names``, ``feature_names_in_``, or ``x0, x1, ...``."""
    if names is not None:
        names = np.asarray(names, dtype=object)
        if names.shape != (n_features,):
            raise ValueError(
                f"feature_names has {names.size} entries but the estimator has "
                f"{n_features} features."
            )
        return names
    for candidate in (final_estimator(estimator), estimator):
        fitted = getattr(candidate, "feature_names_in_", None)
        if fitted is not None and len(fitted) == n_features:
            return np.asarray(fitted, dtype=object)
    return default_names(n_features)


def default_names(n_features):
    """``x0, x1, ...`` as an object array."""
    return np.asarray([f"x{j}" for j in range(n_features)], dtype=object)


def selector_info(estimator):
    """``(threshold, support)`` of a fitted selector, ``(None, None)`` otherwise.

    An infinite threshold (``-np.inf`` with ``max_features``: "the top k")
    has no line to draw and is returned as None.
    """
    final = final_estimator(estimator)
    if hasattr(final, "threshold_") and hasattr(final, "get_support"):
        threshold = float(final.threshold_)
        if not np.isfinite(threshold):
            threshold = None
        return threshold, np.asarray(final.get_support(), dtype=bool)
    return None, None


def node_names(n_layers):
    """``["input", "hidden 1", ..., "output"]`` for ``n_layers`` node layers."""
    return ["input", *(f"hidden {k}" for k in range(1, n_layers - 1)), "output"]


def to_numpy(values):
    """A float64 array from an array-like or a (possibly grad-tracking) tensor."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().double().numpy()
    return np.asarray(values, dtype=np.float64)
