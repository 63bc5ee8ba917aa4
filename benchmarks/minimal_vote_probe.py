"""How much of the minimal selection's fold instability is training noise?

Stores, for every CV fold (real data) or data seed (headline problem) and
random state, the votes of a ``SpectralFeatureSelector()`` at its defaults
except that it makes ``--fits`` fits on all rows (``consensus_max_fits``,
always to the cap): each fit's kept mask (``threshold`` with the correlated
groups expanded, as ``band_frequencies_`` counts it), the band's fold fits
first. The first ``Settings.consensus_fits`` fits on all rows are the
default selection's own (the same seeds, the same batch), so the replay
reproduces the default exactly and compares, on the same fits:

* the vote level (``Settings.strength_band_vote``: 0.3) and the number of
  fits on all rows that vote (5, 10, 15, ... up to ``--fits``);
* a level set at the largest gap of ``band_frequencies_`` (``gap``);
* the decomposition: the set each fold would keep with many fits (the
  votes of every state of the fold pooled, ``pooled``), whose Jaccard
  across folds is what the data alone move; the within-fold Jaccard of the
  default is the training noise.

Reported per rule: the fold Jaccard (mean over pairs of runs of different
folds, worst pair), within a fold, kept counts, the random forest on the
kept columns minus all columns (paired over folds, SE), and for the
headline problem recall, precision and the Jaccard across states.

``--tables`` instead fits the selector at its defaults and with the rule
before session 14 (the whole band votes, no undecided columns kept, 5 fits
on all rows) on the quick scenarios of ``bench_tables.py`` (users' tables
with a known set of relevant columns) and prints the recall and precision
of each.

Usage::

    python benchmarks/minimal_vote_probe.py --collect --sets breast_cancer \\
        --states 0 1 2 --store /tmp/mvp
    python benchmarks/minimal_vote_probe.py --store /tmp/mvp
    python benchmarks/minimal_vote_probe.py --tables --seeds 5
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import setup
from bench_stability_selection import REAL, downstream, real_folds, synthetic_split

from sklearn_spectral import DEFAULT_SETTINGS, SpectralFeatureSelector
from sklearn_spectral._selection._face import resolve_threshold
from sklearn_spectral._selection._groups import expand_to_groups


def _splits(name, seeds):
    if name in REAL:
        return [(i, split) for i, split in enumerate(real_folds(name))]
    return [(s, synthetic_split(name, s)) for s in seeds]


def collect(name, states, n_fits, store, data_seeds):
    """Fit and store every fold/seed x state of ``name``."""
    settings = replace(
        DEFAULT_SETTINGS, consensus_max_fits=n_fits, consensus_decide_z=1e6
    )
    for split_id, (X_train, _, y_train, _) in _splits(name, data_seeds):
        for state in states:
            path = store / f"{name}_{split_id}_{state}.pkl"
            if path.exists():
                continue
            start = time.process_time()
            selector = SpectralFeatureSelector(random_state=state, settings=settings)
            selector.fit(X_train, y_train)
            cpu = time.process_time() - start
            groups = getattr(selector, "correlated_groups_", [])
            path_ = selector.alpha_path_
            band = selector._band_strengths()
            fold_fits = path_["fold_importances"][band]
            fold_alphas = np.repeat(path_["alpha"][band], fold_fits.shape[1])
            fold_fits = fold_fits.reshape(-1, fold_fits.shape[-1])

            def masks(fits, selector=selector, groups=groups):
                return np.array(
                    [
                        expand_to_groups(
                            s
                            >= resolve_threshold(
                                selector.threshold,
                                s,
                                selector.estimator_,
                                selector.settings,
                            ),
                            groups,
                        )
                        for s in fits
                    ]
                )

            record = {
                "fold_masks": masks(fold_fits),
                "fold_alphas": fold_alphas,
                "fold_fits": fold_fits,
                "all_masks": masks(selector.consensus_importances_),
                "all_alphas": selector.consensus_alphas_,
                "all_fits": selector.consensus_importances_,
                "groups": [g.tolist() for g in groups],
                "alpha": selector.alpha_,
                "path": {k: v for k, v in path_.items() if k != "fold_importances"},
                "cpu": cpu,
                "n_search_fits": int(np.prod(path_["fold_importances"].shape[:2])),
            }
            path.write_bytes(pickle.dumps(record))
            print(
                name,
                split_id,
                state,
                f"{cpu:.1f}s",
                "band",
                np.round(path_["alpha"][band], 3).tolist(),
                flush=True,
            )


def _load(store, name):
    runs = []
    for path in sorted(store.glob(f"{name}_*.pkl")):
        split_id, state = map(int, path.stem.rsplit("_", 2)[1:])
        runs.append((split_id, state, pickle.loads(path.read_bytes())))
    return runs


def frequencies(record, n_all):
    votes = np.vstack([record["fold_masks"], record["all_masks"][:n_all]])
    return votes.mean(axis=0), len(votes)


# --------------------------------------------------------------------------- #
# rules: (record, n_all) -> kept mask
def fixed(level, n_all=5):
    def rule(record):
        f, _ = frequencies(record, n_all)
        return f >= level - 1e-12

    rule.__name__ = f"vote>={level} n_all={n_all}"
    return rule


def _per_strength(record, n_all):
    """Each band strength's frequency (its fold fits and fits on all rows)."""
    alphas = np.concatenate([record["fold_alphas"], record["all_alphas"][:n_all]])
    votes = np.vstack([record["fold_masks"], record["all_masks"][:n_all]])
    strengths = np.unique(alphas)
    return strengths, np.array(
        [votes[np.isclose(alphas, a)].mean(0) for a in strengths]
    )


