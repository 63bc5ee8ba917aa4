"""Plots of the spectral quantities, as scikit-learn style Display objects.

Every display is built in two steps, as in :mod:`sklearn.metrics` and
:mod:`sklearn.inspection`: a ``from_estimator`` (or ``from_network`` /
``from_curve``) class method extracts what is plotted from a fitted object
and calls :meth:`plot`, which draws on a matplotlib ``Axes`` and stores the
artists as attributes ending in ``_``. Calling the constructor directly with
precomputed values and then :meth:`plot` gives the same figure.

matplotlib is an optional dependency (``pip install sklearn-spectral[plot]``);
it is imported only when a plot is drawn.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "ArchitectureDisplay",
    "EigenvalueHistogramDisplay",
    "PruningCurveDisplay",
    "RelevanceDisplay",
    "RelevanceImageDisplay",
]

_ACTIVE_COLOR = "tab:blue"
_INACTIVE_COLOR = "0.8"


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def _pyplot(caller):
    """Import ``matplotlib.pyplot`` or raise an ImportError naming ``caller``."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"{caller} requires matplotlib. Install it with "
            "`pip install matplotlib` or `pip install sklearn-spectral[plot]`."
        ) from exc
    return plt


def _get_ax(ax, caller, figsize=None):
    plt = _pyplot(caller)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _final_estimator(estimator):
    """The last step of a Pipeline, or the estimator itself."""
    if hasattr(estimator, "steps"):
        return estimator.steps[-1][1]
    return estimator


def _model_of(estimator):
    """The fitted spectral model behind a selector, a pipeline or a model."""
    estimator = _final_estimator(estimator)
    check_is_fitted(estimator)
    inner = getattr(estimator, "estimator_", None)
    if inner is not None and hasattr(inner, "eigenvalues_"):
        return inner
    return estimator


def _feature_names(estimator, n_features, feature_names):
    if feature_names is not None:
        names = np.asarray(feature_names, dtype=object)
        if names.shape != (n_features,):
            raise ValueError(
                f"feature_names has {names.size} entries but the estimator has "
                f"{n_features} features."
            )
        return names
    for candidate in (_final_estimator(estimator), estimator):
        names = getattr(candidate, "feature_names_in_", None)
        if names is not None and len(names) == n_features:
            return np.asarray(names, dtype=object)
    return np.asarray([f"x{j}" for j in range(n_features)], dtype=object)


def _importances_of(estimator):
    final = _final_estimator(estimator)
    check_is_fitted(final)
    if not hasattr(final, "feature_importances_"):
        raise TypeError(
            f"{type(final).__name__} has no feature_importances_; pass a fitted "
            "SpectralMLPClassifier, SpectralMLPRegressor or "
            "SpectralFeatureSelector."
        )
    return np.asarray(final.feature_importances_, dtype=np.float64)


def _selector_info(estimator):
    """``(threshold, support)`` of a fitted selector, ``(None, None)`` otherwise."""
    final = _final_estimator(estimator)
    if hasattr(final, "threshold_") and hasattr(final, "get_support"):
        threshold = float(final.threshold_)
        if not np.isfinite(threshold):
            threshold = None
        return threshold, np.asarray(final.get_support(), dtype=bool)
    return None, None


def _node_names(n_layers):
    """``["input", "hidden 1", ..., "output"]`` for ``n_layers`` node layers."""
    return ["input", *(f"hidden {k}" for k in range(1, n_layers - 1)), "output"]


def _to_numpy(tensor):
    if hasattr(tensor, "detach"):
        tensor = tensor.detach().cpu().double().numpy()
    return np.asarray(tensor, dtype=np.float64)


