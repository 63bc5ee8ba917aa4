"""The training engine: penalties, proximal optimizer, schedule, threads, loop."""

import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from skorch.callbacks import Callback, Checkpoint, EpochScoring, ProgressBar
from torch.optim.optimizer import register_optimizer_step_pre_hook

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor
from sklearn_spectral._training import (
    ConvergenceStopping,
    PenaltySchedule,
    TensorBatches,
    TensorData,
    TermSchedule,
    torch_threads,
)
from sklearn_spectral._training.net import SpectralNet
from sklearn_spectral._training.ramp import ramp_fraction
from sklearn_spectral.nn.losses import (
    constant_loss,
    data_loss,
    loss_and_output_grad,
)
from sklearn_spectral.nn.mlp import SpectralMLP, closed_form_gradients_work
from sklearn_spectral.nn.objective import (
    EigenvalueTerm,
    SpectralObjective,
    _two_loop,
    set_strength,
    smooth_penalty,
)
from sklearn_spectral.nn.optim import ProximalAdam, fast_adam_options
from sklearn_spectral.nn.penalties import L1, GroupL2, SquaredL2


def _train(optimizer_cls, groups_of, steps=25, **kwargs):
    net = SpectralMLP(5, [7], 3, generator=torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(64, 5, generator=gen)
    y = torch.randint(0, 3, (64,), generator=gen)
    opt = optimizer_cls(groups_of(net), lr=0.01, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()]


@pytest.mark.parametrize("functional", [True, False])
def test_proximal_adam_without_penalty_follows_adam(functional):
    # strengths are 0: Adam's numbers, to float32 rounding
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", alpha=0.3)], phi_alpha=0.0
    )
    ours = _train(ProximalAdam, objective.param_groups, functional=functional)
    adam = _train(torch.optim.Adam, lambda net: net.parameters(), foreach=False)
    for a, b in zip(ours, adam):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("functional", [True, False])
def test_proximal_adam_follows_adam_per_group(functional):
    # each group's own lr, betas and weight decay, as torch's Adam has them
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", alpha=0.3, lr_factor=3.0, beta2=0.9)],
        phi_alpha=1e-2,
    )

    def groups_of(net):
        return objective.param_groups(net, lr=0.01)

    ours = _train(ProximalAdam, groups_of, functional=functional)
    adam = _train(torch.optim.Adam, groups_of, foreach=False)
    for a, b in zip(ours, adam):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_proximal_step_is_the_same_on_both_adam_paths():
    # the prox reads the functional path's Adam state, or the second moment
    # the torch path keeps itself: the same numbers either way
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", alpha=0.3)], phi_alpha=1e-2
    )

    def groups_of(net):
        groups = objective.param_groups(net, lr=0.01)
        set_strength(groups, "input", 0.05)
        return groups

    runs = [
        _train(ProximalAdam, groups_of, steps=40, functional=f) for f in (True, False)
    ]
    for a, b in zip(*runs):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    lam_in = runs[0][1]  # the first layer's lam_in (phi, lam_in, ...)
    assert (lam_in == 0).any()  # the prox reaches exact zeros


def test_fast_adam_options_are_a_working_implementation():
    options = fast_adam_options()
    assert options in ({"fused": True}, {"foreach": True}, {})
    w = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([w], lr=0.1, **options)
    w.grad = torch.ones(3)
    opt.step()
    torch.testing.assert_close(w.detach(), torch.full((3,), 0.9))


def test_proximal_adam_keeps_optimizer_hooks():
    w = torch.nn.Parameter(torch.ones(2))
    opt = ProximalAdam([w], lr=0.1, fused=True)
    calls = []
    opt.register_step_pre_hook(lambda *_: calls.append("pre"))
    opt.register_step_post_hook(lambda *_: calls.append("post"))
    w.sum().backward()
    opt.step()
    assert calls == ["pre", "post"]
    opt.zero_grad()
    assert w.grad is None


