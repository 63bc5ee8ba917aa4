"""EigenvalueHistogramDisplay: ``|eigenvalue|`` per layer on a log axis."""

import numpy as np

from ._helpers import get_ax, merge_style, model_of, node_names, to_numpy


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

    def plot(self, ax=None, *, bins=30, histtype="stepfilled", alpha=0.5, hist_kw=None):
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
        hist_kw : dict or None, default=None
            Further keyword arguments for :meth:`matplotlib.axes.Axes.hist`,
            applied to every layer (e.g. ``{"lw": 2}``).

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The object, with the artists stored as attributes.
        """
        ax = get_ax(ax, "EigenvalueHistogramDisplay.plot")
        from matplotlib.ticker import MaxNLocator, NullFormatter

        arrays = [np.abs(to_numpy(e)).ravel() for e in self.eigenvalues]
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
            style = merge_style(
                {
                    "histtype": histtype,
                    "alpha": alpha,
                    "color": color,
                    "edgecolor": color,
                    "label": label,
                },
                hist_kw,
            )
            counts, _, patches = ax.hist(values, bins=edges, **style)
            self.counts_.append(np.asarray(counts))
            self.patches_.append(patches)

        self.zero_bars_ = []
        if any(self.n_zeros_):
            self._zero_bin(ax, edges, colors, alpha)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        # minor labels (2x10^-2, 3x10^-2, ...) collide on short ranges
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("|eigenvalue| (log scale)")
        ax.set_ylabel("count")
        ax.legend(loc="best", fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _zero_bin(self, ax, edges, colors, alpha):
        """A bin labelled ``0`` past a dotted axis break left of the data."""
        # one and a half decades (at least half a decade) left of the data
        decades = np.log10(edges[-1] / edges[0])
        gap = 10 ** max(0.5, 0.15 * decades)
        right = edges[0] / gap
        left = right / gap
        center = np.sqrt(left * right)
        sub = np.geomspace(left, right, len(colors) + 1)
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

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        zero_tol=0.0,
        ax=None,
        bins=30,
        histtype="stepfilled",
        hist_kw=None,
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
        hist_kw : dict or None, default=None
            Further keyword arguments for :meth:`matplotlib.axes.Axes.hist`.

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The drawn display.
        """
        arrays, names = _fitted_eigenvalues(model_of(estimator))
        display = cls(arrays, layer_names=names, zero_tol=zero_tol)
        return display.plot(ax=ax, bins=bins, histtype=histtype, hist_kw=hist_kw)

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
        hist_kw=None,
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
        hist_kw : dict or None, default=None
            Further keyword arguments for :meth:`matplotlib.axes.Axes.hist`.

        Returns
        -------
        display : EigenvalueHistogramDisplay
            The drawn display.
        """
        lams = [to_numpy(lam) for lam in network.eigenvalues()]
        names = node_names(len(lams))
        stop = len(lams) if include_output else len(lams) - 1
        display = cls(lams[1:stop], layer_names=names[1:stop], zero_tol=zero_tol)
        return display.plot(ax=ax, bins=bins, histtype=histtype, hist_kw=hist_kw)


def _fitted_eigenvalues(model):
    """The eigenvalue arrays of a fitted model worth a histogram, with names.

    Auto-depth models expose ``hidden_eigenvalues_`` (one array per hidden
    layer); fixed-depth ones ``eigenvalues_`` as ``(lam_in, lam_out)`` per
    layer, of which the trained sets are shown. An auto-depth model grown
    no hidden layer shows its output eigenvalues.
    """
    hidden = getattr(model, "hidden_eigenvalues_", None)
    if hidden is not None and len(hidden):
        arrays = [to_numpy(h) for h in hidden]
        return arrays, [f"hidden {k}" for k in range(1, len(arrays) + 1)]
    eigenvalues = getattr(model, "eigenvalues_", None)
    if eigenvalues is None:
        raise TypeError(
            f"{type(model).__name__} has neither hidden_eigenvalues_ nor eigenvalues_."
        )
    if hidden is not None:  # auto-depth, no hidden layer: the output layer
        return [to_numpy(eigenvalues[-1][1])], ["output"]
    return _trained_pairs(model, eigenvalues)


def _trained_pairs(model, eigenvalues):
    """Trained arrays among the ``(lam_in, lam_out)`` pairs, with names."""
    pairs = [(to_numpy(a), to_numpy(b)) for a, b in eigenvalues]
    names = node_names(len(pairs) + 1)
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
