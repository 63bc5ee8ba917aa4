"""PruningCurveDisplay: the loss increase as hidden neurons are removed."""

import numpy as np

from ._helpers import get_ax, merge_style, model_of


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

    Style keywords take matplotlib's short aliases:

    >>> display = display.plot(line_kw={"ms": 8, "c": "k"})
    >>> display.line_.get_markersize()
    8.0
    """

    def __init__(self, n_active, loss_increase, *, tol=None):
        self.n_active = n_active
        self.loss_increase = loss_increase
        self.tol = tol

    def plot(
        self,
        ax=None,
        *,
        log_scale="auto",
        line_kw=None,
        tol_kw=None,
        selected_kw=None,
    ):
        """Draw the pruning curve.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        log_scale : bool or "auto", default="auto"
            Symmetric-log y axis (linear below ``tol``), for curves whose
            rise spans orders of magnitude; ``"auto"`` uses it when the
            largest increase exceeds 20 times ``tol``.
        line_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot`; short
            aliases (``ms``, ``lw``, ``c``, ``ls``) override the defaults.
        tol_kw : dict or None, default=None
            Keyword arguments for the tolerance line
            (:meth:`matplotlib.axes.Axes.axhline`).
        selected_kw : dict or None, default=None
            Keyword arguments for the line at the selected size
            (:meth:`matplotlib.axes.Axes.axvline`).

        Returns
        -------
        display : PruningCurveDisplay
            The object, with the artists stored as attributes.
        """
        ax = get_ax(ax, "PruningCurveDisplay.plot")
        from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

        n_active = np.asarray(self.n_active, dtype=np.float64)
        increase = np.asarray(self.loss_increase, dtype=np.float64)
        if n_active.shape != increase.shape:
            raise ValueError(
                f"n_active {n_active.shape} and loss_increase {increase.shape} "
                "differ in shape."
            )
        order = np.argsort(n_active, kind="stable")
        line_kw = merge_style({"marker": "o", "markersize": 4}, line_kw)
        (self.line_,) = ax.plot(n_active[order], increase[order], **line_kw)
        self.tol_line_ = None
        self.selected_line_ = None
        self.n_selected_ = None
        if self.tol is not None:
            tol_kw = merge_style(
                {
                    "color": "0.5",
                    "linewidth": 2.5,
                    "alpha": 0.7,
                    "label": f"tolerance {self.tol:.0%}",
                },
                tol_kw,
            )
            self.tol_line_ = ax.axhline(self.tol, **tol_kw)
            within = n_active[increase <= self.tol]
            if within.size:
                self.n_selected_ = int(within.min())
                selected_kw = merge_style(
                    {
                        "color": "tab:red",
                        "linestyle": "--",
                        "linewidth": 1.5,
                        "label": f"smallest within tolerance: {self.n_selected_}",
                    },
                    selected_kw,
                )
                self.selected_line_ = ax.axvline(self.n_selected_, **selected_kw)
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
    def from_curve(
        cls,
        curve,
        *,
        tol=None,
        ax=None,
        log_scale="auto",
        line_kw=None,
        tol_kw=None,
        selected_kw=None,
    ):
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
        tol_kw : dict or None, default=None
            Keyword arguments for the tolerance line.
        selected_kw : dict or None, default=None
            Keyword arguments for the line at the selected size.

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
        return display.plot(
            ax=ax,
            log_scale=log_scale,
            line_kw=line_kw,
            tol_kw=tol_kw,
            selected_kw=selected_kw,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        tol=None,
        ax=None,
        log_scale="auto",
        line_kw=None,
        tol_kw=None,
        selected_kw=None,
    ):
        """Plot the ``pruning_curve_`` of an estimator after ``prune``.

        Parameters
        ----------
        estimator : estimator
            A spectral model on which ``prune(X_val, y_val)`` was called,
            or a Pipeline ending in one.
        tol : float or None, default=None
            Tolerance line; defaults to ``pruning_curve_["tol"]``, the
            tolerance ``prune`` was called with.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        log_scale : bool or "auto", default="auto"
            Symmetric-log y axis; see :meth:`plot`.
        line_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot`.
        tol_kw : dict or None, default=None
            Keyword arguments for the tolerance line.
        selected_kw : dict or None, default=None
            Keyword arguments for the line at the selected size.

        Returns
        -------
        display : PruningCurveDisplay
            The drawn display.
        """
        model = model_of(estimator)
        curve = getattr(model, "pruning_curve_", None)
        if curve is None:
            raise ValueError(
                f"{type(model).__name__} has no pruning_curve_: call "
                "prune(X_val, y_val) first."
            )
        return cls.from_curve(
            curve,
            tol=tol,
            ax=ax,
            log_scale=log_scale,
            line_kw=line_kw,
            tol_kw=tol_kw,
            selected_kw=selected_kw,
        )


def _percent(value, _pos=None):
    """Tick label ``value`` (a fraction) as a percentage, ``0.05 -> "5%"``."""
    percent = 100 * value
    if abs(percent) >= 1:
        return f"{percent:,.0f}%"
    return f"{percent:.2g}%"
