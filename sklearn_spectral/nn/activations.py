"""The hidden activations, by the names scikit-learn's MLP uses (torch only).

One table serves every network of the package (``SpectralMLP``,
``SparcsNetwork``) and their exports; :data:`DERIVATIVES` gives each
activation's derivative in closed form for the hand-written backward pass
of :meth:`~sklearn_spectral.nn.mlp.SpectralMLP.data_loss_and_grads` (as
scikit-learn's ``DERIVATIVES`` does for its MLP), written with public torch
functions only.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "DERIVATIVES", "get_activation"]

#: Activation modules by name: scikit-learn's four, plus ``"leaky_relu"``
#: (slope 0.01).
ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
}


def _relu(module, z):
    return torch.relu(z)


def _relu_grad(module, grad, z, h):
    # autograd's rule, no gradient where the output is 0 (z <= 0): the sign
    # of h = relu(z) is that mask, in one cheap kernel (a comparison and
    # a select took 5x longer on a 200 x 100 batch)
    return torch.sign(h).mul_(grad)


def _leaky_relu(module, z):
    return torch.nn.functional.leaky_relu(z, module.negative_slope)


def _leaky_relu_grad(module, grad, z, h):
    return torch.where(z > 0, grad, grad * module.negative_slope)


def _tanh(module, z):
    return torch.tanh(z)


def _tanh_grad(module, grad, z, h):
    return grad * (1.0 - h * h)


def _sigmoid(module, z):
    return torch.sigmoid(z)


def _sigmoid_grad(module, grad, z, h):
    return grad * (h * (1.0 - h))


def _identity(module, z):
    return z


def _identity_grad(module, grad, z, h):
    return grad


#: Each activation module type's function and derivative: ``f(module, z)``
#: and ``df(module, dL/dh, z, h)`` (``dL/dz``, with ``h = f(z)``).
DERIVATIVES = {
    nn.ReLU: (_relu, _relu_grad),
    nn.LeakyReLU: (_leaky_relu, _leaky_relu_grad),
    nn.Tanh: (_tanh, _tanh_grad),
    nn.Sigmoid: (_sigmoid, _sigmoid_grad),
    nn.Identity: (_identity, _identity_grad),
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
