"""A dense layer parametrised in the spectral domain.

A layer ``N_in -> N_out`` is the bipartite transfer of a two-layer graph whose
adjacency matrix ``A = Phi Lambda Phi^-1`` is never diagonalised: the
eigenvector entries ``phi`` (``N_out x N_in``) and the eigenvalues ``lam_in``
(one per source node) and ``lam_out`` (one per destination node) *are* the
trainable parameters, and the direct-space weight is::

    W = phi * lam_in[None, :] - lam_out[:, None] * phi
    w_ij = phi_ij * (lam_in_j - lam_out_i)

This module imports nothing from scikit-learn.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["InputScaling", "SpectralLinear"]


class SpectralLinear(nn.Module):
    """Dense layer ``y = W x + b`` with ``W = phi * lam_in - lam_out * phi``.

    Parameters
    ----------
    in_features : int
        Number of source nodes ``N_in``.
    out_features : int
        Number of destination nodes ``N_out``.
    bias : bool, default=True
        Whether to add a (direct-space) bias vector, initialised at zero.
    train_phi : bool, default=True
        Whether the eigenvector entries ``phi`` are trained.
    train_lam_in : bool, default=True
        Whether the source eigenvalues ``lam_in`` are trained. When False they
        are a fixed buffer equal to ``lam_in_init``.
    train_lam_out : bool, default=False
        Whether the destination eigenvalues ``lam_out`` are trained.
    lam_in_init : float, default=1.0
        Initial value of every ``lam_in``.
    lam_out_init : float, default=0.0
        Initial value of every ``lam_out``.
    generator : torch.Generator, optional
        Generator used to draw ``phi`` (Xavier-uniform). The global torch RNG
        is used only when it is None.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.
    groups : sequence of int or None, default=None
        Group of every source node, ``0 .. n_groups - 1``: the source nodes
        of one group share one eigenvalue, ``lam_in`` has one entry per
        group and node ``j`` uses ``lam_in[groups[j]]`` (the one-hot inputs
        of one categorical column, a value and its missing indicator), and
        the ``phi`` columns of a group of ``p`` nodes start ``sqrt(p)``
        times smaller, so that every group starts with the weight norm of
        one node. None: one eigenvalue per node.

    See Also
    --------
    sklearn_spectral.nn.mlp.SpectralMLP : Multilayer perceptron made of these
        layers.

    Notes
    -----
    The configurations of the papers are

    * input relevance: ``train_lam_in=True, lam_in_init=1, train_lam_out=False,
      lam_out_init=0`` so that ``W = phi * lam_in``;
    * node relevance (teacher-student poster): ``train_lam_in=False,
      lam_in_init=0, train_lam_out=True, lam_out_init=1`` so that
      ``W = -lam_out * phi``;
    * full spectral: both trained.

    ``phi`` is drawn so that the initial direct-space weight ``W`` is
    Xavier-uniform whatever the eigenvalue initialisation (it is divided by
    ``|lam_in_init - lam_out_init|`` when that is not zero).

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.layers import SpectralLinear
    >>> layer = SpectralLinear(3, 2, generator=torch.Generator().manual_seed(0))
    >>> layer
    SpectralLinear(in_features=3, out_features=2, bias=True, lam_in=trained,
    lam_out=fixed)
    >>> layer(torch.ones(4, 3)).shape
    torch.Size([4, 2])
    >>> torch.allclose(layer.weight, layer.phi)  # lam_in = 1, lam_out = 0
    True
    >>> sorted(layer.trainable_eigenvalues())
    ['lam_in']
    """

    def __init__(
        self,
        in_features,
        out_features,
        *,
        bias=True,
        train_phi=True,
        train_lam_in=True,
        train_lam_out=False,
        lam_in_init=1.0,
        lam_out_init=0.0,
        generator=None,
        dtype=torch.float32,
        groups=None,
    ):
        super().__init__()
        self.in_features = int(in_features)
        n_eigenvalues = self._set_groups(groups)
        self.out_features = int(out_features)
        bound = math.sqrt(6.0 / (self.in_features + self.out_features))
        gap = abs(float(lam_in_init) - float(lam_out_init))
        if gap > 0:
            bound /= gap
        phi = torch.empty(self.out_features, self.in_features, dtype=dtype)
        phi.uniform_(-bound, bound, generator=generator)
        if self.input_groups is not None and self.in_features:
            # a group of p nodes starts with the weight norm of one node:
            # its relevance at the start does not grow with its size
            sizes = torch.bincount(self.input_groups)[self.input_groups]
            phi /= sizes.to(dtype).sqrt()[None, :]
        self._register("phi", phi, train_phi)
        lam_in = torch.full((n_eigenvalues,), float(lam_in_init), dtype=dtype)
        lam_out = torch.full((self.out_features,), float(lam_out_init), dtype=dtype)
        self._register("lam_in", lam_in, train_lam_in)
        self._register("lam_out", lam_out, train_lam_out)
        # lam_out enters the forward pass only when it can be nonzero.
        self._uses_lam_out = bool(train_lam_out) or float(lam_out_init) != 0.0
        if bias:
            self.bias = nn.Parameter(torch.zeros(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def _set_groups(self, groups):
        """Register the node-to-eigenvalue map; return the eigenvalue count."""
        if groups is None:
            self.input_groups = None
            return self.in_features
        index = torch.as_tensor(groups, dtype=torch.long).reshape(-1)
        if index.numel() != self.in_features:
            raise ValueError(
                f"groups has {index.numel()} entries, one per source node "
                f"({self.in_features}) expected."
            )
        n_groups = int(index.max()) + 1 if index.numel() else 0
        if index.numel() and (
            int(index.min()) < 0 or torch.unique(index).numel() != n_groups
        ):
            raise ValueError("groups must number the groups 0 .. n_groups - 1.")
        self.register_buffer("input_groups", index)
        return n_groups

    @property
    def node_lam_in(self):
        """``lam_in`` of every source node (the group's eigenvalue)."""
        if self.input_groups is None:
            return self.lam_in
        return self.lam_in.index_select(0, self.input_groups)

    def _register(self, name, tensor, trainable):
        if trainable:
            setattr(self, name, nn.Parameter(tensor))
        else:
            self.register_buffer(name, tensor)

    @property
    def weight(self):
        """Direct-space weight ``W`` (``out_features x in_features``)."""
        weight = self.phi * self.node_lam_in[None, :]
        if self._uses_lam_out:  # else lam_out is a zero buffer: W - 0 * phi = W
            weight = weight - self.lam_out[:, None] * self.phi
        return weight

    def forward(self, x):
        """Apply ``W x + b`` to a batch of inputs.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, in_features)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, out_features)
            Output of the layer.
        """
        # (x * lam_in) phi^T - (x phi^T) * lam_out: two cheap scalings around
        # one matmul instead of materialising W.
        out = torch.nn.functional.linear(x * self.node_lam_in, self.phi)
        if self._uses_lam_out:
            out = out - torch.nn.functional.linear(x, self.phi) * self.lam_out
        if self.bias is not None:
            out = out + self.bias
        return out

    def trainable_eigenvalues(self):
        """Return the trainable eigenvalue parameters as a dict by name.

        Returns
        -------
        dict of str to torch.nn.Parameter
            ``"lam_in"`` and/or ``"lam_out"``, whichever is trained.
        """
        return {
            name: p
            for name, p in (("lam_in", self.lam_in), ("lam_out", self.lam_out))
            if isinstance(p, nn.Parameter)
        }

    @torch.no_grad()
    def input_relevance(self):
        """Return the relevance of each source node, ``||W[:, j]||_2``.

        With ``lam_out = 0`` this is the papers' ``|lam_in_j| * ||phi[:, j]||``;
        in general it is the norm of all the weights leaving node ``j``, which
        is invariant to the scale shared by ``lam`` and ``phi``.

        Returns
        -------
        torch.Tensor of shape (in_features,)
            Non-negative relevance of each source node (detached).
        """
        return torch.linalg.vector_norm(self.weight, dim=0)

    @torch.no_grad()
    def node_relevance(self):
        """Return the relevance of each destination node.

        This is the poster's ``R_i = |lam_out_i| * ||phi[i, :]||``; it is only
        informative when ``lam_out`` is trained.

        Returns
        -------
        torch.Tensor of shape (out_features,)
            Non-negative relevance of each destination node (detached).
        """
        return self.lam_out.abs() * torch.linalg.vector_norm(self.phi, dim=1)

    @torch.no_grad()
    def group_relevance(self):
        """Return the relevance of each eigenvalue's group of source nodes.

        The norm of all the weights leaving the group, ``|lam_g| *
        ||phi[:, group g]||_F`` with ``lam_out = 0``; the node relevance
        itself when there are no groups.

        Returns
        -------
        torch.Tensor of shape (lam_in.numel(),)
            Non-negative relevance of each group (detached).
        """
        per_node = self.input_relevance()
        if self.input_groups is None:
            return per_node
        squares = torch.zeros_like(self.lam_in).index_add_(
            0, self.input_groups, per_node * per_node
        )
        return squares.sqrt()

    def extra_repr(self):
        """Describe the sizes and which eigenvalues are trained.

        Returns
        -------
        str
            The text :class:`torch.nn.Module` shows between the parentheses of
            the layer's representation.
        """
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}, "
            + ("" if self.input_groups is None else f"groups={self.lam_in.numel()}, ")
            + f"lam_in={'trained' if self.lam_in.requires_grad else 'fixed'}, "
            f"lam_out={'trained' if self.lam_out.requires_grad else 'fixed'}"
        )


