"""RelevanceDisplay: the global input relevance as a sorted bar chart."""

import numpy as np

from ._helpers import (
    ACTIVE_COLOR,
    default_names,
    feature_names_of,
    get_ax,
    importances_of,
    merge_style,
    selector_info,
    uncertainty_of,
)


class RelevanceDisplay:
    """Sorted bar chart of the global input relevance.

    Use :meth:`from_estimator` for one fitted model or selector and
    :meth:`from_estimators` for several fits (e.g. the estimators returned
    by :func:`~sklearn.model_selection.cross_validate`), which adds error
    bars. The bars are horizontal, the most relevant feature on top. A fit
    that measured its own uncertainty (a selector with refits, exposing
    ``importances_std_`` and ``selection_frequencies_``) gets its error bars
    and its selection frequencies drawn by :meth:`from_estimator`.

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
    selection_frequencies : array-like of shape (n_features,) or None, \
            default=None
        Fraction of refits that selected each feature, in ``[0, 1]``; drawn
        as markers against a second horizontal axis on top.

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
    frequency_ax_ : matplotlib.axes.Axes or None
        The second axis (selection frequency, on top), when
        ``selection_frequencies`` is given.
    frequency_markers_ : matplotlib.lines.Line2D or None
        The selection-frequency markers, in plotting order.
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
    >>> from sklearn_spectral import SpectralFeatureSelector
    >>> from sklearn_spectral.plotting import RelevanceDisplay
    >>> X, y = make_classification(n_samples=300, n_features=8, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    >>> display = RelevanceDisplay.from_estimator(selector)
    >>> len(display.bars_)
    8

    Uncertainty from refits, given directly:

    >>> display = RelevanceDisplay(
    ...     [0.5, 0.3, 0.2], importances_std=[0.05, 0.1, 0.02],
    ...     selection_frequencies=[1.0, 0.9, 0.1],
    ... ).plot()
    >>> display.frequency_markers_.get_xdata().tolist()
    [1.0, 0.9, 0.1]
    """

    def __init__(
        self,
        importances,
        *,
        feature_names=None,
        importances_std=None,
        threshold=None,
        support=None,
        selection_frequencies=None,
    ):
        self.importances = importances
        self.feature_names = feature_names
        self.importances_std = importances_std
        self.threshold = threshold
        self.support = support
        self.selection_frequencies = selection_frequencies

    def _validated(self):
        """``(values, names, std, frequencies)`` as checked arrays."""
        values = np.asarray(self.importances, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"importances must be 1-D, got shape {values.shape}.")
        n_features = values.shape[0]
        names = (
            default_names(n_features)
            if self.feature_names is None
            else np.asarray(self.feature_names, dtype=object)
        )
        std = freq = None
        if self.importances_std is not None:
            std = np.asarray(self.importances_std, dtype=np.float64)
            if std.shape != values.shape:
                raise ValueError(
                    f"importances_std has shape {std.shape}, importances "
                    f"{values.shape}; one standard deviation per feature is needed."
                )
        if self.selection_frequencies is not None:
            freq = np.asarray(self.selection_frequencies, dtype=np.float64)
            if freq.shape != values.shape:
                raise ValueError(
                    f"selection_frequencies has shape {freq.shape}, importances "
                    f"{values.shape}; one frequency per feature is needed."
                )
            if not np.all((freq >= 0) & (freq <= 1)):
                raise ValueError("selection_frequencies must lie in [0, 1].")
        return values, names, std, freq

    def plot(
        self,
        ax=None,
        *,
        sort=True,
        max_features=None,
        log_scale=False,
        bar_kw=None,
        threshold_kw=None,
        errorbar_kw=None,
        frequency_kw=None,
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
            Keyword arguments for :meth:`matplotlib.axes.Axes.barh`; short
            aliases (``fc``, ``ec``, ``lw``) override the defaults.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold line
            (:meth:`matplotlib.axes.Axes.axvline`).
        errorbar_kw : dict or None, default=None
            Keyword arguments for the error bars
            (:meth:`matplotlib.axes.Axes.errorbar`).
        frequency_kw : dict or None, default=None
            Keyword arguments for the selection-frequency markers
            (:meth:`matplotlib.axes.Axes.plot`).

        Returns
        -------
        display : RelevanceDisplay
            The object, with the artists stored as attributes.
        """
        ax = get_ax(ax, "RelevanceDisplay.plot")
        values, names, std, freq = self._validated()
        n_features = values.shape[0]
        support = self.support
        if support is None and self.threshold is not None:
            support = values >= self.threshold
        order = np.argsort(-values, kind="stable") if sort else np.arange(n_features)
        if max_features is not None:
            order = order[: int(max_features)]
        positions = np.arange(order.size)[::-1]  # first plotted on top

        colors = [ACTIVE_COLOR] * order.size
        if support is not None:
            support = np.asarray(support, dtype=bool)
            colors = [ACTIVE_COLOR if support[j] else "0.65" for j in order]
        bar_kw = merge_style({"color": colors, "height": 0.7}, bar_kw)
        self.bars_ = ax.barh(positions, values[order], **bar_kw)
        self.errorbars_ = None
        if std is not None:
            errorbar_kw = merge_style(
                {"fmt": "none", "ecolor": "k", "elinewidth": 1, "capsize": 2},
                errorbar_kw,
            )
            self.errorbars_ = ax.errorbar(
                values[order], positions, xerr=std[order], **errorbar_kw
            )
        ax.set_yticks(positions, labels=[str(n) for n in names[order]])
        ax.set_ylim(-0.6, order.size - 0.4)
        if log_scale:
            self._log_axis(ax, values, std, order, positions)
        else:
            ax.set_xlim(left=0)

        handles = []
        self.threshold_line_ = None
        if self.threshold is not None:
            threshold_kw = merge_style(
                {
                    "color": "tab:red",
                    "linestyle": "--",
                    "linewidth": 1.5,
                    "label": f"threshold = {self.threshold:.3g}",
                },
                threshold_kw,
            )
            self.threshold_line_ = ax.axvline(self.threshold, **threshold_kw)
            if support is not None:
                n_sel = int(np.sum(support))
                self.threshold_line_.set_label(
                    f"{threshold_kw['label']} ({n_sel} of {support.size} kept)"
                )
            handles.append(self.threshold_line_)

        self.frequency_ax_ = None
        self.frequency_markers_ = None
        if freq is not None:
            # a second x axis on top: frequencies live in [0, 1] whatever the
            # relevance scale (linear or log) below
            self.frequency_ax_ = ax.twiny()
            frequency_kw = merge_style(
                {
                    "linestyle": "",
                    "marker": "D",
                    "markersize": 5,
                    "color": "tab:orange",
                    "label": "selection frequency",
                },
                frequency_kw,
            )
            (self.frequency_markers_,) = self.frequency_ax_.plot(
                freq[order], positions, **frequency_kw
            )
            self.frequency_ax_.set_xlim(-0.02, 1.02)
            self.frequency_ax_.set_xlabel("selection frequency")
            handles.append(self.frequency_markers_)
        if handles:
            # one legend on top of both axes (the twin is drawn above ax)
            legend_ax = self.frequency_ax_ if freq is not None else ax
            legend_ax.legend(handles=handles, loc="lower right")
        ax.set_xlabel("relevance" + (" (log scale)" if log_scale else ""))
        ax.set_ylabel("feature")
        if order.size > 30:
            ax.tick_params(axis="y", labelsize="x-small")
        self.order_ = order
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _log_axis(self, ax, values, std, order, positions):
        """Log relevance axis that keeps the threshold in view, zeros marked."""
        positive = values[values > 0]
        ax.set_xscale("log")
        if not positive.size:
            return
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
        errorbar_kw=None,
        frequency_kw=None,
    ):
        """Plot the relevance of a fitted model, selector or pipeline.

        Parameters
        ----------
        estimator : estimator
            A fitted ``SpectralMLPClassifier``, ``SpectralMLPRegressor``,
            ``SpectralFeatureSelector`` (its ``threshold_`` is drawn and its
            selected features coloured), or a Pipeline ending in one of
            them; any estimator with ``feature_importances_`` works. When
            the final estimator has ``importances_std_`` they are drawn as
            error bars, and its ``selection_frequencies_`` as markers on a
            second axis.
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
        errorbar_kw : dict or None, default=None
            Keyword arguments for the error bars.
        frequency_kw : dict or None, default=None
            Keyword arguments for the selection-frequency markers.

        Returns
        -------
        display : RelevanceDisplay
            The drawn display.
        """
        importances = importances_of(estimator)
        names = feature_names_of(estimator, importances.size, feature_names)
        selector_threshold, support = selector_info(estimator)
        if threshold is not None:
            support = importances >= threshold
        else:
            threshold = selector_threshold
        std, freq = uncertainty_of(estimator)
        display = cls(
            importances,
            feature_names=names,
            importances_std=std,
            threshold=threshold,
            support=support,
            selection_frequencies=freq,
        )
        return display.plot(
            ax=ax,
            sort=sort,
            max_features=max_features,
            log_scale=log_scale,
            bar_kw=bar_kw,
            threshold_kw=threshold_kw,
            errorbar_kw=errorbar_kw,
            frequency_kw=frequency_kw,
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
        errorbar_kw=None,
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
        errorbar_kw : dict or None, default=None
            Keyword arguments for the error bars.

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
        stacked = np.vstack([importances_of(est) for est in estimators])
        mean = stacked.mean(axis=0)
        std = stacked.std(axis=0)
        names = feature_names_of(estimators[0], mean.size, feature_names)
        if threshold is None:
            thresholds = [selector_info(est)[0] for est in estimators]
            if all(t is not None for t in thresholds):
                threshold = float(np.mean(thresholds))
        display = cls(
            mean, feature_names=names, importances_std=std, threshold=threshold
        )
        return display.plot(
            ax=ax,
            sort=sort,
            max_features=max_features,
            log_scale=log_scale,
            bar_kw=bar_kw,
            threshold_kw=threshold_kw,
            errorbar_kw=errorbar_kw,
        )
