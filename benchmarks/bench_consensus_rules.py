"""Which rule makes the minimal selection a function of the data?

Replays selection rules offline on stored fits, so that many rules are
compared on the same fits instead of re-running the selector per rule.
``--collect`` fits, for each split and random state, the default spectral
model at 1, 2, 4, 8 and 16 times its ``alpha`` on 5 folds of the
training rows (the strength search of ``alpha="auto"``) and, at each
strength some rule below chooses, 5 times on all rows with their own
seeds; it stores every fit's importances, held-out per-row losses and CPU
time. ``--groups T`` fits the same with ``feature_groups`` = the clusters
of columns whose |Spearman| correlation is at least T (complete linkage,
computed on the training rows). The replay then applies, to every stored
run:

* the strength rule: ``1se`` (the one-standard-error rule: the sparsest
  strength within one SE of the best, the previous default), ``1sec`` (the
  end of the unbroken run of strengths within one SE above the best),
  ``min`` (the best strength), ``stab`` and ``stab2`` (among the strengths
  within one, resp. two, SE of the best, the one whose fold fits agree the
  most on the kept columns, mean pairwise Jaccard; ties to the stronger:
  ``stab2`` is the selector's rule, ``Settings.strength_stability_se=2``);
  the path is stopped after 2 clearly worse strengths, as the selector
  did before session 11 (``Settings.strength_stop_after=1`` now: the same
  kept sets on every stored run, fewer strengths fitted);
* the consensus of the fits at that strength: ``mean5`` (mean importance
  of the 5 fits on all rows, then ``threshold="auto"``: the selector's
  rule), ``full1`` (one fit on all rows), ``folds`` (mean of the 5 fold
  fits: no extra fit), ``folds+1`` (the 5 fold fits and one fit on all
  rows), ``all10`` (the 5 fold fits and the 5 fits on all rows),
  ``freq>=q`` (a column kept by ``threshold="auto"`` in at least a fraction
  q of those 10 fits: stability selection), ``freq6>=q`` (the same over the
  fold fits and one fit on all rows), ``ffreq>=q`` (over the fold fits
  alone);
* the grouping: none, or ``expand`` at a level T (a cluster of columns
  with pairwise |Spearman| >= T on the training rows, complete linkage, is
  kept whole when the rule keeps one member: the selector's
  ``group_correlated``), or the fits with ``feature_groups`` = the clusters
  (``--collect --groups T``: the network decides each cluster as a whole,
  read by its group relevance).

It reports recall, precision and pairwise Jaccard across random states
(headline problem, per data seed) or across the 5 CV folds (real data),
and the CPU seconds of the fits the rule needs.

Usage::

    python benchmarks/bench_consensus_rules.py --collect --sets headline \\
        --states 100 101 102 103 --store /tmp/consensus   # minutes
    python benchmarks/bench_consensus_rules.py --collect --sets \\
        breast_cancer diabetes wine digits --states 0 --store /tmp/consensus
    python benchmarks/bench_consensus_rules.py --store /tmp/consensus
    python benchmarks/bench_consensus_rules.py --store /tmp/consensus --write
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import time
import warnings
from pathlib import Path

import numpy as np
from _common import setup, write_result
from bench_stability_selection import REAL, real_folds, synthetic_split
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from scipy.stats import rankdata

from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor
from sklearn_spectral._selection._strength import _folds, _spread, per_sample_loss
from sklearn_spectral.relevance import auto_threshold

FACTORS = [1, 2, 4, 8, 16]
#: the strengths between those of :data:`FACTORS` (a sqrt(2) grid, ``--fine``)
FINE = [2**0.5, 2**1.5, 2**2.5, 2**3.5]
FINE_GRID = sorted(FACTORS + FINE)
FULL_FITS = 5
STRENGTH_RULES = ("1se", "1sec", "min", "stab", "stab2")


def spearman_clusters(X, level):
    """Cluster label of each column: complete linkage on 1 - |Spearman|,
    cut so that every pair in a cluster has |Spearman| >= ``level``."""
    ranks = rankdata(X, axis=0)
    ranks -= ranks.mean(axis=0)
    norm = np.sqrt((ranks**2).sum(axis=0))
    norm[norm == 0] = np.inf
    ranks /= norm
    distance = np.clip(1.0 - np.abs(ranks.T @ ranks), 0.0, None)
    np.fill_diagonal(distance, 0.0)
    if X.shape[1] < 2:
        return np.zeros(X.shape[1], dtype=int)
    tree = linkage(squareform(distance, checks=False), "complete")
    return fcluster(tree, 1.0 - level, "distance") - 1


def _kept(scores):
    return scores >= auto_threshold(scores)


def _paired_se(a, b):
    diff = a - b
    return diff.std() / np.sqrt(len(diff) - 1)


def _group_scores(scores, labels):
    """Per-column score made of its cluster's norm (a cluster in or out)."""
    if labels is None:
        return scores
    norms = np.sqrt(np.bincount(labels, weights=scores**2))
    return norms[labels]


