"""Direct-space export of a trained SPARCS network, keeping surviving neurons.

Which hidden neurons can be removed exactly? Every block entering layer ``i``
starts with ``C[i]`` (``W[i, j] = +-C[i] phi[i-2] ... phi[j]``), so neuron ``k``
of layer ``i`` receives nothing from any earlier layer iff row ``k`` of ``C[i]``,
``phi[i-1][k, :] * (lam[i-1] - lam[i][k])``, is zero. Such a neuron outputs the
constant ``f(b_k)``, and adding ``W[m, i][:, k] * f(b_k)`` to the bias of every
later layer ``m`` removes it with no change in the output. Its *outgoing*
weights are generally not zero (``W[i+1, i][:, k] = phi[i][:, k] (lam[i][k] -
lam[i+1])`` and the longer skip products do not contain ``lam[i][k]`` at all),
so dropping a zero-eigenvalue neuron without folding its constant is not exact
once biases are non-zero.

:func:`export_dense` therefore walks the layers in order: kept neurons keep their
direct-space weights from every kept neuron of every earlier layer; a removed
neuron is replaced by ``f(effective bias)`` and folded into later biases. The
result is exact when the removed neurons' weights from kept neurons are zero
(zero effective eigenvalue, see ``SparcsNetwork.neuron_eigenvalues``) and
otherwise changes each later pre-activation by at most
``||W_out[:, k]|| * ||w_in[k]|| * ||inputs||`` per removed neuron (Lipschitz-1
activations).
"""

import torch
from torch import nn

from ._constants import ACTIVE_RTOL
from .activations import get_activation

__all__ = [
    "DenseSkipNetwork",
    "DirectSpaceMLP",
    "export_dense",
    "export_mlp",
    "export_network",
    "prune",
    "pruning_path",
    "ranked_masks",
    "smallest_within",
]

#: Largest number of sub-networks :func:`pruning_path` evaluates. Up to this
#: many neurons with a non-zero score every width is tried, so the selected
#: width is exact; beyond it a geometric grid of widths (all small widths,
#: then ever larger steps). On 4000 rows, 200 neurons (201 sub-networks of a
#: 10 -> 200 -> 1 ReLU network) took 0.5 s on one shared thread
#: (``SpectralMLPRegressor.prune`` in ``benchmarks/bench_poster.py``).
MAX_PRUNING_POINTS = 512


#: Output links an exported network can apply after its last layer.
OUTPUT_LINKS = ("identity", "exp")


