"""Several spectral networks trained in one step (issue 20, item 7).

The all-relevant test of the selector fits tens of small networks on the
same rows (each on its own columns beside fresh shadows). On small data a
fit is per-step overhead: a step of a 178-row network is a handful of
small kernels and the Python around them. :class:`MemberMLP` holds ``K``
independent :class:`~sklearn_spectral.nn.mlp.SpectralMLP` networks
("members") with a leading member dimension on every parameter and takes
their closed-form gradients with batched products (``torch.baddbmm``,
``torch.bmm``); :class:`MemberAdam` takes each member's Adam step and the
proximal step of its input L1 elementwise, at each member's own strength.
A member may be frozen: its parameters and its Adam state (moments and
step count) no longer move. Member ``k`` follows the same arithmetic as a
single network trained by :class:`~sklearn_spectral.nn.optim.ProximalAdam`
on its own inputs, up to float rounding (``tests/test_members.py``).

Members may have different numbers of inputs: the first layer is padded
to the widest member with inputs whose eigenvalue and eigenvector column
are 0 (fed 0): they get no gradient and stay 0.

This module imports torch only.
"""

from __future__ import annotations

import torch

from .activations import DERIVATIVES
from .layers import SpectralLinear
from .mlp import SpectralMLP

__all__ = ["MemberAdam", "MemberMLP", "member_loss_and_output_grad", "stackable"]


def stackable(modules):
    """Whether ``modules`` can be trained as members of one :class:`MemberMLP`.

    Each must be a :class:`SpectralMLP` with the ``"in"`` eigenvalues (only
    the ``lam_in`` trained, no ``lam_out`` in the forward pass; input groups
    on the first layer only), a package activation with a closed-form
    derivative, biases, and the same hidden sizes, outputs, activation and
    dtype as the others.

    Parameters
    ----------
    modules : sequence of torch.nn.Module
        The networks.

    Returns
    -------
    bool
        True when :class:`MemberMLP` covers them.
    """
    if not modules:
        return False

    def shape(m, layers):
        # a plain list of the layers: slicing a ModuleList builds a module
        return (
            type(m.activation),
            tuple(layer.out_features for layer in layers),
            tuple(layer.in_features for layer in layers[1:]),
            layers[0].phi.dtype,
        )

    first = None
    for m in modules:
        if type(m) is not SpectralMLP or type(m.activation) not in DERIVATIVES:
            return False
        layers = list(m.layers)
        for index, layer in enumerate(layers):
            if (
                type(layer) is not SpectralLinear
                or layer._uses_lam_out
                or layer.bias is None
                or not layer.phi.requires_grad
                or not layer.lam_in.requires_grad
                or (index > 0 and layer.input_groups is not None)
            ):
                return False
        if first is None:
            first = shape(m, layers)
        elif shape(m, layers) != first:
            return False
    return True


