"""Probe: fixed noise columns against fresh shadows (issue 20, item 4).

A real column keeps its data in every all-relevant round while its shadows
are drawn afresh, so its in-sample chance association with ``y`` persists
and its hits come in runs. This probe runs
``SpectralFeatureSelector(mode="all-relevant", random_state=r)`` on the
friedman1 or headline set of ``bench_stability_selection.py``
(``synthetic_split``) and prints, per data seed: the kept columns, the
number of rounds, the CPU seconds (``time.process_time``, one torch
thread), and for every noise column with a hit its hits per rung of the
strength ladder (``hits/rounds``) beside its absolute correlation with
``y`` in the training rows and its rank among the noise columns by it.

``--dispersion`` sets ``Settings.all_relevant_hit_dispersion`` and
``--fixed`` ``Settings.all_relevant_fixed_shadows`` (through
``dataclasses.replace``); run it at two values to compare. With held
shadows it also prints each rung's measured dispersion
(``hit_dispersion_``) and the held shadows' hits per rung (the top ones). Not a result
file: a probe printed to the terminal (friedman1: 10-30 CPU seconds a seed).

Usage::

    python benchmarks/all_relevant_fixed_noise_probe.py --seeds 0 1 2 3 4
    python benchmarks/all_relevant_fixed_noise_probe.py --dispersion 0
    python benchmarks/all_relevant_fixed_noise_probe.py --set headline
"""

import argparse
import dataclasses
import time

import numpy as np
import torch
from bench_stability_selection import synthetic_split

from sklearn_spectral import DEFAULT_SETTINGS, SpectralFeatureSelector
from sklearn_spectral._selection._all_relevant import round_bars

#: the relevant columns of each set
RELEVANT = {"friedman1": 5, "headline": 10}


def probe(name, seed, random_state, settings):
    """One selection; its printed line and the noise columns' hits."""
    X, _, y, _ = synthetic_split(name, seed)
    start = time.process_time()
    selector = SpectralFeatureSelector(
        mode="all-relevant", random_state=random_state, settings=settings
    ).fit(X, y)
    cpu = time.process_time() - start
    importances = selector.importances_
    tested = np.isfinite(importances)
    hits = tested & (
        np.nan_to_num(importances) > round_bars(selector.shadow_threshold_)
    )
    alphas = np.unique(selector.round_alphas_)
    n_relevant = RELEVANT[name]
    association = np.abs([np.corrcoef(column, y)[0, 1] for column in X.T])
    noise = np.arange(n_relevant, X.shape[1])
    rank = {j: r + 1 for r, j in enumerate(noise[np.argsort(-association[noise])])}
    kept = np.flatnonzero(selector.get_support())
    print(
        f"{name} seed {seed} state {random_state}: kept {kept.tolist()}, "
        f"{importances.shape[0]} rounds, {cpu:.1f} CPU s"
    )
    if settings.all_relevant_fixed_shadows > 0:
        print(
            "    measured dispersion per rung: "
            + " ".join(f"{d:.1f}" for d in selector.hit_dispersion_)
        )
        print_held(selector, settings, alphas)
    for j in noise[hits[:, noise].any(axis=0)]:
        rungs = " ".join(
            f"{hits[selector.round_alphas_ == a, j].sum()}"
            f"/{tested[selector.round_alphas_ == a, j].sum()}"
            for a in alphas
        )
        print(
            f"    noise column {j}: hits per rung {rungs}; |corr(x, y)| "
            f"{association[j]:.4f} (rank {rank[j]} of {noise.size})"
            f"{' KEPT' if j in kept else ''}"
        )


def held_hits(selector):
    """The held shadows' hits per rung, shape ``(rungs, n_held)``, and the
    number of fits per rung."""
    held = selector._held_shadows
    shadows = selector.shadow_importances_
    fit_rounds = selector._fit_rounds
    if fit_rounds is None:  # a fixed number of rounds: equal blocks
        fit_rounds = np.repeat(
            np.arange(selector.importances_.shape[0]),
            shadows.shape[0] // selector.importances_.shape[0],
        )
    fit_levels = selector._round_levels[fit_rounds]
    bars = round_bars(selector.shadow_threshold_)[:, 0]
    counts, fits = [], []
    for level in np.unique(selector._round_levels):
        bar = bars[selector._round_levels == level][0]
        rows = shadows[fit_levels == level][:, held]
        counts.append(np.sum(rows > bar, axis=0))
        fits.append(rows.shape[0])
    return np.array(counts), fits


def print_held(selector, settings, alphas):
    """The held shadows with the most hits, their hits per rung."""
    counts, fits = held_hits(selector)
    top = np.argsort(-counts.sum(axis=0), kind="stable")[:5]
    print(
        f"    held shadows: {counts.shape[1]}, fits per rung {fits}; top hits "
        "per rung: " + "; ".join(" ".join(map(str, counts[:, k])) for k in top)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=list(RELEVANT), default="friedman1")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--states", type=int, nargs="+", default=[100])
    parser.add_argument(
        "--dispersion",
        type=float,
        default=None,
        help="Settings.all_relevant_hit_dispersion (default: the library's)",
    )
    parser.add_argument(
        "--fixed",
        type=float,
        default=None,
        help="Settings.all_relevant_fixed_shadows (default: the library's)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    settings = DEFAULT_SETTINGS
    if args.dispersion is not None:
        settings = dataclasses.replace(
            settings, all_relevant_hit_dispersion=args.dispersion
        )
    if args.fixed is not None:
        settings = dataclasses.replace(settings, all_relevant_fixed_shadows=args.fixed)
    print(
        f"all_relevant_hit_dispersion = {settings.all_relevant_hit_dispersion}, "
        f"all_relevant_fixed_shadows = {settings.all_relevant_fixed_shadows}"
    )
    for state in args.states:
        for seed in args.seeds:
            probe(args.set, seed, state, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
