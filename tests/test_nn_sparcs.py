"""Tests of the torch SPARCS network and its direct-space export."""

import math

import pytest
import torch

from sklearn_spectral.nn.activations import get_activation
from sklearn_spectral.nn.export import (
    DenseSkipNetwork,
    export_dense,
    export_mlp,
    prune,
)
from sklearn_spectral.nn.gated import GatedSparcsNetwork
from sklearn_spectral.nn.penalties import eigenvalue_penalty
from sklearn_spectral.nn.sparcs import SparcsNetwork, spectral_matrix

torch.set_num_threads(1)

SIZES = {
    0: (3, 2),
    1: (3, 5, 2),
    2: (4, 5, 3, 2),
    3: (2, 4, 3, 5, 1),
    4: (3, 4, 2, 3, 4, 2),
}


def randomised(sizes, seed=0, dtype=torch.float64, bias=True):
    """Network with random non-zero eigenvalues and biases."""
    gen = torch.Generator().manual_seed(seed)
    net = SparcsNetwork(sizes, generator=gen, dtype=dtype, bias=bias)
    with torch.no_grad():
        for lam in net.lam:
            lam.copy_(torch.randn(lam.shape, generator=gen, dtype=dtype))
        for b in net.bias or []:
            b.copy_(0.5 * torch.randn(b.shape, generator=gen, dtype=dtype))
    return net


def inputs(n_in, seed=1, dtype=torch.float64, n=11):
    return torch.randn(
        n, n_in, generator=torch.Generator().manual_seed(seed), dtype=dtype
    )


@pytest.mark.parametrize("depth", sorted(SIZES))
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_fast_forward_matches_blocks_and_spectral_matrix(depth, activation):
    net = randomised(SIZES[depth])
    net.activation = activation
    net._f = get_activation(activation)
    x = inputs(SIZES[depth][0])
    with torch.no_grad():
        fast, slow = net(x), net.forward_materialized(x)
    assert torch.allclose(fast, slow, rtol=0, atol=1e-10)

    a, off = spectral_matrix(net)
    blocks = net.blocks()
    lams = net.eigenvalues()
    n_layers = len(SIZES[depth])
    for i in range(n_layers):
        for j in range(n_layers):
            block = a[off[i] : off[i + 1], off[j] : off[j + 1]]
            if j < i:
                expected = blocks[(i, j)].detach()
            elif j == i:
                expected = torch.diag(lams[i])
            else:
                expected = torch.zeros_like(block)
            assert torch.allclose(block, expected, rtol=0, atol=1e-10), (i, j)


def test_blocks_follow_eq_4_3():
    net = randomised(SIZES[3])
    phi = [p.detach() for p in net.phi]
    lam = net.eigenvalues()
    w = net.blocks()
    for i in range(1, 5):
        c = phi[i - 1] * lam[i - 1][None, :] - lam[i][:, None] * phi[i - 1]
        for j in range(i):
            prod = c
            for k in range(i - 2, j - 1, -1):
                prod = prod @ phi[k]
            expected = (-1) ** (i - 1 - j) * prod
            assert torch.allclose(w[(i, j)].detach(), expected, atol=1e-12)


@pytest.mark.parametrize("depth", sorted(SIZES))
def test_initial_network_is_linear(depth):
    sizes = SIZES[depth]
    net = SparcsNetwork(
        sizes, generator=torch.Generator().manual_seed(3), dtype=torch.float64
    )
    x1, x2 = inputs(sizes[0], 4), inputs(sizes[0], 5)
    with torch.no_grad():
        f = net
        assert torch.allclose(
            f(2.0 * x1 - 3.0 * x2), 2.0 * f(x1) - 3.0 * f(x2), atol=1e-12
        )
        direct = net.blocks()[(len(sizes) - 1, 0)]
        assert torch.allclose(f(x1), x1 @ direct.T, atol=1e-12)
        # the perceptron map is (-1)^(B+1) phi_B ... phi_0 (lam_out = 1, rest 0)
        prod = net.phi[0]
        for phi in net.phi[1:]:
            prod = phi @ prod
        assert torch.allclose(direct, (-1) ** (depth + 1) * prod, atol=1e-12)
    assert net.architecture() == ()
    assert net.hidden_path_strength() == 0.0
    for lam in net.hidden_eigenvalues():
        assert torch.all(lam == 0)


