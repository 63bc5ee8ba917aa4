"""A fixed-depth multilayer perceptron made of spectral layers.

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from .activations import ACTIVATIONS
from .layers import InputScaling, SpectralLinear

__all__ = ["ACTIVATIONS", "EIGENVALUE_MODES", "SpectralMLP"]

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


@functools.lru_cache(maxsize=64)
def _mean_grad(n, dtype, device):
    """The gradient of a mean over ``n`` rows, as MeanBackward computes it.

    A constant of the batch size, made once instead of three kernels per
    step; read-only (the callers never write into it).
    """
    return torch.ones((), dtype=dtype, device=device).expand(n) / n


def _relu_grad(module, grad, z, h):
    return torch.ops.aten.threshold_backward(grad, h, 0)


def _leaky_relu(module, z):
    return torch.nn.functional.leaky_relu(z, module.negative_slope)


def _leaky_relu_grad(module, grad, z, h):
    return torch.ops.aten.leaky_relu_backward(grad, z, module.negative_slope, False)


def _tanh_grad(module, grad, z, h):
    return torch.ops.aten.tanh_backward(grad, h)


def _sigmoid_grad(module, grad, z, h):
    return torch.ops.aten.sigmoid_backward(grad, h)


def _identity(module, z):
    return z


def _identity_grad(module, grad, z, h):
    return grad


#: Each activation module's function and gradient, for
#: ``SpectralMLP.data_loss_and_grads``: ``f(module, z)`` and ``df(module,
#: dL/dh, z, h)`` with ``h = f(z)``, the kernels autograd itself uses.
_ACTIVATION_GRADS = {
    nn.ReLU: (lambda module, z: torch.relu(z), _relu_grad),
    nn.LeakyReLU: (_leaky_relu, _leaky_relu_grad),
    nn.Tanh: (lambda module, z: torch.tanh(z), _tanh_grad),
    nn.Sigmoid: (lambda module, z: torch.sigmoid(z), _sigmoid_grad),
    nn.Identity: (_identity, _identity_grad),
}


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
                **EIGENVALUE_MODES[eigenvalues],
            )
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
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

    def manual_gradients(self):
        """Whether :meth:`data_loss_and_grads` can stand in for autograd.

        True while every hidden activation is one of the package's own
        (:data:`ACTIVATIONS`) and every layer a :class:`SpectralLinear`.

        Returns
        -------
        bool
            Whether the training loop may call :meth:`data_loss_and_grads`.
        """
        return type(self.activation) in _ACTIVATION_GRADS and all(
            type(layer) is SpectralLinear for layer in self.layers
        )

    def data_loss_and_grads(self, x, y, loss, sample_weight=None):
        """Mean data loss of a batch, with the gradients set by hand.

        The forward pass of :meth:`forward` and the backward pass autograd
        would take through it, written out with the same kernels in the
        same order (``mm`` for the linear maps, ``nll_loss_backward``,
        ``_log_softmax_backward_data``, ``mse_loss_backward``, the
        activations' own backward kernels), so the loss and every gradient
        equal autograd's bit for bit (``tests/test_engine.py``) without its
        graph: on the small networks of tabular data autograd's bookkeeping
        costs as much as the arithmetic (forward and backward of the
        default classifier's step on iris, 56 rows, 4 -> 100 -> 3, 1
        thread, timed over 3000 steps: 0.31 ms through autograd, 0.15-0.17
        ms here).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
            Raw input batch (:attr:`input_scaling` is applied here).
        y : torch.Tensor
            Class indices (``loss="cross_entropy"``) or targets of the
            outputs' shape (``loss="squared_error"``).
        loss : {"cross_entropy", "squared_error"}
            The data loss: cross-entropy of the logits, or the squared error
            averaged over the outputs, as ``CrossEntropyLoss`` and
            ``MSELoss`` with ``reduction="none"`` then averaged over the
            outputs and the (weighted) samples.
        sample_weight : torch.Tensor of shape (n_samples,) or None
            Per-sample weights of the mean (all 1 when None).

        Returns
        -------
        torch.Tensor
            The batch's mean (weighted) data loss, a scalar; the ``grad``
            of every trainable parameter is replaced by its gradient.
        """
        if torch.is_grad_enabled():  # the training loop runs it under no_grad
            with torch.no_grad():
                return self.data_loss_and_grads(x, y, loss, sample_weight)
        aten = torch.ops.aten
        activation = self.activation
        act, act_grad = _ACTIVATION_GRADS[type(activation)]
        scaling = self.input_scaling
        if scaling.active:
            x = (x - scaling.shift) / scaling.scale
        # every tensor looked up once: Module.__getattr__ and ModuleList
        # indexing cost more than the small kernels they feed
        layers = [
            (layer.phi, layer.lam_in, layer.lam_out, layer.bias, layer._uses_lam_out)
            for layer in self.layers
        ]
        saved, pre = [], []
        h = x
        last = len(layers) - 1
        for k, (phi, lam_in, lam_out, bias, uses_lam_out) in enumerate(layers):
            # SpectralLinear.forward, op for op
            scaled = h * lam_in
            z = torch.nn.functional.linear(scaled, phi)
            direct = None
            if uses_lam_out:
                direct = torch.nn.functional.linear(h, phi)
                z = z - direct * lam_out
            if bias is not None:
                z = z + bias
            saved.append((h, scaled, direct))
            if k < last:
                pre.append(z)
                h = act(activation, z)
            else:
                h = z
        n = h.shape[0]
        grad_rows = _mean_grad(n, h.dtype, h.device)
        if sample_weight is not None:
            grad_rows = grad_rows * sample_weight
        if loss == "cross_entropy":
            logp = torch.log_softmax(h, 1)
            # nll_loss_forward's kernel; its total weight is unused without
            # a reduction
            per_row = torch._C._nn.nll_loss(logp, y, None, 0, -100)
            total_weight = _mean_grad(1, h.dtype, h.device)[0]
            g = aten.nll_loss_backward(grad_rows, logp, y, None, 0, -100, total_weight)
            g = torch._log_softmax_backward_data(g, logp, 1, logp.dtype)
        elif loss == "squared_error":
            per_element = aten.mse_loss(h, y, 0)
            per_row = per_element.mean(1)
            k_out = h.shape[1]
            g = grad_rows.unsqueeze(1).expand(n, k_out) / k_out
            g = aten.mse_loss_backward(g, h, y, 0)
        else:
            raise ValueError(f"Unknown loss {loss!r}.")
        value = (per_row if sample_weight is None else per_row * sample_weight).mean()
        for k in range(last, -1, -1):
            phi, lam_in, lam_out, bias, uses_lam_out = layers[k]
            h, scaled, direct = saved[k]
            if bias is not None and bias.requires_grad:
                bias.grad = g.sum(0)
            need_x = k > 0
            # z = linear(scaled, phi) [- linear(h, phi) * lam_out]: mm's
            # backward is g @ phi and g^T @ input
            grad_phi = torch.mm(g.t(), scaled) if phi.requires_grad else None
            grad_scaled = torch.mm(g, phi) if (need_x or lam_in.requires_grad) else None
            grad_h = None
            if uses_lam_out:
                grad_direct_out = g.neg()
                if lam_out.requires_grad:
                    lam_out.grad = (grad_direct_out * direct).sum(0)
                grad_direct = grad_direct_out * lam_out
                if grad_phi is not None:
                    grad_phi = grad_phi + torch.mm(grad_direct.t(), h)
                if need_x:
                    grad_h = torch.mm(grad_direct, phi)
            if grad_phi is not None:
                phi.grad = grad_phi
            if lam_in.requires_grad:
                lam_in.grad = (grad_scaled * h).sum(0)
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
            A detached copy.
        """
        return self.layers[0].lam_in.detach().clone()

    def eigenvalues_by_layer(self):
        """Return the eigenvalues of every layer.

        Returns
        -------
        list of tuple of torch.Tensor
            Detached copies of ``(lam_in, lam_out)``, one pair per layer.
        """
        return [
            (layer.lam_in.detach().clone(), layer.lam_out.detach().clone())
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