def test_l1_prox_zeroes_exactly_at_its_threshold():
    pen = L1(strength=2.0, weight=0.5)  # coef 1
    t = torch.tensor([1.0, -1.0, 1.0 + 1e-3, -0.999, 3.0])
    pen.prox(t, step=1.0)
    assert t[:2].eq(0).all() and t[3] == 0
    assert t[2] == pytest.approx(1e-3, abs=1e-6)
    assert t[4] == pytest.approx(2.0)


def test_group_prox_zeroes_the_whole_group_exactly_at_its_threshold():
    t = torch.tensor([3.0, 4.0])  # norm 5
    GroupL2(strength=1.0).prox(t, step=5.0)
    assert t.eq(0).all()
    t = torch.tensor([3.0, 4.0])
    GroupL2(strength=1.0).prox(t, step=4.9)
    assert (t != 0).all()
    assert float(torch.linalg.vector_norm(t)) == pytest.approx(0.1, rel=1e-5)
    rows = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    GroupL2(strength=1.0, groups="rows").prox(rows, step=1.0)
    assert rows[1].eq(0).all() and rows[0].ne(0).all()


def test_squared_l2_is_smooth_and_enters_the_loss():
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l2", alpha=1.0)], phi_alpha=0.0
    )
    net = SpectralMLP(3, [2], 2, generator=torch.Generator().manual_seed(0))
    groups = objective.param_groups(net)
    assert smooth_penalty(groups) is None  # strength 0 until the schedule
    set_strength(groups, "input", 0.5)
    value = smooth_penalty(groups)
    assert float(value.detach()) == pytest.approx(0.5 * 3.0)  # lam_in starts at 1
    assert SquaredL2.smooth and not L1.smooth and not GroupL2.smooth


def test_penalties_stay_on_their_tensors_when_groups_move():
    objective = SpectralObjective(
        [
            EigenvalueTerm("input", "input", "l1", alpha=1.0),
            EigenvalueTerm("all", "all", "l2", alpha=1.0),
        ],
        phi_alpha=0.0,
    )
    net = SpectralMLP(4, [3], 2, generator=torch.Generator().manual_seed(0))
    groups = objective.param_groups(net)
    extra = {"params": [torch.nn.Parameter(torch.ones(2))], "name": "extra"}
    moved = [extra, *reversed(groups)]
    set_strength(moved, "input", 0.7)
    by_name = {g["name"]: g for g in moved}
    assert by_name["input.0"]["params"][0] is net.layers[0].lam_in
    assert by_name["input.0"]["penalty"].strength == 0.7
    # the "all" term skips the input eigenvalues the "input" term owns
    assert all(g["penalty"].strength == 0.0 for g in moved if g.get("term") == "all")
    opt = ProximalAdam(moved, lr=0.1)
    assert [g["name"] for g in opt.param_groups][0] == "extra"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_schedule_restarts_on_every_fit():
    X, y = make_classification(200, 6, random_state=0)
    clf = SpectralMLPClassifier((8,), max_iter=15, random_state=0).fit(X, y)
    schedule = dict(clf.net_.callbacks_)["penalty_schedule"]
    first = list(clf.loss_curve_)
    clf.fit(X, y)
    assert clf.loss_curve_ == first
    assert dict(clf.net_.callbacks_)["penalty_schedule"] is not schedule
    # a reused schedule object starts over when skorch initialises it
    schedule.initialize()
    assert schedule.start_epoch_ == {"input": 0} and schedule.epoch_ == 0


def test_schedule_ramps_holds_and_scales():
    schedule = PenaltySchedule(
        {
            "input": TermSchedule(relative=True, warmup=4, hold_above=0.5),
            "depth": TermSchedule(relative=False),
        },
        initial_scale=1.0,
    ).initialize()
    schedule.epoch_ = 1
    assert schedule.strength("input", 2.0) == 0.0  # loss 1.0 above the hold
    assert schedule.holding and not schedule.settled
    assert schedule.strength("depth", 2.0) == 2.0
    schedule.scale_ = 0.4
    schedule.epoch_ = 2
    assert schedule.strength("input", 2.0) == pytest.approx(2.0 * 0.25 * 0.4)
    schedule.epoch_ = 6
    assert schedule.strength("input", 2.0) == pytest.approx(2.0 * 0.4)
    assert schedule.settled