class _AffineEnds:
    """Float64 input standardisation and output scaling around a network.

    An exported network computes ``g(out_scale * body((x - shift) / scale)
    + out_shift)`` where ``body`` is the direct-space network in its own
    dtype (float32 for the estimators) and both affine steps are computed in
    float64: folding them into the first and last weights in float32 loses
    the information of a column with a large offset (``1e6 + 0.01 z`` is
    one float32 level) and the digits of a target with one. ``g`` is the
    identity or ``exp`` (Poisson regression), applied after the output
    scaling. The input may be a float32 or float64 tensor; the output has
    the input's floating dtype.
    """

    def _init_ends(self, n_in, n_out):
        f64 = torch.float64
        self.register_buffer("input_shift", torch.zeros(n_in, dtype=f64))
        self.register_buffer("input_scale", torch.ones(n_in, dtype=f64))
        self.register_buffer("output_scale", torch.ones(n_out, dtype=f64))
        self.register_buffer("output_shift", torch.zeros(n_out, dtype=f64))
        self.output_link = "identity"
        self._affine_in = False
        self._affine_out = False

    @torch.no_grad()
    def set_input_scaling(self, shift, scale):
        """Standardise the inputs as ``(x - shift) / scale``, in float64.

        Parameters
        ----------
        shift : array-like of shape (n_in,)
            Subtracted from each input.
        scale : array-like of shape (n_in,)
            Positive divisor of each shifted input.

        Returns
        -------
        self : torch.nn.Module
            The network, for chaining.
        """
        self.input_shift.copy_(torch.as_tensor(shift, dtype=torch.float64))
        self.input_scale.copy_(torch.as_tensor(scale, dtype=torch.float64))
        self._affine_in = bool(
            (self.input_shift != 0).any() or (self.input_scale != 1).any()
        )
        return self

    @torch.no_grad()
    def set_output_scaling(self, scale, shift, link="identity"):
        """Map the last layer's output ``z`` to ``link(scale * z + shift)``.

        Parameters
        ----------
        scale : array-like of shape (n_out,)
            Multiplies each output.
        shift : array-like of shape (n_out,)
            Added to each scaled output.
        link : {"identity", "exp"}, default="identity"
            Applied last, in float64.

        Returns
        -------
        self : torch.nn.Module
            The network, for chaining.
        """
        if link not in OUTPUT_LINKS:
            raise ValueError(f"link must be one of {OUTPUT_LINKS}, got {link!r}.")
        self.output_scale.copy_(torch.as_tensor(scale, dtype=torch.float64))
        self.output_shift.copy_(torch.as_tensor(shift, dtype=torch.float64))
        self.output_link = link
        self._affine_out = link != "identity" or bool(
            (self.output_scale != 1).any() or (self.output_shift != 0).any()
        )
        return self

    def _into(self, x, dtype):
        n_in = self.input_shift.numel()
        if x.dim() == 0 or x.shape[-1] != n_in:
            # an estimator that encodes its columns (missing indicators,
            # one-hot categories) exports a network of its encoded inputs
            raise ValueError(
                f"The exported network takes rows of {n_in} inputs, got a "
                f"tensor of shape {tuple(x.shape)}. A fitted estimator with an "
                "encoder_ (missing values, categorical columns) exports the "
                "network of its encoded inputs: pass encoder_.transform(X)."
            )
        if not self._affine_in:
            return x.to(dtype)
        # the buffers' dtype: float64, unless moved to a device without it
        wide = x.to(self.input_shift.dtype)
        return ((wide - self.input_shift) / self.input_scale).to(dtype)

    def _out_of(self, z, like):
        out_dtype = like.dtype if like.is_floating_point() else z.dtype
        if not self._affine_out:
            return z.to(out_dtype)
        wide = z.to(self.output_scale.dtype) * self.output_scale + self.output_shift
        if self.output_link == "exp":
            wide = torch.exp(wide)
        return wide.to(out_dtype)


class DenseSkipNetwork(_AffineEnds, nn.Module):
    """Feed-forward network where every layer reads all earlier layers.

    Layer ``i`` computes ``f(linears[i-1](cat(a_0, ..., a_{i-1})))``, without
    ``f`` on the output layer; ``a_0`` is the input, standardised in float64
    when :meth:`set_input_scaling` was called (and the output scaled in
    float64 after :meth:`set_output_scaling`). Takes float32 or float64
    tensors and returns the input's dtype.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_in, h_1, ..., n_out)``, no zero widths.
    activation : str, default="relu"
        Hidden activation (see ``sklearn_spectral.nn.sparcs.get_activation``).
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.

    Attributes
    ----------
    linears : torch.nn.ModuleList of torch.nn.Linear
        ``linears[i - 1]`` maps the concatenated layers ``0..i-1`` to layer ``i``.

    See Also
    --------
    export_dense : Build one from a trained SPARCS network.
    prune : Build one with only the active neurons.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import DenseSkipNetwork
    >>> dense = DenseSkipNetwork((3, 4, 2))
    >>> [tuple(linear.weight.shape) for linear in dense.linears]
    [(4, 3), (2, 7)]
    >>> dense(torch.zeros(5, 3)).shape
    torch.Size([5, 2])
    >>> dense.hidden_layer_sizes, dense.n_parameters()
    ((4,), 32)
    """

    def __init__(self, layer_sizes, activation="relu", dtype=torch.float32):
        super().__init__()
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activation = activation
        self._f = get_activation(activation)
        fan_in = 0
        linears = []
        for n_prev, n in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            fan_in += n_prev
            linears.append(nn.Linear(fan_in, n, dtype=dtype))
        self.linears = nn.ModuleList(linears)
        self._init_ends(self.layer_sizes[0], self.layer_sizes[-1])

    @property
    def hidden_layer_sizes(self):
        """Widths of the hidden layers, ``()`` for a perceptron (tuple of int)."""
        return self.layer_sizes[1:-1]

    def forward(self, x):
        """Apply the network.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_out)
            Outputs of the (linear) output layer.
        """
        acts = self._into(x, self.linears[0].weight.dtype)
        for i, linear in enumerate(self.linears):
            pre = linear(acts)
            if i == len(self.linears) - 1:
                return self._out_of(pre, x)
            acts = torch.cat([acts, self._f(pre)], dim=1)
        return acts  # pragma: no cover

    def n_parameters(self):
        """Return the number of weights and biases.

        Returns
        -------
        int
            Total number of entries of every parameter.
        """
        return sum(p.numel() for p in self.parameters())


