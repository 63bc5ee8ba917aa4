"""SPARCS: a spectral network with every skip connection (torch only).

Notation (0-based, layer 0 is the input, layer ``B + 1`` the output)::

    phi[i]  : (N_{i+1}, N_i)                 eigenvector block, i = 0..B
    lam[i]  : (N_i,)                         eigenvalues of layer i, i = 0..B+1
    C[i]    = phi[i-1] diag(lam[i-1]) - diag(lam[i]) phi[i-1]      i = 1..B+1
    W[i, j] = C[i]                                         if i - j == 1
    W[i, j] = (-1)^(i-1-j) C[i] phi[i-2] ... phi[j]        if i - j > 1
    a_0 = x,  a_i = f(sum_{j<i} W[i, j] a_j + b_i),  no f on the output layer

``W[i, j]`` is the paper's block ``W_{i+1, j+1}`` (eq. 4.3) and also the
``(i, j)`` block of ``Phi Lambda Phi^{-1}`` (see :func:`spectral_matrix`).

The forward pass never builds the blocks: with ``v_0 = a_0`` and
``v_i = a_i - phi[i-1] v_{i-1}`` one has ``sum_{j<i} W[i, j] a_j = C[i] v_{i-1}``
(``v`` is ``Phi^{-1}`` applied to the stacked activations), so each layer costs
two matrix products with ``phi``, whatever the depth.

Input eigenvalues are a fixed zero buffer (as in the authors' CIFAR code), hidden
eigenvalues start at 0 and the output ones at 1: the initial network is the
perceptron ``x -> phi[B] ... phi[0] x`` (up to sign) plus biases. With ReLU this
start is a saddle (hidden pre-activations are exactly 0, so only the skip paths
move the hidden eigenvalues); ``hidden_eig_init > 0`` starts them at small random
values instead, which is what auto-depth training needs in practice.

Biases live in direct space: one vector per non-input layer, added to the
pre-activation, zero-initialised. A hidden neuron whose incoming weights vanish
then outputs the constant ``f(b)``, which :func:`~sklearn_spectral.nn.export.
export_dense` folds exactly into the biases of later layers.
"""

import math

import torch
from torch import nn

from ._constants import ACTIVE_RTOL
from .activations import ACTIVATIONS, get_activation

__all__ = [
    "ACTIVATIONS",
    "SparcsNetwork",
    "get_activation",
    "spectral_matrix",
]


