"""Relevance is right: the first paper's data sets and the automatic threshold."""

import dataclasses
import types
import warnings

import numpy as np
import pytest
import torch
from scipy.stats import pearsonr
from sklearn.exceptions import ConvergenceWarning

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor
from sklearn_spectral._defaults import DEFAULT_SETTINGS
from sklearn_spectral.datasets import (
    make_correlated_gaussian,
    make_independent_gaussian,
)
from sklearn_spectral.nn.mlp import SpectralMLP
from sklearn_spectral.nn.objective import (
    EigenvalueTerm,
    SpectralObjective,
    drop_inputs_,
    input_score_test,
    readmit_inputs_,
    set_strength,
    settle_inputs_,
)
from sklearn_spectral.nn.optim import ProximalAdam
from sklearn_spectral.relevance import auto_threshold, normalize_relevance


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relevant_inputs_above_the_noise_where_the_classes_overlap(seed):
    # the paper's generator with classes that overlap (5 of 10 inputs
    # relevant, class-mean distances up to 1.0: the rows near the boundary,
    # where a classifier learns from, are many). The Bayes log-odds is
    # linear, sum_j 4 r_j x_j, so per raw unit of x_j (importance / sd_j) the
    # importances should follow the true relevance r_j, and per unit-variance
    # input (feature_importances_) the Bayes reading r_j sd_j. Measured
    # (seeds 0-7, input_test_level 1e-2): every input of relevance >= 0.2
    # above every noise input (margin 0.007-0.33), every noise input at 0,
    # Pearson 0.987-0.996 in raw units and 0.989-0.997 with the Bayes reading.
    # (The paper's own 20-input set is nearly separable, Bayes error
    # 0.02-1.7 %: at a few thousand rows even a logistic regression ranks an
    # input of relevance >= 0.2 below a noise input on 7 of 10 seeds, so
    # no per-seed claim holds there; 20 000 rows over 10 seeds:
    # benchmarks/bench_stability_relevance.py.)
    X, y, relevance = make_independent_gaussian(
        n_samples=2000,
        n_features=10,
        n_relevant=5,
        max_relevance=1.0,
        random_state=seed,
    )
    importances = (
        SpectralMLPClassifier(random_state=seed).fit(X, y).feature_importances_
    )
    sd = X.std(axis=0)
    noise = relevance == 0
    assert importances[relevance >= 0.2].min() > importances[noise].max()
    assert np.all(importances[noise] == 0)
    assert pearsonr(importances / sd, relevance)[0] >= 0.97
    assert pearsonr(importances, relevance * sd)[0] >= 0.97


def test_correlated_gaussian_pairs_ranked_noise_off():
    X, y, relevance = make_correlated_gaussian(n_samples=3000, random_state=0)
    clf = SpectralMLPClassifier(random_state=0).fit(X, y)
    importances = clf.feature_importances_
    pair = importances[:8].reshape(4, 2).sum(axis=1)
    order = np.argsort(-pair)
    expected = np.argsort(-relevance[:8].reshape(4, 2)[:, 0])
    # the two strongest pairs (p = 0.8, 0.7) lead, in order; the noise inputs
    # are switched off exactly. (The default L1 keeps the smallest set that
    # fits: the weaker pairs p = 0.6, 0.4 may be switched off too.)
    assert list(order[:2]) == list(expected[:2])
    assert np.all(importances[8:] == 0.0)


def test_auto_threshold_cases():
    assert auto_threshold([0.0, 0.0]) == np.inf
    assert auto_threshold([1.0, 0.9, 0.5]) == pytest.approx(1e-2)
    assert 0.05 < auto_threshold([1.0, 0.5, 0.01, 0.0]) < 0.5


def test_normalize_relevance_rejects_non_finite():
    with pytest.raises(ValueError, match="finite"):
        normalize_relevance([np.nan, 1.0])
    np.testing.assert_array_equal(normalize_relevance([0.0, 0.0]), [0.0, 0.0])


# --------------------------------------------------------------------------- #
# the tests of the inputs when a fit would stop (KKT check, re-admission)
# --------------------------------------------------------------------------- #
def _linear_target(seed, n_samples=300):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, 5))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(n_samples)
    return X, y