@pytest.mark.parametrize("depth", sorted(SIZES))
def test_export_all_neurons(depth):
    net = randomised(SIZES[depth], dtype=torch.float32)
    x = inputs(SIZES[depth][0], dtype=torch.float32)
    dense = export_dense(net)
    assert isinstance(dense, DenseSkipNetwork)
    assert dense.layer_sizes == SIZES[depth]
    with torch.no_grad():
        assert torch.allclose(dense(x), net(x), rtol=0, atol=1e-5)
    assert dense.n_parameters() == sum(
        sum(SIZES[depth][:i]) * n + n for i, n in enumerate(SIZES[depth]) if i
    )


def test_export_after_pruning_zero_eigenvalues():
    net = randomised((3, 6, 2), dtype=torch.float32)
    with torch.no_grad():
        net.lam[0][[0, 2, 3]] = 0.0
    assert net.architecture() == (3,)
    masks = net.active_masks()
    assert masks[0].tolist() == [False, True, False, False, True, True]
    dense = prune(net)
    assert dense.hidden_layer_sizes == (3,)
    x = inputs(3, dtype=torch.float32)
    with torch.no_grad():
        assert torch.allclose(dense(x), net(x), rtol=0, atol=1e-5)


def test_export_deep_drops_empty_layers_exactly():
    # first hidden layer switched off: neurons of the second hidden layer with
    # lam = 0 then receive nothing, and the first layer disappears entirely
    net = randomised(SIZES[3], dtype=torch.float32)
    with torch.no_grad():
        net.lam[0].zero_()
        net.lam[1][[0, 2]] = 0.0
    assert net.architecture() == (1, 5)
    dense = prune(net)
    assert dense.layer_sizes == (2, 1, 5, 1)
    x = inputs(2, dtype=torch.float32)
    with torch.no_grad():
        assert torch.allclose(dense(x), net(x), rtol=0, atol=1e-5)
    # all hidden layers off: a perceptron with folded biases
    with torch.no_grad():
        for lam in net.lam[:-1]:
            lam.zero_()
    assert net.architecture() == ()
    dense = prune(net)
    assert dense.layer_sizes == (2, 1)
    with torch.no_grad():
        assert torch.allclose(dense(x), net(x), rtol=0, atol=1e-5)


def test_zero_eigenvalue_is_not_inert_after_an_active_layer():
    net = randomised(SIZES[2])
    with torch.no_grad():
        net.lam[1][0] = 0.0  # second hidden layer; first hidden layer active
    eff = net.neuron_eigenvalues()
    assert eff[1][0] > 0.1
    assert torch.allclose(eff[0], net.lam[0].detach().abs())
    assert net.active_masks()[1][0]


