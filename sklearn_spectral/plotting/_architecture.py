"""ArchitectureDisplay: a SPARCS network with its active neurons and skips."""

import numpy as np

from ._helpers import (
    ACTIVE_COLOR,
    ACTIVE_RTOL,
    INACTIVE_COLOR,
    fill_defaults,
    fitted_network,
    get_ax,
    model_of,
    node_names,
    to_numpy,
)


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

    def _masks(self, sizes):
        """Activity mask of every layer, input first, output all active."""
        masks = [
            np.ones(sizes[0], dtype=bool)
            if self.input_active is None
            else np.asarray(self.input_active, dtype=bool)
        ]
        hidden = (
            [np.ones(n, dtype=bool) for n in sizes[1:-1]]
            if self.active is None
            else [np.asarray(to_numpy(m), dtype=bool) for m in self.active]
        )
        if len(hidden) != len(sizes) - 2:
            raise ValueError(
                f"active has {len(hidden)} masks for {len(sizes) - 2} hidden layers."
            )
        return masks + hidden + [np.ones(sizes[-1], dtype=bool)]

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
            Connections with ``|w| < weight_cutoff * max |w|`` are not drawn
            (a drawing choice, independent of the activity threshold).
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
        ax = get_ax(ax, "ArchitectureDisplay.plot", figsize=(7.0, 4.8))
        from matplotlib.collections import LineCollection

        sizes = [int(s) for s in self.layer_sizes]
        n_layers = len(sizes)
        weights = {
            (int(i), int(j)): np.abs(to_numpy(w)) for (i, j), w in self.weights.items()
        }
        masks = self._masks(sizes)
        names = node_names(n_layers) if self.layer_names is None else self.layer_names

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
            on_color = "0.2" if k in (0, n_layers - 1) else ACTIVE_COLOR
            face = np.where(m[idx], on_color, INACTIVE_COLOR)
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
        self._decorate(ax, names, masks, span_colors, show_inactive)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @staticmethod
    def _decorate(ax, names, masks, span_colors, show_inactive):
        """Layer titles with their active counts, limits and the legend."""
        from matplotlib.lines import Line2D

        n_layers = len(masks)
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
                    markerfacecolor=INACTIVE_COLOR,
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

    @classmethod
    @fill_defaults
    def from_network(
        cls,
        network,
        *,
        rtol=ACTIVE_RTOL,
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
        rtol : float, default={ACTIVE_RTOL}
            Relative eigenvalue threshold of ``active_masks``; the default
            is the estimators' activity rule (``architecture_``).
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
            blocks = {key: to_numpy(w) for key, w in network.blocks().items()}
            masks = [to_numpy(m).astype(bool) for m in network.active_masks(rtol)]
        input_active = None
        if input_gate is not None:
            gate = to_numpy(input_gate)
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
    @fill_defaults
    def from_estimator(
        cls,
        estimator,
        *,
        rtol=ACTIVE_RTOL,
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
            one) whose trained torch module ``network_`` is a SPARCS network
            (a ``GatedSparcsNetwork``: its ``sparcs`` network behind its
            input ``gate``).
        rtol : float, default={ACTIVE_RTOL}
            Relative eigenvalue threshold of the active neurons; the default
            is the estimators' activity rule (``architecture_``).
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
        model = model_of(estimator)
        network, gate = _sparcs_of(model)
        return cls.from_network(
            network,
            rtol=rtol,
            input_gate=gate,
            ax=ax,
            show_inactive=show_inactive,
            weight_cutoff=weight_cutoff,
            max_linewidth=max_linewidth,
        )


def _sparcs_of(model):
    """``(SparcsNetwork, input gate or None)`` of a fitted auto-depth model."""
    module = fitted_network(model)
    gate = getattr(module, "gate", None)
    for candidate in (getattr(module, "sparcs", None), module):
        if candidate is not None and hasattr(candidate, "blocks"):
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