def test_slow_ramp_waits_for_the_loss_then_for_the_clock():
    schedule = PenaltySchedule(
        {
            "input": TermSchedule(
                relative=False, warmup=4, slow_warmup=12, slow_fraction=0.5
            )
        },
        initial_scale=1.0,
    ).initialize()
    schedule.epoch_ = 4
    schedule.loss_at_begin_ = 1.0  # nothing learnt: the slow clock, 4 / 12
    assert schedule.strength("input", 3.0) == pytest.approx(1.0)
    assert not schedule.settled
    schedule.loss_at_begin_ = 0.75  # half way to half the start: 0.5
    assert schedule.strength("input", 3.0) == pytest.approx(1.5)
    schedule.loss_at_begin_ = 0.5  # there: the plain ramp, at its end
    assert schedule.strength("input", 3.0) == pytest.approx(3.0)
    assert schedule.settled
    schedule.epoch_, schedule.loss_at_begin_ = 2, 0.1  # never above t / warmup
    assert schedule.strength("input", 3.0) == pytest.approx(1.5)
    schedule.epoch_, schedule.loss_at_begin_ = 12, 1.0  # the slow clock's end
    assert schedule.strength("input", 3.0) == pytest.approx(3.0)
    assert schedule.settled
    assert ramp_fraction(2, 4, slow_warmup=0, progress=0.0) == 0.5  # plain


def test_torch_threads_restores_the_setting_even_on_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with torch_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_torch_threads_is_safe_across_threads():
    before = torch.get_num_threads()
    barrier = threading.Barrier(3)
    seen = []

    def work():
        with torch_threads(1):
            barrier.wait()
            seen.append(torch.get_num_threads())
            barrier.wait()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1, 1, 1]
    assert torch.get_num_threads() == before