# --------------------------------------------------------------------------- #
# feature relevance: bars
# --------------------------------------------------------------------------- #
class RelevanceDisplay:
    """Sorted bar chart of the global input relevance.

    Use :meth:`from_estimator` for one fitted model or selector and
    :meth:`from_estimators` for several fits (e.g. the estimators returned
    by :func:`~sklearn.model_selection.cross_validate`), which adds error
    bars. The bars are horizontal, the most relevant feature on top.

    Parameters
    ----------
    importances : array-like of shape (n_features,)
        Relevance of each feature (e.g. ``feature_importances_``).
    feature_names : array-like of shape (n_features,) or None, default=None
        Names shown as tick labels; ``x0, x1, ...`` when None.
    importances_std : array-like of shape (n_features,) or None, default=None
        Standard deviation over several fits, drawn as error bars.
    threshold : float or None, default=None
        Selection threshold, drawn as a vertical dashed line.
    support : array-like of bool of shape (n_features,) or None, default=None
        Which features are selected; selected bars are coloured, the others
        grey. When None and ``threshold`` is given, ``importances >=
        threshold``.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the bar chart.
    figure_ : matplotlib.figure.Figure
        Figure containing the chart.
    bars_ : matplotlib.container.BarContainer
        The bars, in plotting order (most relevant first).
    errorbars_ : matplotlib.container.ErrorbarContainer or None
        The error bars, when ``importances_std`` is given.
    threshold_line_ : matplotlib.lines.Line2D or None
        The threshold line, when ``threshold`` is given.
    order_ : ndarray of int
        Indices of the plotted features, in plotting order.

    See Also
    --------
    RelevanceImageDisplay : The same relevance as an image.
    EigenvalueHistogramDisplay : The distribution of the eigenvalues.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_spectral import SpectralFeatureSelector, SpectralMLPClassifier
    >>> from sklearn_spectral.plotting import RelevanceDisplay
    >>> X, y = make_classification(n_samples=300, n_features=8, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> model = SpectralMLPClassifier(hidden_layer_sizes=(16,), max_iter=30)
    >>> selector = SpectralFeatureSelector(model, random_state=0).fit(X, y)
    >>> display = RelevanceDisplay.from_estimator(selector)
    >>> len(display.bars_)
    8
    """

    def __init__(
        self,
        importances,
        *,
        feature_names=None,
        importances_std=None,
        threshold=None,
        support=None,
    ):
        self.importances = importances
        self.feature_names = feature_names
        self.importances_std = importances_std
        self.threshold = threshold
        self.support = support

    def plot(
        self,
        ax=None,
        *,
        sort=True,
        max_features=None,
        log_scale=False,
        bar_kw=None,
        threshold_kw=None,
    ):
        """Draw the bar chart.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        sort : bool, default=True
            Order the bars by decreasing relevance; otherwise keep the
            feature order (first feature on top).
        max_features : int or None, default=None
            Show only the ``max_features`` most relevant features.
        log_scale : bool, default=False
            Logarithmic relevance axis, which shows the orders of magnitude
            an L1 penalty opens between relevant and irrelevant inputs.
            Features of relevance exactly 0 have no bar on a log axis and
            are marked ``0`` instead.
        bar_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.barh`.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold line
            (:meth:`matplotlib.axes.Axes.axvline`).

        Returns
        -------
        display : RelevanceDisplay
            The object, with the artists stored as attributes.
        """
        ax = _get_ax(ax, "RelevanceDisplay.plot")
        values = np.asarray(self.importances, dtype=np.float64)
        n_features = values.shape[0]
        names = (
            np.asarray([f"x{j}" for j in range(n_features)], dtype=object)
            if self.feature_names is None
            else np.asarray(self.feature_names, dtype=object)
        )
        std = (
            None
            if self.importances_std is None
            else np.asarray(self.importances_std, dtype=np.float64)
        )
        support = self.support
        if support is None and self.threshold is not None:
            support = values >= self.threshold
        order = np.argsort(-values, kind="stable") if sort else np.arange(n_features)
        if max_features is not None:
            order = order[: int(max_features)]
        positions = np.arange(order.size)[::-1]  # first plotted on top

        colors = [_ACTIVE_COLOR] * order.size
        if support is not None:
            support = np.asarray(support, dtype=bool)
            colors = [_ACTIVE_COLOR if support[j] else "0.65" for j in order]
        bar_kw = {"color": colors, "height": 0.7, **(bar_kw or {})}
        self.bars_ = ax.barh(positions, values[order], **bar_kw)
        self.errorbars_ = None
        if std is not None:
            self.errorbars_ = ax.errorbar(
                values[order],
                positions,
                xerr=std[order],
                fmt="none",
                ecolor="k",
                elinewidth=1,
                capsize=2,
            )
        ax.set_yticks(positions, labels=[str(n) for n in names[order]])
        ax.set_ylim(-0.6, order.size - 0.4)
        if log_scale:
            positive = values[values > 0]
            ax.set_xscale("log")
            if positive.size:
                low = positive.min()
                if std is not None:
                    lower_ends = (values - std)[order]
                    lower_ends = lower_ends[lower_ends > 0]
                    if lower_ends.size:
                        low = min(low, lower_ends.min())
                if self.threshold is not None and self.threshold > 0:
                    low = min(low, self.threshold)
                ax.set_xlim(left=low / 3.0)
                for pos, j in zip(positions, order):
                    if values[j] <= 0:
                        ax.annotate(
                            "0",
                            (low / 3.0, pos),
                            xytext=(3, 0),
                            textcoords="offset points",
                            va="center",
                            fontsize="small",
                            color="0.4",
                        )
        else:
            ax.set_xlim(left=0)

        self.threshold_line_ = None
        if self.threshold is not None:
            threshold_kw = {
                "color": "tab:red",
                "linestyle": "--",
                "linewidth": 1.5,
                "label": f"threshold = {self.threshold:.3g}",
                **(threshold_kw or {}),
            }
            self.threshold_line_ = ax.axvline(self.threshold, **threshold_kw)
            if support is not None:
                n_sel = int(np.sum(support))
                self.threshold_line_.set_label(
                    f"{threshold_kw['label']} ({n_sel} of {support.size} kept)"
                )
            ax.legend(loc="lower right")
        ax.set_xlabel("relevance" + (" (log scale)" if log_scale else ""))
        ax.set_ylabel("feature")
        if order.size > 30:
            ax.tick_params(axis="y", labelsize="x-small")
        self.order_ = order
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        feature_names=None,
        threshold=None,
        ax=None,
        sort=True,
        max_features=None,
        log_scale=False,
        bar_kw=None,
        threshold_kw=None,
    ):
        """Plot the relevance of a fitted model, selector or pipeline.

        Parameters
        ----------
        estimator : estimator
            A fitted ``SpectralMLPClassifier``, ``SpectralMLPRegressor``,
            ``SpectralFeatureSelector`` (its ``threshold_`` is drawn and its
            selected features coloured), or a Pipeline ending in one of
            them; any estimator with ``feature_importances_`` works.
        feature_names : array-like of str or None, default=None
            Tick labels; ``feature_names_in_`` of the estimator when it was
            fitted on a DataFrame, else ``x0, x1, ...``.
        threshold : float or None, default=None
            Threshold line to draw; overrides the selector's ``threshold_``.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        sort : bool, default=True
            Order the bars by decreasing relevance.
        max_features : int or None, default=None
            Show only the ``max_features`` most relevant features.
        log_scale : bool, default=False
            Logarithmic relevance axis.
        bar_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.barh`.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold line.

        Returns
        -------
        display : RelevanceDisplay
            The drawn display.
        """
        importances = _importances_of(estimator)
        names = _feature_names(estimator, importances.size, feature_names)
        selector_threshold, support = _selector_info(estimator)
        if threshold is not None:
            support = importances >= threshold
        else:
            threshold = selector_threshold
        display = cls(
            importances, feature_names=names, threshold=threshold, support=support
        )
        return display.plot(
            ax=ax,
            sort=sort,
            max_features=max_features,
            log_scale=log_scale,
            bar_kw=bar_kw,
            threshold_kw=threshold_kw,
        )

    @classmethod
    def from_estimators(
        cls,
        estimators,
        *,
        feature_names=None,
        threshold=None,
        ax=None,
        sort=True,
        max_features=None,
        log_scale=False,
        bar_kw=None,
        threshold_kw=None,
    ):
        """Plot the mean relevance of several fits with error bars.

        Parameters
        ----------
        estimators : list of estimators or dict
            Fitted models, selectors or pipelines, or the dictionary
            returned by ``cross_validate(..., return_estimator=True)``.
            Bars show the mean of ``feature_importances_``, error bars one
            standard deviation.
        feature_names : array-like of str or None, default=None
            Tick labels; taken from the first estimator when None.
        threshold : float or None, default=None
            Threshold line to draw; when None and every estimator is a
            selector, the mean of their ``threshold_``.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        sort : bool, default=True
            Order the bars by decreasing mean relevance.
        max_features : int or None, default=None
            Show only the ``max_features`` most relevant features.
        log_scale : bool, default=False
            Logarithmic relevance axis.
        bar_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.barh`.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold line.

        Returns
        -------
        display : RelevanceDisplay
            The drawn display.
        """
        if isinstance(estimators, dict):
            if "estimator" not in estimators:
                raise ValueError(
                    "A dict of estimators must be the result of "
                    "cross_validate(..., return_estimator=True) with an "
                    "'estimator' key."
                )
            estimators = estimators["estimator"]
        estimators = list(estimators)
        if not estimators:
            raise ValueError("estimators is empty.")
        stacked = np.vstack([_importances_of(est) for est in estimators])
        mean = stacked.mean(axis=0)
        std = stacked.std(axis=0)
        names = _feature_names(estimators[0], mean.size, feature_names)
        if threshold is None:
            thresholds = [_selector_info(est)[0] for est in estimators]
            if all(t is not None for t in thresholds):
                threshold = float(np.mean(thresholds))
        display = cls(
            mean,
            feature_names=names,
            importances_std=std,
            threshold=threshold,
        )
        return display.plot(
            ax=ax,
            sort=sort,
            max_features=max_features,
            log_scale=log_scale,
            bar_kw=bar_kw,
            threshold_kw=threshold_kw,
        )


