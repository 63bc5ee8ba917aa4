"""Fixed-depth regressor's held-out R^2 at several ``squared_error_scale_power``.

A probe (prints, writes no result file) of the sets of
``bench_stability_depth.py --quick`` that are regressions: the SPARCS
linear-to-non-linear sets, the noiseless teacher-student (1000 x 20) and the
three small non-linear sets (300 x 19); 5-fold CV, one model seed per fold,
``StandardScaler`` in front, the mean R^2 over the folds::

    python benchmarks/squared_error_power_probe.py 1.0 0.75 0.5

Session 9 (lead): 1.0 -> teacher-student 0.982, small non-linear
0.816 / 0.776 / 0.798; 0.75 -> 0.982, 0.833 / 0.816 / 0.848; 0.5 -> 0.756,
0.862 / 0.865 / 0.876 (which is why the default is 0.75).
"""

import dataclasses
import sys
import warnings

import numpy as np
import torch
from bench_stability_depth import folds_of, paper_sets, small_nonlinear_sets
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralMLPRegressor


def main(powers):
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    sets = [d for d in paper_sets(True) if d.task == "regression"]
    sets += small_nonlinear_sets()
    for power in powers:
        settings = dataclasses.replace(
            DEFAULT_SETTINGS, squared_error_scale_power=power
        )
        scores = []
        for ds in sets:
            fold_scores = []
            for train, test in folds_of(ds, 5):
                model = SpectralMLPRegressor(random_state=0, settings=settings)
                pipe = make_pipeline(StandardScaler(), model)
                pipe.fit(ds.X[train], ds.y[train])
                fold_scores.append(pipe.score(ds.X[test], ds.y[test]))
            scores.append(f"{ds.name}: {np.mean(fold_scores):.3f}")
        print(f"power {power}: " + "; ".join(scores), flush=True)


if __name__ == "__main__":
    main([float(p) for p in sys.argv[1:]] or [1.0, 0.75, 0.5])