def test_fit_stops_by_its_own_rule_and_says_so():
    X, y = make_classification(400, 10, n_informative=3, random_state=0)
    clf = SpectralMLPClassifier((16,), tol=1e-2, random_state=0).fit(X, y)
    assert clf.converged_
    assert clf.n_iter_ < clf.max_iter


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Got `batch_size`:UserWarning")
def test_integer_sample_weights_equal_repeated_samples():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] - X[:, 1]
    w = rng.randint(0, 3, size=40)
    params = {
        "hidden_layer_sizes": (4,),
        "batch_size": 1000,  # one full batch: weighted mean = repeated mean
        "max_iter": 20,
        "tol": 0,
        "random_state": 0,
    }
    weighted = SpectralMLPRegressor(**params).fit(X, y, sample_weight=w)
    repeated = SpectralMLPRegressor(**params).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    np.testing.assert_allclose(
        weighted.predict(X), repeated.predict(X), rtol=1e-4, atol=1e-5
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:Got `batch_size`:UserWarning")
def test_zero_sample_weight_removes_the_sample():
    X, y = make_classification(120, 5, random_state=0)
    w = np.ones(len(y))
    w[:20] = 0
    X_noisy = X.copy()
    X_noisy[:20] = 1e3  # would wreck the fit if it counted
    # one full batch each: the weighted mean is the mean over the kept rows
    params = {"hidden_layer_sizes": (4,), "batch_size": 1000, "max_iter": 10, "tol": 0}
    a = SpectralMLPClassifier(**params, random_state=0).fit(X_noisy, y, sample_weight=w)
    b = SpectralMLPClassifier(**params, random_state=0).fit(X[20:], y[20:])
    np.testing.assert_allclose(
        a.predict_proba(X[20:]), b.predict_proba(X[20:]), rtol=1e-4, atol=1e-5
    )


def test_partial_fit_runs_one_epoch_per_call_and_continues():
    X, y = make_classification(200, 6, random_state=0)
    clf = SpectralMLPClassifier((8,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 1
    for _ in range(4):
        clf.partial_fit(X, y)
    # n_iter_ is the last call's (MLPClassifier's); the curve keeps every epoch
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 5
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    reg = SpectralMLPRegressor((8,), random_state=0).partial_fit(X, y.astype(float))
    assert reg.n_iter_ == 1


@pytest.mark.parametrize(
    "n_samples, expected",
    [
        (20, 20),
        (133, 133),
        (200, 200),
        (201, 101),
        (300, 150),
        (1000, 200),
        (1347, 193),
    ],
)
def test_auto_batch_size_gives_equal_batches(n_samples, expected):
    # one full batch up to 200 rows, as MLPClassifier; beyond, the fewest
    # batches of at most 200 rows, rounded up so that no batch is a
    # remainder of a few rows (201 rows: 101 + 100, not 200 + 1)
    assert SpectralMLPClassifier()._batch_size(n_samples) == expected


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "tanh", "logistic", "identity"]
)
@pytest.mark.parametrize("eigenvalues", ["in", "out", "both"])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error", "poisson"])
@pytest.mark.parametrize("weighted", [False, True])
def test_closed_form_gradients_equal_autograd_in_float64(
    activation, eigenvalues, loss, weighted
):
    gen = torch.Generator().manual_seed(0)
    dtype = torch.float64
    net = SpectralMLP(
        5,
        [7, 6],
        3,
        activation=activation,
        eigenvalues=eigenvalues,
        generator=gen,
        dtype=dtype,
    )
    with torch.no_grad():  # off the initial values, so every term is at work
        for p in net.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=gen, dtype=dtype))
    net.input_scaling.set(
        torch.randn(5, generator=gen, dtype=dtype),
        torch.rand(5, generator=gen, dtype=dtype) + 0.5,
    )
    X = torch.randn(11, 5, generator=gen, dtype=dtype)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (11,), generator=gen)
    else:
        y = torch.rand(11, 3, generator=gen, dtype=dtype) * 2
    w = torch.rand(11, generator=gen, dtype=dtype) * 2 if weighted else None
    expected = data_loss(net(X), y, loss, w)
    params = [p for p in net.parameters() if p.requires_grad]
    grads = torch.autograd.grad(expected, params)
    assert net.manual_gradients(loss)
    value = net.data_loss_and_grads(X, y, loss, w)
    torch.testing.assert_close(value, expected.detach(), rtol=1e-12, atol=1e-14)
    for p, g in zip(params, grads):
        torch.testing.assert_close(p.grad, g, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error", "poisson"])
def test_loss_gradients_pass_gradcheck(loss):
    gen = torch.Generator().manual_seed(1)
    out = torch.randn(6, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (6,), generator=gen)
    else:
        y = torch.rand(6, 3, generator=gen, dtype=torch.float64)
    w = torch.rand(6, generator=gen, dtype=torch.float64) + 0.5
    assert torch.autograd.gradcheck(lambda o: data_loss(o, y, loss, w), (out,))
    value, grad = loss_and_output_grad(out.detach(), y, loss, w)
    (auto,) = torch.autograd.grad(data_loss(out, y, loss, w), out)
    torch.testing.assert_close(grad, auto, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(value, data_loss(out.detach(), y, loss, w))


def test_constant_loss_is_the_loss_of_the_best_constant():
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 2.0, 50)
    classes = rng.integers(0, 3, 50)
    prior = np.bincount(classes, weights=w) / w.sum()
    logits = torch.as_tensor(np.log(prior)).repeat(50, 1)
    expected = float(
        data_loss(logits, torch.as_tensor(classes), "cross_entropy", torch.as_tensor(w))
    ) / float(np.mean(w))
    assert constant_loss(classes, "cross_entropy", w) == pytest.approx(expected)
    y = rng.normal(size=(50, 2))
    mean = np.average(y, axis=0, weights=w)
    expected = np.average(((y - mean) ** 2).mean(1), weights=w)
    assert constant_loss(y, "squared_error", w) == pytest.approx(expected)
    counts = rng.poisson(3.0, 50).astype(float)
    mean = np.average(counts, weights=w)
    # the half deviance: 0 for a perfect prediction (y log y = 0 at y = 0)
    y_log_y = counts * np.log(np.where(counts > 0, counts, 1.0))
    expected = np.average(mean - counts * np.log(mean) + y_log_y - counts, weights=w)
    assert constant_loss(counts, "poisson", w) == pytest.approx(expected)


def test_a_wrong_derivative_makes_the_fit_fall_back_to_autograd(monkeypatch, request):
    from sklearn_spectral.nn import activations, mlp

    relu, _ = activations.DERIVATIVES[torch.nn.ReLU]
    monkeypatch.setitem(
        activations.DERIVATIVES, torch.nn.ReLU, (relu, lambda m, g, z, h: 2 * g)
    )
    # probe afresh now, and again after the test (the right derivative back)
    mlp._probe.cache_clear()
    request.addfinalizer(mlp._probe.cache_clear)
    assert not closed_form_gradients_work("relu", "cross_entropy")
    net = SpectralMLP(3, [4], 2)
    assert not net.manual_gradients("cross_entropy")
    with pytest.raises(RuntimeError, match="autograd"):
        net.data_loss_and_grads(
            torch.zeros(2, 3), torch.tensor([0, 1]), "cross_entropy"
        )
    X, y = make_classification(80, 4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = SpectralMLPClassifier((4,), max_iter=5, random_state=0).fit(X, y)
    assert np.isfinite(clf.loss_curve_).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cls", [SpectralMLPClassifier, SpectralMLPRegressor])
def test_closed_form_fit_predicts_as_the_autograd_fit(cls, seed, monkeypatch):
    # the fast path and the fallback: the same predictions to float32 rounding
    X, y = make_classification(120, 6, random_state=seed)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, len(y))
    params = {"hidden_layer_sizes": (8,), "max_iter": 15, "random_state": seed}
    fast = cls(**params).fit(X, y, sample_weight=w)
    monkeypatch.setattr(SpectralMLP, "manual_gradients", lambda self, loss=None: False)
    slow = cls(**params).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-4)
    out = "predict_proba" if cls is SpectralMLPClassifier else "predict"
    np.testing.assert_allclose(
        getattr(fast, out)(X), getattr(slow, out)(X), rtol=1e-3, atol=1e-4
    )