def test_hidden_eigenvalue_penalties():
    net = GatedSparcsNetwork((2, 3, 2, 1), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net.sparcs.lam[0].copy_(torch.tensor([3.0, -4.0, 0.0]))
        net.sparcs.lam[1].copy_(torch.tensor([-1.0, 2.0]))
        net.sparcs.lam[2].copy_(torch.tensor([10.0]))  # output: never penalised
    hidden = net.penalized_eigenvalues("hidden")
    assert eigenvalue_penalty(hidden, "l1").item() == pytest.approx(10.0)
    assert eigenvalue_penalty(hidden, "l2").item() == pytest.approx(30.0)
    expected = 5.0 + math.sqrt(5.0)
    assert eigenvalue_penalty(hidden, "group").item() == pytest.approx(expected)
    eigenvalue_penalty(hidden, "group").backward()
    assert net.sparcs.lam[2].grad is None or torch.all(net.sparcs.lam[2].grad == 0)
    with pytest.raises(ValueError):
        eigenvalue_penalty(hidden, "l3")
    assert GatedSparcsNetwork((2, 1)).penalized_eigenvalues("hidden") == []
    # the group penalty has a finite (zero) gradient at a zero start
    fresh = GatedSparcsNetwork((2, 3, 1), hidden_eig_init=0.0)
    eigenvalue_penalty(fresh.penalized_eigenvalues("hidden"), "group").backward()
    assert torch.all(fresh.sparcs.lam[0].grad == 0)


def test_eigenvalues_and_trainability():
    net = SparcsNetwork((3, 4, 5, 2))
    lams = net.eigenvalues()
    assert [len(v) for v in lams] == [3, 4, 5, 2]
    assert all(torch.all(v == 0) for v in lams[:3])
    assert torch.all(lams[3] == 1)
    assert not lams[0].requires_grad
    trainable = {name for name, p in net.named_parameters()}
    assert "lam_input" not in trainable
    assert {"lam.0", "lam.1", "lam.2", "phi.0", "bias.2"} <= trainable
    assert len(SparcsNetwork((3, 4, 2), bias=False).bias or []) == 0


def test_no_global_rng_use_and_reproducible():
    state = torch.random.get_rng_state()
    a = SparcsNetwork((4, 8, 8, 2), generator=torch.Generator().manual_seed(7))
    assert torch.equal(torch.random.get_rng_state(), state)
    b = SparcsNetwork((4, 8, 8, 2), generator=torch.Generator().manual_seed(7))
    for pa, pb in zip(a.phi, b.phi):
        assert torch.equal(pa, pb)
    bound = math.sqrt(6.0 / (4 + 8))
    assert a.phi[0].abs().max() <= bound
    c = SparcsNetwork(
        (4, 8, 8, 2), generator=torch.Generator().manual_seed(7), hidden_eig_init=0.1
    )
    assert torch.equal(torch.random.get_rng_state(), state)
    for lam in c.hidden_eigenvalues():
        assert 0 < lam.abs().max() <= 0.1
    assert torch.equal(c.eigenvalues()[-1], torch.ones(2))
    assert torch.equal(c.phi[0], a.phi[0])


def test_relevance_and_path_strength():
    net = randomised((3, 4, 2))
    w = net.blocks()
    w21, w10 = w[(2, 1)].detach(), w[(1, 0)].detach()
    gamma = w21[:, :, None] * w10[None, :, :]
    assert net.hidden_path_strength() == pytest.approx(float(gamma.norm()))
    cols = torch.cat([w10, w[(2, 0)].detach()]).norm(dim=0)
    assert torch.allclose(net.input_relevance(), cols)
    deep = randomised(SIZES[3])
    assert deep.hidden_path_strength() > 0
    with torch.no_grad():
        for lam in deep.lam[:-1]:
            lam.zero_()
    assert deep.hidden_path_strength() == 0.0


def test_active_counts_and_architecture():
    net = randomised((2, 5, 1))
    with torch.no_grad():
        net.lam[0].copy_(torch.tensor([1e-6, 1e-3, 0.1, 0.5, 1.0]))
        net.lam[1].fill_(2.0)
    assert net.reference_scale() == 2.0
    assert net.active_counts([1e-8, 1e-4, 1e-2, 0.3, 1.0]) == [5, 4, 3, 1, 0]
    assert net.architecture(1e-2) == (3,)
    assert net.architecture(1.0) == ()


def test_invalid_arguments():
    with pytest.raises(ValueError):
        SparcsNetwork((3,))
    with pytest.raises(ValueError):
        SparcsNetwork((3, 0, 1))
    with pytest.raises(ValueError):
        SparcsNetwork((3, 1), activation="swish")
    net = SparcsNetwork((3, 4, 1))
    with pytest.raises(ValueError):
        export_dense(net, [torch.ones(3, dtype=torch.bool)])


def test_gradients_reach_output_side_hidden_layer_first():
    # at initialisation only the last hidden layer's eigenvalues get a gradient
    net = SparcsNetwork((3, 6, 6, 1), generator=torch.Generator().manual_seed(0))
    x = inputs(3, dtype=torch.float32, n=64)
    net(x).pow(2).mean().backward()
    assert torch.all(net.lam[0].grad == 0)
    assert net.lam[1].grad.abs().sum() > 0


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_switched_off_neurons_are_exact_constants(depth):
    gen = torch.Generator().manual_seed(3)
    sizes = (4, *([6] * depth), 2)
    net = SparcsNetwork(sizes, generator=gen, hidden_eig_init=0.5, hidden_bias_init=0.2)
    x = torch.randn(9, 4, generator=gen)
    keep = [torch.rand(6, generator=gen) > 0.5 for _ in range(depth)]
    net.switch_off(keep)
    # every block into a neuron switched off is zero: it outputs f(b) and
    # the network, its blocks and its export agree
    for (i, _), w in net.blocks().items():
        if i <= depth:
            assert torch.all(w[~keep[i - 1]] == 0)
    out = net(x)
    torch.testing.assert_close(net.forward_materialized(x), out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(net.to_dense()(x), out, atol=1e-5, rtol=1e-5)
    assert net.to_dense().layer_sizes[1:-1] == tuple(
        int(k.sum()) for k in keep if k.any()
    )
    assert net.architecture(0.0) == tuple(int(k.sum()) for k in keep if k.any())
    for scores, k in zip(net.neuron_eigenvalues(), keep):
        assert torch.all(scores[~k] == 0)


@pytest.mark.parametrize("depth", [1, 2])
def test_set_linear_makes_an_exact_perceptron(depth):
    gen = torch.Generator().manual_seed(4)
    net = SparcsNetwork(
        (3, *([5] * depth), 2), generator=gen, hidden_eig_init=0.5, hidden_bias_init=0.3
    )
    weight, bias = torch.randn(2, 3, generator=gen), torch.randn(2, generator=gen)
    net.set_linear(weight, bias)
    x = torch.randn(8, 3, generator=gen)
    torch.testing.assert_close(net(x), x @ weight.T + bias, atol=1e-5, rtol=1e-5)
    assert net.architecture(0.0) == ()
    assert net.hidden_path_strength() == 0.0


@pytest.mark.parametrize("depth", [2, 3])
def test_drop_layers_then_set_readout_gives_that_readout(depth):
    """After ``drop_layers(k)`` the output is an affine map of
    ``readout_source``, and ``set_readout`` chooses it exactly; the dropped
    layers are out of the architecture, the kept ones untouched."""

    def network():
        return SparcsNetwork(
            (3, *([6] * depth), 2),
            generator=torch.Generator().manual_seed(depth),
            dtype=torch.float64,
            hidden_eig_init=0.5,
            hidden_bias_init=0.3,
        )

    gen = torch.Generator().manual_seed(10 + depth)
    x = torch.randn(9, 3, generator=gen, dtype=torch.float64)
    for keep in range(1, depth):
        trial = network()
        before = trial.hidden_activations(x)[:keep]
        with pytest.raises(ValueError, match="drop_layers first"):
            trial.set_readout(torch.zeros(2, 6), torch.zeros(2))
        trial.drop_layers(keep)
        v = trial.readout_source(x)
        weight = torch.randn(2, 6, generator=gen, dtype=torch.float64)
        bias = torch.randn(2, generator=gen, dtype=torch.float64)
        trial.set_readout(weight, bias)
        torch.testing.assert_close(trial(x), v @ weight.T + bias)
        assert len(trial.architecture(0.0)) == keep
        for a, b in zip(trial.hidden_activations(x)[:keep], before):
            torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="n_keep"):
        network().drop_layers(depth + 1)


def test_export_mlp_with_every_neuron_removed_is_exact_and_quiet(recwarn):
    """Removing a whole layer folds its constant outputs into the next bias,
    without torch's warning about initialising an empty tensor."""
    gen = torch.Generator().manual_seed(0)
    w1, b1 = torch.randn(4, 3, generator=gen), torch.randn(4, generator=gen)
    w2, b2 = torch.randn(2, 4, generator=gen), torch.randn(2, generator=gen)
    module = export_mlp(
        [(w1, b1), (w2, b2)], torch.nn.ReLU, [torch.zeros(4, dtype=torch.bool)]
    )
    x = torch.randn(5, 3, generator=gen)
    expected = (b2 + w2 @ torch.relu(b1)).expand(5, 2)
    torch.testing.assert_close(module(x), expected)
    assert module[0].weight.shape == (0, 3)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


# --------------------------------------------------------------------------- #
# hand-written gradients (issue 22: the auto-depth step on public ops)
# --------------------------------------------------------------------------- #
def _autograd_grads(net, fn):
    for p in net.parameters():
        p.grad = None
    value = fn()
    value.backward()
    grads = {name: p.grad.clone() for name, p in net.named_parameters()}
    for p in net.parameters():
        p.grad = None
    return value.detach(), grads


@pytest.mark.parametrize("depth", [0, 1, 2, 4])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "leaky_relu"])
def test_backward_cached_equals_autograd(depth, activation):
    """Over three seeds: random eigenvalues, biases, and neurons switched off."""
    sizes = SIZES[depth]
    for seed in range(3):
        gen = torch.Generator().manual_seed(seed)
        net = SparcsNetwork(
            sizes, activation=activation, generator=gen, dtype=torch.float64
        )
        with torch.no_grad():
            for lam in net.lam:
                lam.copy_(torch.randn(lam.shape, generator=gen, dtype=lam.dtype))
            for b in net.bias:
                b.copy_(0.5 * torch.randn(b.shape, generator=gen, dtype=b.dtype))
        net.switch_off([torch.rand(n, generator=gen) > 0.3 for n in sizes[1:-1]])
        x = torch.randn(11, sizes[0], generator=gen, dtype=torch.float64)
        g = torch.randn(11, sizes[-1], generator=gen, dtype=torch.float64)
        x_auto = x.clone().requires_grad_(True)
        value, grads = _autograd_grads(net, lambda: (net(x_auto) * g).sum())
        with torch.no_grad():
            out, cache = net.forward_cached(x)
            grad_x = net.backward_cached(cache, g)
        torch.testing.assert_close(out, net(x).detach(), rtol=1e-12, atol=1e-12)
        for name, p in net.named_parameters():
            torch.testing.assert_close(p.grad, grads[name], rtol=1e-10, atol=1e-12)
        x_auto.grad = None
        (net(x_auto) * g).sum().backward()
        torch.testing.assert_close(grad_x, x_auto.grad, rtol=1e-10, atol=1e-12)