def path_length(run, labels, factors=FACTORS):
    """Strengths the search fits before its stopping rules end it (as the
    selector: all folds keep nothing, or 2 clearly worse in a row)."""
    losses = []
    for k, factor in enumerate(factors):
        losses.append(run["fold_loss"][factor])
        kept = [_kept(_group_scores(s, labels)).sum() for s in run["fold_imp"][factor]]
        if max(kept) == 0:
            return k + 1
        if len(losses) > 2:
            worse = True
            for j in range(len(losses) - 2, len(losses)):
                means = [loss.mean() for loss in losses[:j]]
                best = int(np.argmin(means))
                if losses[j].mean() - means[best] <= 2 * _paired_se(
                    losses[j], losses[best]
                ):
                    worse = False
            if worse:
                return k + 1
    return len(factors)


def _jaccard(a, b):
    a, b = set(map(int, a)), set(map(int, b))
    return len(a & b) / len(a | b) if a | b else 1.0


def pairwise(sets):
    values = [_jaccard(a, b) for a, b in itertools.combinations(sets, 2)]
    return (float(np.mean(values)), float(np.min(values))) if values else (1.0, 1.0)


def chosen_factor(run, rule, labels, factors=FACTORS):
    n = path_length(run, labels, factors)
    losses = np.array([run["fold_loss"][f] for f in factors[:n]])
    means = losses.mean(axis=1)
    best = int(np.argmin(means))
    within = [
        k
        for k in range(n)
        if means[k] - means[best] <= _paired_se(losses[k], losses[best])
    ]
    if rule == "min":
        return factors[best], n
    if rule == "1se":
        return factors[max(within)], n
    if rule == "1sec":  # the end of the unbroken run within 1 SE above the best
        k = best
        while k + 1 < n and k + 1 in within:
            k += 1
        return factors[k], n
    if rule == "stab2":
        within = [
            k
            for k in range(n)
            if means[k] - means[best] <= 2 * _paired_se(losses[k], losses[best])
        ]
    stability = []
    for k in within:
        sets = [
            np.flatnonzero(_kept(_group_scores(s, labels)))
            for s in run["fold_imp"][factors[k]]
        ]
        stability.append((pairwise(sets)[0], k))
    return factors[max(stability)[1]], n


def consensus(run, factor, rule, labels):
    fold_only = rule == "folds" or rule.startswith("ffreq")
    if factor not in run["full_imp"] and not fold_only:
        return None
    full = [_group_scores(s, labels) for s in run["full_imp"].get(factor, [])]
    fold = [_group_scores(s, labels) for s in run["fold_imp"][factor]]
    if rule == "mean5":
        return np.flatnonzero(_kept(np.mean(full, axis=0)))
    if rule == "full1":
        return np.flatnonzero(_kept(full[0]))
    if rule == "folds":
        return np.flatnonzero(_kept(np.mean(fold, axis=0)))
    if rule == "all10":
        return np.flatnonzero(_kept(np.mean([*fold, *full], axis=0)))
    if rule == "folds+1":
        return np.flatnonzero(_kept(np.mean([*fold, full[0]], axis=0)))
    if rule.startswith("freq>="):
        votes = np.mean([_kept(s) for s in [*fold, *full]], axis=0)
        return np.flatnonzero(votes >= float(rule[6:]) - 1e-9)
    if rule.startswith("freq6>="):
        votes = np.mean([_kept(s) for s in [*fold, full[0]]], axis=0)
        return np.flatnonzero(votes >= float(rule[7:]) - 1e-9)
    if rule.startswith("ffreq>="):
        votes = np.mean([_kept(s) for s in fold], axis=0)
        return np.flatnonzero(votes >= float(rule[7:]) - 1e-9)
    raise ValueError(rule)