# --------------------------------------------------------------------------- #
# feature relevance: image
# --------------------------------------------------------------------------- #
class RelevanceImageDisplay:
    """Input relevance of image-shaped inputs, as an image with a colorbar.

    Each pixel shows the relevance of the input feature at that position,
    as in the first paper's MNIST figure.

    Parameters
    ----------
    relevance_image : array-like of shape (height, width)
        Relevance of each pixel.
    threshold : float or None, default=None
        Selection threshold, marked on the colorbar.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the image.
    figure_ : matplotlib.figure.Figure
        Figure containing the image.
    im_ : matplotlib.image.AxesImage
        The image.
    colorbar_ : matplotlib.colorbar.Colorbar or None
        The colorbar, when drawn.
    threshold_line_ : matplotlib.lines.Line2D or None
        The threshold mark on the colorbar.

    See Also
    --------
    RelevanceDisplay : The same relevance as a sorted bar chart.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_spectral.plotting import RelevanceImageDisplay
    >>> display = RelevanceImageDisplay(np.eye(8)).plot()
    >>> display.im_.get_array().shape
    (8, 8)
    """

    def __init__(self, relevance_image, *, threshold=None):
        self.relevance_image = relevance_image
        self.threshold = threshold

    def plot(self, ax=None, *, cmap="viridis", colorbar=True, log_scale=False):
        """Draw the relevance image.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        cmap : str or matplotlib.colors.Colormap, default="viridis"
            Colormap.
        colorbar : bool, default=True
            Whether to draw a colorbar.
        log_scale : bool, default=False
            Logarithmic colour scale; pixels of relevance exactly 0 are then
            drawn in the colormap's "under" colour (black).

        Returns
        -------
        display : RelevanceImageDisplay
            The object, with the artists stored as attributes.
        """
        plt = _pyplot("RelevanceImageDisplay.plot")
        from matplotlib.colors import LogNorm

        ax = _get_ax(ax, "RelevanceImageDisplay.plot")
        image = np.asarray(self.relevance_image, dtype=np.float64)
        if image.ndim != 2:
            raise ValueError(f"relevance_image must be 2-D, got shape {image.shape}.")
        kwargs = {"cmap": cmap, "interpolation": "nearest"}
        if log_scale:
            positive = image[image > 0]
            kwargs["cmap"] = plt.get_cmap(cmap).with_extremes(under="black")
            if positive.size:
                kwargs["norm"] = LogNorm(vmin=positive.min(), vmax=positive.max())
        else:
            kwargs["vmin"] = 0.0
            if not np.any(image > 0):
                kwargs["vmax"] = 1.0  # every input switched off: all dark
        self.im_ = ax.imshow(image, **kwargs)
        ax.set_xticks([])
        ax.set_yticks([])
        self.colorbar_ = None
        self.threshold_line_ = None
        if colorbar:
            self.colorbar_ = ax.figure.colorbar(
                self.im_, ax=ax, extend="min" if log_scale else "neither"
            )
            self.colorbar_.set_label("relevance")
            if self.threshold is not None:
                self.threshold_line_ = self.colorbar_.ax.axhline(
                    self.threshold, color="tab:red", linewidth=2
                )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        image_shape=None,
        threshold=None,
        ax=None,
        cmap="viridis",
        colorbar=True,
        log_scale=False,
    ):
        """Plot the relevance of a fitted model or selector as an image.

        Parameters
        ----------
        estimator : estimator
            A fitted spectral model, selector, or Pipeline ending in one;
            its ``feature_importances_`` are reshaped to ``image_shape``.
        image_shape : tuple of int or None, default=None
            ``(height, width)``; when None the features must form a square
            (e.g. 64 features for the 8x8 digits).
        threshold : float or None, default=None
            Threshold to mark on the colorbar; defaults to a selector's
            ``threshold_``.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        cmap : str or matplotlib.colors.Colormap, default="viridis"
            Colormap.
        colorbar : bool, default=True
            Whether to draw a colorbar.
        log_scale : bool, default=False
            Logarithmic colour scale.

        Returns
        -------
        display : RelevanceImageDisplay
            The drawn display.
        """
        importances = _importances_of(estimator)
        n_features = importances.size
        if image_shape is None:
            side = int(round(np.sqrt(n_features)))
            if side * side != n_features:
                raise ValueError(
                    f"{n_features} features do not form a square image; pass "
                    "image_shape=(height, width)."
                )
            image_shape = (side, side)
        image_shape = tuple(int(s) for s in image_shape)
        if int(np.prod(image_shape)) != n_features:
            raise ValueError(
                f"image_shape={image_shape} does not hold {n_features} features."
            )
        if threshold is None:
            threshold = _selector_info(estimator)[0]
        display = cls(importances.reshape(image_shape), threshold=threshold)
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar, log_scale=log_scale)