#: The first-layer reading alone (``_first_layer_importances`` of a default
#: fit; ``feature_importances_`` is the network's input gradient).
FIRST_LAYER = dataclasses.replace(DEFAULT_SETTINGS, importance_gradient_rows=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_inputs_with_no_marginal_effect_survive_the_ramp():
    # make_hastie_10_2: the class is whether the sum of the squares of all
    # 10 inputs is large, so no input has a marginal effect and each
    # carries a tenth of the signal. With the penalty at full strength
    # after 10 epochs whatever the loss had done, the plain ramp kept 5-6
    # of the 10 on (seeds 0-5, test accuracy 0.69-0.75); with the ramp held
    # back while the loss falls slowly (Settings.penalty_slow_warmup=30, off
    # by default: see its docstring) 7-10 (mean 9), accuracy 0.80-0.90.
    # The fits learn for 160-200 epochs, and some reach max_iter and warn
    # (truthfully, as MLPClassifier() does on every seed of this set).
    from sklearn.datasets import make_hastie_10_2

    slow = dataclasses.replace(DEFAULT_SETTINGS, penalty_slow_warmup=30)
    kept, scores = [], []
    for seed in range(3):
        X, y = make_hastie_10_2(1000, random_state=seed)
        noise = np.random.default_rng(seed).normal(size=(1000, 5))
        X = np.hstack([X, noise])
        model = SpectralMLPClassifier(random_state=seed, settings=slow)
        model.fit(X[:750], y[:750])
        kept.append(np.sum(model.feature_importances_[:10] > 0))
        scores.append(model.score(X[750:], y[750:]))
    assert np.mean(kept) >= 8 and min(kept) >= 7
    assert np.mean(scores) > 0.83


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_target_noise_below_relevant_inputs(seed):
    # y = x0 - 2 x1: before the input tests and the polish phase the three
    # noise inputs kept 0.13-0.21 of the importance and x1 led x0 by 0.02.
    # One fit reads both: the first-layer reading is feature_importances_
    # at importance_gradient_rows=0 (test_the_gradient_reading_leaves_the_fit_alone)
    X, y = _linear_target(seed)
    model = SpectralMLPRegressor(random_state=seed).fit(X, y)
    for importances in (model._first_layer_importances, model.feature_importances_):
        assert importances[2:].max() <= 0.05
        assert importances[1] > importances[0] > importances[2:].max()
    assert model.score(X, y) > 0.98
    # the derivative of a linear fit is its coefficients: 1 : 2 (measured
    # 0.333 / 0.667 on seed 0, where the first layer reads 0.326 / 0.674)
    gradient = model.feature_importances_
    assert gradient[1] / gradient[0] == pytest.approx(2.0, rel=0.1)
    # a zero eigenvalue is a zero relevance in both readings
    np.testing.assert_array_equal(gradient == 0, model._first_layer_importances == 0)


def test_gradient_reading_of_known_networks():
    from sklearn_spectral.nn.reading import input_gradient_relevance

    net = torch.nn.Linear(3, 2, bias=False, dtype=torch.float64)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[2.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))
    x = torch.zeros(4, 3, dtype=torch.float64)
    # the norm of each column of W, and, centred over the two outputs,
    # the norm of the column minus its mean: (1, -1), (0, 0), (0, 0)
    torch.testing.assert_close(
        input_gradient_relevance(net, x),
        torch.tensor([2.0, 0.0, 2.0**0.5], dtype=torch.float64),
    )
    torch.testing.assert_close(
        input_gradient_relevance(net, x, centre_outputs=True, chunk_rows=3),
        torch.tensor([2.0**0.5, 0.0, 0.0], dtype=torch.float64),
    )
    # a non-linear network: the root mean square over the rows
    rows = torch.tensor([[1.0], [3.0]], dtype=torch.float64)

    class Square(torch.nn.Module):
        def forward(self, v):
            return v**2

    torch.testing.assert_close(
        input_gradient_relevance(Square(), rows),
        torch.tensor([(0.5 * (2.0**2 + 6.0**2)) ** 0.5], dtype=torch.float64),
    )
    assert input_gradient_relevance(Square(), rows[:0]).tolist() == [0.0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_gradient_reading_leaves_the_fit_alone():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    plain = SpectralMLPClassifier(random_state=0, max_iter=40, settings=FIRST_LAYER)
    plain.fit(X, y)
    read = SpectralMLPClassifier(random_state=0, max_iter=40).fit(X, y)
    np.testing.assert_array_equal(
        read._first_layer_importances, plain.feature_importances_
    )
    np.testing.assert_array_equal(read.predict_proba(X), plain.predict_proba(X))
    assert read.feature_importances_.sum() == pytest.approx(1.0)
    assert not np.array_equal(read.feature_importances_, plain.feature_importances_)


def test_chi2_quantile_matches_scipy():
    from scipy.stats import chi2

    from sklearn_spectral.nn.objective import _chi2_quantile

    # Wilson-Hilferty: within 2% from 3 degrees of freedom on, 5% below
    for df in (1.0, 2.0, 3.0, 4.0, 11.0, 40.0, 100.0):
        for p in (0.99, 0.999):
            exact = chi2.ppf(p, df)
            approx = _chi2_quantile(p, df)
            if df >= 3:
                assert approx == pytest.approx(exact, rel=0.02)
            else:
                assert approx == pytest.approx(exact, rel=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_score_test_tells_a_zeroed_relevant_input_from_noise(seed):
    # switch x1 and one noise input off by hand: the score test of their
    # direct-space gradient flags x1 (the data support it), not the noise
    X, y = _linear_target(seed)
    model = SpectralMLPRegressor(random_state=seed).fit(X, y)
    net = model.net_
    drop_inputs_(net.module_, net.optimizer_, [1, 3])
    x = torch.as_tensor(X, dtype=torch.float32)
    target = torch.as_tensor((y - y.mean()) / y.std(), dtype=torch.float32)
    out = input_score_test(net.module_, x, lambda o: (o[:, 0] - target) ** 2)
    assert out["off"][[1, 3]].all()
    assert out["statistic"][1] > out["threshold"]
    assert out["statistic"][3] <= out["threshold"]
    assert np.all(out["statistic"].numpy()[~out["off"].numpy()] == 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zeroed_relevant_input_is_readmitted(seed):
    # a zero is absorbing in the spectral parametrisation: lam_j = 0 and
    # phi[:, j] = 0 get no gradient. The check when the fit would stop
    # brings the relevant input back; the noise input stays off
    X, y = _linear_target(seed)
    model = SpectralMLPRegressor(random_state=seed, warm_start=True).fit(X, y)
    net = model.net_
    drop_inputs_(net.module_, net.optimizer_, [1, 3])
    assert model.net_.module_.input_relevance()[1] == 0
    model.fit(X, y)
    settling = dict(model.net_.callbacks_)["input_settling"]
    assert 1 in settling.readmitted_
    assert 3 not in settling.readmitted_
    importances = model.feature_importances_
    assert importances[1] > importances[0] > 0
    assert importances[3] == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_readmission_step_lowers_the_penalised_loss(seed):
    # Settings.input_readmit_step: a re-admitted eigenvalue starts at the
    # minimiser of the L1 problem along it, not at 0, split between lam and
    # phi as the two penalties balance it (alpha lam = decay ||phi||^2)
    from sklearn_spectral._training.callbacks import InputSettling, _lam_gradient

    X, y = _linear_target(seed)
    model = SpectralMLPRegressor(random_state=seed).fit(X, y)
    net, module = model.net_, model.net_.module_
    module.eval()
    drop_inputs_(module, net.optimizer_, [1])
    x = torch.as_tensor(X, dtype=torch.float32)
    target = torch.as_tensor((y - y.mean()) / y.std(), dtype=torch.float32)

    def losses(o):
        return (o[:, 0] - target) ** 2

    penalty = InputSettling._input_penalty(net)
    score = input_score_test(module, x, losses)
    grad = score["directions"] * score["gradient_norm"][None, :]
    readmit_inputs_(module, net.optimizer_, [1], grad, score["phi_norm"])
    first = module.layers[0]

    def objective():
        with torch.no_grad():
            data = float(losses(module(x)).mean())
        return data + penalty.coef * float(first.lam_in.abs().sum())

    at_zero = objective()
    assert float(-_lam_gradient(module, x, losses)[1]) > penalty.coef  # KKT fails
    InputSettling(newton_step=1.0)._newton_start(
        module, net.optimizer_, x, losses, [1], penalty
    )
    lam = float(first.lam_in[1])
    assert lam > 0
    assert objective() < at_zero
    decay = 2 * model.phi_alpha
    phi_sq = float((first.phi[:, 1].double() ** 2).sum())
    assert penalty.coef * lam == pytest.approx(decay * phi_sq, rel=1e-3)


@pytest.mark.parametrize(
    "params", [{"auto_depth": True}, {"penalized": "all"}, {"penalty": "l2"}]
)
def test_settling_only_for_the_input_l1_at_fixed_depth(params):
    # the check needs one first-layer column per input (auto-depth's inputs
    # enter every layer through the skip paths), and the boost is meant for
    # the input eigenvalues alone
    X, y = _linear_target(0, n_samples=200)
    model = SpectralMLPRegressor(max_iter=30, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert "input_settling" not in dict(model.net_.callbacks_)


def test_the_end_of_fit_solve_adds_no_epochs_and_zeroes_the_noise():
    # the full-batch solve replaced a settling phase of extra epochs that
    # doubled small fits; without it the three noise inputs of the linear
    # target kept 0.13-0.21 of the importance
    off = dataclasses.replace(DEFAULT_SETTINGS, input_settle_max_iter=0)
    for seed in range(3):
        X, y = _linear_target(seed)
        model = SpectralMLPRegressor(random_state=seed).fit(X, y)
        plain = SpectralMLPRegressor(random_state=seed, settings=off).fit(X, y)
        settling = dict(model.net_.callbacks_)["input_settling"]
        solve = settling.checks_[-1]["solve"]
        assert solve["objective"][1] <= solve["objective"][0]
        assert 0 < solve["steps"] <= DEFAULT_SETTINGS.input_settle_max_iter
        assert model.n_iter_ == plain.n_iter_  # same epochs, same stop
        assert model.feature_importances_[2:].max() == 0.0
        # (the first-layer reading; the network's gradient reads them at
        # 0.03-0.04 each)
        assert plain._first_layer_importances[2:].max() > 0.05
        assert plain.feature_importances_[2:].max() > 0.01
        assert model.score(X, y) >= plain.score(X, y) - 0.005


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_solve_zeroes_the_noise_inputs_and_ends_on_its_own(seed):
    # from a fresh network (no minibatch fit first) the quasi-Newton solve
    # switches the three noise inputs off exactly, keeps the one input the
    # target depends on, and ends on the zeros, well before its cap
    g = torch.Generator().manual_seed(seed)
    net = SpectralMLP(4, [8], 1, generator=g)
    objective = SpectralObjective(
        [EigenvalueTerm("input", "input", "l1", alpha=0.05)], phi_alpha=1e-3
    )
    # the library's optimizer: torch's Adam imports torch._dynamo (seconds)
    optimizer = ProximalAdam(objective.param_groups(net))
    set_strength(optimizer.param_groups, "input", 0.05)
    x = torch.randn(500, 4, generator=g)
    y = (2.0 * x[:, 0] + 0.1 * torch.randn(500, generator=g)).double()
    out = settle_inputs_(
        net,
        optimizer,
        x,
        lambda o: (o[:, 0] - y) ** 2,
        until_zero=[1, 2, 3],
        max_iter=200,
    )
    lam = net.layers[0].lam_in.detach()
    assert lam[0] != 0
    assert torch.all(lam[1:] == 0)
    assert out["steps"] < 100  # 16-35 steps measured over 5 seeds
    assert out["objective"][1] < 0.1 * out["objective"][0]


def _grouped_net(seed):
    # inputs 0-2 share eigenvalue 0, inputs 3-4 eigenvalue 1, input 5 is 2
    g = torch.Generator().manual_seed(seed)
    groups = [0, 0, 0, 1, 1, 2]
    net = SpectralMLP(6, [8], 1, generator=g, input_groups=groups)
    x = torch.randn(2000, 6, generator=g)
    y = x[:, 0] - x[:, 1] + 0.5 * x[:, 5] + 0.1 * torch.randn(2000, generator=g)
    return net, x, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_score_test_of_grouped_inputs_is_per_eigenvalue(seed):
    # a group is off when all its columns are; its statistic sums its
    # columns' and is referred to chi2 with the group's size times the
    # effective directions: the relevant group passes, the noise group not
    net, x, y = _grouped_net(seed)
    # an optimizer without state (torch.optim's first use imports dynamo,
    # about 3 s); the steps below only edit the state they find
    optimizer = types.SimpleNamespace(state={}, param_groups=[])
    drop_inputs_(net, optimizer, [0, 1])
    assert float(net.layers[0].phi.detach()[:, :5].abs().sum()) == 0.0
    out = input_score_test(net, x, lambda o: (o[:, 0] - y) ** 2)
    assert out["off"].tolist() == [True, True, False]
    assert out["threshold"].shape == (3,)
    assert out["threshold"][0] > out["threshold"][1]  # 3 columns against 2
    assert out["statistic"][0] > out["threshold"][0]
    assert out["statistic"][1] <= out["threshold"][1]
    # re-admitted, the group's columns point along its descent, norm phi_norm
    grad = out["directions"] * out["gradient_norm"][[0, 0, 0, 1, 1, 2]]
    readmit_inputs_(net, optimizer, [0], grad, phi_norm=1.0)
    block = net.layers[0].phi.detach()[:, :3]
    assert float(torch.linalg.norm(block)) == pytest.approx(1.0, rel=1e-5)
    assert float((block.double() * grad[:, :3]).sum()) < 0
    assert float(net.layers[0].lam_in.detach()[0]) == 0.0
