"""The all-relevant mode of SpectralFeatureSelector: the shadow test, its
strength ladder and what it keeps (issue 20, item 4)."""

import dataclasses
import itertools
import warnings

import numpy as np
import pytest
from scipy.stats import binom
from sklearn.datasets import load_diabetes, make_classification
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
)
from sklearn_spectral._selection._all_relevant import (
    _shadow_data,
    fixed_shadow_mask,
    hit_test,
    linear_readmission,
    overdispersed_sf,
    poisson_binomial_sf,
    sequential_shadow_test,
    shadow_fit_plan,
)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# --------------------------------------------------------------------------- #
# the test itself, on simulated relevances (no fit)
# --------------------------------------------------------------------------- #
def test_linear_readmission_finds_a_conditional_effect_and_no_noise():
    # y = x0 + x1 - x2 + e with x2 = x1 + small noise: x2 alone says
    # little about y (its marginal correlation is about 0.0), given x0 and
    # x1 its effect is clear; columns 3-7 are noise. The shadow test
    # confirmed x0 and x1 (kept); the check adds x2 and no noise column
    for seed in range(10):
        rng = np.random.RandomState(seed)
        X = rng.standard_normal((300, 8))
        X[:, 2] = X[:, 1] + 0.3 * rng.standard_normal(300)
        y = X[:, 0] + X[:, 1] - X[:, 2] + 0.5 * rng.standard_normal(300)
        kept = np.arange(8) < 2
        readmitted = linear_readmission(X, y, kept, 0.05)
        np.testing.assert_array_equal(np.flatnonzero(readmitted), [2])
        # nothing is checked at level 0
        assert not linear_readmission(X, y, kept, 0.0).any()


@pytest.mark.parametrize("shape", ["linear", "nonlinear"])
def test_linear_readmission_keeps_its_level_under_the_null(shape):
    # candidates independent of y and of the kept column: over 120 data
    # sets at family-wise level 0.1 at most about 12 re-admit anything
    # (binomial 120 x 0.1: 22 or more has chance below 0.005), whatever the
    # target's shape given the kept column
    false = 0
    for seed in range(120):
        rng = np.random.RandomState(seed)
        X = rng.standard_normal((120, 6))
        signal = X[:, 0] if shape == "linear" else np.sin(3 * X[:, 0]) + X[:, 0] ** 2
        y = signal + rng.standard_normal(120)
        false += linear_readmission(X, y, np.arange(6) < 1, 0.1).any()
    assert false <= 21


def test_linear_readmission_adds_a_group_whole_and_skips_what_it_cannot_fit():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((400, 5))
    X[:, 3] = X[:, 2] + 0.2 * rng.standard_normal(400)
    y = X[:, 0] + X[:, 2] - X[:, 3] + 0.3 * rng.standard_normal(400)
    groups = np.array([0, 1, 2, 2, 3])
    readmitted = linear_readmission(X, y, np.arange(5) < 1, 0.05, groups=groups)
    np.testing.assert_array_equal(readmitted, [False, False, True, True, False])
    # weighted rows: the same columns
    weighted = linear_readmission(
        X, y, np.arange(5) < 1, 0.05, groups=groups, sample_weight=np.ones(400)
    )
    np.testing.assert_array_equal(weighted, readmitted)
    # a copy of a kept column, or a constant, adds nothing to the fit
    wider = np.column_stack([X, X[:, 0], np.full(400, 3.0)])
    extended = linear_readmission(
        wider, y, np.arange(7) < 1, 0.05, groups=np.array([0, 1, 2, 2, 3, 4, 5])
    )
    np.testing.assert_array_equal(extended, [0, 0, 1, 1, 0, 0, 0])
    # missing cells or sparse input: nothing is checked
    holed = X.copy()
    holed[0, 4] = np.nan
    assert not linear_readmission(holed, y, np.arange(5) < 1, 0.05).any()
    from scipy import sparse

    assert not linear_readmission(sparse.csr_matrix(X), y, np.arange(5) < 1, 0.05).any()