class MemberMLP(torch.nn.Module):
    """``K`` spectral MLPs of one shape, a leading member dimension on each.

    Parameters
    ----------
    modules : sequence of SpectralMLP
        The members' networks (see :func:`stackable`), copied in; their
        input widths may differ (the first layer is padded with zeros).

    Attributes
    ----------
    phi, lam_in, bias : list of torch.nn.Parameter
        Per layer, of shapes ``(K, out, in)``, ``(K, in)`` and ``(K, out)``.
    n_inputs : torch.Tensor of shape (K,)
        Each member's own number of inputs.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.mlp import SpectralMLP
    >>> from sklearn_spectral.nn.members import MemberMLP
    >>> nets = [SpectralMLP(d, [4], 2, generator=torch.Generator().manual_seed(d))
    ...         for d in (3, 5)]
    >>> members = MemberMLP(nets)
    >>> tuple(members.phi[0].shape)
    (2, 4, 5)
    >>> members(torch.zeros(2, 7, 5)).shape
    torch.Size([2, 7, 2])
    """

    def __init__(self, modules):
        super().__init__()
        if not stackable(modules):
            raise ValueError(
                "modules must be SpectralMLPs of one shape with trained input "
                "eigenvalues only, no input groups and biases (see stackable)."
            )
        self.n_members = len(modules)
        widths = [m.layers[0].in_features for m in modules]
        self.n_inputs = torch.tensor(widths)
        width = max(widths)
        self.activation = type(modules[0].activation)()
        firsts = [m.layers[0] for m in modules]
        # grouped inputs share one eigenvalue: the node -> eigenvalue map of
        # each member (padded inputs point at eigenvalue 0; they are 0 and
        # feed 0, so they add nothing to its gradient)
        self.groups = None
        if any(layer.input_groups is not None for layer in firsts):
            self.groups = torch.zeros(len(modules), width, dtype=torch.long)
            for k, layer in enumerate(firsts):
                index = layer.input_groups
                if index is None:
                    index = torch.arange(layer.in_features)
                self.groups[k, : layer.in_features] = index
        phis, lams, biases = [], [], []
        with torch.no_grad():
            for index in range(len(modules[0].layers)):
                layers = [m.layers[index] for m in modules]
                n_in = width if index == 0 else layers[0].in_features
                n_lam = max(layer.lam_in.numel() for layer in layers)
                phi = layers[0].phi.new_zeros(len(layers), layers[0].out_features, n_in)
                lam = layers[0].lam_in.new_zeros(len(layers), n_lam)
                for k, layer in enumerate(layers):
                    phi[k, :, : layer.in_features] = layer.phi
                    lam[k, : layer.lam_in.numel()] = layer.lam_in
                bias = torch.stack([layer.bias.detach() for layer in layers])
                phis.append(torch.nn.Parameter(phi))
                lams.append(torch.nn.Parameter(lam))
                biases.append(torch.nn.Parameter(bias.clone()))
        self.phi = torch.nn.ParameterList(phis)
        self.lam_in = torch.nn.ParameterList(lams)
        self.bias = torch.nn.ParameterList(biases)
        # plain lists of the same parameters for the step's arithmetic:
        # indexing a ParameterList takes microseconds, a step does a dozen
        self._phis, self._lams, self._biases = phis, lams, biases

    def forward(self, x):
        """Outputs of every member on its inputs.

        Parameters
        ----------
        x : torch.Tensor of shape (K, n_samples, n_inputs)
            Each member's standardised inputs (zero-padded to the widest).

        Returns
        -------
        torch.Tensor of shape (K, n_samples, n_outputs)
        """
        act = DERIVATIVES[type(self.activation)][0]
        last = len(self._phis) - 1
        h = x
        for k in range(last + 1):
            h = torch.baddbmm(
                self._biases[k].unsqueeze(1),
                h * self._node_lam(k).unsqueeze(1),
                self._phis[k].transpose(1, 2),
            )
            if k < last:
                h = act(self.activation, h)
        return h

    def closed_form(self, x, y, loss, sample_weight=None, members=None):
        """Every member's mean data loss, with the gradients set in closed form.

        The batched form of :meth:`SpectralMLP._closed_form` for the ``"in"``
        eigenvalues (no ``lam_out``), under ``no_grad``.

        Parameters
        ----------
        x : torch.Tensor of shape (K, n_samples, n_inputs)
            Standardised inputs of each member.
        y : torch.Tensor of shape (K, n_samples) or (K, n_samples, n_outputs)
            Targets (class indices, or encoded regression targets).
        loss : {"cross_entropy", "squared_error"}
            The data loss.
        sample_weight : torch.Tensor of shape (K, n_samples) or None
            Per-sample weights of each member's mean.
        members : torch.Tensor of int or None, default=None
            Only these members (``x``, ``y`` and ``sample_weight`` then hold
            their rows alone): the others get zero gradients, and no
            arithmetic (the members that stopped, while others train).

        Returns
        -------
        torch.Tensor of shape (K,) or (len(members),)
            Each member's batch data loss; every parameter's ``grad`` is set.
        """
        activation = self.activation
        act, act_grad = DERIVATIVES[type(activation)]
        last = len(self._phis) - 1

        def take(tensor):
            return tensor if members is None else tensor.index_select(0, members)

        def put(param, grad):
            if members is None:
                param.grad = grad
            else:
                param.grad = torch.zeros_like(param).index_copy_(0, members, grad)

        layers = [
            (take(self._phis[k]), take(self._node_lam(k)), take(self._biases[k]))
            for k in range(last + 1)
        ]
        saved, pre = [], []
        h = x
        for k, (phi, lam, bias) in enumerate(layers):
            scaled = h * lam.unsqueeze(1)
            z = torch.baddbmm(bias.unsqueeze(1), scaled, phi.transpose(1, 2))
            saved.append((h, scaled))
            if k < last:
                pre.append(z)
                h = act(activation, z)
            else:
                h = z
        value, g = member_loss_and_output_grad(h, y, loss, sample_weight)
        for k in range(last, -1, -1):
            phi, lam, _ = layers[k]
            h, scaled = saved[k]
            put(self._biases[k], g.sum(1))
            gt = g.transpose(1, 2)
            if k == 0:
                product = torch.bmm(gt, h)
                put(self._phis[0], product * lam.unsqueeze(1))
                grad = (product * phi).sum(1)
                if self.groups is not None:
                    grad = torch.zeros_like(take(self._lams[0])).scatter_add_(
                        1, take(self.groups), grad
                    )
                put(self._lams[0], grad)
                continue
            put(self._phis[k], torch.bmm(gt, scaled))
            grad_scaled = torch.bmm(g, phi)
            put(self._lams[k], (grad_scaled * h).sum(1))
            grad_h = grad_scaled * lam.unsqueeze(1)
            if type(activation) is torch.nn.ReLU:
                # autograd's own rule for relu (0 where h is 0), one kernel
                # in place of torch.sign's and a product's: the same numbers
                # (the zeros unsigned)
                g = torch.ops.aten.threshold_backward(grad_h, h, 0)
            else:
                g = act_grad(activation, grad_h, pre[k - 1], h)
        return value

    @torch.no_grad()
    def unit_magnitudes(self):
        """Each member's input relevance ``|lam_j| ||phi[:, j]||``, shape (K, d).

        Padded inputs read 0.
        """
        lam = self._node_lam(0)
        # the root of the summed squares: linalg.vector_norm's float32
        # reduction over the middle dimension took 8x as long, and the
        # stopping rule asks every epoch (its zeros are the same: a sum of
        # squares is 0 only where every square is)
        return lam.abs() * self._phis[0].square().sum(1).sqrt()

    def _node_lam(self, k):
        """Layer ``k``'s eigenvalue of every source node, shape (K, in)."""
        lam = self._lams[k]
        if k == 0 and self.groups is not None:
            return lam.gather(1, self.groups)
        return lam

    @torch.no_grad()
    def write_to(self, k, module):
        """Copy member ``k``'s parameters into the single network ``module``.

        Parameters
        ----------
        k : int
            The member.
        module : SpectralMLP
            A network of the member's shape (the one it was built from).
        """
        for index, layer in enumerate(module.layers):
            n_in = layer.in_features
            layer.phi.copy_(self.phi[index][k, :, :n_in])
            layer.lam_in.copy_(self.lam_in[index][k, : layer.lam_in.numel()])
            layer.bias.copy_(self.bias[index][k])

    @torch.no_grad()
    def read_from(self, k, module):
        """Copy the single network ``module``'s parameters into member ``k``
        (the inverse of :meth:`write_to`)."""
        for index, layer in enumerate(module.layers):
            n_in = layer.in_features
            self.phi[index][k, :, :n_in] = layer.phi
            self.lam_in[index][k, : layer.lam_in.numel()] = layer.lam_in
            self.bias[index][k] = layer.bias

    def param_roles(self):
        """``(other, phi, input eigenvalues)``: the tensors of the single
        network's optimizer groups (see :class:`MemberAdam`)."""
        other = list(self.bias) + list(self.lam_in)[1:]
        return other, list(self.phi), [self.lam_in[0]]


