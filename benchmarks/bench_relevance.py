"""Table 1: ranking quality on data whose relevance is known.

Every method of ``_common.METHODS`` runs on the same standardised data, in
one run:

* the first paper's independent-Gaussian set (Pearson and Spearman
  correlation of the scores with the true relevance, precision of the top-k
  with k = number of relevant features);
* its correlated-Gaussian set, where features are informative only in pairs
  (univariate methods must fail: their correlation is near 0);
* ``make_classification`` with informative, redundant and noise columns
  (precision / recall of the selected set against informative + redundant);
* a Madelon-like hard case ``make_classification(n_informative=5,
  n_redundant=15, n_features=500, flip_y=0.01)``.

Writes ``benchmarks/results/relevance.md`` and ``relevance_scores.png``.

Example::

    python benchmarks/bench_relevance.py --quick
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    METHODS,
    NOT_INSTALLED,
    fmt,
    make_madelon_like,
    md_table,
    mean_std,
    methods_section,
    rank_all,
    setup,
    standardize,
    top_k,
    write_result,
)
from scipy.stats import pearsonr, spearmanr
from sklearn.datasets import make_classification

from sklearn_spectral.datasets import (
    make_correlated_gaussian,
    make_independent_gaussian,
)

SIZES = {
    True: {"indep": 2000, "corr": 2000, "mc": 1000, "madelon": 600},
    False: {"indep": 20000, "corr": 20000, "mc": 5000, "madelon": 2000},
}


def datasets(quick, seed):
    """``name -> (X, y, relevance, useful_mask)`` for one seed."""
    n = SIZES[quick]
    out = {}
    X, y, rel = make_independent_gaussian(n["indep"], random_state=seed)
    out["independent Gaussian (20 feats, 11 relevant)"] = (X, y, rel, rel > 0)
    X, y, rel = make_correlated_gaussian(n["corr"], random_state=seed)
    out["correlated Gaussian (4 pairs + 2 noise)"] = (X, y, rel, rel > 0)
    X, y = make_classification(
        n["mc"], 50, n_informative=5, n_redundant=5, shuffle=False, random_state=seed
    )
    useful = np.arange(50) < 10
    out["make_classification 50 feats (5 inf + 5 red + 40 noise)"] = (
        X,
        y,
        useful.astype(float),
        useful,
    )
    X, y = make_madelon_like(n["madelon"], seed)
    useful = np.arange(500) < 20
    out["Madelon-like 500 feats (5 inf + 15 red + 480 noise)"] = (
        X,
        y,
        useful.astype(float),
        useful,
    )
    return out


def corr_metrics(scores, rel):
    if scores is None:
        return None
    if np.allclose(scores, scores[0]):
        return {"pearson": 0.0, "spearman": 0.0}
    return {
        "pearson": pearsonr(scores, rel)[0],
        "spearman": spearmanr(scores, rel)[0],
    }


def set_metrics(selected, useful):
    sel = np.zeros_like(useful)
    sel[selected] = True
    tp = (sel & useful).sum()
    precision = tp / max(sel.sum(), 1)
    recall = tp / useful.sum()
    return precision, recall, int(sel.sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 seed")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    seeds = range(args.seeds or (1 if args.quick else 3))
    start = time.perf_counter()

    # data set -> method -> list of per-seed metric dicts
    collected = {}
    notes = []
    plot_data = {}
    for seed in seeds:
        for dname, (X, y, rel, useful) in datasets(args.quick, seed).items():
            (X,) = standardize(X)
            print(f"[seed {seed}] {dname}", flush=True)
            results = rank_all(X, y, seed=seed, quick=args.quick)
            for mname, r in results.items():
                row = {"seconds": r.seconds}
                if r.note and r.scores is not None:
                    notes.append(f"{dname}, seed {seed}, {mname}: {r.note}")
                if r.scores is None:
                    row["missing"] = True
                else:
                    row.update(corr_metrics(r.scores, rel))
                    k = int(useful.sum())
                    topk = top_k(r.scores, k, seed=seed)
                    row["topk_precision"] = useful[topk].mean()
                    own = r.selected is not None
                    chosen = r.selected if own else topk
                    p, rc, n = set_metrics(chosen, useful)
                    row.update(precision=p, recall=rc, n_selected=n, own=own)
                collected.setdefault(dname, {}).setdefault(mname, []).append(row)
                if seed == 0 and r.scores is not None:
                    plot_data.setdefault(dname, {})[mname] = (r.scores, rel)
                print(f"   {mname:28s} {r.seconds:7.2f}s", flush=True)

    sections = [
        "Ranking quality of every method on the same data, in one run. "
        "All methods see the same standardised X. Mean ± std over "
        f"{len(seeds)} seed(s). `spectral (ours)` is `SpectralMLPClassifier()` "
        "with default settings (one fit). Seconds = wall time from data to "
        "global ranking (post-hoc methods on our network include its fit).",
    ]
    for dname, per_method in collected.items():
        continuous = dname.startswith(("independent", "correlated"))
        if continuous:
            header = ["method", "Pearson r", "Spearman ρ", "top-k precision", "seconds"]
        else:
            header = [
                "method",
                "precision",
                "recall",
                "n selected",
                "top-k precision",
                "seconds",
            ]
        rows = []
        for mname in METHODS:
            runs = per_method.get(mname, [])
            if not runs or runs[0].get("missing"):
                rows.append([mname] + [NOT_INSTALLED] * (len(header) - 1))
                continue

            def ms(key, runs=runs):
                return mean_std([r[key] for r in runs])

            if continuous:
                rows.append(
                    [
                        mname,
                        ms("pearson"),
                        ms("spearman"),
                        ms("topk_precision"),
                        ms("seconds"),
                    ]
                )
            else:
                label = mname + ("" if runs[0]["own"] else " *")
                rows.append(
                    [
                        label,
                        ms("precision"),
                        ms("recall"),
                        fmt(np.mean([r["n_selected"] for r in runs]), 1),
                        ms("topk_precision"),
                        ms("seconds"),
                    ]
                )
        note = ""
        if not continuous:
            k = int(datasets(True, 0)[dname][3].sum())
            note = (
                f"\n\nTruth = the {k} informative + redundant columns. Methods "
                "marked * only rank: their 'selected set' is the top-k with "
                f"k = {k} (the true number, which a user would not know), so "
                "their precision equals their recall. Unmarked methods choose "
                "their own set (ours: `threshold='auto'`; SelectFromModel: its "
                "default threshold)."
            )
        sections.append(f"## {dname}\n\n" + md_table(header, rows) + note)

    if "correlated Gaussian (4 pairs + 2 noise)" in plot_data:
        sections.append(
            correlated_detail(plot_data["correlated Gaussian (4 pairs + 2 noise)"])
        )
    sections.append(methods_section(notes))
    plot(plot_data)
    write_result(
        "relevance",
        "Ranking quality (Table 1)",
        sections,
        elapsed=time.perf_counter() - start,
    )


def correlated_detail(per_method):
    """Mean score per pair (normalised to the max) on the correlated set."""
    header = [
        "method",
        "pair p=0.8",
        "pair p=0.7",
        "pair p=0.6",
        "pair p=0.4",
        "noise",
        "order 0.8>0.7>0.6>0.4",
    ]
    rows = []
    for mname, (scores, rel) in per_method.items():
        s = np.asarray(scores, float)
        s = s / s.max() if s.max() > 0 else s
        vals = [s[np.isclose(rel, p)].mean() for p in (0.8, 0.7, 0.6, 0.4)]
        noise = s[rel == 0].mean()
        order = all(a > b for a, b in zip(vals[:-1], vals[1:]))
        rows.append([mname, *vals, noise, order])
    return (
        "## Correlated Gaussian: score per pair (seed 0, normalised to the "
        "largest score)\n\nUnivariate methods (mutual_info_classif, "
        "f_classif) see no single feature that is informative, by "
        "construction.\n\n" + md_table(header, rows)
    )


def plot(plot_data):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [d for d in plot_data if d.startswith(("independent", "correlated"))]
    if not names:
        return
    methods = list(plot_data[names[0]])
    fig, axes = plt.subplots(
        len(names),
        len(methods),
        figsize=(2.2 * len(methods), 2.4 * len(names)),
        squeeze=False,
    )
    for i, dname in enumerate(names):
        for j, mname in enumerate(methods):
            ax = axes[i, j]
            if mname in plot_data[dname]:
                scores, rel = plot_data[dname][mname]
                s = np.asarray(scores, float)
                ax.scatter(rel, s / (np.abs(s).max() or 1), s=10)
            ax.set_title(mname, fontsize=7)
            if j == 0:
                ax.set_ylabel(dname.split(" (")[0] + "\nscore / max", fontsize=7)
            ax.set_xlabel("true relevance", fontsize=7)
            ax.tick_params(labelsize=6)
    fig.tight_layout()
    from _common import results_dir

    fig.savefig(results_dir() / "relevance_scores.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
