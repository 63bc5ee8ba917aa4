"""The all-relevant test: every column that beats its shadows.

In the spirit of Boruta (Kursa and Rudnicki, 2010) on the eigenvalue
relevance: each round splits the columns at random into two halves and fits
the model on each half beside a shadow copy of every column (its rows
permuted: it keeps the column's distribution and loses its link to ``y``).
The rounds of a spectral model run at a ladder of penalty strengths
(``Settings.all_relevant_alpha_factors``): a strong L1 switches weak
columns off before they can be tested, a weak one leaves the relevance
undecided between columns, and which strength separates depends on the
data. A column scores a hit in a round when its relevance exceeds a high
quantile of the shadow relevances of the fits at the same strength; the
chance of a hit under the null is read off those shadows, and the hits of
all rounds are tested together, Bonferroni-corrected over the columns: a
tail that lets a fixed column's hits at one strength come in runs, with
the dispersion measured on shadows whose permutation is held over all
rounds (``Settings.all_relevant_fixed_shadows``; without them, or where
they spread no more than independent draws, the Poisson-binomial tail).
The constants are fields of :class:`~sklearn_spectral.Settings`
(``all_relevant_*``).
"""

from __future__ import annotations

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array

from ._face import importances as _importances
from ._face import without_gradient_reading
from ._refits import member_importances, members_apply

__all__ = [
    "fixed_shadows",
    "hit_test",
    "linear_readmission",
    "overdispersed_sf",
    "poisson_binomial_sf",
    "sequential_shadow_test",
    "shadow_refits",
]


def shadow_fit_plan(
    n_features, seeds, n_levels=1, groups=None, parts=2, columns=None, first=0
):
    """The fits of the all-relevant rounds.

    Each round (one per seed) splits the columns at random into ``parts``
    parts (``Settings.all_relevant_parts``; 2: halves) and fits the model
    once per part. A column that copies or combines others is then often
    fitted without them and must carry their information itself, which is
    what makes the L1 keep redundant columns (random forests get the same
    from drawing candidate columns at each split). Round ``i`` runs at
    strength level ``i % n_levels``, so every level gets as many rounds as
    the others, within one. With ``groups`` (the group of every column:
    the model's ``feature_groups``, or the selector's correlated groups)
    the parts split whole groups.

    ``columns`` (None: all) are the columns still tested and ``first`` the
    number of the first round (the sequential test runs its rounds in
    batches).

    Returns a list of ``(round, level, columns, shadow seed, model seed)``.
    """
    active = np.arange(n_features) if columns is None else np.asarray(columns)
    plan = []
    for i, seed in enumerate(seeds, start=first):
        rng = np.random.RandomState(seed)
        if groups is None:
            halves = [
                active[part]
                for part in np.array_split(
                    rng.permutation(active.size), min(parts, active.size)
                )
            ]
        else:
            present = np.unique(groups[active])
            units = np.array_split(
                present[rng.permutation(present.size)], min(parts, present.size)
            )
            halves = [active[np.isin(groups[active], unit)] for unit in units]
        for part in halves:
            if part.size:
                plan.append(
                    (
                        i,
                        i % n_levels,
                        np.sort(part),
                        int(rng.randint(np.iinfo(np.int32).max)),
                        int(rng.randint(np.iinfo(np.int32).max)),
                    )
                )
    return plan


def _fit_with_shadows(
    estimator,
    X,
    y,
    columns,
    fit_params,
    shadow_seed,
    model_seed,
    getter,
    norm_order,
    alpha=None,
    copies=1,
    groups=None,
    max_iter=None,
    fixed=None,
):
    """Fit on ``[X[:, columns], shadows]``; the two sets of importances.

    The shadows are ``copies`` copies of all columns of ``X``, each with its
    rows permuted: they keep every column's distribution and lose any link
    to ``y``. With ``groups`` (see :func:`column_groups_of`) the columns of
    a group are permuted together in each copy, the model gets the real and
    the shadow groups as its ``feature_groups``, and each column scores its
    group's relevance (the norm over the group): one decision per group.
    ``max_iter`` (None: the model's own) caps the model's epochs when it
    has a ``max_iter`` parameter. ``fixed`` (None: none) is ``(seed,
    fraction)`` of the shadows that keep their permutation in every fit
    (see :func:`fixed_shadows`).
    """
    data, positions = _shadow_data(
        estimator,
        X,
        columns,
        shadow_seed,
        model_seed,
        alpha,
        copies,
        groups,
        max_iter,
        fixed,
    )
    with warnings.catch_warnings():
        # one refit of many: its convergence note says nothing about the
        # answer (a hit test over all rounds); the fit on all data, which
        # the user gets as estimator_, keeps its warnings
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(data, y, **fit_params)
    return _split_scores(
        _importances(estimator, getter, norm_order), columns, positions
    )