class InputScaling(nn.Module):
    """Fixed affine map ``x -> (x - shift) / scale`` in front of a network.

    The map is computed in float64 (``shift`` and ``scale`` are float64
    buffers) and its result cast to ``dtype``, so that float64 inputs with a
    large offset keep their information; float32 inputs work too.

    The estimators standardise their inputs with it, so that the input
    eigenvalues (and the relevance read from them) do not depend on the
    units of a column, without copying the data; exports fold it into the
    first direct-space weights (:meth:`fold`). Identity until :meth:`set`.

    Parameters
    ----------
    n_features : int
        Number of inputs.
    dtype : torch.dtype, default=torch.float32
        Dtype of the output (the network's dtype).

    See Also
    --------
    SpectralLinear : The layer whose direct-space weights :meth:`fold` maps.
    sklearn.preprocessing.StandardScaler : The same map on a copy of the data.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.layers import InputScaling
    >>> scaling = InputScaling(2)
    >>> scaling.set(torch.tensor([1.0, 0.0]), torch.tensor([2.0, 1.0]))
    >>> scaling(torch.tensor([[3.0, 5.0]]))
    tensor([[1., 5.]])
    >>> W, b = scaling.fold(torch.eye(2), torch.zeros(2))
    >>> W @ torch.tensor([3.0, 5.0]) + b
    tensor([1., 5.])
    """

    def __init__(self, n_features, dtype=torch.float32):
        super().__init__()
        # float64 map, cast to ``dtype`` after it: a column ``1e6 + 0.01 z``
        # is one float32 level before standardising, ``z`` after it
        self.register_buffer("shift", torch.zeros(n_features, dtype=torch.float64))
        self.register_buffer("scale", torch.ones(n_features, dtype=torch.float64))
        self.out_dtype = dtype
        self.active = False

    @torch.no_grad()
    def set(self, shift, scale):
        """Set the map from per-feature ``shift`` and (positive) ``scale``.

        The map stays the identity (and :meth:`forward` a no-op) when every
        shift is 0 and every scale 1.

        Parameters
        ----------
        shift : array-like of shape (n_features,)
            Subtracted from each feature.
        scale : array-like of shape (n_features,)
            Positive divisor of each shifted feature.
        """
        self.shift.copy_(torch.as_tensor(shift, dtype=self.shift.dtype))
        self.scale.copy_(torch.as_tensor(scale, dtype=self.scale.dtype))
        self.active = bool((self.shift != 0).any() or (self.scale != 1).any())

    def forward(self, x):
        """Apply ``(x - shift) / scale`` (nothing while it is the identity).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_features)
            Raw inputs.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_features)
            The scaled inputs, of the network's dtype; ``x`` itself (cast
            to that dtype) while the map is the identity.
        """
        if not self.active:
            return x.to(self.out_dtype)
        shifted = x.to(self.shift.dtype) - self.shift
        return (shifted / self.scale).to(self.out_dtype)

    @torch.no_grad()
    def fold(self, weight, bias):
        """``(W', b')`` with ``W' x + b' = W (x - shift) / scale + b``.

        Parameters
        ----------
        weight : torch.Tensor of shape (n_out, n_features)
            Weight acting on the scaled inputs.
        bias : torch.Tensor of shape (n_out,)
            Its bias.

        Returns
        -------
        tuple of torch.Tensor
            The weight and bias acting on the raw inputs.
        """
        scale = self.scale.to(weight.device)
        folded = weight.to(scale.dtype) / scale[None, :]
        shifted = bias.to(scale.dtype) - folded @ self.shift.to(weight.device)
        return folded.to(weight.dtype), shifted.to(bias.dtype)
