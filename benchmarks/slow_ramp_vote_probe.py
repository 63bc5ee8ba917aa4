"""The slow input ramp beside the minimal vote on users' mixed tables.

``Settings.penalty_slow_warmup`` (off by default) holds the input
penalty's ramp back while the data loss has not come down. Together with
the minimal vote (undecided columns kept, ``Settings.strength_vote_z``)
the selector kept irrelevant columns of ``make_mixed_table(600,
task="classification")``. For each data seed this prints, with the plain
ramp and with the slow one, the irrelevant columns the selector keeps, the
ones it lists as undecided, the band's vote shares
(``band_frequencies_``) and the strengths of its path, beside the model's
own importances at its default ``alpha``. Columns 0-3 are the relevant
ones.

    python benchmarks/slow_ramp_vote_probe.py --seeds 0 1 2 3 4 5

Measured at 93d379d (seeds 0-5): the plain ramp keeps one irrelevant
column on seeds 1 and 3 and two on seed 5, all of them undecided; the slow
ramp every irrelevant column on seed 1 (none undecided), three on seed 5
and one on seed 4; on seed 1
the model at its own ``alpha`` reads the same with either ramp, while the
selector's band votes for the noise columns in 7-27 % of its fits with
the plain ramp and 50-60 % with the slow one.
"""

import argparse
import dataclasses
import warnings

import numpy as np

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralFeatureSelector,
    SpectralMLPClassifier,
)
from sklearn_spectral.datasets import make_mixed_table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(6)))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    ramps = {"plain": {}, "slow": {"penalty_slow_warmup": 30}}
    for seed in args.seeds:
        X, y, relevant = make_mixed_table(
            n_samples=600, task="classification", random_state=seed
        )
        for name, fields in ramps.items():
            settings = dataclasses.replace(DEFAULT_SETTINGS, **fields)
            model = SpectralMLPClassifier(random_state=seed, settings=settings)
            model.fit(X, y)
            sel = SpectralFeatureSelector(random_state=seed, settings=settings)
            sel.fit(X, y)
            kept = np.flatnonzero(sel.get_support() & ~relevant)
            undecided = np.flatnonzero(sel.band_undecided_ & ~relevant)
            print(
                f"seed {seed} {name:5s} irrelevant kept {kept.tolist()} "
                f"(undecided {undecided.tolist()}); band shares "
                f"{np.round(sel.band_frequencies_, 2).tolist()}; path "
                f"{[float(a) for a in sel.alpha_path_['alpha']]}; alpha_ {sel.alpha_}; "
                "model importances "
                f"{np.round(model.feature_importances_, 3).tolist()}",
                flush=True,
            )


if __name__ == "__main__":
    main()