def expand(kept, labels):
    if labels is None or kept is None:
        return kept
    return np.flatnonzero(np.isin(labels, labels[kept]))


def cpu_of(run, n_fitted, rule):
    search = sum(np.sum(run["cpu_fold"][f]) for f in FACTORS[:n_fitted])
    full = np.mean([np.mean(c) for c in run["cpu_full"].values()])
    extra = {"mean5": 5, "full1": 1, "folds": 0, "ffreq": 0, "freq6": 1}
    return search + extra.get(rule.split(">=")[0], 5) * full


def fold_fits(out, X, y, classification, state, factors, params):
    """The fits of the strength search at ``factors`` (missing ones only):
    the same folds and fold seeds for every strength."""
    model = SpectralMLPClassifier if classification else SpectralMLPRegressor
    seeds = np.random.RandomState(state).randint(2**31 - 1, size=100)
    folds = _folds(y, 5, int(seeds[0]), classification)
    scale = 1.0 if classification else _spread(y)
    n = len(y)
    for factor in factors:
        if factor in out["fold_imp"]:
            continue
        losses, scores, cpus = np.zeros(n), [], []
        for k, held_out in enumerate(folds):
            rows = np.setdiff1d(np.arange(n), held_out)
            start = time.process_time()
            fit = model(alpha=0.1 * factor, random_state=int(seeds[1 + k]), **params)
            fit.fit(X[rows], y[rows])
            cpus.append(time.process_time() - start)
            losses[held_out] = per_sample_loss(fit, X[held_out], y[held_out], scale)
            scores.append(fit.feature_importances_)
        out["fold_imp"][factor] = np.array(scores)
        out["fold_loss"][factor] = losses
        out["cpu_fold"][factor] = cpus
    return out


def collect_run(X, y, classification, state, groups=None):
    """Fits of one split and random state (see the module docstring)."""
    params = {} if groups is None else {"feature_groups": groups}
    out = {"fold_imp": {}, "fold_loss": {}, "full_imp": {}}
    out.update(cpu_fold={}, cpu_full={})
    fold_fits(out, X, y, classification, state, FACTORS, params)
    labels = None
    if groups is not None:
        labels = np.empty(X.shape[1], dtype=int)
        for g, members in enumerate(groups):
            labels[members] = g
    return full_fits(out, X, y, classification, state, labels, params)


def full_fits(out, X, y, classification, state, labels, params):
    """The fits on all rows at every strength some rule chooses."""
    model = SpectralMLPClassifier if classification else SpectralMLPRegressor
    seeds = np.random.RandomState(state).randint(2**31 - 1, size=100)
    wanted = {chosen_factor(out, rule, labels)[0] for rule in STRENGTH_RULES}
    if all(f in out["fold_imp"] for f in FINE_GRID):
        wanted |= {
            chosen_factor(out, rule, labels, FINE_GRID)[0] for rule in STRENGTH_RULES
        }
    for factor in sorted(wanted - set(out["full_imp"])):
        full, cpus = [], []
        for j in range(FULL_FITS):
            start = time.process_time()
            fit = model(alpha=0.1 * factor, random_state=int(seeds[10 + j]), **params)
            full.append(fit.fit(X, y).feature_importances_)
            cpus.append(time.process_time() - start)
        out["full_imp"][factor] = np.array(full)
        out["cpu_full"][factor] = cpus
    return out


def splits_of(name):
    if name == "headline":
        return [(s, synthetic_split("headline", s)) for s in (0, 1, 2)], True
    return list(enumerate(real_folds(name))), REAL[name][1]


def replay(runs, name, strength, rule, grouping, data):
    """One line of the table: per data seed (headline) or across folds."""
    by_key = {}
    for (split, state), run in runs.items():
        key = split if name == "headline" else state
        by_key.setdefault(key, []).append((split, run))
    cells, cpus = [], []
    for key, group in sorted(by_key.items()):
        sets = []
        for split, run in group:
            labels = run.get("labels")
            if labels is None and grouping != "-":
                labels = spearman_clusters(data[split], float(grouping.split()[1]))
                expand_labels, labels = labels, None
            else:
                expand_labels = None
            factor, n = chosen_factor(run, strength, labels)
            kept = consensus(run, factor, rule, labels)
            if kept is None:
                return None
            sets.append(expand(kept, expand_labels))
            cpus.append(cpu_of(run, n, rule))
        mean, worst = pairwise(sets)
        if name == "headline":
            recall, precision = headline_scores(sets)
            cells.append(f"s{key}: r {recall:.2f} p {precision:.2f} J {mean:.2f}")
        else:
            kept = ",".join(str(len(s)) for s in sets)
            cells.append(f"kept {kept}; J {mean:.2f} ({worst:.2f})")
    return f"| {name} | {grouping} | {strength} | {rule} | {'; '.join(cells)} | " + (
        f"{np.mean(cpus):.1f} |"
    )


