"""Several spectral networks trained in one step (issue 20, item 7).

A member of :class:`~sklearn_spectral.nn.members.MemberMLP` trained by
:class:`~sklearn_spectral.nn.members.MemberAdam` follows the arithmetic of
its own network trained alone, a frozen member does not move, and the
selector's shadow test answers the same through either path.
"""

import dataclasses
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._selection._face import without_gradient_reading
from sklearn_spectral._selection._refits import member_importances, members_apply
from sklearn_spectral.nn.members import MemberAdam, MemberMLP, stackable
from sklearn_spectral.nn.mlp import SpectralMLP
from sklearn_spectral.nn.objective import (
    EigenvalueTerm,
    SpectralObjective,
    set_strength,
)
from sklearn_spectral.nn.optim import ProximalAdam

LR, BETAS, EPS, PHI_ALPHA, BETA2_IN = 0.01, (0.9, 0.999), 1e-8, 1e-3, 0.99


def _networks(seed, widths, groups=None):
    nets = []
    for k, width in enumerate(widths):
        gen = torch.Generator().manual_seed(seed * 100 + k)
        nets.append(
            SpectralMLP(
                width,
                [7],
                3,
                generator=gen,
                input_groups=None if groups is None else groups[k],
            )
        )
    return nets


def _alone(net, x, y, strengths, steps):
    """``steps`` full-batch steps of ``net`` alone, as a fit takes them."""
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", 1.0, beta2=BETA2_IN)], PHI_ALPHA
    )
    optimizer = ProximalAdam(
        objective.param_groups(net, lr=LR, beta1=BETAS[0]),
        lr=LR,
        betas=BETAS,
        eps=EPS,
    )
    with torch.no_grad():
        for step in range(steps):
            set_strength(optimizer.param_groups, "input", float(strengths[step]))
            net._closed_form(x, y, "cross_entropy", None, scaled=True)
            optimizer.step()
    return net


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_members_follow_their_single_networks(seed):
    """K members (inputs of different widths, one with grouped inputs)
    trained together equal each network trained alone, to float rounding,
    after a fixed number of steps at per-member strengths."""
    gen = torch.Generator().manual_seed(seed)
    widths = [5, 8, 6]
    groups = [None, [0, 1, 1, 2, 3, 4, 5, 5], None]
    n, steps = 40, 25
    xs = [torch.randn(n, w, generator=gen) for w in widths]
    ys = [torch.randint(0, 3, (n,), generator=gen) for _ in widths]
    strengths = torch.rand(steps, len(widths), generator=gen) * 0.05
    members = MemberMLP(_networks(seed, widths, groups))
    optimizer = MemberAdam(members, LR, BETAS, EPS, 2 * PHI_ALPHA, BETA2_IN)
    x = torch.zeros(len(widths), n, max(widths))
    for k, xk in enumerate(xs):
        x[k, :, : widths[k]] = xk
    with torch.no_grad():
        for step in range(steps):
            members.closed_form(x, torch.stack(ys), "cross_entropy")
            optimizer.step(strengths[step])
    for k, net in enumerate(_networks(seed, widths, groups)):
        alone = _alone(net, xs[k], ys[k], strengths[:, k], steps)
        together = _networks(seed, widths, groups)[k]
        members.write_to(k, together)
        for a, b in zip(alone.parameters(), together.parameters()):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
        # the L1 switched some inputs off in both, the same ones
        assert torch.equal(alone.layers[0].lam_in == 0, together.layers[0].lam_in == 0)


def test_frozen_members_do_not_move():
    """A frozen member keeps its parameters, its Adam moments and its step
    count while the others train."""
    gen = torch.Generator().manual_seed(3)
    members = MemberMLP(_networks(3, [4, 4, 4]))
    optimizer = MemberAdam(members, LR, BETAS, EPS, 2 * PHI_ALPHA, BETA2_IN)
    x = torch.randn(3, 30, 4, generator=gen)
    y = torch.randint(0, 3, (3, 30), generator=gen)
    strengths = torch.full((3,), 0.01)
    with torch.no_grad():
        for _ in range(3):
            members.closed_form(x, y, "cross_entropy")
            optimizer.step(strengths)
    before = [p.detach()[1].clone() for p in members.parameters()]
    moments = (optimizer.exp_avg[1].clone(), optimizer.exp_avg_sq[1].clone())
    others = [p.detach()[0].clone() for p in members.parameters()]
    active = torch.tensor([True, False, True])
    with torch.no_grad():
        for _ in range(5):
            members.closed_form(x, y, "cross_entropy")
            optimizer.step(strengths, active)
    for p, b in zip(members.parameters(), before):
        assert torch.equal(p.detach()[1], b)
    assert torch.equal(optimizer.exp_avg[1], moments[0])
    assert torch.equal(optimizer.exp_avg_sq[1], moments[1])
    assert optimizer.steps.tolist() == [8.0, 3.0, 8.0]
    assert any(
        not torch.equal(p.detach()[0], b) for p, b in zip(members.parameters(), others)
    )