def weakest(level, n_all=5):
    """The vote of the fits at the weakest band strength alone."""

    def rule(record):
        _, f = _per_strength(record, n_all)
        return f[0] >= level - 1e-12

    rule.__name__ = f"weakest>={level} n_all={n_all}"
    return rule


def weakest_m(level, m):
    """The fold fits at the weakest band strength and the first ``m`` fits
    on all rows at it (as if every fit on all rows were there)."""

    def rule(record):
        weak = record["fold_alphas"].min()
        fold = record["fold_masks"][np.isclose(record["fold_alphas"], weak)]
        on_all = record["all_masks"][np.isclose(record["all_alphas"], weak)][:m]
        return np.vstack([fold, on_all]).mean(axis=0) >= level - 1e-12

    rule.__name__ = f"weakest_m>={level} m={m}"
    return rule


def max_strength(level, n_all=5):
    """Meinshausen-Buhlmann: the largest frequency over the band's strengths."""

    def rule(record):
        _, f = _per_strength(record, n_all)
        return f.max(axis=0) >= level - 1e-12

    rule.__name__ = f"maxstrength>={level} n_all={n_all}"
    return rule


def gap(low, high, n_all=5):
    """Cut at the largest gap of the sorted frequencies whose midpoint lies
    in [low, high] (the fixed 0.3 where no frequency gap lies there)."""

    def rule(record):
        f, _ = frequencies(record, n_all)
        values = np.unique(np.concatenate([[0.0, 1.0], f]))
        mids = (values[:-1] + values[1:]) / 2
        widths = np.diff(values)
        ok = (mids >= low) & (mids <= high)
        if not ok.any():
            return f >= 0.3 - 1e-12
        k = np.flatnonzero(ok)[np.argmax(widths[ok])]
        return f > mids[k]

    rule.__name__ = f"gap[{low},{high}] n_all={n_all}"
    return rule


