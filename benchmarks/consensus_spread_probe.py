"""Where should the minimal mode's fits on all rows go, and how many?

A probe of session 12 (issue 20 item 3), replayed on stored fits.
``--collect`` runs ``SpectralFeatureSelector(random_state=r)`` at its
defaults on each split (the 5 CV folds of a real set, or the headline
problem's training part) and stores its strength path, its band, its
``alpha_``, its correlated groups and its model's first-layer importances,
plus ``--extra`` more fits on all rows at ``alpha_`` and at each strength of
the band (each with its own seed). The replay then rebuilds the band's vote
(``strength_band_vote`` over the band's fold fits and the fits on all
rows, a column kept with its correlated group) under each rule:

* ``base``: ``estimator_`` and 4 more fits at ``alpha_`` (the rule of
  session 11);
* ``A n``: n fits at ``alpha_``;
* ``B2 z cap batch``: the fits spread over the band's strengths, as many
  at each (``estimator_`` among them when ``alpha_`` is in the band), a
  first batch of ``batch``, then batches while the Wilson interval at ``z``
  of some column's frequency contains the vote level, up to ``cap`` (no
  ``z``: always ``cap``). ``B2 1.64 15 5`` is the selector's rule since
  session 12 (``Settings.consensus_decide_z``, ``consensus_max_fits``,
  ``consensus_fits``).

Reported: Jaccard of the kept sets across folds (pairs of runs from
different folds; worst pair) and within a fold, each fold's mean Jaccard to
the other folds minus the base rule's (mean +- standard error over the
folds), the fits a selection makes (strength search, ``estimator_`` and the
extra fits), the kept counts; on the headline problem recall, precision
and the Jaccard across random states, paired per state.

Usage::

    python benchmarks/consensus_spread_probe.py --collect --set breast_cancer \\
        --states 0 1 2 3 4 5 6 7 8 9 --extra 20 --store /tmp/bc.pkl
    python benchmarks/consensus_spread_probe.py --store /tmp/bc.pkl
    python benchmarks/consensus_spread_probe.py --collect --set headline2 \\
        --states 100 101 102 --store /tmp/h2.pkl
    python benchmarks/consensus_spread_probe.py --store /tmp/h2.pkl --truth 10
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import time
from pathlib import Path

import numpy as np
from _common import md_table, setup, write_result
from bench_stability_selection import real_folds, synthetic_split
from sklearn.base import clone

from sklearn_spectral import SpectralFeatureSelector
from sklearn_spectral._selection._groups import expand_to_groups
from sklearn_spectral._selection._refits import refit_importances
from sklearn_spectral.relevance import auto_threshold

VOTE = 0.3
RULES = [
    ("base",),
    ("A", 15),
    ("A", 25),
    ("B2", None, 10, 5),
    ("B2", None, 15, 5),
    ("B2", None, 20, 5),
    ("B2", None, 25, 5),
    ("B2", 1.64, 25, 5),
    ("B2", 1.64, 20, 5),
    ("B2", 1.64, 15, 5),
    ("B2", 1.64, 15, 3),
    ("B2", 1.64, 12, 3),
    ("B2", 1.64, 16, 4),
]


def collect(name, states, extra, path):
    if name.startswith("headline"):
        splits = [synthetic_split("headline", int(name[len("headline") :]))]
    else:
        splits = list(real_folds(name))
    try:
        with open(path, "rb") as handle:
            store = pickle.load(handle)
    except FileNotFoundError:
        store = {}
    for state in states:
        for fold, (X, _, y, _) in enumerate(splits):
            if (fold, state) in store:
                continue
            start = time.process_time()
            selector = SpectralFeatureSelector(random_state=state).fit(X, y)
            cpu = time.process_time() - start
            path_ = selector.alpha_path_
            band = selector._band_strengths()
            alphas = sorted(
                {float(a) for a in path_["alpha"][band]} | {float(selector.alpha_)}
            )
            rng = np.random.RandomState(1000 + 10 * state + fold)
            more = {}
            for alpha in alphas:
                seeds = rng.randint(2**31 - 1, size=extra)
                more[alpha] = refit_importances(
                    clone(selector.estimator_).set_params(alpha=alpha),
                    X,
                    y,
                    {},
                    [(None, seed) for seed in seeds],
                    classification=selector.task_ == "classification",
                    getter="auto",
                    norm_order=1,
                    n_jobs=None,
                )
            store[(fold, state)] = {
                "alpha_path": path_,
                "band": band,
                "alpha_": float(selector.alpha_),
                "groups": selector.correlated_groups_,
                "first": selector.estimator_._first_layer_importances,
                "more": more,
                "cpu": cpu,
            }
            with open(path, "wb") as handle:
                pickle.dump(store, handle)
            print(name, fold, state, f"cpu {cpu:.1f}", "band", int(band.sum()))


def _kept(scores, groups):
    return expand_to_groups(scores >= auto_threshold(scores), groups)


def _undecided(votes, z):
    n = len(votes)
    p = votes.mean(axis=0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half < VOTE) & (centre + half >= VOTE)


def votes_of(run, rule):
    """The vote's fits under ``rule`` and the fits on all rows it made."""
    groups, path, band = run["groups"], run["alpha_path"], run["band"]
    folds = path["fold_importances"][band].reshape(
        -1, path["fold_importances"].shape[-1]
    )
    fold_votes = [_kept(s, groups) for s in folds]
    first = _kept(run["first"], groups)
    at_alpha = [_kept(s, groups) for s in run["more"][run["alpha_"]]]
    if rule[0] == "base":
        return np.array(fold_votes + [first] + at_alpha[:4]), 5
    if rule[0] == "A":
        return np.array(fold_votes + [first] + at_alpha[: rule[1] - 1]), rule[1]
    z, cap, batch = rule[1:]
    strengths = [float(a) for a in path["alpha"][band]]
    pools = [[_kept(s, groups) for s in run["more"][a]] for a in strengths]
    in_band = any(np.isclose(a, run["alpha_"]) for a in strengths)
    start = [first] if in_band else []
    spread = [fit for fits in zip(*pools) for fit in fits]
    extra = spread[: max(batch - len(start), 0)]
    while True:
        votes = np.array(fold_votes + start + extra)
        if len(start) + len(extra) >= cap or len(extra) >= len(spread):
            break
        if z is not None and not _undecided(votes, z).any():
            break
        extra = spread[: len(extra) + batch]
    return votes, len(start) + len(extra) + (0 if in_band else 1)