class DirectSpaceMLP(_AffineEnds, nn.Sequential):
    """``nn.Sequential`` of ``nn.Linear`` layers and activations, with float64 ends.

    Indexing, iteration and ``len`` are those of the sequence of layers;
    the input standardisation and output scaling (see
    :meth:`set_input_scaling`, :meth:`set_output_scaling`) are float64
    buffers applied before the first and after the last layer. Takes float32
    or float64 tensors (the layers run in their own dtype) and returns the
    input's dtype.

    Parameters
    ----------
    *layers : torch.nn.Module
        The layers, first to last.

    See Also
    --------
    DenseSkipNetwork : The same float64 ends around a network with every skip
        connection.
    export_network : Build one from an estimator's module.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import DirectSpaceMLP
    >>> net = DirectSpaceMLP(torch.nn.Linear(2, 1))
    >>> _ = net.set_input_scaling([1e6, 0.0], [0.01, 1.0])
    >>> x = torch.tensor([[1e6 + 0.01, 0.0]], dtype=torch.float64)
    >>> net(x).dtype, len(net)
    (torch.float64, 1)
    """

    def __init__(self, *layers):
        super().__init__(*layers)
        linears = [m for m in layers if isinstance(m, nn.Linear)]
        self._init_ends(linears[0].in_features, linears[-1].out_features)

    def forward(self, x):
        """Apply the network.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Raw inputs, float32 or float64.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_out)
            Outputs, of ``x``'s dtype.
        """
        z = self._into(x, self[0].weight.dtype)
        for layer in self:
            z = layer(z)
        return self._out_of(z, x)


@torch.no_grad()
def export_network(module, masks=None):
    """Direct-space export of a trained estimator's module, standardisation kept.

    The module's :class:`~sklearn_spectral.nn.layers.InputScaling` becomes the
    export's float64 input standardisation instead of being folded into the
    first weights (folding in float32 loses the digits of columns with a
    large offset); the direct-space weights act on standardised inputs.

    Parameters
    ----------
    module : SpectralMLP or GatedSparcs
        The fixed-depth network (``layers``, ``activation``,
        ``input_scaling``) or the gated SPARCS network (``sparcs``,
        ``gate``, ``input_scaling``).
    masks : list of bool tensors or None, default=None
        Hidden neurons to keep, one mask per hidden layer; None keeps all
        (for SPARCS: all not switched off).

    Returns
    -------
    DirectSpaceMLP or DenseSkipNetwork
        On the CPU, in the module's dtype, with the input scaling set.

    See Also
    --------
    export_mlp : The fixed-depth export it calls.
    export_dense : The SPARCS export it calls.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import export_network
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> module = SpectralMLP(3, (4,), 2, generator=torch.Generator().manual_seed(0))
    >>> module.input_scaling.set(torch.full((3,), 1e6), torch.ones(3))
    >>> x = torch.full((5, 3), 1e6 + 0.5, dtype=torch.float64)
    >>> torch.allclose(export_network(module)(x), module(x).double(), atol=1e-6)
    True
    """
    scaling = module.input_scaling
    if hasattr(module, "sparcs"):
        dense = module.sparcs.to_dense(masks).cpu()
        # one gate value per input (grouped inputs share their group's)
        node_gate = getattr(module, "node_gate", None)
        gate = (node_gate() if node_gate else module.gate).detach().cpu()
        n_in = gate.numel()
        for linear in dense.linears:
            linear.weight[:, :n_in] *= gate
    else:
        weights = [
            (layer.weight.detach(), None if layer.bias is None else layer.bias.detach())
            for layer in module.layers
        ]
        dense = export_mlp(weights, type(module.activation), masks)
    if scaling.active:
        dense.set_input_scaling(scaling.shift.cpu(), scaling.scale.cpu())
    return dense