def test_stackable_refuses_what_members_do_not_cover():
    nets = _networks(0, [3, 4])
    assert stackable(nets)
    wide = SpectralMLP(3, [5], 3, generator=torch.Generator().manual_seed(0))
    assert not stackable([nets[0], wide])  # another hidden width
    both = SpectralMLP(
        3, [7], 3, eigenvalues="both", generator=torch.Generator().manual_seed(0)
    )
    assert not stackable([nets[0], both])  # lam_out in the forward pass
    with pytest.raises(ValueError, match="stackable"):
        MemberMLP([nets[0], both])


@pytest.mark.parametrize(
    "model", [SpectralMLPClassifier, SpectralMLPRegressor], ids=["clf", "reg"]
)
def test_member_fits_equal_single_fits(model):
    """The selector's member fits (data prepared, schedules, minibatch
    orders, stopping and the importance reading of each model's own fit)
    give each model's importances of a fit alone, for a fixed number of
    epochs; with grouped inputs and different strengths and widths."""
    rng = np.random.RandomState(0)
    n = 230  # two minibatches: the members' own orders
    X = rng.randn(n, 7)
    signal = X[:, 0] - 2 * X[:, 1]
    y = (signal > 0).astype(int) if model is SpectralMLPClassifier else signal
    if model is SpectralMLPRegressor:
        y = y + 0.3 * rng.randn(n)
    estimators, datas = [], []
    for k in range(3):
        est = without_gradient_reading(
            model(random_state=k, max_iter=12, alpha=0.05 * (k + 1))
        )
        if k == 2:
            est.set_params(feature_groups=[[2, 3]])
        estimators.append(est)
        datas.append(X[:, : 7 - k % 2])
    together = member_importances(
        [clone(e) for e in estimators], datas, [y] * len(datas)
    )
    for est, data, got in zip(estimators, datas, together):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(data, y)
        np.testing.assert_allclose(got, est._first_layer_importances, atol=1e-5)


def test_member_fits_follow_the_slow_ramp():
    """Where the loss falls slowly (no input with a marginal effect) the
    ramp is held back (Settings.penalty_slow_warmup, here on); the member
    fits hold it back as each fit alone does."""
    rng = np.random.RandomState(1)
    X = rng.randn(240, 6)
    y = (np.sum(X[:, :4] ** 2, axis=1) > 3.4).astype(int)
    slow = dataclasses.replace(DEFAULT_SETTINGS, penalty_slow_warmup=30)
    estimators = [
        without_gradient_reading(
            SpectralMLPClassifier(
                random_state=k, max_iter=12, alpha=0.03 * (k + 1), settings=slow
            )
        )
        for k in range(3)
    ]
    together = member_importances([clone(e) for e in estimators], [X] * 3, [y] * 3)
    for est, got in zip(estimators, together):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        schedule = dict(est.net_.callbacks_)["penalty_schedule"]
        assert not schedule.settled  # still held back after 12 epochs
        np.testing.assert_allclose(got, est._first_layer_importances, atol=1e-5)


def test_members_apply_rule():
    X = np.random.RandomState(0).randn(50, 4)
    model = SpectralMLPClassifier()
    assert members_apply(model, X, {}, None, 4)
    assert not members_apply(model, X, {}, 2, 4)  # joblib's processes
    assert not members_apply(model, X, {}, None, 1)
    assert not members_apply(model.set_params(early_stopping=True), X, {}, None, 4)
    off = dataclasses.replace(DEFAULT_SETTINGS, member_fits_max=0)
    assert not members_apply(SpectralMLPClassifier(settings=off), X, {}, None, 4)
    few = dataclasses.replace(DEFAULT_SETTINGS, member_fits_max_rows=49)
    assert not members_apply(SpectralMLPClassifier(settings=few), X, {}, None, 4)


def test_shadow_test_unchanged_by_members():
    """The all-relevant test decides the same columns with the shadow fits
    trained as members as with each fit alone, on three random states of a
    small problem with three relevant columns of ten."""
    rng = np.random.RandomState(0)
    X = rng.randn(160, 10)
    y = (X[:, 0] + X[:, 1] - X[:, 2] + 0.5 * rng.randn(160) > 0).astype(int)
    off = dataclasses.replace(DEFAULT_SETTINGS, member_fits_max=0)
    agree = []
    for state in range(3):
        kept = [
            SpectralFeatureSelector(
                mode="all-relevant", random_state=state, settings=s, n_repeats=6
            )
            .fit(X, y)
            .get_support()
            for s in (None, off)
        ]
        assert kept[0][:3].all()  # the relevant columns, by either path
        agree.append(np.mean(kept[0] == kept[1]))
    assert np.mean(agree) >= 0.9