def _jaccard(a, b):
    return 1.0 if not (a | b) else len(a & b) / len(a | b)


def evaluate(store, rule, truth=None):
    runs = {}
    for key, run in store.items():
        votes, fits = votes_of(run, rule)
        kept = set(np.flatnonzero(votes.mean(axis=0) >= VOTE - 1e-12).tolist())
        search = np.prod(run["alpha_path"]["fold_importances"].shape[:2])
        runs[key] = (kept, search + fits)
    across, within, per_fold = [], [], {}
    for a, b in itertools.combinations(runs, 2):
        value = _jaccard(runs[a][0], runs[b][0])
        if a[0] == b[0]:
            within.append(value)
        else:
            across.append(value)
            per_fold.setdefault(a[0], []).append(value)
            per_fold.setdefault(b[0], []).append(value)
    out = {
        "across": (np.mean(across), np.min(across)) if across else None,
        "within": (np.mean(within), np.min(within)) if within else None,
        "per_fold": {fold: np.mean(v) for fold, v in per_fold.items()},
        "fits": np.mean([fits for _, fits in runs.values()]),
        "kept": (
            min(len(k) for k, _ in runs.values()),
            max(len(k) for k, _ in runs.values()),
        ),
    }
    if truth is not None:
        kept_sets = {key: kept for key, (kept, _) in runs.items()}
        out["recall"] = np.mean(
            [sum(c < truth for c in k) / truth for k in kept_sets.values()]
        )
        out["precision"] = np.mean(
            [sum(c < truth for c in k) / max(len(k), 1) for k in kept_sets.values()]
        )
        out["per_state"] = {
            key: np.mean(
                [_jaccard(k, o) for other, o in kept_sets.items() if other != key]
            )
            for key, k in kept_sets.items()
        }
    return out


def _se(values):
    values = np.asarray(values)
    return values.std(ddof=1) / np.sqrt(len(values))


def replay(paths, truths):
    """One row per rule, one cell per store; the markdown table."""
    stores = []
    for path in paths:
        with open(path, "rb") as handle:
            stores.append(pickle.load(handle))
    rows = []
    bases = [None] * len(stores)
    for rule in RULES:
        cells = []
        for i, (store, truth) in enumerate(zip(stores, truths)):
            out = evaluate(store, rule, truth)
            key = "per_fold" if truth is None else "per_state"
            bases[i] = bases[i] or out[key]
            diff = [out[key][k] - bases[i][k] for k in sorted(bases[i])]
            paired = f"{np.mean(diff):+.3f} +- {_se(diff):.3f}"
            if truth is None:
                cells.append(
                    f"{out['across'][0]:.3f} ({out['across'][1]:.2f}; within "
                    f"{out['within'][0]:.3f}; {paired}; {out['fits']:.1f} fits)"
                )
            else:
                cells.append(
                    f"r {out['recall']:.2f} p {out['precision']:.2f} J "
                    f"{out['within'][0]:.3f} ({out['within'][1]:.2f}; {paired}; "
                    f"{out['fits']:.1f} fits)"
                )
        rows.append([" ".join(str(x) for x in rule), *cells])
        print(" | ".join(rows[-1]), flush=True)
    names = [f"{Path(p).stem} ({len(s)} runs)" for p, s in zip(paths, stores)]
    return md_table(["rule", *names], rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collect", action="store_true")
    parser.add_argument("--set", default="breast_cancer")
    parser.add_argument("--states", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--extra", type=int, default=20)
    parser.add_argument("--store", nargs="+", required=True)
    parser.add_argument(
        "--truth",
        nargs="+",
        type=int,
        default=None,
        help="per store: the relevant columns come first, this many (0: real data)",
    )
    parser.add_argument("--write", default=None, help="result file name")
    parser.add_argument("--note", action="append", default=[])
    args = parser.parse_args(argv)
    setup(1, quick=True)
    if args.collect:
        collect(args.set, args.states, args.extra, args.store[0])
        return 0
    truths = [None] * len(args.store) if args.truth is None else args.truth
    table = replay(args.store, [t or None for t in truths])
    if args.write:
        legend = (
            "Cells: Jaccard across folds (worst pair; within a fold; each "
            "fold's mean Jaccard to the other folds minus the base rule's, mean "
            "+- SE over the folds; fits per selection), or on the headline "
            "problem recall, precision, Jaccard across random states (worst "
            "pair; paired per state; fits per selection)."
        )
        sections = [__doc__.split("Usage::")[0].strip(), legend, table]
        if args.note:
            sections += ["## Run notes", "\n".join(f"- {n}" for n in args.note)]
        write_result(
            args.write, "Where the fits on all rows go (stored fits)", sections
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