def wilson_keep(z, level, n_all=5, undecided="keep"):
    """Keep a column whose Wilson interval lies above ``level``; an
    undecided one (interval contains it) is kept or dropped."""

    def rule(record):
        f, n = frequencies(record, n_all)
        centre = (f + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(f * (1 - f) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        above = centre - half >= level
        below = centre + half < level
        return above | (~below if undecided == "keep" else np.zeros_like(above))

    rule.__name__ = f"wilson z={z} level={level} undecided={undecided} n_all={n_all}"
    return rule


def sequential(z, level, cap, batch=5, undecided="vote"):
    """Fits on all rows in batches of ``batch`` while some column's Wilson
    interval at ``z`` contains ``level``, up to ``cap`` (the selector's
    ``consensus_decide_z`` loop); the mean number of them is recorded."""

    def rule(record):
        n_all = batch
        while True:
            f, n = frequencies(record, n_all)
            centre = (f + z**2 / (2 * n)) / (1 + z**2 / n)
            half = z * np.sqrt(f * (1 - f) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
            open_ = (centre - half < level) & (centre + half >= level)
            if not open_.any() or n_all >= min(cap, len(record["all_masks"])):
                break
            n_all += batch
        rule.fits.append(n_all)
        if undecided == "keep":
            return (f >= level - 1e-12) | open_
        return f >= level - 1e-12

    rule.fits = []
    rule.__name__ = f"seq z={z} level={level} cap={cap} {undecided}"
    return rule


def _jaccard(a, b):
    union = np.sum(a | b)
    return 1.0 if union == 0 else float(np.sum(a & b) / union)


def _se(values):
    values = np.asarray(values, dtype=float)
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


_FOREST = {}


def _forest(name, split_id, kept, splits):
    key = (name, split_id, tuple(np.flatnonzero(kept)))
    if key not in _FOREST:
        X_train, X_test, y_train, y_test = splits[split_id]
        classification = REAL[name][1] if name in REAL else True
        _FOREST[key] = downstream(
            X_train, X_test, y_train, y_test, np.flatnonzero(kept), classification
        )
    return _FOREST[key]


def report_real(name, runs, rules, forest):
    splits = dict(_splits(name, [])) if forest else {}
    base = {}
    if forest:
        for split_id, split in splits.items():
            base[split_id] = _forest(
                name, split_id, np.ones(split[0].shape[1], bool), splits
            )
    lines = []
    for rule in rules:
        kept = [(f, s, rule(r)) for f, s, r in runs]
        across = [
            _jaccard(a, b)
            for (fa, _, a), (fb, _, b) in itertools.combinations(kept, 2)
            if fa != fb
        ]
        within = [
            _jaccard(a, b)
            for (fa, _, a), (fb, _, b) in itertools.combinations(kept, 2)
            if fa == fb
        ]
        per_fold = {}
        for (fa, _, a), (fb, _, b) in itertools.combinations(kept, 2):
            if fa != fb:
                j = _jaccard(a, b)
                per_fold.setdefault(fa, []).append(j)
                per_fold.setdefault(fb, []).append(j)
        counts = {}
        for f, _, k in kept:
            counts.setdefault(f, []).append(int(k.sum()))
        text = ", ".join(
            f"{min(v)}-{max(v)}" if min(v) != max(v) else f"{v[0]}"
            for _, v in sorted(counts.items())
        )
        line = (
            f"{name:13s} {rule.__name__:40s} across {np.mean(across):.3f} "
            f"(min {np.min(across):.2f}) within {np.mean(within) if within else 1:.3f} "
            f"kept {text}"
        )
        if forest:
            delta = {}
            for f, _, k in kept:
                delta.setdefault(f, []).append(_forest(name, f, k, splits) - base[f])
            d = [np.mean(v) for _, v in sorted(delta.items())]
            line += f" forest {np.mean(d):+.4f} +- {_se(d):.4f}"
        if hasattr(rule, "fits"):
            line += f" fits on all rows {np.mean(rule.fits):.1f}"
            rule.fits.clear()
        lines.append((line, {f: np.mean(v) for f, v in per_fold.items()}))
    return lines


def pooled(name, runs, n_all, level=0.3):
    """Each fold's set from every state's votes pooled: the data's part."""
    by_fold = {}
    for f, _, r in runs:
        by_fold.setdefault(f, []).append(
            np.vstack([r["fold_masks"], r["all_masks"][:n_all]])
        )
    sets = {f: np.vstack(v).mean(axis=0) >= level for f, v in by_fold.items()}
    pairs = [_jaccard(sets[a], sets[b]) for a, b in itertools.combinations(sets, 2)]
    return sets, float(np.mean(pairs)), float(np.min(pairs))


def report_synthetic(name, runs, rules):
    lines = []
    relevant = 10
    for rule in rules:
        for seed in sorted({s for s, _, _ in runs}):
            kept = [rule(r) for s, _, r in runs if s == seed]
            recall = np.mean([k[:relevant].mean() for k in kept])
            precision = np.mean([k[:relevant].sum() / max(k.sum(), 1) for k in kept])
            pairs = [_jaccard(a, b) for a, b in itertools.combinations(kept, 2)]
            lines.append(
                f"{name} seed {seed} {rule.__name__:40s} recall {recall:.2f} "
                f"precision {precision:.2f} Jaccard {np.mean(pairs):.3f} "
                f"(min {np.min(pairs):.2f})"
                + (f" fits {np.mean(rule.fits):.1f}" if hasattr(rule, "fits") else "")
            )
            if hasattr(rule, "fits"):
                rule.fits.clear()
    return lines


#: the rule before session 14
BEFORE = {
    "strength_vote_strengths": 0,
    "strength_vote_z": 0.0,
    "consensus_max_fits": 5,
    "consensus_decide_z": 1.64,
}


def tables(seeds):
    """Recall and precision on bench_tables.py's quick scenarios, the
    default against the rule before, on the same tables and seeds."""
    import bench_tables as bt

    rules = {"default": DEFAULT_SETTINGS, "before": replace(DEFAULT_SETTINGS, **BEFORE)}
    for name in bt.QUICK:
        kwargs, _ = bt.SCENARIOS[name]
        task = kwargs.get("task", "classification")
        params = bt.MODEL_PARAMS.get(name, {})
        cls = (
            bt.SpectralMLPRegressor
            if task == "regression"
            else bt.SpectralMLPClassifier
        )
        scores = {rule: [] for rule in rules}
        for seed in seeds:
            X, y, relevant = bt.make_table(kwargs, seed)
            for rule, settings in rules.items():
                extra = {"estimator": cls(**params)} if params else {}
                start = time.process_time()
                selector = SpectralFeatureSelector(
                    random_state=seed, settings=settings, **extra
                ).fit(X, y)
                cpu = time.process_time() - start
                recall, precision = bt.support_scores(selector.get_support(), relevant)
                scores[rule].append((recall, precision, cpu))
        for rule, values in scores.items():
            values = np.array(values)
            print(
                f"{name:20s} {rule:8s} recall {values[:, 0].mean():.2f} "
                f"(min {values[:, 0].min():.2f}) precision {values[:, 1].mean():.2f} "
                f"(min {values[:, 1].min():.2f}) CPU {values[:, 2].mean():.2f} s",
                flush=True,
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collect", action="store_true")
    parser.add_argument("--sets", nargs="+", default=[*REAL])
    parser.add_argument("--states", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--data-seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--fits", type=int, default=30)
    parser.add_argument("--store", default="/tmp/mvp")
    parser.add_argument("--no-forest", action="store_true")
    parser.add_argument("--detail", action="store_true")
    parser.add_argument("--tables", action="store_true")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    setup(1, quick=True)
    if args.tables:
        tables(list(range(args.seeds)))
        return 0
    store = Path(args.store)
    store.mkdir(parents=True, exist_ok=True)
    if args.collect:
        for name in args.sets:
            collect(name, args.states, args.fits, store, args.data_seeds)
        return 0
    for name in args.sets:
        runs = _load(store, name)
        if not runs:
            continue
        n_max = min(len(r["all_masks"]) for _, _, r in runs)
        counts = [n for n in (5, 10, 15, 20, 30) if n <= n_max]
        rules = [fixed(0.3, n) for n in counts]
        rules += [fixed(v) for v in (0.2, 0.25, 0.35, 0.4, 0.5)]
        rules += [gap(0.15, 0.5), gap(0.15, 0.5, n_max), gap(0.2, 0.45)]
        rules += [weakest(v, n) for v in (0.3, 0.5) for n in (5, n_max)]
        rules += [max_strength(v, n) for v in (0.3, 0.5) for n in (5, n_max)]
        m_max = min(
            int(np.isclose(r["all_alphas"], r["fold_alphas"].min()).sum())
            for _, _, r in runs
        )
        rules += [
            weakest_m(v, m)
            for m in sorted({1, 3, 5, m_max})
            if m <= m_max
            for v in (0.2, 0.3, 0.4)
        ]
        rules += [
            sequential(z, 0.3, cap, 5, u)
            for z in (1.0, 1.64)
            for cap in (10, 15, 20, 30)
            for u in ("vote", "keep")
        ]
        rules += [
            wilson_keep(1.64, 0.3, n_max, "keep"),
            wilson_keep(1.64, 0.3, n_max, "drop"),
        ]
        if name in REAL:
            for line, _ in report_real(name, runs, rules, not args.no_forest):
                print(line, flush=True)
            for n in counts:
                sets, mean, low = pooled(name, runs, n)
                print(
                    f"{name:13s} pooled states n_all={n}: across {mean:.3f} "
                    f"(min {low:.2f}) kept "
                    + ", ".join(str(int(s.sum())) for _, s in sorted(sets.items()))
                )
            if args.detail:
                for f, s, r in runs:
                    freq, n = frequencies(r, n_max)
                    order = np.argsort(-freq)
                    print(
                        f"  fold {f} state {s} n={n} band "
                        f"{np.round(np.unique(r['fold_alphas']), 3).tolist()} "
                        + " ".join(
                            f"{i}:{freq[i]:.2f}" for i in order if 0.02 < freq[i] < 0.9
                        )
                    )
        else:
            for line in report_synthetic(name, runs, rules):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
