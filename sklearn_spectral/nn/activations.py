"""The hidden activations, by the names scikit-learn's MLP uses (torch only).

One table serves every network of the package (``SpectralMLP``,
``SparcsNetwork``) and their exports.
"""

from __future__ import annotations

from torch import nn

__all__ = ["ACTIVATIONS", "get_activation"]

#: Activation modules by name: scikit-learn's four, plus ``"leaky_relu"``
#: (slope 0.01).
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
}


def get_activation(name):
    """Return a new activation module called ``name``.

    Parameters
    ----------
    name : {"identity", "logistic", "tanh", "relu", "leaky_relu"}
        Activation name.

    Returns
    -------
    torch.nn.Module
        Element-wise activation, callable on a tensor.

    See Also
    --------
    ACTIVATIONS : The table of names.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.activations import get_activation
    >>> get_activation("relu")(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        ) from None
