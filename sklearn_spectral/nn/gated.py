"""A SPARCS network behind a diagonal input gate (torch only).

SPARCS fixes the input eigenvalues at zero so that every eigenvalue belongs to
one neuron. To keep input relevance and input sparsity in auto-depth mode, the
input goes through a gate first, ``x -> g * x``, with one trainable value per
input that starts at 1: the first paper's input eigenvalue ``lam_in`` of a
diagonal layer. An L1 penalty on ``g`` switches inputs off exactly as it does
for the fixed-depth network.
"""

from __future__ import annotations

import torch
from torch import nn

from . import evidence
from .layers import InputScaling
from .sparcs import SparcsNetwork

__all__ = ["GatedSparcsNetwork"]


class GatedSparcsNetwork(nn.Module):
    """``SparcsNetwork(g * x)`` with a trainable input gate ``g``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_in, h_1, ..., h_B, n_out)``, passed to :class:`SparcsNetwork`.
    activation : str, default="relu"
        Hidden activation.
    hidden_eig_init : float, default=0.1
        Half-width of the uniform start of the hidden eigenvalues (see
        :class:`SparcsNetwork`; exactly 0 is a saddle with ReLU).
    generator : torch.Generator, optional
        Generator for the initial parameters.
    dtype : torch.dtype, default=torch.float32
        Parameter dtype.
    input_groups : sequence of int or None, default=None
        Group of every input, ``0 .. n_groups - 1``: the inputs of one group
        share one gate value (one input eigenvalue). None: one per input.

    Attributes
    ----------
    gate : torch.nn.Parameter of shape (n_groups,)
        The input eigenvalues, one per input or per group.
    sparcs : SparcsNetwork
        The network behind the gate.

    See Also
    --------
    sklearn_spectral.nn.sparcs.SparcsNetwork : The network without the gate.
    sklearn_spectral.nn.mlp.SpectralMLP : Fixed-depth spectral network.

    Examples
    --------
    >>> import torch
    >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
    >>> gen = torch.Generator().manual_seed(0)
    >>> net = GatedSparcsNetwork((3, 4, 2), generator=gen)
    >>> x = torch.ones(5, 3)
    >>> net(x).shape
    torch.Size([5, 2])
    >>> net.input_eigenvalues()
    tensor([1., 1., 1.])
    >>> torch.allclose(net.to_dense()(x), net(x), atol=1e-6)
    True
    """

    def __init__(
        self,
        layer_sizes,
        activation="relu",
        hidden_eig_init=0.1,
        generator=None,
        dtype=torch.float32,
        input_groups=None,
    ):
        super().__init__()
        self.sparcs = SparcsNetwork(
            layer_sizes,
            activation=activation,
            generator=generator,
            dtype=dtype,
            hidden_eig_init=hidden_eig_init,
        )
        n_in = self.sparcs.layer_sizes[0]
        if input_groups is None:
            self.input_groups = None
            n_gates = n_in
        else:
            index = torch.as_tensor(input_groups, dtype=torch.long).reshape(-1)
            if index.numel() != n_in:
                raise ValueError(
                    f"input_groups has {index.numel()} entries, one per input "
                    f"({n_in}) expected."
                )
            self.register_buffer("input_groups", index)
            n_gates = int(index.max()) + 1 if n_in else 0
        self.gate = nn.Parameter(torch.ones(n_gates, dtype=dtype))
        #: Fixed input standardisation (identity until set), see InputScaling.
        self.input_scaling = InputScaling(self.sparcs.layer_sizes[0], dtype=dtype)
        #: Whether the neurons left on are the ones the data gave evidence
        #: for (set by auto-depth's evidence step at the end of a fit).
        self.settled = False

    def forward(self, x):
        """Apply the gate, then the SPARCS network.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Input batch.

        Returns
        -------
        torch.Tensor of shape (n_samples, n_out)
            Outputs of the network.
        """
        return self.sparcs(self.input_scaling(x) * self.node_gate())

    def node_gate(self):
        """The gate value of every input (its group's, with ``input_groups``).

        Returns
        -------
        torch.Tensor of shape (n_in,)
            ``gate`` itself, or ``gate[input_groups]``.
        """
        if self.input_groups is None:
            return self.gate
        return self.gate.index_select(0, self.input_groups)

    @property
    def n_outputs(self):
        """Number of outputs (int)."""
        return self.sparcs.layer_sizes[-1]

    def manual_gradients(self, loss=None):
        """Whether :meth:`data_loss_and_grads` can stand in for autograd.

        Parameters
        ----------
        loss : str or None, default=None
            The loss the training loop would pass; None checks the network
            alone.

        Returns
        -------
        bool
            True for the package's own activations (see
            ``SparcsNetwork.manual_gradients``) and a loss the closed form
            covers (``"cross_entropy"``, ``"squared_error"``).
        """
        if loss is not None and loss not in ("cross_entropy", "squared_error"):
            return False
        return self.sparcs.manual_gradients()

    def data_loss_and_grads(self, x, y, loss, sample_weight=None):
        """Mean data loss of a batch, with the gradients set by hand.

        The training loop's alternative to autograd (as
        :meth:`SpectralMLP.data_loss_and_grads
        <sklearn_spectral.nn.mlp.SpectralMLP.data_loss_and_grads>`): the
        forward pass keeps what the backward needs, and the backward is
        written with public torch functions. Autograd's graph costs as much
        as the arithmetic on these small networks: one training step of a
        20 -> 128 -> 128 -> 1 network, batch 256, took 3.6-4.3x a
        fixed-depth step through autograd (issue 22); see
        ``benchmarks/bench_sparcs_step_cost.py`` for the ratio now. Checked
        against autograd in float64 by ``tests/test_nn_sparcs.py``.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, n_in)
            Raw input batch (the input scaling and the gate are applied).
        y : torch.Tensor
            Class indices (``loss="cross_entropy"``) or targets of the
            outputs' shape (``loss="squared_error"``).
        loss : {"cross_entropy", "squared_error"}
            Cross-entropy of the logits, or the squared error averaged over
            the outputs, then averaged over the (weighted) samples.
        sample_weight : torch.Tensor of shape (n_samples,) or None
            Per-sample weights of the mean (all 1 when None).

        Returns
        -------
        torch.Tensor
            The batch's mean (weighted) data loss, a scalar; the ``grad`` of
            every trainable parameter is replaced by its gradient.
        """
        if torch.is_grad_enabled():
            with torch.no_grad():
                return self.data_loss_and_grads(x, y, loss, sample_weight)
        scaled = self.input_scaling(x)
        out, cache = self.sparcs.forward_cached(scaled * self.node_gate())
        n = out.shape[0]
        # d(mean of w * loss)/d(loss of a row) = w / n
        rows = None if sample_weight is None else sample_weight / n
        if loss == "cross_entropy":
            logp = torch.log_softmax(out, dim=1)
            per_row = -logp.gather(1, y[:, None])[:, 0]
            grad = logp.exp()
            grad.scatter_add_(
                1,
                y[:, None],
                torch.full((n, 1), -1.0, dtype=out.dtype, device=out.device),
            )
            grad = grad / n if rows is None else grad * rows[:, None]
        elif loss == "squared_error":
            diff = out - y.reshape(out.shape)
            per_row = (diff * diff).mean(dim=1)
            factor = 2.0 / out.shape[1]
            if rows is None:
                grad = diff * (factor / n)
            else:
                grad = diff * (rows * factor)[:, None]
        else:
            raise ValueError(
                f"loss must be 'cross_entropy' or 'squared_error', got {loss!r}."
            )
        value = per_row.mean() if rows is None else (per_row * rows).sum()
        need_input = self.gate.requires_grad
        grad_z = self.sparcs.backward_cached(cache, grad, input_grad=need_input)
        if need_input:
            grad_gate = (grad_z * scaled).sum(0)
            if self.input_groups is not None:  # one gate per group: summed
                grad_gate = torch.zeros_like(self.gate).index_add_(
                    0, self.input_groups, grad_gate
                )
            self.gate.grad = grad_gate
        return value

    def penalized_eigenvalues(self, which="hidden"):
        """Return the eigenvalue tensors a penalty acts on.

        Parameters
        ----------
        which : {"input", "hidden"}
            The input gate, or the hidden-layer eigenvalues (one tensor per
            hidden layer; empty for a perceptron).

        Returns
        -------
        list of torch.nn.Parameter
            The selected eigenvalue tensors.
        """
        if which == "input":
            return [self.gate]
        if which == "hidden":
            return list(self.sparcs.lam[:-1])
        raise ValueError(f"Unknown eigenvalue selection {which!r}.")

    def phi_parameters(self):
        """Return the eigenvector blocks of the SPARCS network.

        Returns
        -------
        list of torch.nn.Parameter
            ``phi[i]`` of shape ``(N_{i+1}, N_i)``, from the input layer on.
        """
        return list(self.sparcs.phi)

    def input_eigenvalues(self):
        """Return the input gate, the input eigenvalues.

        Returns
        -------
        torch.Tensor of shape (n_in,)
            A detached copy; with ``input_groups`` each input's group value.
        """
        return self.node_gate().detach().clone()

    @torch.no_grad()
    def input_relevance(self):
        """Return the relevance of each input.

        It is ``|g_j|`` times the norm of every direct-space weight leaving
        input ``j`` (see ``SparcsNetwork.input_relevance``).

        Returns
        -------
        torch.Tensor of shape (n_in,)
            Non-negative relevance of each input (detached).
        """
        return self.node_gate().abs() * self.sparcs.input_relevance()

    @torch.no_grad()
    def hidden_scores(self):
        """Return each hidden neuron's effective eigenvalue (its pruning score).

        Returns
        -------
        list of torch.Tensor
            One tensor per hidden layer (see
            ``SparcsNetwork.neuron_eigenvalues``).
        """
        return self.sparcs.neuron_eigenvalues()

    def active_masks(self, rtol):
        """Hidden neurons in use at relative threshold ``rtol``.

        Parameters
        ----------
        rtol : float
            Relative threshold (see ``SparcsNetwork.active_masks``).

        Returns
        -------
        list of torch.Tensor of dtype bool
            One mask per hidden layer.
        """
        return self.sparcs.active_masks(float(rtol))

    def settle_depth(self, train, held_out=None, **options):
        """Keep the hidden neurons the data give evidence for (auto-depth).

        See :func:`sklearn_spectral.nn.evidence.settle_depth`; part of the
        :class:`~sklearn_spectral.nn.evidence.DepthSettling` protocol.

        Parameters
        ----------
        train : Rows
            Rows the network was trained on.
        held_out : Rows or None, default=None
            Rows it was not trained on.
        **options
            ``loss`` (required), ``cost_per_parameter``, ``tolerance``,
            ``linear_tolerance``, ``layer_tolerance``, ``layer_gain_fraction``,
            ``lbfgs_iter``.

        Returns
        -------
        DepthDecision
            The neurons kept and what each rule chose.
        """
        return evidence.settle_depth(self, train, held_out, **options)

    @torch.no_grad()
    def load_relu_mlp(self, layers):
        """Make the network compute a one-hidden-layer ReLU MLP exactly.

        Auto-depth's evidence step may prefer the fixed-depth network (its
        challenger) to the network it grew; the estimator then keeps that
        network's function in this module. With ReLU, ``relu(-a) + a =
        relu(a)`` turns SPARCS' skip term into a plain MLP: hidden
        eigenvalues ``-1``, output eigenvalues ``1``, ``phi[0] = -A``,
        ``phi[1] = -W2 / 2`` and the biases to match, where ``A`` is the
        MLP's first weight on this network's scaled inputs. Every hidden
        neuron is switched on; an input the MLP does not use (an all-zero
        weight column) gets a gate of 0, the others 1.

        Parameters
        ----------
        layers : sequence of two (weight, bias) pairs
            ``(W1, b1)`` of shape ``(h, n_in)``, ``(h,)`` acting on the raw
            inputs (before :attr:`input_scaling`) and ``(W2, b2)`` of shape
            ``(n_out, h)``, ``(n_out,)``, in this network's output units.

        Returns
        -------
        GatedSparcsNetwork
            ``self``, marked ``settled``.

        Raises
        ------
        ValueError
            When the network is not a one-hidden-layer ReLU network of the
            same sizes, has input groups, or has no biases.

        Examples
        --------
        >>> import torch
        >>> from sklearn_spectral.nn.gated import GatedSparcsNetwork
        >>> gen = torch.Generator().manual_seed(0)
        >>> net = GatedSparcsNetwork((3, 4, 2), generator=gen)
        >>> w1, b1 = torch.randn(4, 3, generator=gen), torch.randn(4, generator=gen)
        >>> w2, b2 = torch.randn(2, 4, generator=gen), torch.randn(2, generator=gen)
        >>> x = torch.randn(5, 3, generator=gen)
        >>> mlp = torch.relu(x @ w1.T + b1) @ w2.T + b2
        >>> torch.allclose(net.load_relu_mlp([(w1, b1), (w2, b2)])(x), mlp, atol=1e-5)
        True
        """
        sparcs = self.sparcs
        (w1, b1), (w2, b2) = [(w.double(), b.double()) for w, b in layers]
        sizes = (w1.shape[1], w1.shape[0], w2.shape[0])
        if (
            sparcs.activation != "relu"
            or tuple(sparcs.layer_sizes) != sizes
            or w2.shape[1] != w1.shape[0]
            or self.input_groups is not None
            or sparcs.bias is None
        ):
            raise ValueError(
                "load_relu_mlp needs a one-hidden-layer relu network of sizes "
                f"{sizes} with biases and no input groups; this one has sizes "
                f"{tuple(sparcs.layer_sizes)}, activation {sparcs.activation!r}."
            )
        scaling = self.input_scaling
        scale = scaling.scale.to(w1.device, torch.float64)
        shift = scaling.shift.to(w1.device, torch.float64)
        a = w1 * scale[None, :]  # on the scaled inputs z: x = z * scale + shift
        c = w1 @ shift + b1
        dtype = sparcs.phi[0].dtype
        self.gate.copy_((a != 0).any(dim=0).to(dtype))
        sparcs.phi[0].copy_((-a).to(dtype))
        sparcs.lam[0].fill_(-1.0)
        sparcs.bias[0].copy_((-c).to(dtype))
        sparcs.phi[1].copy_((-0.5 * w2).to(dtype))
        sparcs.lam[1].fill_(1.0)
        sparcs.bias[1].copy_((b2 + w2 @ c).to(dtype))
        for mask in sparcs.hidden_masks():
            mask.fill_(1.0)
        self.settled = True
        return self

    def node_eigenvalues(self):
        """Return the eigenvalues of every layer of the SPARCS network.

        Returns
        -------
        list of torch.Tensor
            Detached copies, input layer (zeros) to output layer.
        """
        return self.sparcs.eigenvalues()

    def architecture(self, rtol):
        """Return the widths of the hidden layers in use.

        Parameters
        ----------
        rtol : float
            Relative threshold (see ``SparcsNetwork.active_masks``); 0
            counts every neuron not switched off with a non-zero eigenvalue.

        Returns
        -------
        tuple of int
            Active widths; ``()`` is a perceptron.
        """
        return self.sparcs.architecture(float(rtol))

    def hidden_path_strength(self):
        """Return the strength of the paths through hidden neurons.

        Returns
        -------
        float
            0 for a network that behaves as a perceptron (see
            ``SparcsNetwork.hidden_path_strength``).
        """
        return self.sparcs.hidden_path_strength()

    @torch.no_grad()
    def unit_magnitudes(self):
        """Return the size of every penalised unit: inputs, then hidden neurons.

        Returns
        -------
        torch.Tensor
            ``|g|`` of every input, then ``|lam|`` of every hidden neuron,
            layer by layer; exactly 0 for a unit switched off.
        """
        parts = [self.gate, *self.sparcs.lam[:-1]]
        return torch.cat([p.detach().abs().reshape(-1) for p in parts])

    @torch.no_grad()
    def to_dense(self, masks=None):
        """Export to a :class:`~sklearn_spectral.nn.export.DenseSkipNetwork`.

        The gate and the input scaling are folded into the input columns of
        every layer, so the export takes raw inputs.

        Parameters
        ----------
        masks : list of bool tensors or None, default=None
            Hidden neurons to keep (see ``SparcsNetwork.active_masks``).

        Returns
        -------
        DenseSkipNetwork
            Direct-space network with the gate folded in.
        """
        dense = self.sparcs.to_dense(masks)
        gate = self.node_gate()
        n_in = gate.numel()
        for linear in dense.linears:
            linear.weight[:, :n_in] *= gate.to(linear.weight.device)
            if self.input_scaling.active:
                w, b = self.input_scaling.fold(linear.weight[:, :n_in], linear.bias)
                linear.weight[:, :n_in] = w
                linear.bias.copy_(b)
        return dense
