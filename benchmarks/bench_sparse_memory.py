"""Sparse input (issue 21): what a CSR matrix costs against the same matrix
dense, in memory and time.

``SpectralMLPClassifier`` on a random CSR matrix (float32) and on the same
matrix made dense, a fixed budget of epochs (``max_iter=n_iter_no_change``,
so the stopping rule cannot end one earlier and the input-settling check,
which runs when the loss has converged, does not run), one torch thread.
Each fit and each ``predict_proba`` over all rows runs in a fresh process
(``subprocess``) after a warm-up fit, and its peak memory is the growth of
the process's resident high-water mark (``VmHWM`` after resetting it
through ``/proc/self/clear_refs``; Linux only) over the resident size
before the call: the working memory on top of the data, which the caller
already holds. Times are CPU seconds of that process.

Writes ``benchmarks/results/sparse_memory.md``.

Example::

    python benchmarks/bench_sparse_memory.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from _common import md_table, setup, write_result

CHILD = r"""
import json, sys, time, warnings
import numpy as np, scipy.sparse as sp, torch
warnings.simplefilter("ignore")
torch.set_num_threads(1)
from sklearn_spectral import SpectralMLPClassifier

def status(key):
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith(key)).split()[1]) / 1024

def reset():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

n, p, density, kind, epochs = json.loads(sys.argv[1])
X = sp.random(n, p, density=density, format="csr", random_state=0, dtype=np.float32)
y = (X @ np.random.RandomState(0).normal(size=p) > 0).astype(int)
if kind == "dense":
    X = X.toarray()
SpectralMLPClassifier(max_iter=2).fit(X[:300], y[:300])  # warm up torch
before = status("VmRSS"); reset()
start = time.process_time()
model = SpectralMLPClassifier(
    max_iter=epochs, n_iter_no_change=epochs, random_state=0
).fit(X, y)
fit_s = time.process_time() - start
fit_mib = status("VmHWM") - before
before = status("VmRSS"); reset()
start = time.process_time()
model.predict_proba(X)
predict_s = time.process_time() - start
predict_mib = status("VmHWM") - before
nbytes = (
    X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if kind == "sparse" else X.nbytes
)
print(json.dumps([nbytes / 2**20, fit_mib, fit_s, predict_mib, predict_s]))
"""


def measure(n, p, density, kind, epochs):
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([n, p, density, kind, epochs])],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one size")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    setup(1, quick=args.quick)
    start = time.perf_counter()
    shapes = [(10_000, 2_000, 0.01)]
    if not args.quick:
        shapes.append((50_000, 5_000, 0.002))
    rows = []
    for n, p, density in shapes:
        for kind in ("sparse", "dense"):
            data, fit_mib, fit_s, predict_mib, predict_s = measure(
                n, p, density, kind, args.epochs
            )
            rows.append(
                [
                    f"{n} x {p}, density {density}",
                    kind,
                    f"{data:.1f}",
                    f"{fit_mib:.0f}",
                    f"{fit_s:.1f}",
                    f"{predict_mib:.0f}",
                    f"{predict_s:.2f}",
                ]
            )
            print(rows[-1], flush=True)
    write_result(
        "sparse_memory",
        "Sparse input: memory and time against the same matrix dense",
        [
            f"`SpectralMLPClassifier`, {args.epochs} epochs (fixed budget, no "
            "settling check), one torch thread, each call in a fresh process. "
            "`X MiB`: the matrix (CSR arrays, or the dense float32 array). "
            "`fit +MiB`, `predict +MiB`: growth of the resident high-water "
            "mark over the resident size before the call (the working memory "
            "on top of the data). CPU seconds.",
            md_table(
                [
                    "matrix",
                    "input",
                    "X MiB",
                    "fit +MiB",
                    "fit s",
                    "predict +MiB",
                    "predict s",
                ],
                rows,
            ),
        ],
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