def _split_scores(scores, columns, positions):
    """The real columns' and the shadows' scores of a fit; with groups
    (``positions`` not None) each column scores its group's norm."""
    if positions is not None:
        _, group = np.unique(positions, return_inverse=True)
        scores = np.sqrt(np.bincount(group, weights=scores**2))[group]
    return scores[: columns.size], scores[columns.size :]


def fixed_shadows(seed, fraction, copies, n_units, n_samples=None, eligible=None):
    """The shadows that keep their permutation over all rounds.

    A real column keeps its data in every round, and so does whatever
    chance association with ``y`` it has in the sample; a shadow drawn
    afresh in every fit does not. A shadow whose permutation is held fixed
    (drawn once from ``seed``, the same in every fit of the selection) is
    a column unrelated to ``y`` that keeps its data as a real one does:
    the spread of such shadows' hit counts over the rounds measures how
    much a fixed null column's hits persist (see :func:`hit_test`).

    ``fraction`` of the ``copies * n_units`` shadow units (a column, or a
    group of columns permuted together) are held, at least two when
    ``fraction`` > 0; which ones is drawn from ``seed``. ``eligible`` (None:
    all) are the units that may be held, of shape ``(n_units,)``: the
    fraction is of their shadows.

    Returns ``held``, a bool array of shape ``(copies, n_units)``, and
    (with ``n_samples``) the held units' permutations, shape
    ``(held.sum(), n_samples)`` in the order of ``held``'s true cells.
    """
    if eligible is None:
        eligible = np.ones(n_units, dtype=bool)
    candidates = np.flatnonzero(np.tile(np.asarray(eligible, dtype=bool), copies))
    total = candidates.size
    n_held = 0 if fraction <= 0 else min(total, max(2, int(round(fraction * total))))
    rng = np.random.RandomState(seed)
    held = np.zeros(copies * n_units, dtype=bool)
    held[candidates[rng.permutation(total)[:n_held]]] = True
    held = held.reshape(copies, n_units)
    if n_samples is None:
        return held
    permutations = np.array(
        [rng.permutation(n_samples) for _ in range(n_held)], dtype=np.intp
    ).reshape(n_held, n_samples)
    return held, permutations


def fixed_shadow_mask(seed, fraction, n_shadows, n_features, groups=None):
    """Which of a fit's ``n_shadows`` shadow columns (``copies`` copies of
    the ``n_features`` columns, in order) keep their permutation over the
    rounds (see :func:`fixed_shadows`). With ``groups`` only the shadows of
    columns alone in their group are held (see :func:`_held_units`)."""
    copies = n_shadows // n_features
    if groups is None:
        return fixed_shadows(seed, fraction, copies, n_features).ravel()
    held = fixed_shadows(
        seed, fraction, copies, int(groups.max()) + 1, eligible=_held_units(groups)
    )
    return held[:, groups].ravel()


def _held_units(groups):
    """The groups whose shadows may be held: those of one column. A group
    of several columns is held to the shadows of groups of its size (see
    :func:`hit_test`), and these are few (``copies`` times the number of
    such groups): held, their bar would rest on a handful of fixed
    permutations (diabetes' s1 and s2, a group of two, were then confirmed
    in 3 of 15 selections and never with fresh shadows)."""
    return np.bincount(groups) == 1


def fixed_seed_of(seeds):
    """The seed of the held shadows' permutations: a stream of its own,
    derived from the selection's first round seed (the same in every
    batch of the sequential test)."""
    return int(
        np.random.SeedSequence([int(seeds[0]), 0x5EED]).generate_state(1)[0] >> 1
    )