def headline_scores(sets):
    """Mean recall and precision of kept sets on the headline (columns 0-9)."""
    recall = np.mean([np.sum(s < 10) / 10 for s in sets])
    precision = np.mean([np.sum(s < 10) / max(len(s), 1) for s in sets])
    return recall, precision


TRADE_OFF = [
    # (strength rule, consensus rule, grouping level or None)
    *((strength, "mean5", None) for strength in STRENGTH_RULES),
    *(
        (strength, rule, None)
        for strength in ("1se", "stab2")
        for rule in ("full1", "folds", "folds+1", "all10", "freq>=0.5", "freq6>=0.5")
    ),
    *(("1se", "mean5", level) for level in (0.8, 0.9, 0.95)),
    *(("stab2", "mean5", level) for level in (0.8, 0.9, 0.95)),
    *(("stab2", rule, 0.9) for rule in ("folds", "all10", "freq>=0.5")),
]


def trade_off(store):
    """Every candidate of :data:`TRADE_OFF` on every stored set, one row."""
    sets = [n for n in ("headline", *REAL) if (store / f"{n}.pkl").exists()]
    runs = {n: pickle.loads((store / f"{n}.pkl").read_bytes()) for n in sets}
    data = {n: {s: p[0] for s, p in splits_of(n)[0]} for n in sets}
    rows = []
    for strength, rule, level in TRADE_OFF:
        cells, cpus = [], []
        for name in sets:
            by_key = {}
            for (split, state), run in runs[name].items():
                key = split if name == "headline" else state
                by_key.setdefault(key, []).append((split, run))
            cpu = []
            for _, group in sorted(by_key.items()):
                kept = []
                for split, run in group:
                    factor, n = chosen_factor(run, strength, None)
                    chosen = consensus(run, factor, rule, None)
                    if chosen is None:
                        break
                    if level is not None:
                        chosen = expand(
                            chosen, spearman_clusters(data[name][split], level)
                        )
                    kept.append(chosen)
                    cpu.append(cpu_of(run, n, rule))
                if len(kept) < len(group):
                    cells.append("n/a")
                    continue
                mean, worst = pairwise(kept)
                if name == "headline":
                    recall, precision = headline_scores(kept)
                    cells.append(f"{recall:.2f} / {precision:.2f} / {mean:.2f}")
                else:
                    counts = ",".join(str(len(s)) for s in kept)
                    cells.append(f"{mean:.2f} ({worst:.2f}; {counts})")
            cpus.append(f"{np.mean(cpu):.1f}" if cpu else "-")
        grouping = "-" if level is None else f"{level}"
        rows.append(
            f"| {strength} | {rule} | {grouping} | "
            + " | ".join(cells)
            + f" | {' / '.join(cpus)} |"
        )
    head = []
    for name in sets:
        head += ["headline s0 r / p / J", "s1", "s2"] if name == "headline" else [name]
    header = (
        "| strength | consensus | grouping | "
        + " | ".join(head)
        + " | CPU s ("
        + ", ".join(sets)
        + ") |"
    )
    return "\n".join([header, "|" + "---|" * (len(head) + 4), *rows])


# --------------------------------------------------------------------------- #
# session 10: several random states per fold, votes and the strength band
# --------------------------------------------------------------------------- #
def band(run, labels, factors=FACTORS, se=2.0):
    """Indices (in ``factors``) of the fitted strengths whose mean loss is
    within ``se`` paired standard errors of the best."""
    n = path_length(run, labels, factors)
    losses = np.array([run["fold_loss"][f] for f in factors[:n]])
    means = losses.mean(axis=1)
    best = int(np.argmin(means))
    return [
        k
        for k in range(n)
        if means[k] - means[best] <= se * _paired_se(losses[k], losses[best])
    ], n


