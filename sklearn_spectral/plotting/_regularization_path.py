"""RegularizationPathDisplay: each column's importance against the strength."""

import warnings

import numpy as np
from sklearn.base import clone

from ._helpers import default_names, final_estimator, get_ax, merge_style

#: Columns named in the legend at most; the others are drawn unlabelled.
_MAX_LABELS = 12


class RegularizationPathDisplay:
    """Importance of every column against the penalty strength.

    The picture of ``sklearn.linear_model.lasso_path`` and LassoNet's path
    for a spectral model: as the strength ``alpha`` grows, the L1 on the
    input eigenvalues switches columns off one after another; the columns
    that survive longest matter most. The strength the selector chose
    (``alpha_``) is marked.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,)
        Strengths, increasing.
    importances : array-like of shape (n_alphas, n_features)
        ``feature_importances_`` of the model fitted at each strength.
    feature_names : array-like of shape (n_features,) or None, default=None
        Name of each column; ``x0, x1, ...`` when None.
    chosen_alpha : float or None, default=None
        The strength to mark (the selector's ``alpha_``).
    validation_loss : array-like of shape (n_alphas,) or None, default=None
        Validation loss at each strength (``alpha_path_["validation_loss"]``),
        drawn on a second axis when given.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the paths.
    figure_ : matplotlib.figure.Figure
        Figure containing the paths.
    lines_ : list of matplotlib.lines.Line2D
        One path per column.
    chosen_line_ : matplotlib.lines.Line2D or None
        Vertical line at ``chosen_alpha``.
    loss_line_ : matplotlib.lines.Line2D or None
        The validation loss, on ``loss_ax_``.
    loss_ax_ : matplotlib.axes.Axes or None
        The second axis of the validation loss.

    See Also
    --------
    RelevanceDisplay : The importances of one fit.
    sklearn_spectral.SpectralFeatureSelector : Records ``alpha_path_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_spectral.plotting import RegularizationPathDisplay
    >>> display = RegularizationPathDisplay(
    ...     [0.1, 0.2, 0.4], [[0.5, 0.3, 0.2], [0.6, 0.4, 0.0], [1.0, 0.0, 0.0]],
    ...     feature_names=["age", "city", "noise"], chosen_alpha=0.2,
    ... ).plot(line_kw={"lw": 3})
    >>> len(display.lines_), display.lines_[0].get_linewidth()
    (3, 3.0)
    """

    def __init__(
        self,
        alphas,
        importances,
        *,
        feature_names=None,
        chosen_alpha=None,
        validation_loss=None,
    ):
        self.alphas = alphas
        self.importances = importances
        self.feature_names = feature_names
        self.chosen_alpha = chosen_alpha
        self.validation_loss = validation_loss

    def plot(self, ax=None, *, line_kw=None, chosen_kw=None, loss_kw=None):
        """Draw the paths.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        line_kw : dict or None, default=None
            Keyword arguments for every path
            (:meth:`matplotlib.axes.Axes.plot`); short aliases override the
            defaults.
        chosen_kw : dict or None, default=None
            Keyword arguments for the line at the chosen strength
            (:meth:`matplotlib.axes.Axes.axvline`).
        loss_kw : dict or None, default=None
            Keyword arguments for the validation-loss curve.

        Returns
        -------
        display : RegularizationPathDisplay
            The object, with the artists stored as attributes.
        """
        ax = get_ax(ax, "RegularizationPathDisplay.plot")
        alphas = np.asarray(self.alphas, dtype=np.float64).reshape(-1)
        importances = np.asarray(self.importances, dtype=np.float64)
        if importances.ndim != 2 or importances.shape[0] != alphas.size:
            raise ValueError(
                f"importances must have shape (n_alphas, n_features) = "
                f"({alphas.size}, n_features), got {importances.shape}."
            )
        if np.any(alphas <= 0):
            raise ValueError("alphas must be positive (the axis is logarithmic).")
        n_features = importances.shape[1]
        names = (
            default_names(n_features)
            if self.feature_names is None
            else np.asarray(self.feature_names, dtype=object)
        )
        if names.shape != (n_features,):
            raise ValueError(
                f"feature_names has {names.size} entries for {n_features} columns."
            )
        # the columns that last longest are named first in the legend
        order = np.lexsort((-importances[0], -np.sum(importances > 0, axis=0)))
        self.lines_ = [None] * n_features
        for rank, j in enumerate(order):
            style = merge_style(
                {
                    "marker": "o",
                    "markersize": 3,
                    "linewidth": 1.5,
                    "label": str(names[j]) if rank < _MAX_LABELS else None,
                },
                line_kw,
            )
            (self.lines_[j],) = ax.plot(alphas, importances[:, j], **style)
        ax.set_xscale("log")
        ax.set_xlabel("penalty strength alpha")
        ax.set_ylabel("feature importance")
        self.chosen_line_ = None
        if self.chosen_alpha is not None:
            chosen_kw = merge_style(
                {
                    "color": "k",
                    "linestyle": "--",
                    "linewidth": 1.2,
                    "label": f"chosen alpha = {self.chosen_alpha:.3g}",
                },
                chosen_kw,
            )
            self.chosen_line_ = ax.axvline(float(self.chosen_alpha), **chosen_kw)
        self.loss_ax_ = None
        self.loss_line_ = None
        if self.validation_loss is not None:
            loss = np.asarray(self.validation_loss, dtype=np.float64).reshape(-1)
            if loss.shape != alphas.shape:
                raise ValueError(
                    f"validation_loss has {loss.size} values for {alphas.size} "
                    "strengths."
                )
            self.loss_ax_ = ax.twinx()
            loss_kw = merge_style(
                {"color": "0.4", "linestyle": ":", "marker": "s", "markersize": 3},
                loss_kw,
            )
            (self.loss_line_,) = self.loss_ax_.plot(alphas, loss, **loss_kw)
            self.loss_ax_.set_ylabel("validation loss (dotted)")
        ax.legend(loc="best", fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        y=None,
        *,
        refit=False,
        sample_weight=None,
        feature_names=None,
        ax=None,
        line_kw=None,
        chosen_kw=None,
        loss_kw=None,
    ):
        """Plot the strength path of a fitted selector.

        The selector's ``alpha_path_`` holds the strengths its search tried
        (``alpha="auto"``) and, for each, the importances of the models it
        fitted there (``alpha_path_["importances"]``, mean over the
        cross-validation folds): they are drawn as they are, without a
        single new fit. ``refit=True`` refits the model instead at every
        strength on ``(X, y)`` (a clone of ``estimator_`` with that
        ``alpha``, on all the rows: the importances of the model the
        selector would have kept at that strength; one fit per strength).

        Parameters
        ----------
        estimator : SpectralFeatureSelector
            A fitted selector (or a Pipeline ending in one) whose
            ``alpha_path_`` is set.
        X : array-like of shape (n_samples, n_features) or None, default=None
            Training data of the refits; only with ``refit=True``.
        y : array-like of shape (n_samples,) or None, default=None
            Targets of the refits; only with ``refit=True``.
        refit : bool, default=False
            Refit the model at every strength on ``(X, y)`` instead of
            reading the importances the strength search stored.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Passed to each refit.
        feature_names : array-like of shape (n_features,) or None, default=None
            Names of the columns; ``feature_names_in_`` by default.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        line_kw, chosen_kw, loss_kw : dict or None, default=None
            Styles, see :meth:`plot`.

        Returns
        -------
        display : RegularizationPathDisplay
            The drawn display.
        """
        selector = final_estimator(estimator)
        path = getattr(selector, "alpha_path_", "missing")
        if isinstance(path, str):
            from sklearn.utils.validation import check_is_fitted

            check_is_fitted(selector)
            raise TypeError(
                f"{type(selector).__name__} has no alpha_path_: pass a fitted "
                "SpectralFeatureSelector."
            )
        if path is None:
            raise ValueError(
                "The selector searched no strength (alpha_path_ is None): fit it "
                "with alpha='auto' and mode='minimal'."
            )
        if not isinstance(refit, (bool, np.bool_)):
            raise ValueError(f"refit must be True or False, got {refit!r}.")
        if not refit and (X is not None or y is not None or sample_weight is not None):
            raise ValueError(
                "X, y and sample_weight are the data of the refits: pass them "
                "with refit=True, or leave them out to draw the stored path."
            )
        alphas = np.asarray(path["alpha"], dtype=np.float64)
        if refit:
            if X is None or y is None:
                raise ValueError(
                    "refit=True refits the model at each strength: pass the "
                    "training data X and y."
                )
            importances = refit_path(
                selector.estimator_, X, y, alphas, sample_weight=sample_weight
            )
        else:
            importances = path.get("importances")
            if importances is None:
                raise ValueError(
                    "alpha_path_ holds no importances (a selector fitted by an "
                    "older version): pass refit=True with the training data "
                    "X, y."
                )
        if feature_names is None:
            feature_names = getattr(selector, "feature_names_in_", None)
        display = cls(
            alphas,
            importances,
            feature_names=feature_names,
            chosen_alpha=getattr(selector, "alpha_", None),
            validation_loss=path.get("validation_loss"),
        )
        return display.plot(
            ax=ax, line_kw=line_kw, chosen_kw=chosen_kw, loss_kw=loss_kw
        )


def refit_path(model, X, y, alphas, *, sample_weight=None):
    """``feature_importances_`` of ``model`` refitted at every strength.

    Parameters
    ----------
    model : estimator
        A (fitted or not) spectral model; each refit is a clone with
        ``alpha`` set.
    X : array-like of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Targets.
    alphas : array-like of shape (n_alphas,)
        Strengths.
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Passed to each fit.

    Returns
    -------
    ndarray of shape (n_alphas, n_features)
        The importances of each fit.
    """
    rows = []
    params = {} if sample_weight is None else {"sample_weight": sample_weight}
    for alpha in np.asarray(alphas, dtype=np.float64):
        fit = clone(model).set_params(alpha=float(alpha))
        with warnings.catch_warnings():
            # the strongest strengths are meant to switch every column off;
            # their "no better than a constant" warnings describe the path
            warnings.simplefilter("ignore")
            fit.fit(X, y, **params)
        rows.append(np.asarray(fit.feature_importances_, dtype=np.float64))
    return np.vstack(rows)