def test_proximal_adam_after_load_state_dict_continues_as_before():
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", alpha=0.3)], phi_alpha=1e-2
    )

    def reloaded(net):
        groups = objective.param_groups(net)
        set_strength(groups, "input", 0.05)
        return groups

    runs = []
    for reload in (False, True):
        net = SpectralMLP(5, [7], 3, generator=torch.Generator().manual_seed(0))
        X = torch.randn(64, 5, generator=torch.Generator().manual_seed(1))
        y = torch.arange(64) % 3
        opt = ProximalAdam(reloaded(net), lr=0.01)
        for k in range(10):
            if reload and k == 5:
                opt.load_state_dict(opt.state_dict())
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(X), y).backward()
            opt.step()
        runs.append([p.detach().clone() for p in net.parameters()])
    for a, b in zip(*runs):
        assert torch.equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("auto_depth", [False, True])
def test_training_loop_honours_optimizer_step_hooks(auto_depth):
    # the loop skips torch's step wrapper only while no hook is registered
    X, y = make_classification(60, 4, random_state=0)
    clf = SpectralMLPClassifier(
        (4,), auto_depth=auto_depth, max_iter=2, random_state=0
    ).fit(X, y)
    calls = []
    clf.net_.optimizer_.register_step_post_hook(lambda *_: calls.append(1))
    clf.partial_fit(X, y)
    assert len(calls) == clf.net_.history[-1, "train_batch_count"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_loop_honours_global_optimizer_step_hooks():
    # torch's global step hooks run too: the wrapper is skipped only while
    # neither this optimizer nor torch has one
    X, y = make_classification(60, 4, random_state=0)
    clf = SpectralMLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    assert not clf.net_.optimizer_.has_step_hooks()
    calls = []
    handle = register_optimizer_step_pre_hook(lambda *_: calls.append(1))
    try:
        assert clf.net_.optimizer_.has_step_hooks()
        clf.partial_fit(X, y)
    finally:
        handle.remove()
    assert len(calls) == clf.net_.history[-1, "train_batch_count"]
    assert not clf.net_.optimizer_.has_step_hooks()


def test_a_fit_does_not_import_torch_dynamo():
    # torch's Optimizer.add_param_group, zero_grad and Adam.step import
    # torch._dynamo on their first call (1.1-3.7 s of a process's first fit);
    # ProximalAdam has its own add_param_group and zero_grad and steps
    # through torch.optim.adam.adam (the auto-depth fit uses autograd; its
    # classifier's evidence step constructs torch's LBFGS, which imports it)
    code = (
        "import sys, warnings; warnings.simplefilter('ignore');"
        "from sklearn.datasets import load_iris;"
        "from sklearn_spectral import SpectralMLPClassifier;"
        "X, y = load_iris(return_X_y=True);"
        "SpectralMLPClassifier(max_iter=5, random_state=0).fit(X, y).predict(X);"
        "from sklearn_spectral import SpectralMLPRegressor;"
        "SpectralMLPRegressor((4,), auto_depth=True, max_iter=3, random_state=0)"
        ".fit(X, y);"
        "print('torch._dynamo' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_one_batch_of_every_row_is_not_shuffled():
    X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5)
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    batches = list(TensorBatches((X, y, None), 8, True, generator).triples())
    assert len(batches) == 1
    assert batches[0][0] is X and batches[0][1] is y and batches[0][2] is None
    assert torch.equal(generator.get_state(), state)  # no permutation drawn
    # a smaller batch still shuffles: every row once, in a new order
    rows = torch.cat([b[1] for b in TensorBatches((X, y, None), 2, True, generator)])
    assert len(rows) == 5
    assert sorted(rows.tolist()) == list(range(5))
    assert not torch.equal(generator.get_state(), state)


def test_fused_proximal_adam_skips_a_parameter_without_gradient_as_adam():
    def run(optimizer_cls):
        a = torch.nn.Parameter(torch.linspace(-1.0, 1.0, 3))
        b = torch.nn.Parameter(torch.ones(2))
        opt = optimizer_cls([a, b], lr=0.1)
        for grads in [(True, True), (True, False), (False, True), (True, True)]:
            opt.zero_grad()
            if grads[0]:
                a.grad = torch.full_like(a, 0.5)
            if grads[1]:
                b.grad = torch.full_like(b, -2.0)
            opt.step()
        return a.detach(), b.detach()

    for ours, adam in zip(run(ProximalAdam), run(torch.optim.Adam)):
        torch.testing.assert_close(ours, adam, rtol=1e-6, atol=1e-7)


class _StopAt(Callback):
    """A custom stopping rule: end the fit after ``epochs`` epochs."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) >= self.epochs:
            raise KeyboardInterrupt


class _CountBatches(Callback):
    def initialize(self):
        self.batches_ = 0
        return self

    def on_batch_end(self, net, **kwargs):
        self.batches_ += 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", [SpectralMLPClassifier, SpectralMLPRegressor])
def test_a_custom_stopping_callback_ends_the_fit(cls):
    X, y = make_classification(100, 5, random_state=0)
    stop = _StopAt(4)
    est = cls((6,), max_iter=50, callbacks=[stop], random_state=0).fit(X, y)
    assert est.n_iter_ == 4
    assert not hasattr(stop, "epochs_") and stop.epochs == 4  # never changed
    assert "user__StopAt" in dict(est.net_.callbacks_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_skorch_callbacks_checkpoint_and_epoch_scoring_work(tmp_path):
    X, y = make_classification(150, 5, random_state=0)

    def accuracy(net, X, y):
        return float((net.predict_proba(X).argmax(1) == np.asarray(y)).mean())

    callbacks = [
        EpochScoring(accuracy, lower_is_better=False, on_train=True, name="acc"),
        Checkpoint(monitor="acc_best", dirname=str(tmp_path)),
    ]
    clf = SpectralMLPClassifier(
        (6,), max_iter=6, callbacks=callbacks, random_state=0
    ).fit(X, y)
    scores = clf.net_.history[:, "acc"]
    assert len(scores) == 6 and all(0.0 <= s <= 1.0 for s in scores)
    assert (tmp_path / "params.pt").exists()
    assert clf.net_.history[-1, "train_batch_count"] == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("cls", [SpectralMLPClassifier, SpectralMLPRegressor])
def test_skorch_batch_loop_and_lean_loop_fit_alike(cls, seed):
    # a batch callback makes the fit run skorch's own per-batch loop
    # (train_step, get_loss, on_batch_*): the same fit as the lean loop
    X, y = make_classification(300, 6, random_state=seed)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, len(y))
    params = {"hidden_layer_sizes": (8,), "max_iter": 8, "random_state": seed}
    lean = cls(batch_size=64, **params).fit(X, y, sample_weight=w)
    counted = cls(batch_size=64, callbacks=[_CountBatches()], **params)
    counted.fit(X, y, sample_weight=w)
    counter = dict(counted.net_.callbacks_)["user__CountBatches"]
    assert counter.batches_ == 8 * 5  # 300 rows in batches of 64
    assert counted.net_.history[-1, "train_batch_count"] == 5
    np.testing.assert_allclose(lean.loss_curve_, counted.loss_curve_, rtol=1e-4)
    out = "predict_proba" if cls is SpectralMLPClassifier else "predict"
    np.testing.assert_allclose(
        getattr(lean, out)(X), getattr(counted, out)(X), rtol=1e-3, atol=1e-4
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_progress_bar_runs_through_the_batch_loop(capsys):
    X, y = make_classification(80, 4, random_state=0)
    clf = SpectralMLPClassifier(
        (4,), max_iter=2, callbacks=[ProgressBar()], random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == 2


def test_invalid_callbacks_are_refused_with_a_clear_message():
    X, y = make_classification(40, 3, n_informative=2, n_redundant=0, random_state=0)
    with pytest.raises(TypeError, match="skorch callbacks"):
        SpectralMLPClassifier(callbacks=[print]).fit(X, y)
    with pytest.raises(ValueError, match="convergence"):
        SpectralMLPClassifier(callbacks=[("convergence", _StopAt(2))]).fit(X, y)
    with pytest.raises(ValueError, match="callbacks"):
        SpectralMLPClassifier(callbacks=("not", "a list")).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_fitted_skorch_net_predicts_on_arrays():
    X, y = make_classification(60, 4, random_state=0)
    clf = SpectralMLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    proba = clf.net_.predict_proba(X.astype(np.float32))
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-4, atol=1e-6)
    assert clf.net_.forward(X.astype(np.float32)).shape == (60, 2)


def test_spectral_net_takes_shuffle_and_adam_options():
    from sklearn_spectral._training import SpectralNet

    X = torch.randn(40, 3, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > 0).long()
    objective = SpectralObjective([], phi_alpha=0.0)
    net = SpectralNet(
        module=SpectralMLP(3, [4], 2, generator=torch.Generator().manual_seed(0)),
        criterion__name="cross_entropy",
        optimizer=ProximalAdam,
        optimizer__betas=(0.8, 0.99),
        optimizer__eps=1e-6,
        objective=objective,
        shuffle=False,
        batch_size=16,
        max_epochs=2,
        train_split=None,
        verbose=0,
    ).fit(TensorData(X, y), y)
    group = net.optimizer_.param_groups[0]
    assert group["betas"] == (0.8, 0.99) and group["eps"] == 1e-6
    assert not net.get_iterator(TensorData(X, y), training=True).shuffle


def test_the_kept_best_state_is_a_copy_refreshed_in_place():
    # the stopping rule keeps the best epoch's state by copying into the
    # tensors of its first copy: later in-place steps must not leak into it,
    # and a new module (another fit) gets its own copy
    stopper = ConvergenceStopping()
    stopper.initialize()
    generator = torch.Generator().manual_seed(0)
    net = SpectralMLP(3, [5], 2, generator=generator)
    stopper._keep_best(net)
    first = {k: v.clone() for k, v in stopper.best_state_.items()}
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    for k, v in stopper.best_state_.items():
        assert torch.equal(v, first[k])
    stopper._keep_best(net)
    for k, v in net.state_dict().items():
        assert torch.equal(stopper.best_state_[k], v)
    other = SpectralMLP(3, [5], 2, generator=generator)
    stopper._keep_best(other)
    for k, v in other.state_dict().items():
        assert torch.equal(stopper.best_state_[k], v)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1])
def test_inputs_standardised_once_per_fit_give_the_same_fit(seed, monkeypatch):
    # the lean loop standardises the training inputs once per fit; doing
    # it batch by batch (as the module's forward does) gives the same
    # numbers: the map is elementwise, so the fits agree exactly
    X, y = make_classification(300, 6, random_state=seed)
    X = X * 3.0 + 5.0  # an active standardisation
    params = {"hidden_layer_sizes": (8,), "max_iter": 6, "random_state": seed}
    once = SpectralMLPClassifier(batch_size=64, **params).fit(X, y)
    assert once.net_.module_.input_scaling.active
    # and a fitted net keeps no copy of its training data
    assert "_standardised_batches" not in vars(once.net_)
    monkeypatch.setattr(
        SpectralNet, "_standardised", lambda self, iterator, module: (iterator, False)
    )
    per_batch = SpectralMLPClassifier(batch_size=64, **params).fit(X, y)
    assert once.loss_curve_ == per_batch.loss_curve_
    np.testing.assert_array_equal(once.predict_proba(X), per_batch.predict_proba(X))


class _EpochCounter(Callback):
    def initialize(self):
        self.begun_ = self.ended_ = 0
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.begun_ += 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_notify_calls_every_hook_a_callback_defines():
    # callbacks' inherited no-op hooks are skipped; hooks a callback class
    # overrides, or sets on the instance, all run
    X, y = make_classification(60, 4, random_state=0)
    clf = SpectralMLPClassifier(
        (4,), max_iter=3, callbacks=[("count", _EpochCounter())], random_state=0
    ).fit(X, y)
    net = clf.net_
    counter = dict(net.callbacks_)["count"]
    assert counter.begun_ == 3 and counter.ended_ == 0

    def ended(net, **kwargs):
        counter.ended_ += 1

    counter.on_epoch_end = ended  # on the instance, after a fit
    net.partial_fit(X.astype(np.float32), y, classes=np.unique(y))  # 3 epochs
    assert counter.begun_ == 6 and counter.ended_ == 3
    assert "_hooks" not in vars(net)  # a fitted net keeps no bound methods


def _reference_two_loop(q, inverse, pairs):
    # Nocedal and Wright's Algorithm 7.4 as written, one pair at a time
    q = q.copy()
    alphas = []
    for s, y in reversed(pairs):
        a = float(s @ q) / float(s @ y)
        alphas.append(a)
        q -= a * y
    s, y = pairs[-1]
    r = float(s @ y) / float(y @ (y * inverse)) * q * inverse
    for (s, y), a in zip(pairs, reversed(alphas)):
        r += (a - float(y @ r) / float(s @ y)) * s
    return r


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("m", [1, 4, 10])
def test_two_loop_from_stored_products_equals_the_plain_recursion(seed, m):
    # the settle solve's recursion (pairs in rows of S and Y, their products
    # kept) gives the plain recursion's direction, also with the pairs in
    # permuted slots of the buffers
    rng = np.random.default_rng(seed)
    n, size = 50, 10
    pairs = []
    for _ in range(m):
        s = rng.normal(size=n)
        pairs.append((s, s * rng.uniform(0.5, 2.0, size=n) + 0.01 * rng.normal(size=n)))
    q, inverse = rng.normal(size=n), rng.uniform(0.5, 2.0, size=n)
    order = list(rng.permutation(size)[:m])
    S, Y = np.zeros((size, n)), np.zeros((size, n))
    for slot, (s, y) in zip(order, pairs):
        S[slot], Y[slot] = s, y
    sy = [[float(s_k @ y_j) for _, y_j in pairs] for s_k, _ in pairs]
    rhos = [1.0 / float(s @ y) for s, y in pairs]
    y_metric = [float(y @ (y * inverse)) for _, y in pairs]
    got = _two_loop(q, inverse, S, Y, order, rhos, sy, y_metric)
    expected = _reference_two_loop(q, inverse, pairs)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    # no pair: a small step in the metric
    empty = _two_loop(q, inverse, S, Y, [], [], [], [])
    np.testing.assert_allclose(empty, 0.01 * q * inverse)
