"""A fixed-depth multilayer perceptron made of spectral layers.

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from .activations import ACTIVATIONS, DERIVATIVES
from .layers import InputScaling, SpectralLinear
from .losses import LOSSES, data_loss, loss_and_output_grad

__all__ = [
    "ACTIVATIONS",
    "EIGENVALUE_MODES",
    "SpectralMLP",
    "closed_form_gradients_work",
]

#: Which eigenvalues are trained, and how they start (see ``SpectralLinear``).
EIGENVALUE_MODES = {
    # input relevance (first paper): W = phi * lam_in, lam_in from 1
    "in": {
        "train_lam_in": True,
        "lam_in_init": 1.0,
        "train_lam_out": False,
        "lam_out_init": 0.0,
    },
    # node relevance (poster): W = -lam_out * phi, lam_out from 1
    "out": {
        "train_lam_in": False,
        "lam_in_init": 0.0,
        "train_lam_out": True,
        "lam_out_init": 1.0,
    },
    # full spectral: both trained; phi is scaled so W starts Xavier-uniform
    "both": {
        "train_lam_in": True,
        "lam_in_init": 1.0,
        "train_lam_out": True,
        "lam_out_init": 0.0,
    },
}


def closed_form_gradients_work(activation, loss):
    """Whether the closed-form gradients match autograd for this pair.

    A one-time probe per process and pair: a small float64 network with
    every eigenvalue trained, off its initial values, compares
    :meth:`SpectralMLP.data_loss_and_grads` against autograd through
    :meth:`SpectralMLP.forward` and :func:`~.losses.data_loss`. A mismatch
    or an error (a torch release that changed a function's semantics)
    makes the training loop fall back to autograd, which is always right.

    Parameters
    ----------
    activation : str or type
        Activation name (:data:`ACTIVATIONS`) or module type.
    loss : str
        A loss of :mod:`~sklearn_spectral.nn.losses`.

    Returns
    -------
    bool
        True when the closed form agrees (``allclose``, rtol 1e-9).

    See Also
    --------
    SpectralMLP.data_loss_and_grads : The closed form it checks.

    Examples
    --------
    >>> from sklearn_spectral.nn.mlp import closed_form_gradients_work
    >>> closed_form_gradients_work("relu", "cross_entropy")
    True
    """
    kind = ACTIVATIONS[activation] if isinstance(activation, str) else activation
    return _probe(kind, loss)


@functools.cache
def _probe(kind, loss):
    """The probe itself, once per process and pair (``_probe.cache_clear()``
    forgets the outcomes)."""
    name = next((n for n, k in ACTIVATIONS.items() if k is kind), None)
    if name is None or kind not in DERIVATIVES or loss not in LOSSES:
        return False
    try:
        gen = torch.Generator().manual_seed(0)
        dtype = torch.float64
        net = SpectralMLP(
            4, [5], 3, activation=name, eigenvalues="both", generator=gen, dtype=dtype
        )
        with torch.no_grad():
            for p in net.parameters():
                p.add_(0.3 * torch.randn(p.shape, generator=gen, dtype=dtype))
        net.input_scaling.set(
            torch.randn(4, generator=gen, dtype=dtype),
            torch.rand(4, generator=gen, dtype=dtype) + 0.5,
        )
        X = torch.randn(9, 4, generator=gen, dtype=dtype)
        if loss == "cross_entropy":
            y = torch.randint(0, 3, (9,), generator=gen)
        else:
            y = torch.rand(9, 3, generator=gen, dtype=dtype) * 2
        w = torch.rand(9, generator=gen, dtype=dtype) + 0.5
        params = [p for p in net.parameters() if p.requires_grad]
        with torch.enable_grad():
            expected = data_loss(net(X), y, loss, w)
            grads = torch.autograd.grad(expected, params)
        with torch.no_grad():
            value = net._closed_form(X, y, loss, w)
        ok = torch.allclose(value, expected.detach(), rtol=1e-9, atol=0.0)
        for p, g in zip(params, grads):
            ok = (
                ok
                and p.grad is not None
                and torch.allclose(p.grad, g, rtol=1e-9, atol=1e-12)
            )
        return bool(ok)
    except Exception:  # any failure means: use autograd
        return False


class SpectralMLP(nn.Module):
    """Multilayer perceptron whose every layer is a :class:`SpectralLinear`.

    Parameters
    ----------
    n_features : int
        Number of inputs.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer; empty for a single (linear) layer.
    n_outputs : int
        Number of outputs (logits for a classifier).
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers; the output layer has none.
    eigenvalues : {"in", "out", "both"}, default="in"
        Which eigenvalues are trained in every layer (see ``EIGENVALUE_MODES``).
    generator : torch.Generator, optional
        Generator for the initial ``phi``.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.
    input_groups : sequence of int or None, default=None
        Group of every input (see ``SpectralLinear``'s ``groups``): the inputs
        of one group share one input eigenvalue. None: one per input.

    See Also
    --------
    sklearn_spectral.nn.layers.SpectralLinear : The layer it is made of.
    sklearn_spectral.nn.penalties.eigenvalue_penalty : Penalty of its eigenvalues.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> net = SpectralMLP(4, [3], 2, generator=torch.Generator().manual_seed(0))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 2])
    >>> [tuple(w.shape) for w, b in net.dense_weights()]
    [(3, 4), (2, 3)]
    >>> net.input_eigenvalues()
    tensor([1., 1., 1., 1.])
    >>> net.input_relevance().shape
    torch.Size([4])
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        n_outputs,
        *,
        activation="relu",
        eigenvalues="in",
        generator=None,
        dtype=torch.float32,
        input_groups=None,
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {activation!r}.")
        if eigenvalues not in EIGENVALUE_MODES:
            raise ValueError(f"Unknown eigenvalues mode {eigenvalues!r}.")
        self.eigenvalues = eigenvalues
        sizes = [int(n_features), *map(int, hidden_layer_sizes), int(n_outputs)]
        self.layers = nn.ModuleList(
            SpectralLinear(
                n_in,
                n_out,
                generator=generator,
                dtype=dtype,
                groups=input_groups if k == 0 else None,
                **EIGENVALUE_MODES[eigenvalues],
            )
            for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
        )
        self.activation = ACTIVATIONS[activation]()
        #: Fixed input standardisation (identity until set), see InputScaling.
        self.input_scaling = InputScaling(sizes[0], dtype=dtype)

    def forward(self, x):
        """Apply the network to a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_outputs)
            Outputs (logits for a classifier).
        """
        x = self.input_scaling(x)
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            x = layer(x)
            if k < last:
                x = self.activation(x)
        return x

    def manual_gradients(self, loss=None):
        """Whether :meth:`data_loss_and_grads` can stand in for autograd.

        True while every hidden activation is one of the package's own
        (:data:`~sklearn_spectral.nn.activations.DERIVATIVES`), every layer
        a :class:`SpectralLinear` and, for ``loss``, the one-time probe
        :func:`closed_form_gradients_work` found the closed form equal to
        autograd.

        Parameters
        ----------
        loss : str or None, default=None
            The loss to probe; None checks the network alone.

        Returns
        -------
        bool
            Whether the training loop may call :meth:`data_loss_and_grads`.
        """
        kind = type(self.activation)
        if kind not in DERIVATIVES or not all(
            type(layer) is SpectralLinear for layer in self.layers
        ):
            return False
        return loss is None or closed_form_gradients_work(kind, loss)

    def data_loss_and_grads(self, x, y, loss, sample_weight=None):
        """Mean data loss of a batch, with the gradients set in closed form.

        The forward pass of :meth:`forward` and its backward pass written
        out with public torch functions (``linear``/``mm`` for the linear
        maps, the loss's output gradient from
        :func:`~sklearn_spectral.nn.losses.loss_and_output_grad`, the
        activations' derivatives from
        :data:`~sklearn_spectral.nn.activations.DERIVATIVES`), as
        scikit-learn's MLP does in ``_backprop``. The numbers equal
        autograd's to rounding (``tests/test_engine.py`` checks them in
        float64 with ``gradcheck`` and ``allclose``) without autograd's
        graph: on the small networks of tabular data its bookkeeping
        costs about as much as the arithmetic (``benchmarks/
        bench_engine.py``).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
            Raw input batch (:attr:`input_scaling` is applied here).
        y : torch.Tensor
            Targets, as :func:`~sklearn_spectral.nn.losses.per_sample_loss`
            takes them.
        loss : {"cross_entropy", "squared_error", "poisson"}
            The data loss (see :mod:`sklearn_spectral.nn.losses`).
        sample_weight : torch.Tensor of shape (n_samples,) or None
            Per-sample weights of the mean (all 1 when None).

        Returns
        -------
        torch.Tensor
            The batch's mean (weighted) data loss, a scalar; the ``grad``
            of every trainable parameter is replaced by its gradient.
        """
        if not self.manual_gradients(loss):
            raise RuntimeError(
                f"Closed-form gradients are not available for activation "
                f"{type(self.activation).__name__} with loss {loss!r} on this "
                f"torch ({torch.__version__}); train through autograd."
            )
        if torch.is_grad_enabled():  # the training loop runs it under no_grad
            with torch.no_grad():
                return self._closed_form(x, y, loss, sample_weight)
        return self._closed_form(x, y, loss, sample_weight)

    def _closed_form(self, x, y, loss, sample_weight, scaled=False):
        """:meth:`data_loss_and_grads` without its checks, under no_grad.

        ``scaled``: ``x`` went through :attr:`input_scaling` already (the
        training loop standardises its data once per fit).

        The first layer's ``phi`` and ``lam_in`` gradients come from one
        product ``A = g^T x`` (``A * lam_in`` and ``(A * phi).sum(0)``),
        not from two products with the batch's rows (``g^T (x * lam_in)``
        and ``((g phi) * x).sum(0)``): the same numbers up to rounding, and
        on wide inputs a third less arithmetic a step (breast_cancer's 30
        inputs, digits' 64). Measured over 10 seeds x 6 sets
        (``tools/compare_fits.py``): the same epochs and test scores up to
        the rounding's chaos (see ``benchmarks/results/engine.md``).
        """
        activation = self.activation
        act, act_grad = DERIVATIVES[type(activation)]
        if not scaled:
            x = self.input_scaling(x)  # float64 map, cast to the network dtype
        # every tensor looked up once: Module.__getattr__ and ModuleList
        # indexing cost more than the small kernels they feed
        layers = [
            (layer.phi, layer.lam_in, layer.lam_out, layer.bias, layer._uses_lam_out)
            for layer in self.layers
        ]
        # grouped inputs share one eigenvalue: the forward pass uses each
        # node's copy, the gradient sums over the nodes of a group
        groups = self.layers[0].input_groups
        group_grad = groups is not None and self.layers[0].lam_in.requires_grad
        if groups is not None:
            phi, lam_in, *rest = layers[0]
            layers[0] = (phi, lam_in.index_select(0, groups), *rest)
        saved, pre = [], []
        h = x
        last = len(layers) - 1
        for k, (phi, lam_in, lam_out, bias, uses_lam_out) in enumerate(layers):
            # SpectralLinear.forward: z = (h * lam_in) phi^T [- (h phi^T) lam_out] + b
            scaled = h * lam_in
            # the bias in the same call (one addmm kernel instead of two)
            z = torch.nn.functional.linear(scaled, phi, bias)
            direct = None
            if uses_lam_out:
                direct = torch.nn.functional.linear(h, phi)
                z = z - direct * lam_out
            saved.append((h, scaled, direct))
            if k < last:
                pre.append(z)
                h = act(activation, z)
            else:
                h = z
        value, g = loss_and_output_grad(h, y, loss, sample_weight)
        for k in range(last, -1, -1):
            phi, lam_in, lam_out, bias, uses_lam_out = layers[k]
            h, scaled, direct = saved[k]
            if bias is not None and bias.requires_grad:
                bias.grad = g.sum(0)
            need_x = k > 0
            lam_grad = lam_in.requires_grad or (k == 0 and group_grad)
            if not need_x and not uses_lam_out:
                # dz/dphi_kj = (g^T h)_kj lam_j, dz/dlam_j = sum_k phi_kj (g^T h)_kj
                product = torch.mm(g.t(), h)
                if phi.requires_grad:
                    phi.grad = product * lam_in
                if lam_grad:
                    grad_lam = (product * phi).sum(0)
                    if group_grad:
                        param = self.layers[0].lam_in
                        param.grad = torch.zeros_like(param).index_add_(
                            0, groups, grad_lam
                        )
                    else:
                        lam_in.grad = grad_lam
                continue
            # dz/dphi: g^T (h * lam_in) [- (g * lam_out)^T h]
            grad_phi = torch.mm(g.t(), scaled) if phi.requires_grad else None
            grad_scaled = torch.mm(g, phi) if (need_x or lam_grad) else None
            grad_h = None
            if uses_lam_out:
                if lam_out.requires_grad:
                    lam_out.grad = (g * direct).sum(0).neg_()
                grad_direct = g * lam_out  # the gradient of -direct * lam_out, negated
                if grad_phi is not None:
                    grad_phi = grad_phi - torch.mm(grad_direct.t(), h)
                if need_x:
                    grad_h = torch.mm(grad_direct, phi).neg_()
            if grad_phi is not None:
                phi.grad = grad_phi
            if lam_grad:
                grad_lam = (grad_scaled * h).sum(0)
                if k == 0 and group_grad:
                    param = self.layers[0].lam_in
                    param.grad = torch.zeros_like(param).index_add_(0, groups, grad_lam)
                else:
                    lam_in.grad = grad_lam
            if need_x:
                from_scaled = grad_scaled * lam_in
                grad_h = from_scaled if grad_h is None else from_scaled + grad_h
                g = act_grad(activation, grad_h, pre[k - 1], h)
        return value

    def penalized_eigenvalues(self, which="input"):
        """Return the trainable eigenvalue tensors a penalty acts on.

        Parameters
        ----------
        which : {"input", "all"}, default="input"
            ``"input"``: the input-layer eigenvalues ``lam_in`` of the first
            layer only; ``"all"``: every trainable eigenvalue of the network.

        Returns
        -------
        list of torch.nn.Parameter
            The selected eigenvalues; empty when ``which="input"`` and
            ``lam_in`` is not trained.
        """
        if which == "input":
            lam = self.layers[0].lam_in
            return [lam] if isinstance(lam, nn.Parameter) else []
        if which == "all":
            return [
                p
                for layer in self.layers
                for p in layer.trainable_eigenvalues().values()
            ]
        raise ValueError(f"Unknown eigenvalue selection {which!r}.")

    def phi_parameters(self):
        """Return the eigenvector parameters ``phi`` of every layer.

        Returns
        -------
        list of torch.nn.Parameter
            The trainable ``phi`` of each layer, from the input layer on.
        """
        return [layer.phi for layer in self.layers if layer.phi.requires_grad]

    def input_eigenvalues(self):
        """Return the eigenvalues ``lam_in`` of the input nodes.

        Returns
        -------
        torch.Tensor of shape (n_features,)
            A detached copy; with ``input_groups`` each input's group
            eigenvalue.
        """
        return self.layers[0].node_lam_in.detach().clone()

    def eigenvalues_by_layer(self):
        """Return the eigenvalues of every layer.

        Returns
        -------
        list of tuple of torch.Tensor
            Detached copies of ``(lam_in, lam_out)``, one pair per layer.
        """
        return [
            (layer.node_lam_in.detach().clone(), layer.lam_out.detach().clone())
            for layer in self.layers
        ]

    def input_relevance(self):
        """Return the relevance of each input.

        It is the column norms of the first direct-space weight, which equal
        ``|lam_in_j| * ||phi[:, j]||`` in the ``"in"`` mode.

        Returns
        -------
        torch.Tensor of shape (n_features,)
            Non-negative relevance of each input (detached).
        """
        return self.layers[0].input_relevance()

    @torch.no_grad()
    def hidden_scores(self):
        """Return a score per hidden neuron that ranks them for pruning.

        The poster's node relevance ``|lam_out_i| * ||phi[i, :]||`` when the
        destination eigenvalues are trained (``eigenvalues="out"`` or
        ``"both"``), else the norm of the neuron's outgoing weights (its
        relevance as a source node of the next layer).

        Returns
        -------
        list of torch.Tensor
            One tensor per hidden layer (detached).
        """
        if self.eigenvalues in ("out", "both"):
            return self.node_relevance()[: len(self.layers) - 1]
        return [layer.input_relevance() for layer in self.layers[1:]]

    @torch.no_grad()
    def active_masks(self, rtol):
        """Hidden neurons whose score exceeds ``rtol`` times the largest.

        Parameters
        ----------
        rtol : float
            Relative threshold on :meth:`hidden_scores`.

        Returns
        -------
        list of torch.Tensor of dtype bool
            One mask per hidden layer.
        """
        scores = self.hidden_scores()
        top = max((float(sc.max()) for sc in scores), default=0.0)
        return [sc > rtol * top for sc in scores]

    @torch.no_grad()
    def to_dense(self, masks=None):
        """Export to a direct-space ``nn.Sequential`` taking raw inputs.

        Parameters
        ----------
        masks : list of bool tensors or None, default=None
            Hidden neurons to keep (see :meth:`active_masks`); None keeps all.

        Returns
        -------
        torch.nn.Sequential
            ``nn.Linear`` layers and activations (see
            :func:`~sklearn_spectral.nn.export.export_mlp`).
        """
        from .export import export_mlp

        return export_mlp(self.dense_weights(), type(self.activation), masks)

    @torch.no_grad()
    def unit_magnitudes(self):
        """Return the size of every penalised unit: here, each input.

        Returns
        -------
        torch.Tensor of shape (n_features,)
            The input relevance; exactly 0 for an input switched off.
        """
        # input_relevance's numbers under one no_grad context instead of
        # three: the stopping rule asks every epoch
        return torch.linalg.vector_norm(self.layers[0].weight, dim=0)

    def node_relevance(self):
        """Return the poster's node relevance of every hidden layer.

        Returns
        -------
        list of torch.Tensor
            ``|lam_out_i| ||phi[i, :]||`` of every neuron, one tensor per hidden
            layer (detached).
        """
        return [layer.node_relevance() for layer in self.layers[:-1]]

    @torch.no_grad()
    def dense_weights(self):
        """Return the direct-space weights and biases of every layer.

        The input scaling is folded into the first layer, so the weights act
        on the raw inputs.

        Returns
        -------
        list of tuple
            Detached ``(W, b)`` per layer; ``W`` has shape
            ``(out_features, in_features)`` and ``b`` is None without bias.
        """
        weights = [
            (
                layer.weight.detach().clone(),
                None if layer.bias is None else layer.bias.detach().clone(),
            )
            for layer in self.layers
        ]
        if self.input_scaling.active:
            w, b = weights[0]
            b = (
                torch.zeros(w.shape[0], dtype=w.dtype, device=w.device)
                if b is None
                else b
            )
            weights[0] = self.input_scaling.fold(w, b)
        return weights