def candidate_set(run, spec, labels):
    """Kept columns of one stored run under a candidate ``spec`` = (grid,
    fits, consensus, vote level, grouping level); None when the run lacks
    the fits it needs. ``labels``: the correlated clusters at the grouping
    level (None for none). Also the number of strengths fitted and of fits
    on all rows the rule needs.

    fits: ``stab2`` / ``min`` (the fold fits at that strength), ``base``
    (at the model's own alpha), ``band`` (at every strength within 2 SE of
    the best), ``dense`` (those of ``band`` no stronger than the best: the
    selector's ``strength_band_vote``), ``near`` (those of ``band`` at the
    best strength and half of it), ``best`` (the best strength alone),
    ``path`` (every strength fitted);
    ``+full`` adds the 5 fits on all rows at the ``stab2`` strength
    (``min``: at the minimum).
    consensus: ``mean5`` (the mean relevance of the 5 fits on all rows at
    the chosen strength, then the threshold: the rule of session 9),
    ``vote`` (a column kept by at least the vote level of the fits, then
    its cluster kept whole) or
    ``groupvote`` (each fit's kept set widened to its clusters before the
    vote, as the selector does).
    """
    grid, which, rule, q, _ = spec
    factors = FINE_GRID if grid == "sqrt2" else FACTORS
    if any(f not in run["fold_imp"] for f in factors):
        return None
    stab2, n = chosen_factor(run, "stab2", None, factors)
    full = run["full_imp"].get(stab2)
    if rule == "mean5":
        strength = (
            stab2 if which == "stab2" else chosen_factor(run, which, None, factors)[0]
        )
        full = run["full_imp"].get(strength)
        if full is None:
            return None
        kept = np.flatnonzero(_kept(np.mean(full, axis=0)))
        return (kept if labels is None else expand(kept, labels)), n, 5
    base = which.replace("+full", "")
    if base in ("stab2", "min"):
        strengths = [chosen_factor(run, base, None, factors)[0]]
    elif base == "base":
        strengths = [factors[0]]
    elif base == "band":
        strengths = [factors[k] for k in band(run, None, factors)[0]]
    elif base == "dense":  # the band's strengths up to the best one
        best = chosen_factor(run, "min", None, factors)[0]
        within = [factors[k] for k in band(run, None, factors)[0]]
        strengths = [f for f in within if f <= best]
    elif base == "near":  # the best strength and its weaker neighbour
        best = chosen_factor(run, "min", None, factors)[0]
        within = [factors[k] for k in band(run, None, factors)[0]]
        strengths = [f for f in within if best / 2 <= f <= best]
    elif base == "best":  # the best strength alone
        strengths = [chosen_factor(run, "min", None, factors)[0]]
    else:  # the whole fitted path
        strengths = factors[:n]
    fits = [s for f in strengths for s in run["fold_imp"][f]]
    n_full = 1
    if which.endswith("+full"):
        full = run["full_imp"].get(strengths[0] if base == "min" else stab2)
        if full is None:
            return None
        fits += list(full)
        n_full = 5
    sets = [_kept(s) for s in fits]
    if rule == "groupvote" and labels is not None:
        sets = [np.isin(labels, labels[s]) for s in sets]
    kept = np.flatnonzero(np.mean(sets, axis=0) >= q - 1e-9)
    if rule == "vote" and labels is not None:
        kept = expand(kept, labels)
    return kept, n, n_full