def test_a_subset_of_members_gets_their_gradients_alone():
    """``closed_form(members=...)`` (the members still training) gives those
    members the gradients of the full step and the others none."""
    gen = torch.Generator().manual_seed(4)
    members = MemberMLP(_networks(4, [4, 6, 5], [None, [0, 0, 1, 2, 3, 3], None]))
    x = torch.randn(3, 20, 6, generator=gen)
    y = torch.randint(0, 3, (3, 20), generator=gen)
    with torch.no_grad():
        full = members.closed_form(x, y, "cross_entropy")
        grads = [p.grad.clone() for p in members.parameters()]
        index = torch.tensor([0, 2])
        part = members.closed_form(x[index], y[index], "cross_entropy", members=index)
    torch.testing.assert_close(part, full[index])
    for p, g in zip(members.parameters(), grads):
        torch.testing.assert_close(p.grad[index], g[index])
        assert not p.grad[1].any()


@pytest.mark.parametrize("seed", [0, 1])
def test_strength_search_folds_as_members(seed):
    """The strength search's fold fits trained as members give the path of
    the fits alone: held-out losses, fold importances and kept masks."""
    from sklearn_spectral._selection._strength import cv_one_se_alpha

    rng = np.random.RandomState(seed)
    X = rng.randn(150, 6)
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.randn(150) > 0).astype(int)
    off = dataclasses.replace(DEFAULT_SETTINGS, member_fits_max=0)
    paths = []
    for settings in (None, off):
        model = SpectralMLPClassifier(settings=settings, max_iter=40)
        _, path = cv_one_se_alpha(
            model,
            X,
            y,
            kept=lambda m: m.feature_importances_ > 0.05,
            factors=(1.0, 2.0, 4.0),
            random_state=seed,
        )
        paths.append(path)
    members, alone = paths
    np.testing.assert_allclose(
        members["validation_loss"], alone["validation_loss"], atol=1e-5
    )
    np.testing.assert_allclose(
        members["fold_importances"], alone["fold_importances"], atol=1e-4
    )
    np.testing.assert_allclose(members["n_kept"], alone["n_kept"])


@pytest.mark.parametrize(
    "model, atol",
    [(SpectralMLPClassifier, 1e-4), (SpectralMLPRegressor, 3e-2)],
    ids=["clf", "reg"],
)
def test_members_that_stop_take_the_input_step(model, atol):
    """Members whose stopping rule fires take the single fit's end-of-fit
    step of the inputs (the check, the solve) and give its importances:
    to rounding for a classifier, to what the solve makes of the rounding
    for a regressor (measured up to 0.01 over 9 fits)."""
    rng = np.random.RandomState(0)
    n = 230
    X = rng.randn(n, 7)
    signal = X[:, 0] - 2 * X[:, 1]
    if model is SpectralMLPClassifier:
        y = (signal > 0).astype(int)
    else:
        y = signal + 0.3 * rng.randn(n)
    estimators = [
        without_gradient_reading(
            model(
                random_state=k,
                max_iter=80,
                tol=1e-2,
                n_iter_no_change=3,
                alpha=0.05 * (k + 1),
            )
        )
        for k in range(3)
    ]
    together = member_importances([clone(e) for e in estimators], [X] * 3, [y] * 3)
    for est, got in zip(estimators, together):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        assert est.n_iter_ < 80  # it stopped on its rule and took the step
        assert dict(est.net_.callbacks_)["input_settling"].checks_
        np.testing.assert_allclose(got, est._first_layer_importances, atol=atol)


@pytest.mark.parametrize("seed", [0, 1])
def test_targets_validated_once_prepare_as_a_plain_fit(seed):
    # the member fits of a selection share y and sample_weight: _prepare
    # with ``shared`` validates them once and answers as a plain _prepare,
    # with class weights, sample weights and rows that merge
    rng = np.random.RandomState(seed)
    y = rng.choice(np.array(["a", "b", "c"]), 60)
    weight = rng.uniform(0.5, 2.0, 60)
    for params, sample_weight in (
        ({}, None),
        ({"class_weight": "balanced"}, weight),
        ({"shuffle": False}, weight),
    ):
        shared = {}
        for i in range(3):
            X = rng.randn(60, 4 + i)
            if i == 2:  # a duplicate row of one class: merged
                X[np.flatnonzero(y == y[0])[1]] = X[0]
            plain = SpectralMLPClassifier(**params)
            expected = plain._prepare(X, y, sample_weight, first=True)
            est = SpectralMLPClassifier(**params)
            got = est._prepare(X, y, sample_weight, first=True, shared=shared)
            assert shared and set(shared) == {
                "y_enc",
                "weights",
                "unweighted",
                "classes",
            }
            for a, b in zip(expected[:3], got[:3]):
                assert (a is None and b is None) or np.array_equal(a, b)
            assert expected[3] == got[3]
            assert np.array_equal(plain.classes_, est.classes_)
            assert plain.n_outputs_ == est.n_outputs_
            assert plain._unweighted_baseline == est._unweighted_baseline
            assert plain.n_features_in_ == est.n_features_in_