@torch.no_grad()
def export_dense(net, masks=None):
    """Turn a SPARCS network into a :class:`DenseSkipNetwork`.

    Parameters
    ----------
    net : SparcsNetwork
        Trained network.
    masks : list of bool tensors or None, default=None
        One mask per hidden layer, True for neurons to keep; None keeps all.
        Layers with no kept neuron disappear; removed neurons are replaced by
        their constant ``f(bias)`` folded into later biases (exact for neurons
        with zero effective eigenvalue, see the module docstring).

    Returns
    -------
    DenseSkipNetwork
        Same dtype and activation as ``net``; for all-true masks its output
        equals ``net(x)`` up to rounding.

    See Also
    --------
    prune : Export keeping the neurons active at a threshold.
    sklearn_spectral.nn.sparcs.SparcsNetwork.active_masks : Masks of the
        neurons in use.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import export_dense
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork
    >>> gen = torch.Generator().manual_seed(0)
    >>> net = SparcsNetwork((3, 4, 2), generator=gen, hidden_eig_init=0.5)
    >>> x = torch.ones(5, 3)
    >>> dense = export_dense(net)
    >>> dense.layer_sizes
    (3, 4, 2)
    >>> torch.allclose(dense(x), net(x), atol=1e-6)
    True
    >>> export_dense(net, [torch.tensor([True, False, True, False])]).layer_sizes
    (3, 2, 2)
    """
    sizes = net.layer_sizes
    n_hidden = len(sizes) - 2
    if masks is None:
        masks = [torch.ones(n, dtype=torch.bool) for n in sizes[1:-1]]
    masks = [torch.as_tensor(m, dtype=torch.bool).cpu() for m in masks]
    if len(masks) != n_hidden or any(
        m.shape != (n,) for m, n in zip(masks, sizes[1:-1])
    ):
        raise ValueError("masks must hold one bool vector per hidden layer")
    masks = [torch.ones(sizes[0], dtype=torch.bool), *masks]
    masks.append(torch.ones(sizes[-1], dtype=torch.bool))
    blocks = {key: w.detach().cpu() for key, w in net.blocks().items()}
    f = get_activation(net.activation)
    dtype = blocks[(1, 0)].dtype
    biases = [
        torch.zeros(n, dtype=dtype)
        if net.bias is None
        else net.bias[i].detach().cpu().clone()
        for i, n in enumerate(sizes[1:])
    ]
    constants = [None]  # value of the removed neurons of each layer
    kept_layers = [0]
    weights = []  # per kept non-input layer: (rows) x (kept earlier neurons)
    for i in range(1, len(sizes)):
        b = biases[i - 1]
        for j in range(1, i):
            drop = ~masks[j]
            if drop.any():
                b = b + blocks[(i, j)][:, drop] @ constants[j]
        constants.append(f(b[~masks[i]]))
        keep = masks[i]
        if not keep.any():
            continue
        cols = [blocks[(i, j)][keep][:, masks[j]] for j in kept_layers]
        weights.append((torch.cat(cols, dim=1), b[keep]))
        kept_layers.append(i)
    dense_sizes = [int(masks[i].sum()) for i in kept_layers]
    dense = DenseSkipNetwork(dense_sizes, net.activation, dtype=dtype)
    for linear, (w, b) in zip(dense.linears, weights):
        linear.weight.copy_(w)
        linear.bias.copy_(b)
    device = net.phi[0].device
    return dense.to(device)


def prune(net, rtol=ACTIVE_RTOL):
    """Export ``net`` keeping only the neurons active at threshold ``rtol``.

    Parameters
    ----------
    net : SparcsNetwork
        Trained network.
    rtol : float, default=1e-2
        Relative threshold of ``SparcsNetwork.active_masks``.

    Returns
    -------
    DenseSkipNetwork
        Direct-space network with the active hidden neurons only; the
        inactive ones are folded into later biases.

    See Also
    --------
    export_dense : Export with explicit masks.
    sklearn_spectral.nn.sparcs.SparcsNetwork.architecture : Widths that
        survive the threshold.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import prune
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork
    >>> net = SparcsNetwork((3, 4, 2), generator=torch.Generator().manual_seed(0))
    >>> x = torch.ones(5, 3)
    >>> dense = prune(net)  # hidden eigenvalues start at 0: no neuron is active
    >>> dense.layer_sizes
    (3, 2)
    >>> torch.allclose(dense(x), net(x), atol=1e-6)
    True
    """
    return export_dense(net, net.active_masks(rtol))


