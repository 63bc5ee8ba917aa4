"""Users' tables (issue 21): the cost of the encoding, and the ranking.

Cost. ``SpectralMLPClassifier`` fitted on a mixed DataFrame
(``make_mixed_table``: numeric, object, category, nullable boolean/Int64
and string columns with missing cells; the encoding happens inside, inputs
of one column share one eigenvalue) against the same estimator fitted on
the already-encoded float matrix (``encoder_.transform(X)``, one
eigenvalue per input), side by side in one run. Both run a fixed budget of
epochs (``max_iter=n_iter_no_change=EPOCHS``, so the stopping rule cannot
end one earlier), so the ratio is the extra cost per fit of the encoding
plus the grouped eigenvalues. Prediction is timed the same way. Times are
CPU seconds of the process (one torch thread), robust to a shared machine.
Target: at most 1.2x.

Ranking. Whether every column the target depends on gets a higher
importance than every column it does not, for the classifier and the
regressor at their defaults and for ``SpectralFeatureSelector()`` at its
defaults, over seeds.

Writes ``benchmarks/results/encoding_cost.md`` (``results/full/`` in the
full mode).

Example::

    python benchmarks/bench_encoding_cost.py --quick
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, mean_std, setup, write_result

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.datasets import make_mixed_table

EPOCHS = 60


class Timer:
    """CPU seconds of this process (``time.process_time``), not wall time.

    The fits run on one torch thread, so CPU time is the work done; wall
    time on a machine shared with other jobs (load 12 on 2 cores when this
    was written) moved the ratios by +-0.3 from one repetition to the next.
    """

    def __enter__(self):
        self._start = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.process_time() - self._start
        return False


def cost_rows(sizes, seeds, repeats):
    rows = []
    for n in sizes:
        fit_ratio, predict_ratio, fit_table, fit_matrix, encode = [], [], [], [], []
        n_inputs = None
        for seed in seeds:
            X, y, _ = make_mixed_table(n_samples=n, random_state=seed)
            params = {
                "max_iter": EPOCHS,
                "n_iter_no_change": EPOCHS,
                "random_state": seed,
            }
            # the encoded matrix, made once by a fitted estimator's encoder
            probe = SpectralMLPClassifier(max_iter=1).fit(X, y)
            with Timer() as t_enc:
                matrix = probe.encoder_.transform(X)
            n_inputs = matrix.shape[1]
            table_s, matrix_s, table_p, matrix_p = [], [], [], []
            for _ in range(repeats):  # alternated: load changes hit both
                with Timer() as t:
                    on_table = SpectralMLPClassifier(**params).fit(X, y)
                table_s.append(t.seconds)
                with Timer() as t:
                    on_matrix = SpectralMLPClassifier(**params).fit(matrix, y)
                matrix_s.append(t.seconds)
                with Timer() as t:
                    on_table.predict_proba(X)
                table_p.append(t.seconds)
                with Timer() as t:
                    on_matrix.predict_proba(matrix)
                matrix_p.append(t.seconds)
            assert on_table.n_iter_ == on_matrix.n_iter_ == EPOCHS
            fit_table.append(min(table_s))
            fit_matrix.append(min(matrix_s))
            fit_ratio.append(min(table_s) / min(matrix_s))
            predict_ratio.append(min(table_p) / min(matrix_p))
            encode.append(t_enc.seconds)
        rows.append(
            [
                f"{n} x 8 ({n_inputs} inputs)",
                mean_std(fit_table),
                mean_std(fit_matrix),
                mean_std(fit_ratio),
                float(np.max(fit_ratio)),
                mean_std(predict_ratio),
                mean_std(encode),
            ]
        )
        print(rows[-1], flush=True)
    return rows


def sparse_rows(shapes, seeds, repeats, density=0.05):
    """Fit and predict on a CSR matrix against the same matrix made dense."""
    import scipy.sparse as sp

    rows = []
    for n, p in shapes:
        fit_ratio, predict_ratio, fit_dense = [], [], []
        for seed in seeds:
            X = sp.random(n, p, density=density, format="csr", random_state=seed)
            rng = np.random.RandomState(seed)
            y = (X @ rng.normal(size=p) > 0).astype(int)
            dense = X.toarray()
            params = {"max_iter": 30, "n_iter_no_change": 30, "random_state": seed}
            sparse_s, dense_s, sparse_p, dense_p = [], [], [], []
            for _ in range(repeats):
                with Timer() as t:
                    on_sparse = SpectralMLPClassifier(**params).fit(X, y)
                sparse_s.append(t.seconds)
                with Timer() as t:
                    on_dense = SpectralMLPClassifier(**params).fit(dense, y)
                dense_s.append(t.seconds)
                with Timer() as t:
                    on_sparse.predict_proba(X)
                sparse_p.append(t.seconds)
                with Timer() as t:
                    on_dense.predict_proba(dense)
                dense_p.append(t.seconds)
            fit_dense.append(min(dense_s))
            fit_ratio.append(min(sparse_s) / min(dense_s))
            predict_ratio.append(min(sparse_p) / min(dense_p))
        rows.append(
            [
                f"{n} x {p}, density {density}",
                mean_std(fit_dense),
                mean_std(fit_ratio),
                mean_std(predict_ratio),
                f"{X.data.nbytes + X.indices.nbytes + X.indptr.nbytes:,}",
                f"{n * p * 4:,}",
            ]
        )
        print(rows[-1], flush=True)
    return rows


def ranking_rows(seeds, n):
    rows = []
    for task in ("classification", "regression"):
        model_cls = (
            SpectralMLPClassifier if task == "classification" else SpectralMLPRegressor
        )
        hits = {"model": [], "selector": []}
        gaps = {"model": [], "selector": []}
        for seed in seeds:
            X, y, relevant = make_mixed_table(n_samples=n, task=task, random_state=seed)
            fits = {
                "model": model_cls(random_state=seed).fit(X, y),
                "selector": SpectralFeatureSelector(random_state=seed).fit(X, y),
            }
            for name, fit in fits.items():
                scores = fit.feature_importances_
                gap = scores[relevant].min() - scores[~relevant].max()
                hits[name].append(gap > 0)
                gaps[name].append(gap)
        for name, label in (
            ("model", f"{model_cls.__name__}()"),
            ("selector", "SpectralFeatureSelector()"),
        ):
            rows.append(
                [
                    task,
                    label,
                    f"{int(np.sum(hits[name]))} of {len(seeds)}",
                    mean_std(gaps[name]),
                    float(np.min(gaps[name])),
                ]
            )
            print(rows[-1], flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer seeds")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    setup(args.threads, quick=args.quick)
    start = time.perf_counter()
    if args.quick:
        sizes, seeds, repeats, rank_seeds = (600, 5000), (0, 1, 2), 3, range(6)
    else:
        sizes, seeds, repeats, rank_seeds = (600, 5000, 20000), range(5), 3, range(10)
    cost = cost_rows(sizes, seeds, repeats)
    sparse = sparse_rows([(2000, 200), (10000, 500)], seeds[:2], repeats)
    ranking = ranking_rows(list(rank_seeds), 600)
    sections = [
        "## Cost of the encoding",
        f"`SpectralMLPClassifier` on the mixed table against the same estimator "
        f"on the already-encoded float matrix, {EPOCHS} epochs each (fixed "
        f"budget), CPU seconds (one torch thread), best of {repeats} alternated "
        "repetitions per seed, seeds "
        f"{list(seeds)}; mean ± std over the seeds, and the worst seed. The "
        "table fit includes the encoding (one-hot, imputation, indicators) and "
        "trains one eigenvalue per original column (8) instead of one per input. "
        "`encode s` is `encoder_.transform` alone.",
        md_table(
            [
                "rows",
                "fit on table s",
                "fit on matrix s",
                "fit ratio",
                "worst ratio",
                "predict ratio",
                "encode s",
            ],
            cost,
        ),
        "## Sparse input",
        "`SpectralMLPClassifier` on a CSR matrix against the same matrix made "
        "dense, 30 epochs each (fixed budget, batches of 200 rows), CPU "
        "seconds, best of "
        f"{repeats} alternated repetitions per seed, seeds {list(seeds[:2])}. "
        "Training makes each minibatch dense on its own; the last two columns "
        "are the bytes of the CSR matrix and of one float32 dense copy (what "
        "a training on dense input holds).",
        md_table(
            [
                "matrix",
                "fit on dense s",
                "fit ratio sparse/dense",
                "predict ratio",
                "CSR bytes",
                "dense float32 bytes",
            ],
            sparse,
        ),
        "## Relevant columns above irrelevant ones",
        "`make_mixed_table(n_samples=600)` (4 relevant columns: float with "
        "NaN, object, category, nullable boolean; 4 irrelevant: nullable Int64, "
        "float with NaN, string, an 8-level category), each estimator at its "
        f"defaults, seeds {list(rank_seeds)}. `gap` is the smallest relevant "
        "importance minus the largest irrelevant one (> 0: a clean ranking).",
        md_table(["task", "estimator", "clean ranking", "gap", "worst gap"], ranking),
    ]
    write_result(
        "encoding_cost",
        "Users' tables: encoding cost and per-column ranking",
        sections,
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
