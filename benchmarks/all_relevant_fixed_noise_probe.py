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

``--dispersion`` sets ``Settings.all_relevant_hit_dispersion`` (through
``dataclasses.replace``); run it at two values to compare. Not a result
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
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    settings = DEFAULT_SETTINGS
    if args.dispersion is not None:
        settings = dataclasses.replace(
            DEFAULT_SETTINGS, all_relevant_hit_dispersion=args.dispersion
        )
    print(f"all_relevant_hit_dispersion = {settings.all_relevant_hit_dispersion}")
    for state in args.states:
        for seed in args.seeds:
            probe(args.set, seed, state, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