@torch.no_grad()
def export_mlp(weights, activation, masks=None):
    """Direct-space ``nn.Sequential`` of a fixed-depth network, pruned by ``masks``.

    A removed hidden neuron is replaced by its output at zero input,
    ``f(b)``, folded into the next layer's bias: exact when its incoming
    weights (or its outgoing ones) vanish.

    Parameters
    ----------
    weights : list of tuple of torch.Tensor
        ``(W, b)`` of every layer, input first (``b`` may be None), as
        returned by ``SpectralMLP.dense_weights``.
    activation : type
        The hidden activation's ``nn.Module`` class.
    masks : list of bool tensors or None, default=None
        Hidden neurons to keep, one mask per hidden layer; None keeps all.

    Returns
    -------
    DirectSpaceMLP
        ``nn.Linear`` layers with the activation between them, on the CPU
        (an ``nn.Sequential``).

    See Also
    --------
    export_dense : The same for a SPARCS network.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import export_mlp
    >>> w = [(torch.ones(2, 3), torch.zeros(2)), (torch.ones(1, 2), None)]
    >>> export_mlp(w, torch.nn.ReLU, [torch.tensor([True, False])])
    DirectSpaceMLP(
      (0): Linear(in_features=3, out_features=1, bias=True)
      (1): ReLU()
      (2): Linear(in_features=1, out_features=1, bias=True)
    )
    """
    if masks is None:
        masks = [torch.ones(w.shape[0], dtype=torch.bool) for w, _ in weights[:-1]]
    layers = []
    keep_in = torch.ones(weights[0][0].shape[1], dtype=torch.bool)
    carry = None  # bias contribution of the neurons removed from layer k-1
    for k, (w, b) in enumerate(weights):
        w = w.cpu()
        b = torch.zeros(w.shape[0], dtype=w.dtype) if b is None else b.cpu()
        if carry is not None:
            dropped, constant = carry
            b = b + w[:, dropped] @ constant
        last = k == len(weights) - 1
        keep_out = torch.ones(w.shape[0], dtype=torch.bool) if last else masks[k].cpu()
        carry = (~keep_out, activation()(b[~keep_out]))
        layers.append(_linear_from(w[keep_out][:, keep_in], b[keep_out]))
        if not last:
            layers.append(activation())
        keep_in = keep_out
    return DirectSpaceMLP(*layers)


def _linear_from(weight, bias):
    """An ``nn.Linear`` holding copies of ``weight`` and ``bias``.

    No initialisation runs: torch's would be overwritten, and on a layer
    with every neuron removed (zero rows) it warns that initialising an
    empty tensor is a no-op.
    """
    linear = torch.nn.utils.skip_init(nn.Linear, 1, 1, dtype=weight.dtype)
    linear.out_features, linear.in_features = weight.shape
    linear.weight = nn.Parameter(weight.detach().clone())
    linear.bias = nn.Parameter(bias.detach().clone())
    return linear


def ranked_masks(scores, n_kept):
    """Keep the ``n_kept`` hidden neurons with the largest scores.

    Neurons are ranked across all hidden layers at once (ties by position),
    so the masks for increasing ``n_kept`` are nested: pruning removes
    neurons in order of increasing score.

    Parameters
    ----------
    scores : list of torch.Tensor
        One non-negative score per hidden neuron, one tensor per hidden layer.
    n_kept : int
        Number of neurons to keep, ``0 <= n_kept <= total``.

    Returns
    -------
    list of torch.Tensor of dtype bool
        One mask per hidden layer, on the CPU.

    See Also
    --------
    pruning_path : The loss for every number of kept neurons.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import ranked_masks
    >>> scores = [torch.tensor([0.5, 0.0, 2.0]), torch.tensor([1.0])]
    >>> [m.tolist() for m in ranked_masks(scores, 2)]
    [[False, False, True], [True]]
    """
    flat = torch.cat([torch.as_tensor(s).detach().cpu().reshape(-1) for s in scores])
    n_kept = int(n_kept)
    if not 0 <= n_kept <= flat.numel():
        raise ValueError(f"n_kept must be in [0, {flat.numel()}], got {n_kept}.")
    order = torch.argsort(-flat.double(), stable=True)
    keep = torch.zeros(flat.numel(), dtype=torch.bool)
    keep[order[:n_kept]] = True
    return list(torch.split(keep, [int(torch.as_tensor(s).numel()) for s in scores]))