# --------------------------------------------------------------------------- #
# eigenvalue histogram
# --------------------------------------------------------------------------- #
class EigenvalueHistogramDisplay:
    """Histogram of ``|eigenvalue|`` per layer on a logarithmic axis.

    A sparsity penalty separates the eigenvalues of used and unused nodes
    by orders of magnitude; on a log axis the gap is visible at a glance.
    Eigenvalues that are exactly zero (an L1 proximal step produces them)
    have no place on a log axis: they are counted separately and drawn as
    a bin labelled ``0`` left of the axis break, and their number is given
    in the legend.

    Parameters
    ----------
    eigenvalues : list of array-like
        One array of eigenvalues per layer.
    layer_names : list of str or None, default=None
        Legend label of each array; ``layer 0, layer 1, ...`` when None.
    zero_tol : float, default=0.0
        ``|eigenvalue| <= zero_tol`` counts as zero.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the histogram.
    figure_ : matplotlib.figure.Figure
        Figure containing the histogram.
    counts_ : list of ndarray
        Counts of the non-zero ``|eigenvalue|`` per bin, one array per layer.
    bin_edges_ : ndarray
        Logarithmically spaced bin edges shared by all layers.
    n_zeros_ : list of int
        Number of zero eigenvalues per layer.
    patches_ : list
        The histogram artists, one entry per layer.
    zero_bars_ : list of matplotlib.container.BarContainer
        The bars of the zero bin, one per layer (empty when no layer has a
        zero eigenvalue).

    See Also
    --------
    RelevanceDisplay : Relevance of the inputs.
    ArchitectureDisplay : The network drawn with its surviving neurons.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_spectral.plotting import EigenvalueHistogramDisplay
    >>> display = EigenvalueHistogramDisplay(
    ...     [[0.0, 0.0, 1e-4, 0.5, 0.8]], layer_names=["hidden 1"]
    ... ).plot()
    >>> display.n_zeros_, int(display.counts_[0].sum())
    ([2], 3)
    """

    def __init__(self, eigenvalues, *, layer_names=None, zero_tol=0.0):
        self.eigenvalues = eigenvalues
        self.layer_names = layer_names
        self.zero_tol = zero_tol

    def plot(self, ax=None, *, bins=30, histtype="stepfilled", alpha=0.5):
        """Draw the histogram.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        bins : int, default=30
            Number of logarithmic bins between the smallest and the largest
            non-zero ``|eigenvalue|``.
        histtype : {"bar", "step", "stepfilled"}, default="stepfilled"
            Passed to :meth:`matplotlib.axes.Axes.hist`.
        alpha : float, default=0.5
            Opacity of the histograms (they overlap).

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The object, with the artists stored as attributes.
        """
        ax = _get_ax(ax, "EigenvalueHistogramDisplay.plot")
        arrays = [np.abs(_to_numpy(e)).ravel() for e in self.eigenvalues]
        names = (
            [f"layer {k}" for k in range(len(arrays))]
            if self.layer_names is None
            else list(self.layer_names)
        )
        if len(names) != len(arrays):
            raise ValueError(
                f"{len(names)} layer_names for {len(arrays)} eigenvalue arrays."
            )
        zero = [a <= self.zero_tol for a in arrays]
        nonzero = [a[~z] for a, z in zip(arrays, zero)]
        self.n_zeros_ = [int(z.sum()) for z in zero]
        pooled = np.concatenate(nonzero) if nonzero else np.empty(0)
        if pooled.size:
            low, high = pooled.min(), pooled.max()
            if high <= low * 1.0001:
                low, high = low / 2.0, high * 2.0
            edges = np.geomspace(low, high, int(bins) + 1)
        else:
            edges = np.geomspace(1e-3, 1.0, int(bins) + 1)
        self.bin_edges_ = edges
        ax.set_xscale("log")
        colors = [f"C{k % 10}" for k in range(len(arrays))]
        self.counts_, self.patches_ = [], []
        for values, name, n_zero, color in zip(nonzero, names, self.n_zeros_, colors):
            label = f"{name} (n={values.size + n_zero}"
            label += f", {n_zero} exactly 0)" if n_zero else ")"
            counts, _, patches = ax.hist(
                values,
                bins=edges,
                histtype=histtype,
                alpha=alpha,
                color=color,
                edgecolor=color,
                label=label,
            )
            self.counts_.append(np.asarray(counts))
            self.patches_.append(patches)

        self.zero_bars_ = []
        if any(self.n_zeros_):
            # a separate bin one and a half decades left of the data, past a
            # dotted axis break, labelled "0"
            decades = np.log10(edges[-1] / edges[0])
            gap = 10 ** max(0.5, 0.15 * decades)
            right = edges[0] / gap
            left = right / gap
            center = np.sqrt(left * right)
            n_layers = len(arrays)
            sub = np.geomspace(left, right, n_layers + 1)
            for k, (n_zero, color) in enumerate(zip(self.n_zeros_, colors)):
                bars = ax.bar(
                    sub[k],
                    n_zero,
                    width=sub[k + 1] - sub[k],
                    align="edge",
                    color=color,
                    alpha=max(alpha, 0.7),
                    hatch="//",
                    edgecolor=color,
                )
                self.zero_bars_.append(bars)
            brk = np.sqrt(right * edges[0])
            ax.axvline(brk, color="0.3", linestyle=":", linewidth=1)
            ax.set_xlim(left / np.sqrt(gap), edges[-1] * 1.5)
            ticks = [t for t in ax.get_xticks() if brk < t <= edges[-1] * 1.5]
            labels = [f"$10^{{{int(round(np.log10(t)))}}}$" for t in ticks]
            ax.set_xticks([center, *ticks], labels=["0", *labels])
            ax.minorticks_off()
        from matplotlib.ticker import MaxNLocator, NullFormatter

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        # minor labels (2x10^-2, 3x10^-2, ...) collide on short ranges
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("|eigenvalue| (log scale)")
        ax.set_ylabel("count")
        ax.legend(loc="best", fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, zero_tol=0.0, ax=None, bins=30, histtype="stepfilled"
    ):
        """Plot the trained eigenvalues of a fitted estimator.

        For an auto-depth model (with ``hidden_eigenvalues_``) the hidden
        layers' eigenvalues are shown, one histogram per hidden layer.
        Otherwise every *trained* eigenvalue set of ``eigenvalues_`` is
        shown (with the default ``eigenvalues="in"``: one per source layer,
        the input layer first); fixed ones are left out.

        Parameters
        ----------
        estimator : estimator
            A fitted spectral model, selector, or Pipeline ending in one.
        zero_tol : float, default=0.0
            ``|eigenvalue| <= zero_tol`` counts as zero.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        bins : int, default=30
            Number of logarithmic bins.
        histtype : {"bar", "step", "stepfilled"}, default="stepfilled"
            Passed to :meth:`matplotlib.axes.Axes.hist`.

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The drawn display.
        """
        model = _model_of(estimator)
        hidden = getattr(model, "hidden_eigenvalues_", None)
        if hidden is not None and len(hidden):
            arrays = [_to_numpy(h) for h in hidden]
            names = [f"hidden {k}" for k in range(1, len(arrays) + 1)]
        elif hasattr(model, "eigenvalues_") and all(
            isinstance(pair, tuple) for pair in model.eigenvalues_
        ):
            arrays, names = _trained_eigenvalues(model)
        elif hasattr(model, "eigenvalues_"):
            # auto-depth without hidden layers: the output eigenvalues
            arrays = [_to_numpy(model.eigenvalues_[-1])]
            names = ["output"]
        else:
            raise TypeError(
                f"{type(model).__name__} has neither hidden_eigenvalues_ nor "
                "eigenvalues_."
            )
        display = cls(arrays, layer_names=names, zero_tol=zero_tol)
        return display.plot(ax=ax, bins=bins, histtype=histtype)

    @classmethod
    def from_network(
        cls,
        network,
        *,
        include_output=False,
        zero_tol=0.0,
        ax=None,
        bins=30,
        histtype="stepfilled",
    ):
        """Plot the hidden eigenvalues of a torch ``SparcsNetwork``.

        Parameters
        ----------
        network : sklearn_spectral.nn.sparcs.SparcsNetwork
            The network (trained or not).
        include_output : bool, default=False
            Also show the output layer's eigenvalues (the scale the hidden
            ones are compared to).
        zero_tol : float, default=0.0
            ``|eigenvalue| <= zero_tol`` counts as zero.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        bins : int, default=30
            Number of logarithmic bins.
        histtype : {"bar", "step", "stepfilled"}, default="stepfilled"
            Passed to :meth:`matplotlib.axes.Axes.hist`.

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The drawn display.
        """
        lams = [_to_numpy(lam) for lam in network.eigenvalues()]
        names = _node_names(len(lams))
        stop = len(lams) if include_output else len(lams) - 1
        display = cls(lams[1:stop], layer_names=names[1:stop], zero_tol=zero_tol)
        return display.plot(ax=ax, bins=bins, histtype=histtype)