S10_CANDIDATES = [
    # (grid, fits, consensus, vote level, grouping level)
    ("2x", "stab2", "mean5", None, None),
    ("2x", "stab2", "mean5", None, 0.9),  # the default of session 9
    ("2x", "min", "mean5", None, 0.9),
    ("2x", "1se", "mean5", None, 0.9),
    ("sqrt2", "stab2", "mean5", None, 0.9),  # (c) a finer grid
    ("2x", "stab2+full", "vote", 0.5, 0.9),  # (a) a vote at the strength
    ("2x", "stab2", "vote", 0.5, 0.9),
    ("2x", "min+full", "vote", 0.5, 0.9),  # (d) the CV minimum + a vote
    ("2x", "min", "vote", 0.5, 0.9),
    ("2x", "band", "vote", 0.5, 0.9),  # (b) a vote over the band
    ("2x", "band+full", "vote", 0.5, 0.9),
    ("2x", "band+full", "groupvote", 0.5, 0.9),
    ("2x", "band+full", "groupvote", 0.4, 0.9),
    ("2x", "band+full", "groupvote", 0.3, 0.9),
    ("2x", "dense+full", "groupvote", 0.3, 0.9),  # strength_band_vote=0.3
    ("2x", "dense+full", "groupvote", 0.5, 0.9),
    ("2x", "band+full", "vote", 0.3, None),
    ("2x", "band+full", "groupvote", 0.3, 0.8),
    ("sqrt2", "band+full", "groupvote", 0.3, 0.9),
    ("2x", "band", "groupvote", 0.3, 0.9),
    ("2x", "path+full", "groupvote", 0.3, 0.9),
    ("2x", "path+full", "groupvote", 0.7, 0.9),
    ("2x", "base", "groupvote", 0.5, 0.9),  # no search: the model's alpha
    ("2x", "base", "groupvote", 0.5, 0.8),
]


#: session 11: the band's width, the grouping level and the vote level
S11_CANDIDATES = [
    ("2x", which, "groupvote", q, level)
    for which in ("dense+full", "near+full", "best+full", "band+full")
    for level in (0.9, 0.8, 0.7, 0.6)
    for q in (0.3, 0.4, 0.5)
]


def fold_pairs(kept):
    """``kept``: {(fold, state): set}. Mean (min) Jaccard over pairs of
    different folds, mean over pairs of states on one fold."""
    across, within = [], []
    for (ka, a), (kb, b) in itertools.combinations(kept.items(), 2):
        (within if ka[0] == kb[0] else across).append(_jaccard(a, b))
    return (
        float(np.mean(across)) if across else float("nan"),
        float(np.min(across)) if across else float("nan"),
        float(np.mean(within)) if within else float("nan"),
    )


def per_fold_jaccard(kept):
    """``kept``: {(fold, state): set}. Each fold's mean Jaccard of its runs
    to the runs of the other folds (the unit of a paired comparison)."""
    folds = sorted({k[0] for k in kept})
    return np.array(
        [
            np.mean(
                [
                    _jaccard(a, b)
                    for ka, a in kept.items()
                    for kb, b in kept.items()
                    if ka[0] == fold and kb[0] != fold
                ]
            )
            for fold in folds
        ]
    )