@torch.no_grad()
def pruning_path(scores, loss_of, max_points=MAX_PRUNING_POINTS):
    """Loss of the network as hidden neurons are removed by increasing score.

    The teacher-student poster's experiment: the neurons are ranked by
    their relevance, the least relevant are removed first, and the loss of
    what remains is measured after each removal. Neurons whose score is
    exactly 0 are never kept (they fold exactly into later biases).

    Parameters
    ----------
    scores : list of torch.Tensor
        Score of every hidden neuron, one tensor per hidden layer.
    loss_of : callable
        ``loss_of(masks) -> float``: the loss of the sub-network that keeps
        the hidden neurons in ``masks`` (one bool tensor per layer).
    max_points : int, default=MAX_PRUNING_POINTS
        Evaluate every width from 0 to the number of neurons with a non-zero
        score when there are at most this many; else about this many widths
        on a geometric grid.

    Returns
    -------
    list of tuple
        ``(n_kept, rtol, loss, masks)`` by increasing ``n_kept``. ``rtol``
        is the largest relative threshold that keeps exactly those neurons
        (a neuron is kept when its score exceeds ``rtol`` times the largest:
        1.0 for none, 0.0 for every neuron with a non-zero score).

    See Also
    --------
    smallest_within : Pick the smallest width within a tolerance.
    ranked_masks : The masks of each width.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.export import pruning_path
    >>> scores = [torch.tensor([3.0, 0.0, 1.0, 2.0])]
    >>> path = pruning_path(scores, lambda masks: 4.0 - float(masks[0].sum()))
    >>> [(n, round(rtol, 2), loss) for n, rtol, loss, _ in path]
    [(0, 1.0, 4.0), (1, 0.67, 3.0), (2, 0.33, 2.0), (3, 0.0, 1.0)]
    """
    if int(max_points) < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}.")
    flat = torch.cat([torch.as_tensor(s).detach().cpu().reshape(-1) for s in scores])
    flat = flat.double()
    n_nonzero = int((flat > 0).sum())
    ranked = torch.sort(flat, descending=True).values
    top = float(ranked[0]) if ranked.numel() else 0.0
    if n_nonzero + 1 <= max_points:
        counts = range(n_nonzero + 1)
    else:
        grid = torch.logspace(
            0, torch.log10(torch.tensor(float(n_nonzero))), max_points
        )
        counts = sorted({0, n_nonzero, *(int(round(float(c))) for c in grid)})
    path = []
    for n_kept in counts:
        masks = ranked_masks(scores, n_kept)
        if n_kept == 0:
            rtol = 1.0
        elif n_kept < n_nonzero:  # the best removed neuron sits at the threshold
            rtol = float(ranked[n_kept]) / top
        else:
            rtol = 0.0
        path.append((n_kept, rtol, float(loss_of(masks)), masks))
    return path


def smallest_within(losses, base, tol):
    """Return the index of the first loss at most ``(1 + tol)`` times ``base``.

    With the losses of a :func:`pruning_path` (by increasing width), this is
    the smallest sub-network whose loss stays within a relative ``tol`` of
    the full network's ``base``: the poster's critical point, where the loss
    leaves its plateau as fewer neurons remain than the task needs.

    Parameters
    ----------
    losses : sequence of float
        Loss of each candidate, smallest network first.
    base : float
        Loss of the full network.
    tol : float
        Largest relative increase allowed, non-negative.

    Returns
    -------
    int
        Index into ``losses``; the last one when none is within ``tol``.

    See Also
    --------
    pruning_path : The losses it reads.

    Examples
    --------
    >>> from sklearn_spectral.nn.export import smallest_within
    >>> smallest_within([9.0, 2.0, 1.04, 1.0], base=1.0, tol=0.05)
    2
    """
    if not tol >= 0:
        raise ValueError(f"tol must be non-negative, got {tol}.")
    scale = max(abs(float(base)), torch.finfo(torch.float64).tiny)
    for i, loss in enumerate(losses):
        if (float(loss) - float(base)) / scale <= tol:
            return i
    return len(losses) - 1