def _trained_eigenvalues(model):
    """Trained eigenvalue arrays of a bipartite spectral MLP, with names."""
    pairs = [(_to_numpy(a), _to_numpy(b)) for a, b in model.eigenvalues_]
    names = _node_names(len(pairs) + 1)
    mode = getattr(model, "eigenvalues", None)
    arrays, labels = [], []
    for k, (lam_in, lam_out) in enumerate(pairs):
        use_in = mode in ("in", "both") or (mode is None and np.ptp(lam_in) > 0)
        use_out = mode in ("out", "both") or (mode is None and np.ptp(lam_out) > 0)
        suffix = mode == "both"
        if use_in:
            arrays.append(lam_in)
            labels.append(names[k] + (" (in)" if suffix else ""))
        if use_out:
            arrays.append(lam_out)
            labels.append(names[k + 1] + (" (out)" if suffix else ""))
    return arrays, labels


# --------------------------------------------------------------------------- #
# architecture
# --------------------------------------------------------------------------- #
class ArchitectureDisplay:
    """A SPARCS network drawn as layers of neurons with every skip connection.

    Nodes are the neurons, one column per layer (input on the left);
    inactive hidden neurons are grey (or hidden). Every direct-space block
    ``W[i, j]`` between active neurons is drawn, skip connections
    (``i - j > 1``) as arcs, with line width proportional to
    ``|w| / max |w|``; connections below ``weight_cutoff`` are left out, as
    in the SPARCS paper's Figure 15.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_in, h_1, ..., h_B, n_out)``.
    weights : dict
        ``{(i, j): W_ij}`` with ``W_ij`` of shape ``(N_i, N_j)``, the
        direct-space block from layer ``j`` to layer ``i`` (as returned by
        ``SparcsNetwork.blocks()``); tensors or arrays.
    active : list of array-like of bool or None, default=None
        One mask per hidden layer (as ``SparcsNetwork.active_masks()``);
        every neuron is active when None. Output neurons are always active.
    input_active : array-like of bool of shape (n_in,) or None, default=None
        Which inputs are in use (e.g. ``feature_importances_ > 0``); all
        when None.
    layer_names : list of str or None, default=None
        Column titles; ``input, hidden 1, ..., output`` when None.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the drawing.
    figure_ : matplotlib.figure.Figure
        Figure containing the drawing.
    nodes_ : list of matplotlib.collections.PathCollection
        One scatter per layer; its offsets are the drawn neurons.
    edges_ : dict
        ``{(i, j): LineCollection}`` for every block with at least one
        drawn connection; ``len(edges_[i, j].get_segments())`` is the
        number of drawn connections.
    n_edges_ : dict
        ``{(i, j): int}`` number of drawn connections of every block.

    See Also
    --------
    PruningCurveDisplay : How much removing neurons costs.
    EigenvalueHistogramDisplay : The eigenvalues that decide which neurons
        are active.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import torch
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork
    >>> from sklearn_spectral.plotting import ArchitectureDisplay
    >>> net = SparcsNetwork((2, 5, 1), generator=torch.Generator().manual_seed(0))
    >>> display = ArchitectureDisplay.from_network(net)
    >>> sorted(display.edges_)  # a fresh SPARCS net is a perceptron
    [(2, 0)]
    """

    def __init__(
        self, layer_sizes, weights, *, active=None, input_active=None, layer_names=None
    ):
        self.layer_sizes = layer_sizes
        self.weights = weights
        self.active = active
        self.input_active = input_active
        self.layer_names = layer_names

    def plot(
        self,
        ax=None,
        *,
        show_inactive=True,
        weight_cutoff=0.01,
        max_linewidth=3.0,
        node_size=None,
    ):
        """Draw the network.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        show_inactive : bool, default=True
            Draw inactive hidden neurons in grey; when False they are left
            out and the active ones re-spaced.
        weight_cutoff : float, default=0.01
            Connections with ``|w| < weight_cutoff * max |w|`` are not drawn.
        max_linewidth : float, default=3.0
            Line width of the strongest connection.
        node_size : float or None, default=None
            Marker area of the neurons; chosen from the largest layer when
            None.

        Returns
        -------
        display : ArchitectureDisplay
            The object, with the artists stored as attributes.
        """
        ax = _get_ax(ax, "ArchitectureDisplay.plot", figsize=(7.0, 4.8))
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D

        sizes = [int(s) for s in self.layer_sizes]
        n_layers = len(sizes)
        weights = {
            (int(i), int(j)): np.abs(_to_numpy(w)) for (i, j), w in self.weights.items()
        }
        masks = [
            np.ones(sizes[0], dtype=bool)
            if self.input_active is None
            else np.asarray(self.input_active, dtype=bool)
        ]
        hidden_masks = (
            [np.ones(n, dtype=bool) for n in sizes[1:-1]]
            if self.active is None
            else [np.asarray(_to_numpy(m), dtype=bool) for m in self.active]
        )
        if len(hidden_masks) != n_layers - 2:
            raise ValueError(
                f"active has {len(hidden_masks)} masks for {n_layers - 2} hidden "
                "layers."
            )
        masks += hidden_masks + [np.ones(sizes[-1], dtype=bool)]
        names = _node_names(n_layers) if self.layer_names is None else self.layer_names

        # node positions: layer i at x = i, neurons centred on y = 0
        shown = [np.ones_like(m) if show_inactive else m for m in masks]
        tallest = max(max(int(s.sum()) for s in shown), 1)
        positions = []
        for s in shown:
            y = np.full(s.size, np.nan)
            n = int(s.sum())
            if n:
                # small layers are spread at most 0.4 apart, large ones fill
                # [-1, 1]
                half = min(1.0, 0.2 * (n - 1))
                y[s] = np.linspace(half, -half, n)
            positions.append(y)
        if node_size is None:
            node_size = float(np.clip((160.0 / tallest) ** 2, 4.0, 100.0))

        w_max = max((w.max() for w in weights.values() if w.size), default=0.0)
        self.edges_, self.n_edges_ = {}, {}
        span_colors = {}
        for (i, j), w in sorted(weights.items(), key=lambda kv: kv[0][0] - kv[0][1]):
            if w_max <= 0:
                break
            keep = (w >= weight_cutoff * w_max) & masks[i][:, None] & masks[j][None, :]
            rows, cols = np.nonzero(keep)
            self.n_edges_[(i, j)] = int(rows.size)
            if not rows.size:
                continue
            span = i - j
            segs = [
                _edge_path(j, positions[j][c], i, positions[i][r], span)
                for r, c in zip(rows, cols)
            ]
            color = "0.35" if span == 1 else f"C{(span - 1) % 10}"
            span_colors[span] = color
            lc = LineCollection(
                segs,
                linewidths=max_linewidth * w[rows, cols] / w_max,
                colors=color,
                alpha=0.6,
                zorder=1,
            )
            ax.add_collection(lc)
            self.edges_[(i, j)] = lc

        self.nodes_ = []
        for k, (y, m, s) in enumerate(zip(positions, masks, shown)):
            idx = np.flatnonzero(s)
            on_color = "0.2" if k in (0, n_layers - 1) else _ACTIVE_COLOR
            face = np.where(m[idx], on_color, _INACTIVE_COLOR)
            self.nodes_.append(
                ax.scatter(
                    np.full(idx.size, float(k)),
                    y[idx],
                    s=node_size,
                    c=list(face),
                    edgecolors="0.2",
                    linewidths=0.5,
                    zorder=3,
                )
            )
        labels = []
        for k, (name, m) in enumerate(zip(names, masks)):
            if 0 < k < n_layers - 1 or not m.all():
                labels.append(f"{name}\n{int(m.sum())}/{m.size} active")
            else:
                labels.append(f"{name}\n{m.size}")
        ax.set_xticks(range(n_layers), labels=labels)
        ax.tick_params(axis="x", length=0)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        # room for the arcs of the skip connections and for the legend
        arc_room = 0.5 * 0.35 * max(n_layers - 2, 0)  # top of the longest arc
        ax.set_ylim(-1.1, 1.1 + arc_room + 0.45)
        ax.set_xlim(-0.4, n_layers - 0.6)
        handles = []
        for span in sorted(span_colors):
            label = "adjacent layers" if span == 1 else f"skip over {span - 1} layer"
            label += "s" if span > 2 else ""
            handles.append(Line2D([], [], color=span_colors[span], label=label))
        if any(not m.all() for m in masks) and show_inactive:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=_INACTIVE_COLOR,
                    markeredgecolor="0.2",
                    label="inactive neuron",
                )
            )
        if handles:
            ax.legend(
                handles=handles,
                loc="upper center",
                ncols=min(len(handles), 3),
                fontsize="small",
                frameon=False,
            )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_network(
        cls,
        network,
        *,
        rtol=1e-2,
        input_gate=None,
        ax=None,
        show_inactive=True,
        weight_cutoff=0.01,
        max_linewidth=3.0,
    ):
        """Draw a torch ``SparcsNetwork``.

        Parameters
        ----------
        network : sklearn_spectral.nn.sparcs.SparcsNetwork
            The network; its ``blocks()`` give the connections and
            ``active_masks(rtol)`` the active neurons.
        rtol : float, default=1e-2
            Relative eigenvalue threshold of ``active_masks``.
        input_gate : array-like of shape (n_in,) or None, default=None
            Per-input gate ``g`` applied before the network (``x -> g * x``,
            the auto-depth estimators' input eigenvalues): the weights
            leaving input ``j`` are scaled by ``g_j`` and inputs with
            ``g_j = 0`` are drawn inactive.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        show_inactive : bool, default=True
            Draw inactive hidden neurons in grey.
        weight_cutoff : float, default=0.01
            Relative cut below which connections are not drawn.
        max_linewidth : float, default=3.0
            Line width of the strongest connection.

        Returns
        -------
        display : ArchitectureDisplay
            The drawn display.
        """
        import torch

        with torch.no_grad():
            blocks = {key: _to_numpy(w) for key, w in network.blocks().items()}
            masks = [_to_numpy(m).astype(bool) for m in network.active_masks(rtol)]
        input_active = None
        if input_gate is not None:
            gate = _to_numpy(input_gate)
            blocks = {
                (i, j): w * gate[None, :] if j == 0 else w
                for (i, j), w in blocks.items()
            }
            input_active = gate != 0
        display = cls(
            network.layer_sizes, blocks, active=masks, input_active=input_active
        )
        return display.plot(
            ax=ax,
            show_inactive=show_inactive,
            weight_cutoff=weight_cutoff,
            max_linewidth=max_linewidth,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        rtol=1e-2,
        ax=None,
        show_inactive=True,
        weight_cutoff=0.01,
        max_linewidth=3.0,
    ):
        """Draw the network of an estimator fitted with ``auto_depth=True``.

        Parameters
        ----------
        estimator : estimator
            A fitted spectral model (or selector, or Pipeline ending in
            one) whose torch module ``net_.module_`` is a SPARCS network.
        rtol : float, default=1e-2
            Relative eigenvalue threshold of the active neurons.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        show_inactive : bool, default=True
            Draw inactive hidden neurons in grey.
        weight_cutoff : float, default=0.01
            Relative cut below which connections are not drawn.
        max_linewidth : float, default=3.0
            Line width of the strongest connection.

        Returns
        -------
        display : ArchitectureDisplay
            The drawn display.
        """
        model = _model_of(estimator)
        network, gate = _sparcs_module(model)
        return cls.from_network(
            network,
            rtol=rtol,
            input_gate=gate,
            ax=ax,
            show_inactive=show_inactive,
            weight_cutoff=weight_cutoff,
            max_linewidth=max_linewidth,
        )