def member_loss_and_output_grad(output, target, loss, sample_weight=None):
    """:func:`~sklearn_spectral.nn.losses.loss_and_output_grad` per member.

    Parameters
    ----------
    output : torch.Tensor of shape (K, n, n_outputs)
    target : torch.Tensor of shape (K, n) (class indices) or (K, n, n_outputs)
    loss : {"cross_entropy", "squared_error"}
    sample_weight : torch.Tensor of shape (K, n) or None

    Returns
    -------
    value : torch.Tensor of shape (K,)
        Each member's mean (weighted) data loss.
    grad : torch.Tensor of output's shape
        Its gradient in ``output``.
    """
    _, n, n_out = output.shape
    row_grad = 1.0 / n if sample_weight is None else sample_weight.unsqueeze(2) / n
    if loss == "cross_entropy":
        logp = torch.log_softmax(output, 2)
        index = target.unsqueeze(2)
        rows = logp.gather(2, index).neg_().squeeze(2)
        grad = logp.exp_().mul_(row_grad)
        minus = torch.full_like(rows, -1.0 / n).unsqueeze(2)
        grad.scatter_add_(2, index, minus if sample_weight is None else -row_grad)
    elif loss == "squared_error":
        diff = output - target.reshape(output.shape).to(output.dtype)
        rows = diff.square().mean(2)
        grad = diff.mul_(row_grad * (2.0 / n_out))
    else:
        raise ValueError(f"MemberMLP has no closed form for loss {loss!r}.")
    if sample_weight is not None:
        rows = rows * sample_weight
    return rows.mean(1), grad