def test_backward_cached_passes_gradcheck():
    """The hand-written gradient of the input is the derivative (gradcheck)."""
    net = randomised(SIZES[2], seed=1)

    class Manual(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out, cache = net.forward_cached(x)
            ctx.cache = cache
            return out

        @staticmethod
        def backward(ctx, grad):
            return net.backward_cached(ctx.cache, grad)

    x = torch.randn(5, SIZES[2][0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(Manual.apply, (x,))


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
@pytest.mark.parametrize("depth", [0, 1, 3])
def test_gated_data_loss_and_grads_equal_autograd(loss, depth):
    """Loss and every gradient of the gated network, weighted, standardised."""
    sizes = SIZES[depth]
    for seed in range(3):
        gen = torch.Generator().manual_seed(seed)
        net = GatedSparcsNetwork(
            sizes, generator=gen, dtype=torch.float64, hidden_eig_init=0.5
        )
        n_in = sizes[0]
        net.input_scaling.set(
            torch.randn(n_in, generator=gen).numpy(),
            (0.5 + torch.rand(n_in, generator=gen)).numpy(),
        )
        with torch.no_grad():
            net.gate.mul_(torch.rand(n_in, generator=gen, dtype=torch.float64))
        x = torch.randn(13, n_in, generator=gen, dtype=torch.float64)
        w = 2.0 * torch.rand(13, generator=gen, dtype=torch.float64)
        if loss == "cross_entropy":
            y = torch.randint(0, sizes[-1], (13,), generator=gen)
        else:
            y = torch.randn(13, sizes[-1], generator=gen, dtype=torch.float64)

        def reference():
            out = net(x)
            if loss == "cross_entropy":
                per_row = torch.nn.functional.cross_entropy(out, y, reduction="none")
            else:
                per_row = ((out - y) ** 2).mean(dim=1)
            return (per_row * w).mean()

        value, grads = _autograd_grads(net, reference)
        assert net.manual_gradients()
        manual = net.data_loss_and_grads(x, y, loss, w)
        torch.testing.assert_close(manual, value, rtol=1e-12, atol=1e-12)
        for name, p in net.named_parameters():
            torch.testing.assert_close(p.grad, grads[name], rtol=1e-10, atol=1e-12)
