"""Probe: false confirmations of the sequential all-relevant test.

The sequential test (``SpectralFeatureSelector(mode="all-relevant")``) looks
at every undecided column after each batch of shadow rounds. This probe
counts what a default selection keeps on

* the headline problem of ``bench_stability_selection.py`` (its
  ``synthetic_split``), data seeds 0-4 x random states 100-101:
  recall of the 10 informative columns, noise columns kept, CPU seconds;
* ``load_breast_cancer`` and ``load_diabetes`` on the 5 CV folds of
  ``bench_stability_selection.py`` (``real_folds``), random state 0:
  columns kept and tentative per fold and the mean pairwise Jaccard of the
  kept sets across folds.

Not a result file: a probe printed to the terminal (about 3 CPU minutes).
Run it on two commits to compare a change of the test, as was done for the
Bonferroni share over the looks (session 10).

Usage::

    python benchmarks/all_relevant_looks_probe.py
"""

import itertools
import time

import numpy as np
import torch
from bench_stability_selection import real_folds, synthetic_split

from sklearn_spectral import SpectralFeatureSelector


def _select(X, y, random_state):
    start = time.process_time()
    selector = SpectralFeatureSelector(mode="all-relevant", random_state=random_state)
    selector.fit(X, y)
    return selector, time.process_time() - start


def headline():
    recalls, noise, cpus = [], 0, []
    for seed in range(5):
        X_train, _, y_train, _ = synthetic_split("headline", seed)
        for state in (100, 101):
            selector, cpu = _select(X_train, y_train, state)
            kept = np.flatnonzero(selector.get_support())
            recalls.append(np.isin(np.arange(10), kept).mean())
            noise += int(np.sum(kept >= 10))
            cpus.append(cpu)
            print(
                f"headline seed {seed} state {state}: recall {recalls[-1]:.2f}, "
                f"noise kept {int(np.sum(kept >= 10))}, CPU {cpu:.1f} s",
                flush=True,
            )
    print(
        f"headline: mean recall {np.mean(recalls):.2f}, noise columns kept "
        f"{noise} over {len(recalls)} selections, mean CPU {np.mean(cpus):.1f} s"
    )


def real():
    for name in ("breast_cancer", "diabetes"):
        kept, tentative, cpus = [], [], []
        for X_train, _, y_train, _ in real_folds(name):
            selector, cpu = _select(X_train, y_train, 0)
            kept.append(set(np.flatnonzero(selector.get_support())))
            tentative.append(int(np.sum(selector.tentative_)))
            cpus.append(cpu)
        jaccard = [
            len(a & b) / len(a | b) if a | b else 1.0
            for a, b in itertools.combinations(kept, 2)
        ]
        print(
            f"{name}: kept {[len(k) for k in kept]}, tentative {tentative}, "
            f"fold Jaccard {np.mean(jaccard):.3f}, mean CPU {np.mean(cpus):.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    torch.set_num_threads(1)
    headline()
    real()