class MemberAdam:
    """Adam and the input L1's proximal step, for every member at once.

    The steps of :class:`~sklearn_spectral.nn.optim.ProximalAdam` on the
    groups a fixed-depth fit builds (:class:`~sklearn_spectral.nn.
    objective.SpectralObjective`): ``"other"`` (biases, hidden eigenvalues)
    plain Adam, ``"phi"`` Adam with coupled weight decay, and the input
    eigenvalues Adam at their own ``beta2`` followed by the soft threshold
    ``lr * strength_k / (sqrt(v_hat) + eps)`` of member ``k``'s strength.
    Each member has its own step count; a frozen member (``active`` False)
    keeps its parameters, moments and step count.

    Every parameter of ``members`` becomes a view of one ``(K, P)`` buffer
    (member ``k``'s parameters end to end in row ``k``), and so do the
    moments: a step is a score of kernels on that buffer whatever the
    number of tensors (a loop over the tensors took a quarter of a wine
    round's member step).

    Parameters
    ----------
    members : MemberMLP
        The networks.
    lr : float
        Learning rate.
    betas : tuple of float
        Adam's decays.
    eps : float
        Adam's denominator term.
    phi_decay : float
        Coupled weight decay of the eigenvectors (``2 * phi_alpha``).
    input_beta2 : float or None
        ``beta2`` of the input eigenvalues (None: ``betas[1]``).
    """

    def __init__(self, members, lr, betas, eps, phi_decay, input_beta2=None):
        self.lr = float(lr)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps = float(eps)
        self.beta2_in = self.beta2 if input_beta2 is None else float(input_beta2)
        self._decays = torch.tensor(
            [[self.beta1], [self.beta2], [self.beta2_in]], dtype=torch.float64
        )
        other, phi, inputs = members.param_roles()
        self.params = [*other, *phi, *inputs]
        n = members.n_members
        dtype = members.phi[0].dtype
        sizes = [p[0].numel() for p in self.params]
        total = sum(sizes)
        self.flat = torch.zeros(n, total, dtype=dtype)
        self.offsets = []
        decay = torch.zeros(total, dtype=dtype)
        start = 0
        with torch.no_grad():
            for p, size in zip(self.params, sizes):
                view = self.flat[:, start : start + size]
                view.copy_(p.detach().reshape(n, size))
                p.data = view.view(p.shape)
                self.offsets.append((start, start + size))
                start += size
        n_other = sum(p[0].numel() for p in other)
        n_phi = sum(p[0].numel() for p in phi)
        decay[n_other : n_other + n_phi] = float(phi_decay)
        self.decay = decay if float(phi_decay) != 0 else None
        #: the input eigenvalues: the last columns of the buffer
        self.inputs = (n_other + n_phi, total)
        self.exp_avg = torch.zeros_like(self.flat)
        self.exp_avg_sq = torch.zeros_like(self.flat)
        self.steps = torch.zeros(n, dtype=torch.float64)
        self._dtype = dtype

    def _gradient(self):
        n = self.flat.shape[0]
        return torch.cat([p.grad.reshape(n, -1) for p in self.params], dim=1)

    def step(self, strengths, active=None):
        """One step of every active member.

        Parameters
        ----------
        strengths : torch.Tensor of shape (K,)
            Each member's input L1 strength this step.
        active : torch.Tensor of bool of shape (K,) or None
            Members that move (None: all).
        """
        if active is None:
            self.steps += 1
        else:
            self.steps += active.to(self.steps.dtype)
        t = self.steps
        lo, hi = self.inputs
        with torch.no_grad():
            p, m, v = self.flat, self.exp_avg, self.exp_avg_sq
            grad = self._gradient()
            if self.decay is not None:
                grad = torch.addcmul(grad, p, self.decay)
            if active is not None:
                old = (p.clone(), m.clone(), v.clone())
            m.lerp_(grad, 1 - self.beta1)
            square = grad.square_()
            v[:, :lo].mul_(self.beta2).add_(square[:, :lo], alpha=1 - self.beta2)
            v[:, lo:].mul_(self.beta2_in).add_(square[:, lo:], alpha=1 - self.beta2_in)
            dtype = self._dtype
            # the three bias corrections in one (3, K) product: the numbers
            # of three (equal over 3e5 steps, float32 and float64)
            bias1, bias2, bias2_in = (1.0 - self._decays**t).clamp_min(1e-30).to(dtype)
            denom = torch.empty_like(v)
            torch.div(v[:, :lo], bias2[:, None], out=denom[:, :lo])
            torch.div(v[:, lo:], bias2_in[:, None], out=denom[:, lo:])
            denom.sqrt_().add_(self.eps)
            p.sub_(m / denom * (self.lr / bias1)[:, None])
            # the input L1's soft threshold in Adam's metric, per member
            lam = p[:, lo:]
            threshold = (
                denom[:, lo:].reciprocal_().mul_(strengths.to(dtype)[:, None] * self.lr)
            )
            lam.sub_(torch.clamp(lam, min=-threshold, max=threshold))
            if active is not None:
                keep = ~active[:, None]
                for live, before in zip((p, m, v), old):
                    live.copy_(torch.where(keep, before, live))

    def _member_slices(self, k, members, module):
        """``(param of module, (m view, v view))`` of member ``k``."""
        where = {
            id(p): (start, stop, p.shape[1:])
            for p, (start, stop) in zip(self.params, self.offsets)
        }
        for index, layer in enumerate(module.layers):
            n_in, n_lam = layer.in_features, layer.lam_in.numel()
            for live, own, cut in (
                (members.phi[index], layer.phi, (slice(None), slice(0, n_in))),
                (members.lam_in[index], layer.lam_in, (slice(0, n_lam),)),
                (members.bias[index], layer.bias, ()),
            ):
                start, stop, shape = where[id(live)]
                yield (
                    own,
                    tuple(
                        buffer[k, start:stop].view(shape)[cut]
                        for buffer in (self.exp_avg, self.exp_avg_sq)
                    ),
                )

    @torch.no_grad()
    def set_member_state(self, k, members, module, state):
        """Set member ``k``'s moments from ``state`` (``{param of module:
        {"exp_avg": ..., "exp_avg_sq": ...}}``, a ProximalAdam's state)."""
        for own, (m, v) in self._member_slices(k, members, module):
            entry = state.get(own)
            if entry:
                m.copy_(entry["exp_avg"])
                v.copy_(entry["exp_avg_sq"])

    @torch.no_grad()
    def member_state(self, k, members, module):
        """Member ``k``'s Adam state, keyed by the parameters of its single
        network ``module``: ``{param: (exp_avg, exp_avg_sq)}`` (copies the
        size of each parameter) and its step count, as
        :class:`~sklearn_spectral.nn.optim.ProximalAdam` keeps them."""
        state = {
            own: (m.clone(), v.clone())
            for own, (m, v) in self._member_slices(k, members, module)
        }
        return state, float(self.steps[k])
