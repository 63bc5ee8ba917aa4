"""A fixed-depth multilayer perceptron made of spectral layers.

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

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
        return self.input_relevance()

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
