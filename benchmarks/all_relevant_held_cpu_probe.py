"""Probe: the CPU cost of held shadows in the all-relevant test (issue 20, item 4).

Runs ``SpectralFeatureSelector(mode="all-relevant", random_state=r)`` on each
training fold of the real sets of ``bench_stability_selection.py``
(``real_folds``: 5-fold CV, standardised) twice in a row, with
``Settings.all_relevant_fixed_shadows`` 0 (every shadow drawn afresh) and 1
(held over the rounds), so that the two CPU times (``time.process_time``,
one torch thread) are measured side by side, and prints each selection's
CPU seconds, rounds and kept count, then the means per set and value. Not a
result file: a probe printed to the terminal (digits about 2 x 11 CPU s a
fold).

Usage::

    python benchmarks/all_relevant_held_cpu_probe.py --sets digits diabetes
"""

import argparse
import dataclasses
import time

import numpy as np
import torch
from bench_stability_selection import REAL, real_folds

from sklearn_spectral import DEFAULT_SETTINGS, SpectralFeatureSelector


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(REAL), default=list(REAL))
    parser.add_argument("--states", type=int, nargs="+", default=[0])
    parser.add_argument("--values", type=float, nargs="+", default=[0.0, 1.0])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    settings = {
        value: dataclasses.replace(DEFAULT_SETTINGS, all_relevant_fixed_shadows=value)
        for value in args.values
    }
    runs = {}
    for name in args.sets:
        for fold, (X, _, y, _) in enumerate(real_folds(name)):
            for state in args.states:
                for value in args.values:
                    start = time.process_time()
                    selector = SpectralFeatureSelector(
                        mode="all-relevant",
                        random_state=state,
                        settings=settings[value],
                    ).fit(X, y)
                    cpu = time.process_time() - start
                    rounds = selector.importances_.shape[0]
                    runs.setdefault((name, value), []).append((cpu, rounds))
                    print(
                        f"{name} fold {fold} state {state} held {value}: "
                        f"{cpu:.2f} CPU s, {rounds} rounds, "
                        f"{int(selector.get_support().sum())} kept",
                        flush=True,
                    )
    for (name, value), values in runs.items():
        cpu, rounds = np.mean(values, axis=0)
        print(f"{name} held {value}: {cpu:.2f} CPU s, {rounds:.1f} rounds (mean)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