def _shadow_data(
    estimator,
    X,
    columns,
    shadow_seed,
    model_seed,
    alpha,
    copies,
    groups,
    max_iter,
    fixed=None,
):
    """The data of a shadow fit, ``estimator`` set for it: ``(data,
    positions)``, ``positions`` the group of every column of ``data`` (None
    without groups). See :func:`_fit_with_shadows`."""
    rng = np.random.RandomState(shadow_seed)
    rows = None
    n_samples, n_columns = X.shape
    if groups is not None:  # one permutation of the rows per group and copy
        n_groups = int(groups.max()) + 1
        per_group = np.array(
            [
                [rng.permutation(n_samples) for _ in range(n_groups)]
                for _ in range(copies)
            ]
        ).reshape(copies, n_groups, n_samples)
        if fixed is not None:
            held, permutations = fixed_shadows(
                fixed[0], fixed[1], copies, n_groups, n_samples, _held_units(groups)
            )
            per_group[held] = permutations
        # rows[k][j]: copy k's permutation of column j (its group's)
        rows = per_group[:, groups, :]
    elif fixed is not None:  # the same draws as below, some then held
        rows = np.array(
            [rng.permutation(n_samples) for _ in range(copies * n_columns)]
        ).reshape(copies, n_columns, n_samples)
        held, permutations = fixed_shadows(
            fixed[0], fixed[1], copies, n_columns, n_samples
        )
        rows[held] = permutations
    if hasattr(X, "iloc"):
        data = _table_with_shadows(X, columns, rng, copies, rows)
    else:
        if rows is None:
            # rng.permutation(column) shuffles the column as it would its
            # row indices: the same draws, one gather
            rows = np.array(
                [rng.permutation(n_samples) for _ in range(copies * n_columns)]
            ).reshape(copies, n_columns, n_samples)
        shadows = X[
            rows.reshape(copies * n_columns, n_samples).T,
            np.tile(np.arange(n_columns), copies),
        ]
        data = np.hstack([X[:, columns], shadows])
    own = estimator.get_params(deep=False)
    changes = {}
    if "random_state" in own:
        changes["random_state"] = model_seed
    if alpha is not None:
        changes["alpha"] = alpha
    if max_iter is not None and own.get("max_iter") is not None:
        changes["max_iter"] = min(int(own["max_iter"]), int(max_iter))
    if groups is not None:
        # the group of each position of ``data``: the real columns of the
        # half, then each copy's shadows, in groups of their own
        positions = np.concatenate(
            [groups[columns]] + [groups + (k + 1) * n_groups for k in range(copies)]
        )
        order = np.argsort(positions, kind="stable")
        _, starts, counts = np.unique(
            positions[order], return_index=True, return_counts=True
        )
        changes["feature_groups"] = [
            order[start : start + count].tolist()
            for start, count in zip(starts, counts)
            if count > 1
        ] or None
    if changes:
        estimator.set_params(**changes)
    return data, (positions if groups is not None else None)


def _member_fits_with_shadows(template, arguments):
    """:func:`_fit_with_shadows` of every fit, trained as members of one step.

    Each fit's data (its real columns and fresh shadows, from its own
    shadow seed) and model (seed, strength, epochs) are made as
    :func:`_fit_with_shadows` makes them; the networks then train together
    (:func:`~sklearn_spectral._selection._refits.member_importances`).
    Returns the pair of importances of each fit, None for a fit that must
    run alone.
    """
    estimators, datas, splits = [], [], []
    for args in arguments:
        X, columns, shadow_seed, model_seed = args[0], args[2], args[4], args[5]
        alpha, copies, groups, max_iter, fixed = args[8:13]
        estimator = without_gradient_reading(clone(template))
        data, positions = _shadow_data(
            estimator,
            X,
            columns,
            shadow_seed,
            model_seed,
            alpha,
            copies,
            groups,
            max_iter,
            fixed,
        )
        estimators.append(estimator)
        datas.append(data)
        splits.append((columns, positions))
    y, weight = arguments[0][1], arguments[0][3].get("sample_weight")
    scores = member_importances(
        estimators, datas, [y] * len(datas), [weight] * len(datas)
    )
    return [
        None if score is None else _split_scores(score, *split)
        for score, split in zip(scores, splits)
    ]


def column_groups_of(estimator, X):
    """The group of every column of ``X`` under the model's
    ``feature_groups``, or None when the model has none."""
    feature_groups = estimator.get_params(deep=False).get("feature_groups")
    if feature_groups is None:
        return None
    from .._tabular import column_groups

    n_features = X.shape[1]
    names = (
        [str(c) for c in X.columns]
        if hasattr(X, "iloc")
        else [f"x{j}" for j in range(n_features)]
    )
    return column_groups(names, feature_groups, n_features)


def _table_with_shadows(X, columns, rng, copies=1, rows=None):
    """A DataFrame's ``columns``, then ``copies`` shadows of every column.

    Each shadow keeps its column's dtype (a category stays a category, so a
    model that encodes tables encodes the shadow alike) with its rows
    permuted; shadows are named ``shadow_<name>`` (``shadow<k>_<name>`` for
    the copies after the first); ``rows[k][j]`` is copy ``k``'s
    permutation of column ``j`` (None: a new one each).
    """
    import pandas as pd

    real = X.iloc[:, columns].reset_index(drop=True)
    shadows = {
        f"shadow{k or ''}_{name}": X[name]
        .iloc[rng.permutation(len(X)) if rows is None else rows[k][j]]
        .reset_index(drop=True)
        for k in range(copies)
        for j, name in enumerate(X.columns)
    }
    return pd.concat([real, pd.DataFrame(shadows)], axis=1)


def _shadow_input(X):
    """``X`` as the shadow fits take it: a DataFrame as it is (it keeps its
    column types), anything else a dense float array (shadows are permuted
    columns: sparse input is made dense; missing cells stay, the spectral
    models impute them)."""
    if hasattr(X, "iloc"):
        return X
    X = check_array(
        X,
        accept_sparse=True,
        dtype=(np.float64, np.float32),
        ensure_all_finite="allow-nan",
    )
    return X.toarray() if hasattr(X, "toarray") else X