def test_poisson_binomial_tail_is_the_binomial_for_equal_rates():
    hits = np.arange(0, 12)
    np.testing.assert_allclose(
        poisson_binomial_sf(hits, np.full(10, 0.03)),
        np.where(hits <= 10, binom.sf(hits - 1, 10, 0.03), 0.0),
        rtol=1e-10,
        atol=1e-300,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_poisson_binomial_tail_matches_enumeration(seed):
    rates = np.random.RandomState(seed).uniform(0.0, 0.5, size=6)
    expected = np.zeros(7)
    for outcome in itertools.product([0, 1], repeat=6):
        outcome = np.array(outcome)
        chance = np.prod(np.where(outcome == 1, rates, 1 - rates))
        expected[: outcome.sum() + 1] += chance
    np.testing.assert_allclose(poisson_binomial_sf(np.arange(7), rates), expected)


def test_hit_test_reads_each_strengths_null_from_its_shadows():
    rng = np.random.RandomState(0)
    n_rounds, n_features = 6, 20
    levels = np.arange(n_rounds) % 2
    # rung 0: dense shadows; rung 1: an L1 that switched every shadow off
    shadows = rng.exponential(size=(2 * n_rounds, n_features))
    shadows[np.repeat(levels, 2) == 1] = 0.0
    importances = rng.exponential(size=(n_rounds, n_features))
    bars, rates, pvalues = hit_test(importances, shadows, 0.99, levels)
    dense = shadows[np.repeat(levels, 2) == 0].ravel()
    np.testing.assert_array_equal(bars[levels == 0], np.quantile(dense, 0.99))
    np.testing.assert_array_equal(bars[levels == 1], 0.0)
    # the fraction above the bar, one more counted: about 1 - quantile
    # when the shadows are dense, small but never 0 when none is above 0
    np.testing.assert_allclose(
        rates[levels == 0], (np.sum(dense > bars[0]) + 1) / (dense.size + 1)
    )
    assert np.all(rates[levels == 0] <= 0.03)
    sparse = shadows[np.repeat(levels, 2) == 1]
    np.testing.assert_allclose(rates[levels == 1], 1 / (sparse.size + 1))
    assert np.all((pvalues >= 0) & (pvalues <= 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hit_test_controls_false_positives_under_the_null(seed):
    # real columns exchangeable with the shadows (a mix of exact zeros, as
    # an L1 leaves, and positive relevances): the Bonferroni-corrected test
    # keeps a null column rarely (family-wise level 0.05 over 50 columns)
    rng = np.random.RandomState(seed)
    n_rounds, n_features, kept = 15, 50, 0
    levels = np.arange(n_rounds) % 5
    for _ in range(40):
        zero_chance = np.repeat(np.linspace(0.0, 0.97, 5)[levels], 2)[:, None]
        shadows = rng.exponential(size=(2 * n_rounds, n_features))
        shadows[rng.uniform(size=shadows.shape) < zero_chance] = 0.0
        real = rng.exponential(size=(n_rounds, n_features))
        real[rng.uniform(size=real.shape) < zero_chance[::2]] = 0.0
        _, _, pvalues = hit_test(real, shadows, 0.99, levels)
        kept += np.any(pvalues <= 0.05 / n_features)
    assert kept / 40 <= 0.15


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_overdispersed_tail_without_dispersion_is_the_poisson_binomial(seed):
    rng = np.random.RandomState(seed)
    draws = rng.randint(0, 5, size=4)
    rates = rng.uniform(0.001, 0.2, size=4)
    n = draws.sum()
    tails = [overdispersed_sf(h, draws, rates, 0.0) for h in range(n + 2)]
    np.testing.assert_allclose(
        tails,
        poisson_binomial_sf(np.arange(n + 2), np.repeat(rates, draws)),
        rtol=1e-9,
        atol=1e-300,
    )
    # a small dispersion is close to it; a larger one fattens the far tail
    # (runs of hits of one column become less surprising) and the tail is
    # a tail: 1 at 0 hits, decreasing, 0 beyond the rounds
    near = [overdispersed_sf(h, draws, rates, 1e-4) for h in range(n + 2)]
    np.testing.assert_allclose(near, tails, rtol=0.01, atol=1e-12)
    wide = [overdispersed_sf(h, draws, rates, 5.0) for h in range(n + 2)]
    assert wide[0] == 1.0 and wide[n + 1] == 0.0
    assert np.all(np.diff(wide) <= 1e-12)
    assert wide[n] > 10 * tails[n]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_overdispersed_tail_matches_simulation(seed):
    # two pools of rounds; in each the chance of a hit is the pool's rate
    # times a gamma factor of mean 1 and variance 2, drawn once per pool
    rng = np.random.RandomState(seed)
    draws, rates = np.array([6, 4]), rng.uniform(0.01, 0.06, size=2)
    hits = 0
    for n, rate in zip(draws, rates):
        theta = rng.gamma(0.5, 2.0, size=200_000)
        chance = np.minimum(theta * rate, 1.0)
        hits = hits + (rng.uniform(size=(theta.size, n)) < chance[:, None]).sum(1)
    for h in (1, 2, 3):
        simulated = np.mean(hits >= h)
        assert overdispersed_sf(h, draws, rates, 2.0) == pytest.approx(
            simulated, rel=0.1
        )


@pytest.mark.parametrize("seed", [0, 1])
def test_hit_test_with_dispersion_keeps_the_level_for_fixed_columns(seed):
    # null columns whose chance of a hit is their own and the same in every
    # round of a level (a fixed column's chance association with y persists:
    # the
    # shadows' rate times a gamma factor of mean 1 and variance 10), the
    # shadows drawn afresh in every fit. Read as independent rounds the test
    # confirms such columns well above its level; with the dispersion it
    # keeps the level (0.05 family-wise over 50 columns, 40 data sets)
    rng = np.random.RandomState(seed)
    n_rounds, n_features, n_shadows, dispersion = 20, 50, 400, 10.0
    levels = np.arange(n_rounds) % 2
    kept = {0.0: 0, dispersion: 0}
    n_sets = 40
    for _ in range(n_sets):
        # one factor per column and level
        theta = rng.gamma(1 / dispersion, dispersion, size=(2, n_features))
        # a hit: above every shadow; otherwise below the shadows' 99th
        # percentile (their relevances are uniform on [0, 1])
        hit = rng.uniform(size=(n_rounds, n_features)) < 0.01 * theta[levels]
        real = np.where(hit, 2.0, rng.uniform(0.0, 0.98, size=hit.shape))
        shadows = rng.uniform(size=(n_rounds, n_shadows))
        for value in kept:
            _, _, pvalues = hit_test(real, shadows, 0.99, levels, dispersion=value)
            kept[value] += np.any(pvalues <= 0.05 / n_features)
    assert kept[dispersion] / n_sets <= 0.1
    assert kept[0.0] / n_sets >= 0.15


def _persistent_null(rng, n_rounds, n_columns, levels, dispersion, fits=1):
    """Relevances of null columns whose chance of a hit (above 1) is 0.01
    times a gamma factor of mean 1 and variance ``dispersion`` of their
    own, the same in every round of a level; ``fits`` draws per round."""
    theta = rng.gamma(1 / dispersion, dispersion, size=(levels.max() + 1, n_columns))
    chance = 0.01 * np.repeat(theta[levels], fits, axis=0)
    hit = rng.uniform(size=chance.shape) < chance
    return np.where(hit, 2.0, rng.uniform(0.0, 0.98, size=hit.shape))


@pytest.mark.parametrize("seed", [0, 1])
def test_held_shadows_measure_the_dispersion_and_keep_the_level(seed):
    # real null columns and half the shadows keep a chance of a hit of
    # their own over the rounds (a gamma factor of variance 10 per level);
    # the other shadows are drawn afresh. The held shadows' spread measures
    # the dispersion, and the test on it comes back towards the
    # family-wise level (0.05) that independent rounds break. The moment
    # estimate of a rare event is noisy (10th-90th percentile 1-20 here;
    # measured on seeds 0-5: 0-7 of 30 data sets keep a null column,
    # 0-4 at the true dispersion, 7-11 as independent rounds)
    rng = np.random.RandomState(seed)
    n_rounds, n_features, n_held, dispersion = 20, 50, 200, 10.0
    levels = np.arange(n_rounds) % 2
    fixed = np.r_[np.ones(n_held, bool), np.zeros(200, bool)]
    kept = {"independent": 0, "measured": 0}
    measured = []
    for _ in range(30):
        real = _persistent_null(rng, n_rounds, n_features, levels, dispersion)
        held = _persistent_null(rng, n_rounds, n_held, levels, dispersion, fits=2)
        fresh = rng.uniform(size=(2 * n_rounds, 200))
        shadows = np.hstack([held, fresh])
        _, _, pvalues = hit_test(real, shadows, 0.99, levels)
        kept["independent"] += np.any(pvalues <= 0.05 / n_features)
        *_, pvalues, dispersions = hit_test(
            real, shadows, 0.99, levels, fixed=fixed, return_dispersion=True
        )
        kept["measured"] += np.any(pvalues <= 0.05 / n_features)
        measured.extend(dispersions)
    assert kept["measured"] / 30 <= 0.25
    assert kept["measured"] < kept["independent"]
    # a moment estimate: right on average, within a factor of 2
    assert 0.5 * dispersion <= np.mean(measured) <= 2 * dispersion


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_held_shadows_of_independent_rounds_leave_the_test_as_it_was(seed):
    # every column drawn afresh in every round (no persistence): the held
    # shadows measure about no dispersion, and a column that beats its
    # shadows in 30 % of the rounds is confirmed as without them
    rng = np.random.RandomState(seed)
    n_rounds, n_features = 30, 20
    levels = np.arange(n_rounds) % 3
    real = rng.uniform(0.0, 0.98, size=(n_rounds, n_features))
    real[:, :3] = np.where(rng.uniform(size=(n_rounds, 3)) < 0.3, 3.0, real[:, :3])
    shadows = np.where(
        rng.uniform(size=(2 * n_rounds, 100)) < 0.01,
        2.0,
        rng.uniform(0.0, 0.98, size=(2 * n_rounds, 100)),
    )
    fixed = np.arange(100) < 50
    plain = hit_test(real, shadows, 0.99, levels)
    *same, dispersions = hit_test(
        real, shadows, 0.99, levels, fixed=fixed, return_dispersion=True
    )
    assert np.all(dispersions < 1.0)
    np.testing.assert_allclose(same[0], plain[0])
    limit = 0.05 / n_features
    np.testing.assert_array_equal(same[2] <= limit, plain[2] <= limit)
    assert np.all(same[2][:3] <= limit)
    # a dispersion given is a floor: nothing measured below it
    *_, floor = hit_test(
        real, shadows, 0.99, levels, dispersion=2.0, fixed=fixed, return_dispersion=True
    )
    assert np.all(floor >= 2.0)


@pytest.mark.parametrize("groups", [None, np.array([0, 0, 1, 2, 2, 2, 3])])
def test_held_shadows_keep_their_permutation_in_every_fit(groups):
    # the held shadows are the same in fits of different shadow seeds, the
    # others are drawn afresh (a group's shadows stay fresh, permuted
    # together); which are held is what fixed_shadow_mask says
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 7))
    template = SpectralMLPClassifier()
    columns = np.arange(7)
    datas = [
        _shadow_data(template, X, columns, seed, 0, None, 3, groups, None, (7, 0.5))[0][
            :, 7:
        ]
        for seed in (1, 2)
    ]
    held = fixed_shadow_mask(7, 0.5, 21, 7, groups)
    # a fraction of the shadows of the columns alone in their group
    alone = np.ones(7, bool) if groups is None else np.bincount(groups)[groups] == 1
    assert held.sum() == round(0.5 * 3 * alone.sum())
    assert not np.any(held & ~np.tile(alone, 3))
    np.testing.assert_array_equal(datas[0][:, held], datas[1][:, held])
    assert not np.any(np.all(datas[0][:, ~held] == datas[1][:, ~held], axis=0))
    # every shadow is a permutation of its column
    for data in datas:
        np.testing.assert_allclose(
            np.sort(data, axis=0), np.sort(np.tile(X, 3), axis=0)
        )
    if groups is not None:  # columns 3-5 of a copy permuted alike
        order = np.argsort(X[:, 3])
        for copy in range(3):
            shadow = datas[0][:, 7 * copy : 7 * copy + 7]
            rows = np.argsort(shadow[:, 3])
            np.testing.assert_allclose(np.sort(shadow[rows, 4]), np.sort(X[order, 4]))
    # no fraction: nothing held
    assert not fixed_shadow_mask(7, 0.0, 21, 7, groups).any()


@pytest.mark.parametrize("seed", [0])
def test_hit_test_holds_a_group_to_the_shadows_of_its_size(seed):
    # columns 0-1 and 2-4 are groups: each column scores its group's norm,
    # whose null distribution is not a single column's (here 3x and 0.3x).
    # One pool per level let the columns of the wide groups beat its bar
    # more often than its null rate said; per size, null columns keep the
    # family-wise level (30 draws at 0.05)
    rng = np.random.RandomState(seed)
    sizes = np.array([2, 2, 3, 3, 3, 1, 1, 1, 1, 1])
    scale = np.where(sizes == 2, 3.0, np.where(sizes == 3, 0.3, 1.0))
    n_rounds, copies, kept = 40, 5, 0
    for _ in range(30):
        shadows = rng.exponential(size=(2 * n_rounds, copies * 10)) * np.tile(
            scale, copies
        )
        real = rng.exponential(size=(n_rounds, 10)) * scale
        bars, rates, pvalues = hit_test(real, shadows, 0.99, sizes=sizes)
        assert bars.shape == rates.shape == (n_rounds, 10)
        for size in (1, 2, 3):
            pool = shadows[:, np.tile(sizes, copies) == size]
            np.testing.assert_allclose(bars[:, sizes == size], np.quantile(pool, 0.99))
        kept += np.any(pvalues <= 0.05 / 10)
    # (one pool: 5-15 of the 30 on seeds 0-5; per size 0-1 on each)
    assert kept <= 5


@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_each_round_splits_the_columns_into_its_parts(parts):
    n_features, seeds = 11, [3, 4, 5, 6, 7]
    plan = shadow_fit_plan(n_features, seeds, n_levels=2, parts=parts)
    assert len(plan) == parts * len(seeds)
    for round_ in range(len(seeds)):
        fits = [fit for fit in plan if fit[0] == round_]
        columns = np.concatenate([fit[2] for fit in fits])
        # disjoint parts that cover every column, of sizes within one
        np.testing.assert_array_equal(np.sort(columns), np.arange(n_features))
        sizes = [fit[2].size for fit in fits]
        assert max(sizes) - min(sizes) <= 1
        assert {fit[1] for fit in fits} == {round_ % 2}
    # with column groups, a group is never cut
    groups = np.array([0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5])
    for fit in shadow_fit_plan(n_features, seeds, groups=groups, parts=parts):
        inside = np.isin(np.arange(n_features), fit[2])
        for group in np.unique(groups):
            assert len(set(inside[groups == group])) == 1


def test_hit_test_counts_only_the_rounds_a_column_was_fitted_in():
    # NaN: the sequential test no longer fits a decided column; those rounds
    # are no draws for it (its p-value is that of its own rounds)
    rng = np.random.RandomState(0)
    shadows = rng.exponential(size=(6, 100))
    real = np.full((3, 2), 100.0)
    real[1:, 1] = np.nan
    bars, rates, pvalues = hit_test(real, shadows, 0.99)
    assert np.all(real[:, 0] > bars)
    assert pvalues[0] == pytest.approx(poisson_binomial_sf([3], rates)[0])
    assert pvalues[1] == pytest.approx(poisson_binomial_sf([1], rates[:1])[0])
    # an explicit round per fit (parts of unequal count) reads the same pools
    fit_rounds = np.repeat([0, 1, 2], 2)
    same = hit_test(real, shadows, 0.99, [0, 1, 0], fit_rounds)
    split = hit_test(real, shadows, 0.99, [0, 1, 0])
    for a, b in zip(same, split):
        np.testing.assert_allclose(a, b)


def test_a_plan_of_active_columns_fits_only_them_from_its_first_round():
    active = np.array([1, 4, 5, 8, 9])
    plan = shadow_fit_plan(10, [3, 4, 5], n_levels=5, parts=2, columns=active, first=7)
    assert sorted({fit[0] for fit in plan}) == [7, 8, 9]
    for round_ in (7, 8, 9):
        fits = [fit for fit in plan if fit[0] == round_]
        assert {fit[1] for fit in fits} == {round_ % 5}
        np.testing.assert_array_equal(
            np.sort(np.concatenate([fit[2] for fit in fits])), active
        )
    # a single column left: one fit per round, not an empty part
    alone = shadow_fit_plan(10, [3, 4], parts=2, columns=[6])
    assert [fit[2].tolist() for fit in alone] == [[6], [6]]
    # all columns: the plan of the fixed rounds, draw for draw
    for a, b in zip(
        shadow_fit_plan(10, [3, 4], parts=2, columns=np.arange(10)),
        shadow_fit_plan(10, [3, 4], parts=2),
    ):
        np.testing.assert_array_equal(a[2], b[2])
        assert a[3:] == b[3:]


@pytest.mark.parametrize("seed", [0, 1])
def test_sequential_rounds_decide_clear_columns_early_and_stop(seed):
    # a forest's importances make the signal clear: the informative columns
    # are confirmed, the noise rejected, well before the cap of rounds; a
    # rejected column leaves the fits after its batch
    # (5 trees: the same properties on seeds 0-4 as 10, in 2/3 of the time)
    X, y = _small_set(seed, n_samples=300)
    run = sequential_shadow_test(
        ExtraTreesClassifier(n_estimators=5, random_state=0),
        X,
        y,
        {},
        np.arange(40) + 100 * seed,
        getter="auto",
        norm_order=1,
        n_jobs=None,
        alphas=None,
        min_shadows=50,
        parts=2,
        quantile=0.99,
        level=0.05,
        reject_rate=0.3,
        batch=5,
    )
    decision, rounds = run["decision"], run["importances"].shape[0]
    assert rounds % 5 == 0 and rounds < 40
    assert np.all(decision != 0)  # nothing tentative: the cap was not reached
    assert np.sum(decision[:5] == 1) >= 4
    assert np.sum(decision[5:] == 1) <= 1
    tested = np.isfinite(run["importances"])
    for j in np.flatnonzero(decision == -1):
        at = run["decided_at"][j]
        assert tested[:at, j].all() and not tested[at:, j].any()
    # confirmed columns stay in the fits as context
    assert tested[:, decision == 1].all()


@pytest.mark.parametrize("parts", [1, 3])
def test_the_rounds_fit_once_per_part(parts):
    X, y = _small_set(0, n_samples=100)
    settings = dataclasses.replace(DEFAULT_SETTINGS, all_relevant_parts=parts)
    model = SpectralMLPClassifier(hidden_layer_sizes=(8,), max_iter=5)
    selector = SpectralFeatureSelector(
        model, mode="all-relevant", n_repeats=2, random_state=0, settings=settings
    ).fit(X, y)
    assert selector.importances_.shape == (2, X.shape[1])
    assert selector.shadow_importances_.shape[0] == 2 * parts
    # each column is scored in every round (its part's fit)
    assert np.all(np.isfinite(selector.importances_))


# --------------------------------------------------------------------------- #
# the selector
# --------------------------------------------------------------------------- #
def _small_set(seed, n_samples=400):
    """5 informative of 20 columns (the first), standardised."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def test_the_default_rounds_climb_the_strength_ladder():
    X, y = _small_set(0, n_samples=200)
    selector = SpectralFeatureSelector(
        mode="all-relevant", n_repeats=5, random_state=0
    ).fit(X, y)
    ladder = DEFAULT_SETTINGS.all_relevant_alpha * np.array(
        DEFAULT_SETTINGS.all_relevant_alpha_factors
    )
    np.testing.assert_allclose(selector.round_alphas_, ladder)
    # no strength search: the fit on all data takes a rung of the ladder
    assert selector.alpha_path_ is None
    assert selector.alpha_ in ladder.tolist()
    assert selector.estimator_.alpha == selector.alpha_
    assert selector.shadow_threshold_.shape == (5,)
    assert selector.null_rates_.shape == (5,)
    assert np.all((selector.null_rates_ > 0) & (selector.null_rates_ < 0.05))
    # every shadow is held over the rounds (no correlated groups here): one
    # measured dispersion per rung, never below the independent rounds' 0
    assert selector._held_shadows.all()
    assert selector.hit_dispersion_.shape == (5,)
    assert np.all(selector.hit_dispersion_ >= 0)
    # a fixed strength: every round at it
    fixed = SpectralFeatureSelector(
        SpectralMLPClassifier(hidden_layer_sizes=(8,), max_iter=5),
        mode="all-relevant",
        alpha=0.1,
        n_repeats=2,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(fixed.round_alphas_, [0.1, 0.1])
    assert fixed.alpha_ == 0.1


def test_the_default_rounds_cap_their_epochs(monkeypatch):
    # Settings.all_relevant_max_iter caps the epochs of the default model's
    # shadow fits only: the fit on all data and a model the user passes
    # keep their own max_iter. The fits train alone or as members of one
    # step (Settings.member_fits_max): both are looked at.
    from sklearn_spectral._selection import _all_relevant
    from sklearn_spectral._training import members

    caps, epochs = [], []
    original = _all_relevant._shadow_data
    alone = _all_relevant._fit_with_shadows
    together = members.fit_members

    def recording(estimator, *args, **kwargs):
        result = original(estimator, *args, **kwargs)
        caps.append(estimator.max_iter)
        return result

    def fitted_alone(estimator, *args, **kwargs):
        result = alone(estimator, *args, **kwargs)
        epochs.append(estimator.n_iter_)
        return result

    def fitted_together(specs, **options):
        reports = together(specs, **options)
        epochs.extend(report["epochs"] for report in reports)
        return reports

    monkeypatch.setattr(_all_relevant, "_shadow_data", recording)
    monkeypatch.setattr(_all_relevant, "_fit_with_shadows", fitted_alone)
    monkeypatch.setattr(members, "fit_members", fitted_together)
    X, y = _small_set(0, n_samples=100)
    for fits in (0, DEFAULT_SETTINGS.member_fits_max):
        settings = dataclasses.replace(
            DEFAULT_SETTINGS, all_relevant_max_iter=3, member_fits_max=fits
        )
        caps.clear()
        epochs.clear()
        selector = SpectralFeatureSelector(
            mode="all-relevant", n_repeats=1, random_state=0, settings=settings
        ).fit(X, y)
        assert caps and all(cap == 3 for cap in caps)
        assert len(epochs) == len(caps) and all(e <= 3 for e in epochs)
        assert selector.estimator_.max_iter == SpectralMLPClassifier().max_iter
        caps.clear()
        SpectralFeatureSelector(
            SpectralMLPClassifier(hidden_layer_sizes=(8,), max_iter=5),
            mode="all-relevant",
            n_repeats=1,
            random_state=0,
            settings=settings,
        ).fit(X, y)
        assert caps and all(cap == 5 for cap in caps)


@pytest.mark.parametrize("seed", [0, 1])
def test_informative_columns_are_kept_and_noise_is_not(seed):
    # make_classification's informative columns differ in strength, and on
    # 400 rows some carry little. The default rounds are sequential, each
    # column decided when its evidence is clear: over seeds 0-2 they kept
    # 4-5 of the 5 and at most one noise column in 20-25 rounds (cap 40);
    # here capped at 20 rounds, where a column with no hit is rejected (20
    # columns), and two seeds, for time (the headline problem, 750 rows, is
    # in benchmarks/bench_stability_selection.py)
    X, y = _small_set(seed)
    settings = dataclasses.replace(DEFAULT_SETTINGS, all_relevant_repeats=20)
    selector = SpectralFeatureSelector(
        mode="all-relevant", random_state=seed, settings=settings
    ).fit(X, y)
    kept = selector.get_support(indices=True)
    assert np.sum(kept < 5) >= 3
    assert np.sum(kept >= 5) <= 1
    rounds = selector.importances_.shape[0]
    assert rounds % len(DEFAULT_SETTINGS.all_relevant_alpha_factors) == 0
    assert rounds <= 20
    assert selector.tentative_.dtype == bool
    assert not np.any(selector.tentative_ & selector.get_support())
    # the linear check is for regression only
    assert not selector.linear_readmitted_.any()
    # a rejected column is no longer fitted: NaN in its later rounds
    dropped = ~np.isfinite(selector.importances_)
    assert not np.any(dropped[:, selector.get_support()])
    assert np.all(selector.selection_frequencies_ <= 1)


@pytest.mark.parametrize("seed", [0, 1])
def test_real_regression_keeps_the_columns_a_forest_uses(seed):
    # load_diabetes: a forest on all columns beats the mean (R^2 about
    # 0.42); the all-relevant set was empty in every CV fold at alpha 0.03.
    # bmi (2) and s5 (8) carry most of the signal
    X, y = load_diabetes(return_X_y=True)
    rows = np.random.RandomState(seed).permutation(y.size)[:350]
    X = StandardScaler().fit_transform(X[rows])
    selector = SpectralFeatureSelector(
        mode="all-relevant", n_repeats=5, random_state=seed
    ).fit(X, y[rows])
    kept = selector.get_support(indices=True)
    assert {2, 8} <= set(kept.tolist())
    assert kept.size >= 3
    # a fixed number of rounds: every column fitted in each, decided at the
    # end by the same two tests
    assert np.all(np.isfinite(selector.importances_))
    # (the confirmed ones), plus the linear check's re-admissions
    confirmed = selector.pvalues_ <= DEFAULT_SETTINGS.all_relevant_level / X.shape[1]
    np.testing.assert_array_equal(
        selector.get_support(), confirmed | selector.linear_readmitted_
    )
    assert not np.any(confirmed & selector.linear_readmitted_)
    # s1/s2 (4, 5) and s3/s4 (6, 7) are correlated groups, decided together
    groups = [g.tolist() for g in selector.correlated_groups_]
    assert [4, 5] in groups and [6, 7] in groups
    support = selector.get_support()
    assert support[4] == support[5] and support[6] == support[7]