def _sparcs_module(model):
    module = getattr(getattr(model, "net_", None), "module_", None)
    gate = getattr(module, "gate", None)
    for candidate in (module, getattr(module, "sparcs", None)):
        if candidate is not None and hasattr(candidate, "active_masks"):
            return candidate, gate
    raise TypeError(
        f"{type(model).__name__} was not fitted with auto_depth=True: its "
        "network has no SPARCS structure to draw."
    )


def _edge_path(x0, y0, x1, y1, span, n_points=16):
    """Straight segment for adjacent layers, an upward arc for skips."""
    if span == 1:
        return np.array([[x0, y0], [x1, y1]])
    t = np.linspace(0.0, 1.0, n_points)[:, None]
    lift = 0.35 * (span - 1)
    start, end = np.array([x0, y0]), np.array([x1, y1])
    control = np.array([(x0 + x1) / 2.0, max(y0, y1) + lift])
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


# --------------------------------------------------------------------------- #
# pruning curve
# --------------------------------------------------------------------------- #
class PruningCurveDisplay:
    """Relative loss increase against the number of active neurons.

    Hidden neurons are removed in order of increasing eigenvalue; the curve
    stays flat while unused neurons go and rises sharply once fewer neurons
    remain than the task needs (the teacher-student poster, the SPARCS
    paper's Figure 10). The smallest network within the tolerance is
    marked.

    Parameters
    ----------
    n_active : array-like of shape (n_points,)
        Number of active hidden neurons after each pruning step.
    loss_increase : array-like of shape (n_points,)
        Relative increase of the validation loss at each step,
        ``(loss - loss_full) / loss_full``.
    tol : float or None, default=None
        Tolerated relative increase, drawn as a horizontal line.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the curve.
    figure_ : matplotlib.figure.Figure
        Figure containing the curve.
    line_ : matplotlib.lines.Line2D
        The curve.
    tol_line_ : matplotlib.lines.Line2D or None
        The tolerance line.
    selected_line_ : matplotlib.lines.Line2D or None
        Vertical line at ``n_selected_``.
    n_selected_ : int or None
        Fewest active neurons whose loss increase is within ``tol``.

    See Also
    --------
    ArchitectureDisplay : The network that remains.
    EigenvalueHistogramDisplay : The eigenvalues that order the pruning.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_spectral.plotting import PruningCurveDisplay
    >>> curve = {"n_active": [8, 6, 4, 3, 2, 1],
    ...          "loss_increase": [0.0, 0.0, 0.01, 0.02, 0.6, 2.0]}
    >>> display = PruningCurveDisplay.from_curve(curve, tol=0.05)
    >>> display.n_selected_
    3
    """

    def __init__(self, n_active, loss_increase, *, tol=None):
        self.n_active = n_active
        self.loss_increase = loss_increase
        self.tol = tol

    def plot(self, ax=None, *, log_scale="auto", line_kw=None):
        """Draw the pruning curve.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        log_scale : bool or "auto", default="auto"
            Symmetric-log y axis (linear below a tenth of ``tol``), for
            curves whose rise spans orders of magnitude; ``"auto"`` uses it
            when the largest increase exceeds 20 times ``tol``.
        line_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : PruningCurveDisplay
            The object, with the artists stored as attributes.
        """
        ax = _get_ax(ax, "PruningCurveDisplay.plot")
        from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

        n_active = np.asarray(self.n_active, dtype=np.float64)
        increase = np.asarray(self.loss_increase, dtype=np.float64)
        if n_active.shape != increase.shape:
            raise ValueError(
                f"n_active {n_active.shape} and loss_increase {increase.shape} "
                "differ in shape."
            )
        order = np.argsort(n_active, kind="stable")
        line_kw = {"marker": "o", "markersize": 4, **(line_kw or {})}
        (self.line_,) = ax.plot(n_active[order], increase[order], **line_kw)
        self.tol_line_ = None
        self.selected_line_ = None
        self.n_selected_ = None
        if self.tol is not None:
            self.tol_line_ = ax.axhline(
                self.tol,
                color="0.5",
                linewidth=2.5,
                alpha=0.7,
                label=f"tolerance {self.tol:.0%}",
            )
            within = n_active[increase <= self.tol]
            if within.size:
                self.n_selected_ = int(within.min())
                self.selected_line_ = ax.axvline(
                    self.n_selected_,
                    color="tab:red",
                    linestyle="--",
                    linewidth=1.5,
                    label=f"smallest within tolerance: {self.n_selected_}",
                )
            ax.legend(loc="upper right")
        tol = 0.01 if self.tol is None else max(float(self.tol), 1e-6)
        if log_scale == "auto":
            log_scale = bool(np.nanmax(increase, initial=0.0) > 20 * tol)
        if log_scale:
            # linear within +-tol, where the curve meets the tolerance line
            ax.set_yscale("symlog", linthresh=tol)
            low = min(0.0, np.nanmin(increase, initial=0.0))
            ax.set_ylim(bottom=low - 0.2 * tol)
            ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        else:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("active hidden neurons")
        ax.set_ylabel("relative loss increase")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_curve(cls, curve, *, tol=None, ax=None, log_scale="auto", line_kw=None):
        """Plot a pruning curve given as a dictionary.

        Parameters
        ----------
        curve : dict
            With keys ``"n_active"`` and ``"loss_increase"`` (arrays of the
            same length) and optionally ``"tol"``.
        tol : float or None, default=None
            Tolerance line; defaults to ``curve["tol"]`` when present.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        log_scale : bool or "auto", default="auto"
            Symmetric-log y axis; see :meth:`plot`.
        line_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : PruningCurveDisplay
            The drawn display.
        """
        missing = {"n_active", "loss_increase"} - set(curve)
        if missing:
            raise ValueError(f"curve lacks the keys {sorted(missing)}.")
        if tol is None:
            tol = curve.get("tol")
        display = cls(curve["n_active"], curve["loss_increase"], tol=tol)
        return display.plot(ax=ax, log_scale=log_scale, line_kw=line_kw)

    @classmethod
    def from_estimator(
        cls, estimator, *, tol=None, ax=None, log_scale="auto", line_kw=None
    ):
        """Plot the ``pruning_curve_`` of an estimator after ``prune``.

        Parameters
        ----------
        estimator : estimator
            A spectral model on which ``prune(X_val, y_val)`` was called,
            or a Pipeline ending in one.
        tol : float or None, default=None
            Tolerance line; defaults to the curve's ``"tol"`` entry or to the
            estimator's ``pruning_tol_`` when present.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        log_scale : bool or "auto", default="auto"
            Symmetric-log y axis; see :meth:`plot`.
        line_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : PruningCurveDisplay
            The drawn display.
        """
        model = _model_of(estimator)
        curve = getattr(model, "pruning_curve_", None)
        if curve is None:
            raise ValueError(
                f"{type(model).__name__} has no pruning_curve_: call "
                "prune(X_val, y_val) first."
            )
        if tol is None:
            tol = curve.get("tol", getattr(model, "pruning_tol_", None))
        return cls.from_curve(
            curve, tol=tol, ax=ax, log_scale=log_scale, line_kw=line_kw
        )


def _percent(value, _pos=None):
    """Tick label ``value`` (a fraction) as a percentage, ``0.05 -> "5%"``."""
    percent = 100 * value
    if abs(percent) >= 1:
        return f"{percent:,.0f}%"
    return f"{percent:.2g}%"