def s10_table(store, candidates=None):
    """Every candidate of ``candidates`` (default :data:`S10_CANDIDATES`)
    on every stored set, one
    row each: headline recall / precision / Jaccard across states per data
    seed; real data Jaccard across folds (over pairs of runs from different
    folds at any state; worst pair; the mean within a fold; kept counts)."""
    sets = [n for n in ("headline", *REAL) if (store / f"{n}.pkl").exists()]
    runs = {n: pickle.loads((store / f"{n}.pkl").read_bytes()) for n in sets}
    # a set counts only with every fold (several states each) or seed
    sets = [n for n in sets if n == "headline" or len({k[0] for k in runs[n]}) == 5]
    data = {n: {s: p[0] for s, p in splits_of(n)[0]} for n in sets}
    clusters, reference = {}, {}
    rows = []
    for spec in S10_CANDIDATES if candidates is None else candidates:
        level = spec[4]
        cells, cpu = [], []
        for name in sets:
            kept, fits = {}, []
            for (split, state), run in sorted(runs[name].items()):
                labels = None
                if level is not None:
                    key = (name, split, level)
                    if key not in clusters:
                        clusters[key] = spearman_clusters(data[name][split], level)
                    labels = clusters[key]
                out = candidate_set(run, spec, labels)
                if out is None:
                    break
                chosen, n, n_full = out
                kept[(split, state)] = chosen
                factors = FINE_GRID if spec[0] == "sqrt2" else FACTORS
                full_cpu = np.mean([np.mean(c) for c in run["cpu_full"].values()])
                fits.append(
                    sum(np.sum(run["cpu_fold"][f]) for f in factors[:n])
                    + n_full * full_cpu
                )
            if len(kept) < len(runs[name]):
                cells.append("n/a")
                cpu.append("-")
                continue
            cpu.append(f"{np.mean(fits):.1f}")
            if name == "headline":
                for seed in sorted({k[0] for k in kept}):
                    sets_ = [v for k, v in kept.items() if k[0] == seed]
                    recall = np.mean([np.sum(v < 10) / 10 for v in sets_])
                    precision = np.mean(
                        [np.sum(v < 10) / max(len(v), 1) for v in sets_]
                    )
                    jac = pairwise(sets_)[0]
                    cells.append(f"s{seed}: {recall:.2f} / {precision:.2f} / {jac:.2f}")
                continue
            across, worst, within = fold_pairs(kept)
            counts = [len(v) for v in kept.values()]
            paired = ""
            if candidates is not None:
                # each fold's mean Jaccard to the other folds, minus the
                # first candidate's (the default): mean and standard error
                folds = per_fold_jaccard(kept)
                reference.setdefault(name, folds)
                diff = folds - reference[name]
                se = diff.std(ddof=1) / np.sqrt(diff.size)
                paired = f"; {diff.mean():+.3f} +- {se:.3f}"
            cells.append(
                f"**{across:.2f}** ({worst:.2f}; {within:.2f}; "
                f"{min(counts)}-{max(counts)}{paired})"
            )
        grid, which, rule, q, level = spec
        rule_name = rule if q is None else f"{rule} >= {q}"
        rows.append(
            f"| {grid} | {which} | {rule_name} | {level or '-'} | "
            + " | ".join(cells)
            + f" | {' / '.join(cpu)} |"
        )
    header = "| grid | fits | consensus | grouping | " + " | ".join(sets)
    header += " | CPU s (" + ", ".join(sets) + ") |"
    return "\n".join([header, "|" + "---|" * (len(sets) + 5), *rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collect", action="store_true")
    parser.add_argument("--sets", nargs="+", default=["headline", *REAL])
    parser.add_argument("--states", nargs="+", type=int, default=[0])
    parser.add_argument("--store", default="/tmp/consensus")
    parser.add_argument("--groups", type=float, default=None)
    parser.add_argument(
        "--splits",
        nargs="+",
        type=int,
        default=None,
        help="collect only these data seeds (headline) or folds (real data)",
    )
    parser.add_argument(
        "--fine",
        action="store_true",
        help="collect the fold fits of the sqrt(2) grid between the strengths",
    )
    parser.add_argument(
        "--rules",
        nargs="+",
        default=["mean5", "full1", "folds", "freq>=0.5", "freq>=0.6", "ffreq>=0.6"],
    )
    parser.add_argument("--expand", nargs="*", type=float, default=[0.8, 0.9, 0.95])
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the trade-off table of every candidate on every stored "
        "set to results/consensus_rules.md",
    )
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="print the table of the session-10 candidates (several states "
        "per fold) on every stored set",
    )
    parser.add_argument(
        "--s11",
        action="store_true",
        help="print (with --write: write) the table of the session-11 "
        "candidates, with paired differences to the default",
    )
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    store = Path(args.store)
    store.mkdir(parents=True, exist_ok=True)
    if args.s11:
        table = s10_table(store, S11_CANDIDATES)
        print(table)
        if args.write:
            setup(1, quick=True)
            sections = [
                "Session 11: the vote of the minimal mode replayed on the "
                "stored fits of session 10 (3 random states on each of the 5 "
                "CV folds; headline data seed 2 at 5 random states; digits not "
                "stored). Candidates (:func:`candidate_set`): which fits vote "
                "(``dense+full``: the default, the fold fits of the band's "
                "strengths no stronger than the best and the 5 fits on all "
                "rows; ``near``: only the best strength and half of it; "
                "``best``: the best alone; ``band``: every strength of the "
                "band), the vote level, the grouping level "
                "(``group_correlated``).",
                "Headline: recall / precision / pairwise Jaccard across the 5 "
                "random states (data seed 2). Real data: **Jaccard across "
                "folds** (worst pair; within a fold; kept counts; each fold's "
                "mean Jaccard to the other folds minus the first row's, mean "
                "+- standard error over the 5 folds). CPU s: the fits a rule "
                "needs, process times of session 10 on a loaded machine.",
                table,
            ]
            if args.note:
                sections += ["## Run notes", "\n".join(f"- {n}" for n in args.note)]
            write_result(
                "consensus_rules_s11",
                "The vote's band, level and grouping on stored fits",
                sections,
            )
        return 0
    if args.candidates:
        table = s10_table(store)
        print(table)
        if args.write:
            setup(1, quick=True)
            sections = [
                "Candidate rules of the minimal set replayed on stored fits "
                "with 3 random states on each of the 5 CV folds (session 10; "
                "``--collect --fine --states 0 1 2``, headline data seed 2 "
                "with ``--splits 2 --states 100 101 102 103 104``). The rules "
                "are those of :func:`candidate_set`.",
                __doc__.split("Usage::")[0].strip().split("\n\n")[0],
                "## Every candidate on every set",
                "Headline: recall / precision / pairwise Jaccard across the 5 "
                "random states (data seed 2). Real data: **Jaccard across "
                "folds** (mean over pairs of runs from different folds at any "
                "state; worst pair; mean Jaccard of two states on the same "
                "fold, i.e. the training noise alone; kept counts). CPU s: "
                "mean CPU seconds of the fits a rule needs per selection, "
                "process times on a loaded machine.",
                table,
            ]
            if args.note:
                sections += ["## Run notes", "\n".join(f"- {n}" for n in args.note)]
            write_result(
                "consensus_rules_s10",
                "Selection rules with several random states per fold",
                sections,
            )
        return 0
    if args.write:
        setup(1, quick=True)
        sections = [
            __doc__.split("Usage::")[0].strip(),
            "## Trade-off: every candidate on every set",
            "Headline: recall / precision / pairwise Jaccard across the random "
            "states, per data seed (s0-s2); real data: pairwise Jaccard across "
            "the 5 CV folds (worst pair; kept counts per fold). Grouping: the "
            "|Spearman| level of ``expand`` (a cluster kept whole when one "
            "member is kept), ``-`` for none. CPU s: mean CPU seconds of the "
            "fits a rule needs per selection (the strength search up to where "
            "it stops, plus the fits on all rows), per set; sums of process "
            "times of fits run on a loaded machine.",
            trade_off(store),
        ]
        if args.note:
            sections += ["## Run notes", "\n".join(f"- {n}" for n in args.note)]
        write_result(
            "consensus_rules", "Selection rules replayed on stored fits", sections
        )
        return 0
    suffix = "" if args.groups is None else f"_g{args.groups}"
    for name in args.sets:
        path = store / f"{name}{suffix}.pkl"
        splits, classification = splits_of(name)
        data = {split: parts[0] for split, parts in splits}
        if args.collect:
            runs = pickle.loads(path.read_bytes()) if path.exists() else {}
            for (split, (X, _, y, _)), state in itertools.product(splits, args.states):
                if args.splits is not None and split not in args.splits:
                    continue
                if (split, state) in runs:
                    run = runs[(split, state)]
                    labels = run.get("labels")
                    params = {}
                    if labels is not None:
                        params["feature_groups"] = [
                            np.flatnonzero(labels == g).tolist()
                            for g in range(labels.max() + 1)
                        ]
                    if args.fine:
                        fold_fits(run, X, y, classification, state, FINE, params)
                    full_fits(run, X, y, classification, state, labels, params)
                    path.write_bytes(pickle.dumps(runs))
                    print(name, split, state, "completed", flush=True)
                    continue
                groups = labels = None
                run_params = {}
                if args.groups is not None:
                    labels = spearman_clusters(X, args.groups)
                    groups = [
                        np.flatnonzero(labels == g).tolist()
                        for g in range(labels.max() + 1)
                    ]
                    run_params = {"feature_groups": groups}
                start = time.time()
                run = collect_run(X, y, classification, state, groups)
                run["labels"] = labels
                if args.fine:
                    fold_fits(run, X, y, classification, state, FINE, run_params)
                    full_fits(run, X, y, classification, state, labels, run_params)
                runs[(split, state)] = run
                path.write_bytes(pickle.dumps(runs))
                print(name, split, state, f"{time.time() - start:.0f}s", flush=True)
        if not path.exists():
            continue
        runs = pickle.loads(path.read_bytes())
        header = "| data | grouping | strength | rule | result | CPU s |"
        print(f"\n{header}\n|{'---|' * 6}")
        groupings = ["-", *(f"expand {t}" for t in args.expand)]
        if args.groups is not None:
            groupings = [f"groups {args.groups}"]
        for grouping, strength, rule in itertools.product(
            groupings, STRENGTH_RULES, args.rules
        ):
            line = replay(runs, name, strength, rule, grouping, data)
            if line is not None:
                print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