def shadow_refits(
    template,
    X,
    y,
    params,
    seeds,
    *,
    getter,
    norm_order,
    n_jobs,
    alphas=None,
    min_shadows=1,
    parts=2,
    columns=None,
    first=0,
    return_fit_rounds=False,
    max_iter=None,
    groups=None,
    fixed=None,
):
    """Relevances of the real columns per round and of every shadow.

    ``alphas`` (None: the template's own strength in every round) is the
    ladder of strengths; round ``i`` runs at ``alphas[i % len(alphas)]``.
    Each fit has at least ``min_shadows`` shadows: every column gets
    ``ceil(min_shadows / n_features)`` of them. Each round fits the model
    once per part of a random split of the columns into ``parts`` parts
    (see :func:`shadow_fit_plan`). Only ``columns`` (None: all) are fitted
    beside the shadows (the shadows copy every column); round numbers start
    at ``first`` (which sets their strength level). ``max_iter`` (None: the
    model's own) caps each fit's epochs. ``groups`` (None: the model's
    ``feature_groups``, if any) gives the group of every column: a group's
    columns are permuted together in the shadows, share one input
    eigenvalue and score the group's relevance (see
    :func:`_fit_with_shadows`). ``fixed`` (None: every shadow drawn
    afresh in every fit) is ``(seed, fraction)``: that fraction of the
    shadows keep one permutation, drawn from ``seed``, in every fit (see
    :func:`fixed_shadows`; :func:`fixed_shadow_mask` says which).

    Returns ``importances`` of shape ``(n_rounds, n_features)`` (each
    column's relevance from the fit of its half; NaN for a column not
    fitted), ``shadows`` of shape
    ``(n_fits, n_shadows)`` and ``levels``, the strength level (index into
    ``alphas``) of each round, shape ``(n_rounds,)``; with
    ``return_fit_rounds`` also the round of each fit (from 0), shape
    ``(n_fits,)``.
    """
    X = _shadow_input(X)
    n_rounds = len(seeds)
    n_levels = 1 if alphas is None else len(alphas)
    if groups is None:
        groups = column_groups_of(template, X)
    plan = shadow_fit_plan(X.shape[1], seeds, n_levels, groups, parts, columns, first)
    copies = max(1, -(-int(min_shadows) // X.shape[1]))
    arguments = [
        (
            X,
            y,
            part,
            params,
            shadow_seed,
            model_seed,
            getter,
            norm_order,
            None if alphas is None else alphas[level],
            copies,
            groups,
            max_iter,
            fixed,
        )
        for _, level, part, shadow_seed, model_seed in plan
    ]
    results = [None] * len(plan)
    if getter == "auto" and members_apply(template, X, params, n_jobs, len(plan)):
        # the fits train as members of one step (Settings.member_fits_max)
        results = _member_fits_with_shadows(template, arguments)
    missing = [i for i, result in enumerate(results) if result is None]
    jobs = (
        delayed(_fit_with_shadows)(
            without_gradient_reading(clone(template)), *arguments[i]
        )
        for i in missing
    )
    for i, result in zip(missing, Parallel(n_jobs=n_jobs)(jobs)):
        results[i] = result
    importances = np.full((n_rounds, X.shape[1]), np.nan)
    for (round_, _, part, _, _), (real, _) in zip(plan, results):
        importances[round_ - first, part] = real
    levels = np.arange(first, first + n_rounds) % n_levels
    shadows = np.vstack([shadow for _, shadow in results])
    if return_fit_rounds:
        fit_rounds = np.array([round_ - first for round_, *_ in plan])
        return importances, shadows, levels, fit_rounds
    return importances, shadows, levels


def poisson_binomial_sf(hits, probabilities):
    """``P(S >= hits)`` for ``S`` a sum of independent Bernoulli draws.

    ``probabilities`` holds one success probability per draw (the rounds);
    ``hits`` is an integer array. Exact, by convolving the draws one at a
    time (the rounds number tens).
    """
    distribution = np.ones(1)
    for p in probabilities:
        distribution = np.concatenate([distribution * (1 - p), [0.0]]) + np.concatenate(
            [[0.0], distribution * p]
        )
    # tail[k] = P(S >= k), and 0 beyond the number of draws
    tail = np.append(np.cumsum(distribution[::-1])[::-1], 0.0)
    hits = np.asarray(hits, dtype=int)
    return np.clip(tail[np.clip(hits, 0, tail.size - 1)], 0.0, 1.0)


def _overdispersed_pmf(draws, rate, dispersion, grid):
    """The law of the hits of one null column in ``draws`` rounds of one
    pool, each a hit with chance ``theta * rate`` (at most 1) for one gamma
    factor ``theta`` (mean 1, variance ``dispersion``): a mixture of
    binomials over ``grid`` bins of ``theta``, each valued at its upper edge
    (log-spaced over the factor's mass, up to the ``theta`` at which every
    round hits), so the tail is a little too large, never too small."""
    from scipy.stats import binom, gamma

    k = np.arange(draws + 1)
    if dispersion <= 0:
        return binom.pmf(k, draws, rate)
    shape = 1.0 / dispersion
    top = 1.0 / max(float(rate), 1e-300)
    low = max(top * 1e-8, float(gamma.ppf(1e-12, shape, scale=dispersion)))
    high = min(top, float(gamma.isf(1e-15, shape, scale=dispersion)))
    edges = np.geomspace(low, max(high, low * (1 + 1e-9)), grid)
    edges = np.append(edges, [top, np.inf] if high < top else [np.inf])
    weights = np.diff(gamma.cdf(np.append(0.0, edges), shape, scale=dispersion))
    chances = np.minimum(edges * rate, 1.0)
    return weights @ binom.pmf(k[None, :], draws, chances[:, None])


def overdispersed_sf(hits, draws, rates, dispersion, grid=400, cache=None):
    """``P(S >= hits)`` for ``S`` the hits of one fixed column unrelated to ``y``.

    ``draws`` and ``rates`` give, per pool of rounds (a strength level), how
    many rounds the column was tested in and the pool's null hit rate (read
    off shadows drawn afresh in every fit). A real column keeps its data in
    every round, so whatever chance association with ``y`` it has in the
    sample persists: within a pool its chance of a hit is ``theta * rate``
    (at most 1) for a factor ``theta`` of its own, gamma distributed over
    the columns with mean 1 and variance ``dispersion``, and its hits come
    in runs that independent draws would almost never make. Given
    ``theta`` the rounds are independent; pools (strengths) are taken as
    independent and convolved. ``dispersion`` 0: the Poisson-binomial of
    :func:`poisson_binomial_sf`; a sequence: one per pool. ``grid``: the
    bins of ``theta`` (see :func:`_overdispersed_pmf`); ``cache`` (a dict,
    or None) keeps the law of each pool for the next call (the columns
    share their pools).
    """
    hits = int(hits)
    distribution = np.ones(1)
    dispersions = np.broadcast_to(np.asarray(dispersion, dtype=float), len(draws))
    for n, rate, spread in zip(draws, rates, dispersions):
        if int(n) > 0:
            key = (int(n), float(rate), float(spread))
            pmf = None if cache is None else cache.get(key)
            if pmf is None:
                pmf = _overdispersed_pmf(int(n), float(rate), float(spread), grid)
                if cache is not None:
                    cache[key] = pmf
            distribution = np.convolve(distribution, pmf)
    if hits <= 0:
        return 1.0
    if hits >= distribution.size:
        return 0.0
    return float(np.clip(distribution[hits:].sum(), 0.0, 1.0))


def hit_test(
    importances,
    shadow_importances,
    quantile,
    levels=None,
    fit_rounds=None,
    sizes=None,
    dispersion=0.0,
    fixed=None,
    return_dispersion=False,
):
    """The bar of a hit in each round and each column's p-value of its hits.

    Parameters
    ----------
    importances : ndarray of shape (n_rounds, n_features)
        Each column's relevance per round; NaN where a column was not
        fitted in a round (the sequential test stops fitting the columns it
        has decided): such a round is no draw for that column.
    shadow_importances : ndarray of shape (n_fits, n_shadows)
        The shadows' relevances, ``n_fits // n_rounds`` consecutive fits per
        round (the halves of a round) unless ``fit_rounds`` says otherwise.
    quantile : float
        The bar of a round is this quantile of the shadow relevances of
        every fit in the round's pool (its strength level).
    levels : ndarray of shape (n_rounds,) or None
        The pool of each round (its strength level; None: one pool).
    fit_rounds : ndarray of shape (n_fits,) or None
        The round of each fit (None: equal consecutive blocks).
    sizes : ndarray of int of shape (n_features,) or None
        With grouped columns, the size of each column's group; the shadows
        are copies of every column in order (``n_shadows`` a multiple of
        ``n_features``). A column is then held to the shadows of groups of
        its own size: a group's relevance (the norm over its columns, under
        a penalty that grows with the group) is not distributed as a single
        column's, and one pool let singleton noise columns beat the bar
        about five times as often as its null rate said (breast_cancer).
        None: one pool per level.
    dispersion : float, default=0.0
        The variance over null columns of their own hit chance, relative to
        the shadows' rates (``Settings.all_relevant_hit_dispersion``): a
        fixed column's hits persist over the rounds (see
        :func:`overdispersed_sf`). 0: independent rounds. With ``fixed``
        the least dispersion of every pool.
    fixed : ndarray of bool of shape (n_shadows,) or None
        The shadow columns that keep their permutation in every fit (see
        :func:`fixed_shadows`). They are null columns that persist as a
        real column does, so the spread of their hit counts measures the
        dispersion of each strength's pool: with ``h_s`` the hits of held
        shadow ``s`` in the pool's ``n`` fits and ``p`` the pool's null
        rate, the moment estimate ``sum_s [(h_s - n p)^2 - n p (1 - p)] /
        sum_s n (n - 1) p^2`` (the excess of their variance over
        independent draws'; floored at ``dispersion``, so never below the
        Poisson-binomial). None: ``dispersion`` in every pool.
    return_dispersion : bool, default=False
        Also return the dispersion of each strength level.

    Returns
    -------
    bars : ndarray of shape (n_rounds,), or (n_rounds, n_features) with sizes
        The bar of each round (and column).
    null_rates : ndarray of the shape of bars
        The chance of a hit under the null in each round: the fraction of
        the pool's shadows above its bar, counting one more (so that it is
        never 0 and is at most about ``1 - quantile``): at a strength whose
        L1 switches off nearly every shadow the bar is 0 and a non-zero
        relevance is itself rare evidence.
    pvalues : ndarray of shape (n_features,)
        ``P(S >= hits)`` for ``S`` the hits of a column unrelated to ``y``
        (at the null rates of the rounds it was fitted in; independent
        rounds when ``dispersion`` is 0, otherwise each column's chance
        scaled by a factor of its own, see :func:`overdispersed_sf`).
    dispersions : ndarray of shape (n_levels,)
        With ``return_dispersion``: the dispersion of each level's pool
        (indexed by level; measured with ``fixed``, else ``dispersion``).
    """
    n_rounds, n_features = importances.shape
    if levels is None:
        levels = np.zeros(n_rounds, dtype=int)
    levels = np.asarray(levels)
    if fit_rounds is None:
        fits_per_round = shadow_importances.shape[0] // n_rounds
        fit_rounds = np.repeat(np.arange(n_rounds), fits_per_round)
    fit_levels = levels[np.asarray(fit_rounds)]
    if sizes is None:
        column_pools = np.zeros(n_features, dtype=int)
        shadow_pools = np.zeros(shadow_importances.shape[1], dtype=int)
    else:
        column_pools = np.asarray(sizes)
        copies = shadow_importances.shape[1] // n_features
        shadow_pools = np.tile(column_pools, copies)
    bars = np.empty((n_rounds, n_features))
    null_rates = np.empty((n_rounds, n_features))
    dispersions = np.full(int(levels.max()) + 1, float(dispersion))
    held = None if fixed is None else np.asarray(fixed, dtype=bool)
    for level in np.unique(levels):
        at_level = shadow_importances[fit_levels == level]
        excess, scale = 0.0, 0.0
        for pool in np.unique(column_pools):
            shadows = at_level[:, shadow_pools == pool].ravel()
            bar = float(np.quantile(shadows, quantile))
            rate = (np.sum(shadows > bar) + 1) / (shadows.size + 1)
            cells = np.ix_(levels == level, column_pools == pool)
            bars[cells] = bar
            null_rates[cells] = rate
            if held is not None:
                n = at_level.shape[0]
                counts = np.sum(at_level[:, held & (shadow_pools == pool)] > bar, 0)
                excess += np.sum((counts - n * rate) ** 2 - n * rate * (1 - rate))
                scale += counts.size * n * (n - 1) * rate**2
        if scale > 0:
            dispersions[level] = max(float(dispersion), excess / scale)
    tested = np.isfinite(importances)
    hits = np.sum(tested & (np.nan_to_num(importances) > bars), axis=0)
    extra = (dispersions,) if return_dispersion else ()
    if sizes is None:
        bars, null_rates = bars[:, 0], null_rates[:, 0]
        if tested.all() and not np.any(dispersions > 0):
            return (bars, null_rates, poisson_binomial_sf(hits, null_rates), *extra)
    rates = null_rates if sizes is not None else null_rates[:, None]
    rates = np.broadcast_to(rates, importances.shape)
    if np.any(dispersions > 0):
        # one pool per level (and group size): the rate is the same over
        # its rounds, and a column's chance association holds over them
        pvalues, cache = np.empty(n_features), {}
        for j in range(n_features):
            at = levels[tested[:, j]]
            pools = np.unique(at)
            pvalues[j] = overdispersed_sf(
                hits[j],
                [np.sum(at == pool) for pool in pools],
                [rates[tested[:, j], j][at == pool][0] for pool in pools],
                dispersions[pools],
                cache=cache,
            )
        return (bars, null_rates, pvalues, *extra)
    pvalues = np.array(
        [
            poisson_binomial_sf([hits[j]], rates[tested[:, j], j])[0]
            for j in range(n_features)
        ]
    )
    return (bars, null_rates, pvalues, *extra)


def round_bars(bars):
    """``bars`` of :func:`hit_test` as a 2-D array that broadcasts against
    ``importances`` (n_rounds, n_features)."""
    bars = np.asarray(bars)
    return bars[:, None] if bars.ndim == 1 else bars


def binomial_cdf(hits, n_draws, rate):
    """``P(S <= hits)`` for ``S`` binomial with ``n_draws`` draws at ``rate``
    (element-wise over the columns)."""
    from scipy.stats import binom

    return binom.cdf(np.asarray(hits), np.asarray(n_draws), rate)


def sequential_shadow_test(
    template,
    X,
    y,
    params,
    seeds,
    *,
    getter,
    norm_order,
    n_jobs,
    alphas,
    min_shadows,
    parts,
    quantile,
    level,
    reject_rate,
    batch,
    max_iter=None,
    groups=None,
    dispersion=0.0,
    fixed_fraction=0.0,
):
    """Shadow rounds in batches, each column decided as soon as it is clear.

    Boruta's own design (Kursa and Rudnicki, 2010): after each batch of
    ``batch`` rounds (one pass over the strength ladder) every undecided
    column is tested on all its rounds so far. It is **confirmed** when a
    column unrelated to ``y`` would score as many hits with chance at most
    ``level / (n_features * n_looks)`` (the test of :func:`hit_test`;
    ``n_looks`` the most batches the cap allows, so that the repeated looks
    keep the chance of any false confirmation below ``level``), and **rejected**
    when a column whose hit rate is ``reject_rate`` would score as few with
    chance at most ``level / n_features`` (a binomial lower tail): a
    relevant column beats its shadows in at least that fraction of the
    rounds, and this one clearly does not. A decided column keeps its
    decision; rejected columns leave the fits (the shadows keep copying
    every column, so the null is the same in every batch and the bars pool
    the rounds of a strength over the batches), confirmed ones stay as
    context. The rounds stop when every column is decided or
    ``len(seeds)`` rounds have run; the columns still undecided then are
    **tentative**. With ``groups`` (None: the model's ``feature_groups``,
    if any) the columns of a group are fitted, scored and decided together,
    each held to the shadows of groups of its size (see :func:`hit_test`).
    ``dispersion`` is the spread of a null column's own hit chance over the
    columns (see :func:`hit_test`; 0: independent rounds).
    ``fixed_fraction`` of the shadows (0: none) keep one permutation over
    all rounds (see :func:`fixed_shadows`, seeded by
    :func:`fixed_seed_of`): the spread of their hit counts is each
    strength's measured dispersion, at least ``dispersion``.

    Returns ``importances`` (n_rounds, n_features; NaN where a column was
    not fitted), ``shadows`` (n_fits, n_shadows), ``levels`` (the strength
    level of each round), ``fit_rounds``, ``pools`` (the pool of shadows
    of each round's bar: its strength level), ``decision`` (1 confirmed, -1 rejected, 0
    tentative), ``decided_at`` (the rounds run when each column was
    decided; 0 for a tentative one), ``fixed`` (which shadow columns were
    held; None without) and ``dispersions`` (each level's, at the last
    look).
    """
    X = _shadow_input(X)
    n_features = X.shape[1]
    if groups is None:
        groups = column_groups_of(template, X)
    sizes = None if groups is None else np.bincount(groups)[groups]
    decision = np.zeros(n_features, dtype=int)
    decided_at = np.zeros(n_features, dtype=int)
    importances, shadows, levels, fit_rounds, pools = [], [], [], [], []
    done = 0
    limit = level / n_features
    # A null column is looked at after every batch: Bonferroni over the
    # looks as well as the columns keeps the chance that any of them is
    # confirmed below ``level`` (BorutaPy's ``two_step`` divides by its
    # iteration count for the same reason). A rejection needs no such
    # share: its error is a column that hits at exactly ``reject_rate``
    # being dropped, and relevant columns hit more often than that.
    confirm_limit = limit / -(-len(seeds) // batch)
    fixed = None if fixed_fraction <= 0 else (fixed_seed_of(seeds), fixed_fraction)
    held = None
    while done < len(seeds):
        active = decision >= 0
        n = min(batch, len(seeds) - done)
        imp, shadow, lv, rounds = shadow_refits(
            template,
            X,
            y,
            params,
            seeds[done : done + n],
            getter=getter,
            norm_order=norm_order,
            n_jobs=n_jobs,
            alphas=alphas,
            min_shadows=min_shadows,
            parts=parts,
            columns=np.flatnonzero(active),
            first=done,
            return_fit_rounds=True,
            max_iter=max_iter,
            groups=groups,
            fixed=fixed,
        )
        if fixed is not None and held is None:
            held = fixed_shadow_mask(*fixed, shadow.shape[1], n_features, groups)
        importances.append(imp)
        shadows.append(shadow)
        levels.append(lv)
        fit_rounds.append(rounds + done)
        pools.append(lv)  # one pool of shadows per strength
        done += n
        all_importances = np.vstack(importances)
        bars, rates, pvalues, dispersions = hit_test(
            all_importances,
            np.vstack(shadows),
            quantile,
            np.concatenate(pools),
            np.concatenate(fit_rounds),
            sizes,
            dispersion,
            fixed=held,
            return_dispersion=True,
        )
        tested = np.isfinite(all_importances)
        hits = np.sum(
            tested & (np.nan_to_num(all_importances) > round_bars(bars)), axis=0
        )
        undecided = decision == 0
        confirm = undecided & (pvalues <= confirm_limit)
        reject = (
            undecided
            & ~confirm
            & (binomial_cdf(hits, tested.sum(axis=0), reject_rate) <= limit)
        )
        decision[confirm] = 1
        decision[reject] = -1
        decided_at[confirm | reject] = done
        if not np.any(decision == 0):
            break
    return {
        "importances": np.vstack(importances),
        "shadows": np.vstack(shadows),
        "levels": np.concatenate(levels),
        "fit_rounds": np.concatenate(fit_rounds),
        "pools": np.concatenate(pools),
        "decision": decision,
        "decided_at": decided_at,
        "fixed": held,
        "dispersions": dispersions,
    }


def _orthonormal_basis(matrix, scale=None, tolerance=1e-8):
    """An orthonormal basis of the column space of ``matrix``: its left
    singular vectors above ``tolerance`` times ``scale`` (None: the largest
    singular value). Rank-deficient columns (copies, constants, or what is
    left of a column the basis already spans) add nothing."""
    if matrix.shape[1] == 0:
        return matrix
    left, singular, _ = np.linalg.svd(matrix, full_matrices=False)
    scale = singular[0] if scale is None else scale
    if not scale > 0:
        return left[:, :0]
    return left[:, singular > tolerance * scale]


def linear_readmission(X, y, kept, level, *, groups=None, sample_weight=None):
    """The columns not ``kept`` that a linear model on the kept ones misses.

    A regression check after the shadow test: each column (or group, with
    ``groups``) the test did not confirm is added alone to a least-squares
    fit of ``y`` on the ``kept`` columns and an intercept, and it is
    re-admitted when the partial F-test of the added coefficients has a
    p-value at most ``level / n_features`` (Bonferroni over the columns,
    as the shadow test). A column whose information about ``y`` is a
    conditional linear effect (diabetes' ``sex``, unrelated to the target on
    its own and clearly useful given ``bmi`` and ``bp``) beats its shadows
    in no round of a network fitted on 350 rows, yet any linear model uses
    it. A column unrelated to ``y`` and to the kept columns has an F
    statistic of the null distribution whatever the target's shape, so
    noise is re-admitted with chance at most ``level`` over all columns.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data. Only numeric dense data without missing cells are
        checked (anything else returns no column).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The regression target; with several outputs each is tested, the
        level shared among them.
    kept : ndarray of bool of shape (n_features,)
        The confirmed columns (the fit every candidate is added to).
    level : float
        Family-wise level of the check; 0 checks nothing.
    groups : ndarray of int of shape (n_features,) or None
        The group of every column: a group is added whole (the F-test has
        as many numerator degrees of freedom as the group adds).
    sample_weight : array-like of shape (n_samples,) or None
        Weighted least squares.

    Returns
    -------
    ndarray of bool of shape (n_features,)
        The re-admitted columns (never a ``kept`` one).
    """
    from scipy.stats import f as f_distribution

    kept = np.asarray(kept, dtype=bool)
    readmitted = np.zeros_like(kept)
    if not level or hasattr(X, "tocsr") or hasattr(X, "sparse"):
        return readmitted
    try:
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    except (TypeError, ValueError):
        return readmitted
    if X.ndim != 2 or not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        return readmitted
    n_samples, n_features = X.shape
    if sample_weight is not None:
        root = np.sqrt(np.asarray(sample_weight, dtype=np.float64))
    else:
        root = np.ones(n_samples)
    if groups is None:
        groups = np.arange(n_features)
    limit = level / (n_features * Y.shape[1])
    X = X * root[:, None]
    Y = Y * root[:, None]
    # an orthonormal basis of the confirmed columns and the intercept: one
    # decomposition for every candidate (the residuals of each candidate on
    # it give the F-test of adding it, without a fit per candidate)
    basis = _orthonormal_basis(np.column_stack([root, X[:, kept]]))
    residual = Y - basis @ (basis.T @ Y)
    rss0 = np.sum(residual**2, axis=0)
    candidates = np.flatnonzero(~kept)
    if not candidates.size:
        return readmitted
    free = X[:, candidates] - basis @ (basis.T @ X[:, candidates])
    column = {j: k for k, j in enumerate(candidates)}
    for group in np.unique(groups[candidates]):
        members = candidates[groups[candidates] == group]
        # judged against the columns' own size: what the confirmed columns
        # already span leaves only rounding behind
        added = _orthonormal_basis(
            free[:, [column[j] for j in members]],
            scale=np.linalg.norm(X[:, members], axis=0).max(),
        )
        df1, df2 = added.shape[1], n_samples - basis.shape[1] - added.shape[1]
        if df1 < 1 or df2 < 1:
            continue
        explained = np.sum((added.T @ residual) ** 2, axis=0)
        rss1 = np.maximum(rss0 - explained, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = explained / df1 / (rss1 / df2)
        pvalues = f_distribution.sf(np.nan_to_num(statistic, nan=0.0), df1, df2)
        if np.min(pvalues) <= limit:
            readmitted[members] = True
    return readmitted
