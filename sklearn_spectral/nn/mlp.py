"""A fixed-depth multilayer perceptron made of spectral layers.

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn

from .layers import SpectralLinear

__all__ = ["ACTIVATIONS", "EIGENVALUE_MODES", "SpectralMLP", "eigenvalue_penalty"]

#: Hidden-layer activations by the names scikit-learn's MLP uses.
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}

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


def eigenvalue_penalty(tensors, kind):
    """Penalty of a list of eigenvalue tensors.

    Parameters
    ----------
    tensors : list of torch.Tensor
        Eigenvalue vectors.
    kind : {"l1", "l2", "group"}
        ``"l1"``: ``sum |lam|``; ``"l2"``: ``sum lam**2``; ``"group"``: the sum
        over tensors of the unsquared norm ``||lam||_2``.

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    if not tensors:
        raise ValueError("No eigenvalues to penalise.")
    if kind == "l1":
        return sum(t.abs().sum() for t in tensors)
    if kind == "l2":
        return sum(t.pow(2).sum() for t in tensors)
    if kind == "group":
        return sum(torch.linalg.vector_norm(t) for t in tensors)
    raise ValueError(f"Unknown penalty kind {kind!r}.")


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

    def forward(self, x):
        """Map a batch ``(n, n_features)`` to ``(n, n_outputs)``."""
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            x = layer(x)
            if k < last:
                x = self.activation(x)
        return x

    #: Penalty of a list of eigenvalue tensors (see :func:`eigenvalue_penalty`).
    eigenvalue_penalty = staticmethod(eigenvalue_penalty)

    def penalized_eigenvalues(self, which="input"):
        """Trainable eigenvalue tensors a penalty acts on.

        Parameters
        ----------
        which : {"input", "all"}, default="input"
            ``"input"``: the input-layer eigenvalues ``lam_in`` of the first
            layer only; ``"all"``: every trainable eigenvalue of the network.

        Returns
        -------
        list of torch.nn.Parameter
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
        """The eigenvector parameters ``phi`` of every layer."""
        return [layer.phi for layer in self.layers if layer.phi.requires_grad]

    def input_eigenvalues(self):
        """Eigenvalues ``lam_in`` of the input nodes (a detached copy)."""
        return self.layers[0].lam_in.detach().clone()

    def eigenvalues_by_layer(self):
        """Detached ``(lam_in, lam_out)`` pairs, one per layer."""
        return [
            (layer.lam_in.detach().clone(), layer.lam_out.detach().clone())
            for layer in self.layers
        ]

    def input_relevance(self):
        """Relevance of each input: the column norms of the first weight.

        Equals ``|lam_in_j| * ||phi[:, j]||`` in the ``"in"`` mode.
        """
        return self.layers[0].input_relevance()

    def node_relevance(self):
        """Poster's node relevance ``|lam_out_i| ||phi[i, :]||`` per hidden layer."""
        return [layer.node_relevance() for layer in self.layers[:-1]]

    @torch.no_grad()
    def dense_weights(self):
        """Direct-space ``(W, b)`` of every layer (detached)."""
        return [
            (
                layer.weight.detach().clone(),
                None if layer.bias is None else layer.bias.detach().clone(),
            )
            for layer in self.layers
        ]