class SparcsNetwork(nn.Module):
    """Spectral network with all skip connections (SPARCS, Peri et al.).

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_in, h_1, ..., h_B, n_out)``; ``B = 0`` gives a linear perceptron.
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu"}, \
default="relu"
        Non-linearity of the hidden layers; the output layer is linear.
    bias : bool, default=True
        Whether every non-input layer has a direct-space bias vector.
    generator : torch.Generator or None, default=None
        Source of randomness for the Xavier-uniform ``phi``; the global RNG is
        used only when None.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.
    hidden_bias_init : float, default=0.0
        Initial value of the hidden-layer biases (output bias starts at 0).
    hidden_eig_init : float, default=0.0
        Hidden eigenvalues are drawn from ``U(-s, s)`` with ``s =
        hidden_eig_init`` (with ``generator``, after ``phi``). 0 is the paper's
        exact perceptron start; with ReLU that start is a saddle the hidden
        layers leave slowly or, under an eigenvalue penalty, not at all (see
        ``benchmarks/sparcs_defaults_probe.py``), so auto-depth training should
        use a small positive value.

    Attributes
    ----------
    phi : torch.nn.ParameterList
        ``phi[i]`` has shape ``(N_{i+1}, N_i)``.
    lam : torch.nn.ParameterList
        Trainable eigenvalues of layers ``1..B+1`` (hidden, then output).
    lam_input : torch.Tensor
        Buffer of zeros, the fixed input eigenvalues.
    bias : torch.nn.ParameterList or None
        ``bias[i - 1]`` is the bias of layer ``i``.

    See Also
    --------
    sklearn_spectral.nn.gated.GatedSparcsNetwork : The same network behind a
        trainable input gate.
    sklearn_spectral.nn.export.export_dense : Export to a direct-space network.
    spectral_matrix : The full matrix ``Phi Lambda Phi^{-1}``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork
    >>> net = SparcsNetwork((3, 4, 2), generator=torch.Generator().manual_seed(0))
    >>> x = torch.ones(5, 3)
    >>> net(x).shape
    torch.Size([5, 2])
    >>> torch.allclose(net(x), net.forward_materialized(x), atol=1e-6)
    True
    >>> net.n_hidden_layers
    1
    >>> net.architecture()  # hidden eigenvalues start at 0: a perceptron
    ()
    """

    def __init__(
        self,
        layer_sizes,
        activation="relu",
        bias=True,
        generator=None,
        dtype=torch.float32,
        hidden_bias_init=0.0,
        hidden_eig_init=0.0,
    ):
        super().__init__()
        sizes = tuple(int(s) for s in layer_sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(
                f"layer_sizes needs >= 2 positive entries, got {layer_sizes!r}"
            )
        get_activation(activation)
        self.layer_sizes = sizes
        self.activation = activation
        self._f = get_activation(activation)
        self.phi = nn.ParameterList(
            nn.Parameter(_xavier_uniform(n_out, n_in, generator, dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )
        self.register_buffer("lam_input", torch.zeros(sizes[0], dtype=dtype))
        self.lam = nn.ParameterList(
            nn.Parameter(_uniform(n, hidden_eig_init, generator, dtype))
            for n in sizes[1:-1]
        )
        self.lam.append(nn.Parameter(torch.ones(sizes[-1], dtype=dtype)))
        # 1 for a neuron in use, 0 for one switched off (see switch_off)
        for k, n in enumerate(sizes[1:-1]):
            self.register_buffer(f"hidden_mask_{k}", torch.ones(n, dtype=dtype))
        self.bias = None
        if bias:
            self.bias = nn.ParameterList(
                nn.Parameter(torch.full((n,), float(hidden_bias_init), dtype=dtype))
                for n in sizes[1:-1]
            )
            self.bias.append(nn.Parameter(torch.zeros(sizes[-1], dtype=dtype)))

    # ------------------------------------------------------------------ shape
    @property
    def n_hidden_layers(self):
        """Number ``B`` of hidden layers of the largest architecture (int)."""
        return len(self.layer_sizes) - 2

    def _lams(self):
        return [self.lam_input, *self.lam]

    def hidden_masks(self):
        """Return which hidden neurons are switched on (1) or off (0).

        Returns
        -------
        list of torch.Tensor
            One 0/1 buffer per hidden layer (not copies).
        """
        return [getattr(self, f"hidden_mask_{k}") for k in range(self.n_hidden_layers)]

    @torch.no_grad()
    def switch_off(self, masks):
        """Switch hidden neurons off: they receive nothing and output ``f(b)``.

        A neuron switched off has an all-zero incoming row ``C[i][k, :]``,
        hence all-zero incoming blocks: its output is the constant ``f(b_k)``
        and the output no longer depends on it (exactly what the export does
        to a removed neuron). Its eigenvalue and ``phi`` entries stay: in a
        SPARCS network they also carry the skip paths through its slot.

        Parameters
        ----------
        masks : list of bool tensors
            One per hidden layer, True for the neurons to keep on; neurons
            already off stay off.
        """
        for buf, keep in zip(self.hidden_masks(), masks):
            buf.mul_(torch.as_tensor(keep, device=buf.device).to(buf.dtype))

    def coupling(self, i):
        """Return ``C[i] = phi[i-1] diag(lam[i-1]) - diag(lam[i]) phi[i-1]``.

        Parameters
        ----------
        i : int
            Destination layer, ``1 <= i <= B + 1``.

        Returns
        -------
        torch.Tensor of shape (N_i, N_{i-1})
            The block from layer ``i - 1`` to layer ``i`` (differentiable).
        """
        lams = self._lams()
        phi = self.phi[i - 1]
        c = phi * lams[i - 1][None, :] - lams[i][:, None] * phi
        if i <= self.n_hidden_layers:
            c = c * self.hidden_masks()[i - 1][:, None]
        return c

    # ---------------------------------------------------------------- forward
    def forward(self, x):
        """Apply the network in O(depth) matrix products.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_out)
            Outputs of the (linear) output layer.
        """
        lams = self._lams()
        n_layers = len(self.layer_sizes)
        v = x
        for i in range(1, n_layers):
            pre, phi_v = self._layer(v, i, lams)
            if i == n_layers - 1:
                return pre
            v = self._f(pre) - phi_v
        return v  # pragma: no cover - loop always returns

    def _layer(self, v, i, lams):
        """``(C[i] v + b[i], phi[i-1] v)``: layer ``i``'s pre-activation."""
        phi_v = v @ self.phi[i - 1].T
        if i == 1:
            # lam_input is fixed at 0: C[1] v = -lam[1] * (phi v).
            lam = lams[1] * self.hidden_mask_0 if len(self.layer_sizes) > 2 else lams[1]
            pre = phi_v * -lam
        else:
            # C[i] is elementwise from phi (cheap next to the batch matmul)
            pre = v @ self.coupling(i).T
        if self.bias is not None:
            pre = pre + self.bias[i - 1]
        return pre, phi_v

    # ------------------------------------------- gradients without autograd
    def manual_gradients(self):
        """Whether :meth:`forward_cached` / :meth:`backward_cached` apply.

        True for the package's own activations (:data:`ACTIVATIONS`) and
        a network with biases.

        Returns
        -------
        bool
            Whether the hand-written gradients apply to this network.
        """
        return type(self._f) in _ACTIVATION_DERIVATIVES and self.bias is not None

    def forward_cached(self, x):
        """:meth:`forward`, keeping what :meth:`backward_cached` needs.

        The first layer's source eigenvalues are 0, so its pre-activation is
        ``(phi v) * -lam (* mask) + b``. Every later layer builds its small
        coupling block ``C[i]`` (``N_i x N_{i-1}``, elementwise from
        ``phi``) and, for a hidden layer, multiplies ``v`` by ``C[i]`` and
        ``-phi[i-1]`` stacked in one buffer, one matrix product (the bias
        inside it) for ``pre = C v + b`` and ``-phi v``; the output layer
        needs ``C v`` only. Each hidden layer beyond the first thus costs
        twice the products of a fixed-depth layer, forward and backward:
        the step's floor is about 2x a fixed-depth step
        (``benchmarks/bench_sparcs_step_cost.py``).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        out : torch.Tensor of shape (n_samples, n_out)
            Same as :meth:`forward` up to rounding.
        cache : list
            Per layer ``(v_{i-1}, p, pre, a, c)``: ``p`` is ``phi v`` for
            layer 1, ``-phi v`` for the later hidden layers and None for the
            output layer beyond the first; ``a`` None for the output layer;
            ``c`` the coupling block of the output layer and, for a later
            hidden layer, the pair ``(W, d)``: ``W = [C; -phi]`` with the
            mask folded into ``C = phi * d``.
        """
        lams = self._lams()
        masks = self.hidden_masks()
        phis, biases = list(self.phi), list(self.bias)
        last = len(self.layer_sizes) - 1
        cache, v = [], x
        for i in range(1, last + 1):
            phi, bias = phis[i - 1], biases[i - 1]
            hidden = i < last
            c = None
            if i == 1:
                scale = -lams[1] * masks[0] if hidden else -lams[1]
                p = v @ phi.T
                pre = torch.addcmul(bias, p, scale)
            elif hidden:
                # C = phi * d with d[k, j] = (lam[i-1][j] - lam[i][k]) mask[k];
                # C and -phi are written into one buffer W, so that
                # v W^T gives [pre - b, -p] in one product and the backward
                # reuses W (no copies, no negation of a batch-sized tensor)
                mask = masks[i - 1]
                d = torch.outer(mask, lams[i - 1]).sub_((lams[i] * mask)[:, None])
                n_out = phi.shape[0]
                w = torch.empty(
                    (2 * n_out, phi.shape[1]), dtype=phi.dtype, device=phi.device
                )
                torch.mul(phi, d, out=w[:n_out])
                torch.neg(phi, out=w[n_out:])
                # the bias rides in the product (no batch-sized addition)
                both = torch.addmm(torch.cat([bias, bias.new_zeros(n_out)]), v, w.T)
                pre, p = both[:, :n_out], both[:, n_out:]
                c = (w, d)
            else:
                c = phi * lams[i - 1] - lams[i][:, None] * phi
                p = None
                pre = torch.addmm(bias, v, c.T)
            if not hidden:
                cache.append((v, p, pre, None, c))
                return pre, cache
            a = self._f(pre)
            cache.append((v, p, pre, a, c))
            # layer 1 caches p = phi v, later hidden layers -phi v
            v = a - p if i == 1 else a + p
        raise AssertionError("unreachable")  # pragma: no cover

    def backward_cached(self, cache, grad_out, input_grad=True):
        """Set the ``grad`` of every trainable parameter from ``dL/d out``.

        The backward pass of :meth:`forward_cached`, written with public
        torch functions (``tests/test_nn_sparcs.py`` checks it against
        autograd in float64). Parameters that do not require a gradient are
        left alone; the ``grad`` of the others is replaced.

        Parameters
        ----------
        cache : list
            From :meth:`forward_cached`.
        grad_out : torch.Tensor of shape (n_samples, n_out)
            Gradient of the loss with respect to the output.
        input_grad : bool, default=True
            Whether to return the gradient with respect to the input.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_in) or None
            ``dL/dx``, or None when ``input_grad`` is False.
        """
        lams = self._lams()
        masks = self.hidden_masks()
        phis, biases = list(self.phi), list(self.bias)
        deriv = _ACTIVATION_DERIVATIVES[type(self._f)]
        last = len(self.layer_sizes) - 1
        lam_grads = [None] * (last + 1)

        def add_lam_grad(k, value):
            lam_grads[k] = value if lam_grads[k] is None else lam_grads[k] + value

        g, grad_v = grad_out, None
        for i in range(last, 0, -1):
            v, p, pre, a, c = cache[i - 1]
            phi, bias = phis[i - 1], biases[i - 1]
            hidden = i < last
            if hidden:
                # v_i = f(pre) - p: dL/dpre from dL/dv_i
                g = deriv(self._f, grad_v, pre, a)
            if bias.requires_grad:
                bias.grad = g.sum(0)
            need_v = i > 1 or input_grad
            if i == 1:
                # pre = p * -lam (* mask) + b; v_1 = a - p
                mask = masks[0] if hidden else None
                scale = -lams[1] if mask is None else -lams[1] * mask
                grad_scale = (g * p).sum(0)
                add_lam_grad(1, -grad_scale if mask is None else -grad_scale * mask)
                grad_p = g * scale
                if hidden:
                    grad_p = grad_p - grad_v
                if phi.requires_grad:
                    phi.grad = grad_p.T @ v
                grad_v = grad_p @ phi if need_v else None
                continue
            if hidden:
                # [pre - b, -p] = v W^T with W = [C; -phi]: one product each way
                w, d = c
                stacked = torch.cat([g, grad_v], dim=1)
                grad_w = stacked.T @ v
                grad_v = stacked @ w
                n_out = phi.shape[0]
                # dL/dC before the mask (d carries it), dL/dphi through -phi
                grad_c, minus_grad_phi = grad_w[:n_out], grad_w[n_out:]
                mask = masks[i - 1]
                weighted = grad_c * phi
                add_lam_grad(i - 1, mask @ weighted)
                add_lam_grad(i, -weighted.sum(1) * mask)
                if phi.requires_grad:
                    phi.grad = (grad_c * d).sub_(minus_grad_phi)
                continue
            grad_c = g.T @ v
            grad_v = g @ c
            # C = phi * lam[i-1] - lam[i] * phi
            weighted = grad_c * phi
            add_lam_grad(i - 1, weighted.sum(0))
            add_lam_grad(i, -weighted.sum(1))
            if phi.requires_grad:
                phi.grad = grad_c * (lams[i - 1] - lams[i][:, None])
        for lam, grad in zip(self.lam, lam_grads[1:]):
            if lam.requires_grad:
                lam.grad = grad
        return grad_v

    def blocks(self):
        """Return every direct-space block ``W[i, j]`` (eq. 4.3).

        Returns
        -------
        dict
            ``{(i, j): W_ij}`` for ``0 <= j < i <= B + 1``; ``W_ij`` has shape
            ``(N_i, N_j)`` and stays attached to the autograd graph.
        """
        out = {}
        for i in range(1, len(self.layer_sizes)):
            w = self.coupling(i)
            out[(i, i - 1)] = w
            for j in range(i - 2, -1, -1):
                w = -w @ self.phi[j]
                out[(i, j)] = w
        return out

    def forward_materialized(self, x):
        """Apply the network through the explicit blocks (O(depth^2), reference).

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_out)
            Same as :meth:`forward` up to rounding.
        """
        w = self.blocks()
        acts = [x]
        last = len(self.layer_sizes) - 1
        for i in range(1, last + 1):
            pre = sum(acts[j] @ w[(i, j)].T for j in range(i))
            if self.bias is not None:
                pre = pre + self.bias[i - 1]
            acts.append(pre if i == last else self._f(pre))
        return acts[-1]

    # ------------------------------------------------------------ eigenvalues
    def eigenvalues(self):
        """Return the eigenvalues of every layer.

        Returns
        -------
        list of torch.Tensor
            Detached copies ``[input, hidden_1, ..., hidden_B, output]``; the
            input ones are always zero.
        """
        return [lam.detach().clone() for lam in self._lams()]

    def hidden_eigenvalues(self):
        """Return the eigenvalues of the hidden layers.

        Returns
        -------
        list of torch.Tensor
            Detached copies, one per hidden layer (empty list when ``B = 0``).
        """
        return self.eigenvalues()[1:-1]

    # ---------------------------------------------------------- architecture
    @torch.no_grad()
    def neuron_eigenvalues(self):
        """Effective eigenvalue of every hidden neuron.

        Row ``k`` of ``C[i]`` is ``phi[i-1][k, :] * (lam[i-1] - lam[i][k])`` and
        every block entering layer ``i`` starts with ``C[i]``; so neuron ``k``
        of layer ``i`` receives nothing iff that row is zero. Its effective
        eigenvalue is ``||C[i][k, :]|| / ||phi[i-1][k, :]||``, a phi-weighted
        RMS of the gaps ``lam[i-1] - lam[i][k]``. It equals ``|lam[i][k]|``
        when the previous layer's eigenvalues are zero (always for the first
        hidden layer, whose input eigenvalues are fixed at 0); a neuron of a
        deeper layer with ``lam = 0`` is *not* inert once the layer before it
        is active.

        Returns
        -------
        list of torch.Tensor
            One non-negative tensor per hidden layer.
        """
        out = []
        for i in range(1, len(self.layer_sizes) - 1):
            row = torch.linalg.vector_norm(self.coupling(i), dim=1)
            scale = torch.linalg.vector_norm(self.phi[i - 1], dim=1)
            out.append(torch.where(scale > 0, row / scale.clamp_min(1e-30), 0.0))
        return out

    @torch.no_grad()
    def reference_scale(self):
        """Return the largest ``|lam|`` over hidden and output eigenvalues.

        Returns
        -------
        float
            The unit of the relative thresholds of :meth:`active_masks`.
        """
        return max(float(lam.abs().max()) for lam in self.lam)

    def active_masks(self, rtol=ACTIVE_RTOL):
        """Which hidden neurons are in use.

        Neuron ``k`` of hidden layer ``i`` is active iff its effective
        eigenvalue (:meth:`neuron_eigenvalues`, ``= |lam_k|`` in the first hidden
        layer) exceeds ``rtol * reference_scale()``. An inactive neuron's
        incoming weights are at most ``rtol`` relative, so it is close to the
        constant ``f(b)`` that the export folds into later biases (exact when
        the effective eigenvalue is 0). Unused eigenvalues end orders of
        magnitude below the used ones, so the default ``1e-2`` sits in the gap.

        Parameters
        ----------
        rtol : float, default=1e-2
            Relative threshold.

        Returns
        -------
        list of torch.Tensor of dtype bool
            One mask per hidden layer.
        """
        cut = rtol * self.reference_scale()
        return [e > cut for e in self.neuron_eigenvalues()]

    def architecture(self, rtol=ACTIVE_RTOL):
        """Return the widths of the hidden layers still in use.

        Parameters
        ----------
        rtol : float, default=1e-2
            Relative threshold of :meth:`active_masks`.

        Returns
        -------
        tuple of int
            Active widths with empty layers dropped; ``()`` is a perceptron.
        """
        return tuple(int(m.sum()) for m in self.active_masks(rtol) if m.any())

    def active_counts(self, rtols):
        """Number of active hidden neurons for each candidate threshold.

        Parameters
        ----------
        rtols : iterable of float
            Relative thresholds (see :meth:`active_masks`).

        Returns
        -------
        list of int
            Total active hidden neurons per threshold, in the given order.
        """
        scores = self.neuron_eigenvalues()
        ref = self.reference_scale()
        return [sum(int((e > r * ref).sum()) for e in scores) for r in rtols]

    @torch.no_grad()
    def hidden_activations(self, x):
        """Return the activations ``a_i`` of every hidden layer on a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        list of torch.Tensor
            ``a_1, ..., a_B``, each of shape ``(n_samples, N_i)``.
        """
        acts, v = [], x
        for i in range(1, len(self.layer_sizes) - 1):
            phi_v = v @ self.phi[i - 1].T
            pre = v @ self.coupling(i).T
            if self.bias is not None:
                pre = pre + self.bias[i - 1]
            a = self._f(pre)
            acts.append(a)
            v = a - phi_v
        return acts

    @torch.no_grad()
    def linear_basis(self):
        """The product ``phi[B-1] ... phi[0]``, of shape (last hidden, n_in).

        A perceptron made by :meth:`set_linear` computes
        ``weight = M @ linear_basis()`` for some ``M`` (the last ``phi``):
        the direct-space weights it can express are the rows' span. When a
        hidden layer is narrower than the inputs that span is not every
        weight, and an affine map must be fitted inside it.

        Returns
        -------
        torch.Tensor of shape (layer_sizes[-2], layer_sizes[0])
            The product of every ``phi`` but the last, from the inputs to
            the last hidden layer.
        """
        prod = self.phi[0]
        for phi in self.phi[1:-1]:
            prod = phi @ prod
        return prod

    @torch.no_grad()
    def set_linear(self, weight, bias):
        """Make the network the affine map ``x -> weight @ x + bias``.

        Every hidden neuron is switched off and every hidden eigenvalue set
        to 0, so the network is a perceptron (``architecture() == ()``);
        then the last ``phi`` is solved for ``weight`` (exact when
        ``weight`` lies in the row span of :meth:`linear_basis`, as any
        weight does when that product has full column rank: no hidden layer
        narrower than the input; otherwise its least-squares projection)
        and the output bias for ``bias``.

        Parameters
        ----------
        weight : torch.Tensor of shape (n_out, n_in)
            Direct-space weight.
        bias : torch.Tensor of shape (n_out,)
            Output bias.
        """
        if self.n_hidden_layers == 0 or self.bias is None:
            raise ValueError("set_linear needs a hidden layer and biases")
        self.switch_off(
            [torch.zeros(n, dtype=torch.bool) for n in self.layer_sizes[1:-1]]
        )
        for lam in self.lam[:-1]:
            lam.zero_()
        dtype, device = self.phi[0].dtype, self.phi[0].device
        prod = self.linear_basis()
        # output = (-1)^(B+1) diag(lam_out) phi[B] prod x + const
        sign = -1.0 if self.n_hidden_layers % 2 == 0 else 1.0
        lam_out = self.lam[-1]
        target = weight.to(dtype=dtype, device=device) / lam_out[:, None]
        self.phi[-1].copy_(sign * target @ torch.linalg.pinv(prod))
        zero = torch.zeros(1, self.layer_sizes[0], dtype=dtype, device=device)
        self.bias[-1].add_(bias.to(dtype=dtype, device=device) - self(zero)[0])

    @torch.no_grad()
    def drop_layers(self, n_keep):
        """Switch off every hidden layer after the first ``n_keep``.

        The neurons of layers ``n_keep + 1 .. B`` are switched off (they
        output the constant ``f(b)``) and their eigenvalues set to 0, so
        the output block is ``C[B+1] = -diag(lam_out) phi[B]`` and the
        output an affine map of :meth:`readout_source`, which
        :meth:`set_readout` can then choose. ``n_keep = 0`` leaves a
        perceptron (see :meth:`set_linear`).

        Parameters
        ----------
        n_keep : int
            Hidden layers kept, ``0 <= n_keep <= B``.
        """
        n_keep = int(n_keep)
        if not 0 <= n_keep <= self.n_hidden_layers:
            raise ValueError(
                f"n_keep must be in [0, {self.n_hidden_layers}], got {n_keep}."
            )
        masks = [
            torch.full((n,), k < n_keep, dtype=torch.bool)
            for k, n in enumerate(self.layer_sizes[1:-1])
        ]
        self.switch_off(masks)
        for lam in self.lam[n_keep:-1]:
            lam.zero_()

    @torch.no_grad()
    def readout_source(self, x):
        """Return ``v_B``, the vector the output block multiplies.

        The output is ``C[B+1] v_B + b``; ``v_B = x`` for a perceptron
        without hidden layers.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, N_B)
            ``v`` of the last hidden layer.
        """
        lams = self._lams()
        v = x
        for i in range(1, len(self.layer_sizes) - 1):
            pre, phi_v = self._layer(v, i, lams)
            v = self._f(pre) - phi_v
        return v

    @torch.no_grad()
    def set_readout(self, weight, bias):
        """Make the output ``weight @ readout_source(x) + bias``.

        Needs the last hidden layer's eigenvalues at 0 (after
        :meth:`drop_layers`): then ``C[B+1] = -diag(lam_out) phi[B]`` and
        ``phi[B] = -weight / lam_out`` gives any readout exactly.

        Parameters
        ----------
        weight : torch.Tensor of shape (n_out, N_B)
            Weights on ``v_B``.
        bias : torch.Tensor of shape (n_out,)
            Output bias.
        """
        if self.n_hidden_layers == 0 or self.bias is None:
            raise ValueError("set_readout needs a hidden layer and biases")
        if bool(self.lam[-2].any()):
            raise ValueError(
                "set_readout needs the last hidden layer's eigenvalues at 0 "
                "(call drop_layers first)."
            )
        lam_out = self.lam[-1]
        dtype, device = self.phi[-1].dtype, self.phi[-1].device
        self.phi[-1].copy_(-weight.to(dtype=dtype, device=device) / lam_out[:, None])
        self.bias[-1].copy_(bias.to(dtype=dtype, device=device))

    # ------------------------------------------------------------- relevance
    @torch.no_grad()
    def hidden_path_strength(self):
        """Strength of the input-to-output paths that visit a hidden neuron.

        Generalises the paper's ``||Gamma||`` (appendix E): the square root of
        the sum, over all paths ``input -> ... -> output`` through at least one
        hidden neuron (along any skip blocks), of the squared product of the
        direct-space weights on the path. For one hidden layer this is exactly
        the Frobenius norm of ``Gamma_ijk = W[2, 1]_ij W[1, 0]_jk``.

        Returns
        -------
        float
            0 for a network that behaves as a perceptron.
        """
        sq = {key: w * w for key, w in self.blocks().items()}
        last = len(self.layer_sizes) - 1
        # paths[j][a, k]: sum over paths input k -> neuron a of layer j
        paths = [torch.eye(self.layer_sizes[0], dtype=self.phi[0].dtype)]
        for i in range(1, last):
            paths.append(sum(sq[(i, j)] @ paths[j] for j in range(i)))
        # a path avoids every hidden neuron iff its last step leaves the input
        hidden = sum((sq[(last, j)] @ paths[j]).sum() for j in range(1, last))
        return math.sqrt(float(hidden)) if last > 1 else 0.0

    @torch.no_grad()
    def input_relevance(self):
        """Return the relevance of each input from the direct-space blocks.

        Input eigenvalues are fixed at 0, so the bipartite rule
        ``|lam_in_j| ||phi[:, j]||`` does not apply; instead
        ``r_j = sqrt(sum_i ||W[i, 0][:, j]||^2)``, the norm of every weight
        leaving input ``j`` (to hidden layers and, by skip, to the output).

        Returns
        -------
        torch.Tensor of shape (n_in,)
            Non-negative relevance of each input (detached).
        """
        w = self.blocks()
        n_layers = len(self.layer_sizes)
        return sum((w[(i, 0)] ** 2).sum(dim=0) for i in range(1, n_layers)).sqrt()

    def to_dense(self, masks=None):
        """Export to a plain direct-space network; see :func:`export_dense`.

        Parameters
        ----------
        masks : list of bool tensors or None, default=None
            Hidden neurons to keep; None keeps every neuron not switched off
            (neurons switched off are always left out, exactly).

        Returns
        -------
        DenseSkipNetwork
            Direct-space network with the kept hidden neurons.
        """
        from .export import export_dense

        on = [m.detach().cpu() > 0 for m in self.hidden_masks()]
        if masks is not None:
            on = [
                a & torch.as_tensor(b, dtype=torch.bool).cpu()
                for a, b in zip(on, masks)
            ]
        return export_dense(self, on)


def spectral_matrix(net):
    """Build ``A = Phi Lambda Phi^{-1}`` of the paper for a SPARCS network.

    ``Phi`` has identity diagonal blocks and ``phi[i]`` in block ``(i+1, i)``;
    ``Lambda`` is diagonal with all eigenvalues. The lower blocks of ``A`` are
    the blocks ``W[i, j]``, the diagonal blocks ``diag(lam[i])``. Quadratic in
    the total number of neurons: for tests and small networks only.

    Parameters
    ----------
    net : SparcsNetwork
        Network whose ``phi`` and eigenvalues build the matrix.

    Returns
    -------
    A : torch.Tensor of shape (sum N, sum N)
        The matrix, detached from the autograd graph.
    offsets : list of int
        Start row of each layer; layer ``i`` spans ``offsets[i]:offsets[i+1]``.

    See Also
    --------
    SparcsNetwork.blocks : The lower blocks of ``A``, without the inverse.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.sparcs import SparcsNetwork, spectral_matrix
    >>> net = SparcsNetwork((2, 3, 1), generator=torch.Generator().manual_seed(0))
    >>> a, offsets = spectral_matrix(net)
    >>> a.shape, offsets
    (torch.Size([6, 6]), [0, 2, 5, 6])
    >>> block = a[offsets[2] : offsets[3], offsets[0] : offsets[1]]
    >>> torch.allclose(block, net.blocks()[(2, 0)], atol=1e-6)
    True
    """
    sizes = net.layer_sizes
    offsets = [0]
    for n in sizes:
        offsets.append(offsets[-1] + n)
    dtype = net.phi[0].dtype
    with torch.no_grad():
        big = torch.eye(offsets[-1], dtype=dtype)
        for i, phi in enumerate(net.phi):
            big[offsets[i + 1] : offsets[i + 2], offsets[i] : offsets[i + 1]] = phi
        lam = torch.diag(torch.cat(net.eigenvalues()))
        a = big @ lam @ torch.linalg.inv(big)
    return a, offsets


def _relu_derivative(module, grad, pre, out):
    # sign(relu(pre)) is the 0/1 derivative (0 at pre = 0, as autograd has
    # it); one float pass instead of a comparison and a select: 8 against
    # 48 us for 256 x 128 floats (one thread)
    return torch.sign(out).mul_(grad)


def _leaky_relu_derivative(module, grad, pre, out):
    return torch.where(pre > 0, grad, grad * module.negative_slope)


def _tanh_derivative(module, grad, pre, out):
    return grad * (1.0 - out * out)


def _sigmoid_derivative(module, grad, pre, out):
    return grad * (out * (1.0 - out))


def _identity_derivative(module, grad, pre, out):
    return grad


#: ``dL/dpre`` from ``dL/df(pre)`` for each activation module, written with
#: public torch functions (scikit-learn's ``DERIVATIVES`` in spirit).
_ACTIVATION_DERIVATIVES = {
    nn.ReLU: _relu_derivative,
    nn.LeakyReLU: _leaky_relu_derivative,
    nn.Tanh: _tanh_derivative,
    nn.Sigmoid: _sigmoid_derivative,
    nn.Identity: _identity_derivative,
}


def _uniform(n, half_width, generator, dtype):
    if half_width == 0:
        return torch.zeros(n, dtype=dtype)
    u = torch.rand((n,), generator=generator, dtype=dtype)
    return (2.0 * u - 1.0) * float(half_width)


def _xavier_uniform(n_out, n_in, generator, dtype):
    bound = math.sqrt(6.0 / (n_in + n_out))
    u = torch.rand((n_out, n_in), generator=generator, dtype=dtype)
    return (2.0 * u - 1.0) * bound
