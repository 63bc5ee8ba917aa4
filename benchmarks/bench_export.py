"""Exact export and float64 preprocessing: ``to_torch()`` against ``predict``.

Two measurements (issue 23, item 3), over seeds:

1. The largest gap between the exported module and ``predict`` relative to
   the largest prediction, ``max|to_torch()(X) - predict(X)| / max|predict(X)|``,
   for each network (fixed depth with the eigenvalue modes in/out/both,
   auto-depth) and each input offset (0, 1e4, 1e6 added to every column;
   the target does not move), fed float64 tensors (and float32 ones, which
   carry float32's precision into the module).
2. A column ``1e6 + 0.01 z`` against the column ``z`` itself, beside 3 noise
   columns, with ``y = z + 0.1 noise``: the test R^2 and the column's
   importance. Before the inputs were standardised in float64 the shifted
   column was one float32 level.

Writes ``benchmarks/results/export.md``.

Example::

    python benchmarks/bench_export.py --quick
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import md_table, setup, write_result

from sklearn_spectral import SpectralMLPRegressor

NETWORKS = {
    "fixed depth, eigenvalues='in'": {},
    "fixed depth, eigenvalues='out'": {"eigenvalues": "out"},
    "fixed depth, eigenvalues='both'": {"eigenvalues": "both"},
    "auto_depth=True, (8, 8)": {"auto_depth": True, "hidden_layer_sizes": (8, 8)},
}
OFFSETS = [0.0, 1e4, 1e6]


def export_gap(params, offset, seed, dtype):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(300, 5))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=300)
    X = X + offset
    reg = SpectralMLPRegressor(max_iter=60, random_state=seed, **params).fit(X, y)
    expected = reg.predict(X)
    with torch.no_grad():
        out = reg.to_torch()(torch.as_tensor(X, dtype=dtype)).double().numpy()
    return float(np.max(np.abs(out.ravel() - expected)) / np.max(np.abs(expected)))


def shifted_column(seed):
    rng = np.random.RandomState(seed)
    z, noise, y_noise = (
        rng.normal(size=300),
        rng.normal(size=(300, 3)),
        rng.normal(size=300),
    )
    z_test, noise_test = rng.normal(size=300), rng.normal(size=(300, 3))
    y_test = z_test + 0.1 * rng.normal(size=300)
    y = z + 0.1 * y_noise
    out = {}
    for name, f in [("z", lambda c: c), ("1e6 + 0.01 z", lambda c: 1e6 + 0.01 * c)]:
        reg = SpectralMLPRegressor(random_state=seed).fit(np.c_[f(z), noise], y)
        score = reg.score(np.c_[f(z_test), noise_test], y_test)
        out[name] = (score, reg.feature_importances_[0])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    setup(args.threads, args.quick)
    seeds = range(3 if args.quick else 10)
    start = time.perf_counter()

    rows = []
    for label, params in NETWORKS.items():
        for offset in OFFSETS:
            cells = [label, f"{offset:g}"]
            for dtype in (torch.float64, torch.float32):
                gaps = [export_gap(params, offset, s, dtype) for s in seeds]
                cells.append(f"{np.max(gaps):.1e}")
            rows.append(cells)
    gap_table = md_table(
        ["network", "offset", "max gap, float64 tensors", "max gap, float32 tensors"],
        rows,
    )

    runs = [shifted_column(s) for s in seeds]
    rows = []
    for name in ("z", "1e6 + 0.01 z"):
        scores = np.array([r[name][0] for r in runs])
        importances = np.array([r[name][1] for r in runs])
        rows.append(
            [
                name,
                f"{scores.mean():.3f} +- {scores.std():.3f} (min {scores.min():.3f})",
                f"{importances.mean():.3f} +- {importances.std():.3f} "
                f"(min {importances.min():.3f})",
            ]
        )
    shift_table = md_table(["column", "test R^2", "its importance"], rows)

    write_result(
        "export",
        "Exact export and float64 preprocessing",
        [
            f"Seeds {list(seeds)}; `SpectralMLPRegressor(max_iter=60)` on 300 x 5 "
            "(`y = x0 - 2 x1 + 0.1 noise`); gap = max over the seeds of "
            "`max|to_torch()(X) - predict(X)| / max|predict(X)|`. A float32 "
            "tensor of inputs with an offset of 1e6 has lost their digits "
            "before the module sees them; `predict` was given float64.",
            gap_table,
            "A column `1e6 + 0.01 z` against `z`, beside 3 noise columns, "
            "`SpectralMLPRegressor()` at its defaults, 300 training and 300 "
            "test rows; mean +- std over the seeds.",
            shift_table,
        ],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
