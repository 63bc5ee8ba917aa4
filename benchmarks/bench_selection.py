"""Table 3: selection for a downstream model.

Each method of ``_common.METHODS`` ranks the features on the training split
of the Madelon-like set ``make_classification(n_features=500,
n_informative=5, n_redundant=15, flip_y=0.01)``; a *fixed* downstream model
is then trained on the top-k features of each method (k in {5, 10, 20}) and
scored on the held-out test split. Two downstream models: a
``LogisticRegression()`` and a ``RandomForestClassifier(n_estimators=100,
random_state=0)``. Reference rows: all 500 features, and the 20 truly useful
columns (oracle). Also reported: ours with its own automatic selection
(``SpectralFeatureSelector``, ``threshold='auto'``), whatever k it picks.

Writes ``benchmarks/results/selection.md`` and ``selection.png``.

Example::

    python benchmarks/bench_selection.py --quick
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import (
    METHODS,
    NOT_INSTALLED,
    make_madelon_like,
    md_table,
    mean_std,
    methods_section,
    rank_all,
    results_dir,
    setup,
    standardize,
    top_k,
    write_result,
)
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

KS = (5, 10, 20)
N_SAMPLES = {True: 800, False: 3000}


def downstream_models(seed):
    return {
        "LogReg": LogisticRegression(max_iter=1000),
        "RF": RandomForestClassifier(n_estimators=100, random_state=seed),
    }


def accuracy(cols, X_tr, y_tr, X_te, y_te, seed):
    out = {}
    for name, model in downstream_models(seed).items():
        model.fit(X_tr[:, cols], y_tr)
        out[name] = model.score(X_te[:, cols], y_te)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    seeds = range(args.seeds or (1 if args.quick else 3))
    start = time.perf_counter()
    n = N_SAMPLES[args.quick]
    # (row label, k, downstream) -> list of accuracies
    acc = {}
    own_k = []
    notes = []
    for seed in seeds:
        X, y = make_madelon_like(n, seed)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, random_state=seed, stratify=y
        )
        X_tr, X_te = standardize(X_tr, X_te)
        print(f"[seed {seed}] ranking on {X_tr.shape}", flush=True)
        results = rank_all(X_tr, y_tr, seed=seed, quick=args.quick)
        refs = {"all 500 features": np.arange(500), "oracle: 20 useful": np.arange(20)}
        for label, cols in refs.items():
            for model, a in accuracy(cols, X_tr, y_tr, X_te, y_te, seed).items():
                acc.setdefault((label, "-", model), []).append(a)
        for mname, r in results.items():
            if r.scores is None:
                continue
            if r.note:
                notes.append(f"seed {seed}, {mname}: {r.note}")
            for k in KS:
                cols = top_k(r.scores, k, seed=seed)
                for model, a in accuracy(cols, X_tr, y_tr, X_te, y_te, seed).items():
                    acc.setdefault((mname, k, model), []).append(a)
            if mname == "spectral (ours)" and len(r.selected):
                own_k.append(len(r.selected))
                for model, a in accuracy(
                    r.selected, X_tr, y_tr, X_te, y_te, seed
                ).items():
                    acc.setdefault(
                        ("ours, threshold='auto'", "auto", model), []
                    ).append(a)
        print("   done", flush=True)

    models = list(downstream_models(0))
    header = ["method"] + [f"{m} k={k}" for m in models for k in KS]
    rows = []
    for label in ["all 500 features", "oracle: 20 useful"]:
        rows.append(
            [label] + [mean_std(acc[(label, "-", m)]) for m in models for _ in KS]
        )
    for mname in METHODS:
        if (mname, KS[0], models[0]) not in acc:
            rows.append([mname] + [NOT_INSTALLED] * (len(header) - 1))
            continue
        rows.append(
            [mname] + [mean_std(acc[(mname, k, m)]) for m in models for k in KS]
        )
    auto = ""
    if own_k:
        key = "ours, threshold='auto'"
        lr_auto = np.mean(acc[(key, "auto", "LogReg")])
        rf_auto = np.mean(acc[(key, "auto", "RF")])
        auto = (
            "\n\nOurs with its own selection (`SpectralFeatureSelector()`, "
            f"threshold='auto'): it kept {np.mean(own_k):.1f} features on "
            f"average; test accuracy LogReg {lr_auto:.3f}, RF {rf_auto:.3f}."
        )
    sections = [
        f"Madelon-like set, {n} samples (70 % train / 30 % test, stratified), "
        f"500 features of which 20 useful (5 informative + 15 redundant). "
        f"Rankings are computed on the training split only. Test accuracy, "
        f"mean ± std over {len(seeds)} seed(s). Downstream models are fixed: "
        "`LogisticRegression(max_iter=1000)` and "
        "`RandomForestClassifier(n_estimators=100)`; the reference rows "
        "repeat the same value across k.",
        md_table(header, rows) + auto,
        methods_section(notes),
    ]
    plot(acc, models)
    write_result(
        "selection",
        "Selection for a downstream model (Table 3)",
        sections,
        elapsed=time.perf_counter() - start,
    )


def plot(acc, models):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(models), figsize=(5 * len(models), 4), squeeze=False
    )
    for ax, model in zip(axes[0], models):
        for mname in METHODS:
            if (mname, KS[0], model) not in acc:
                continue
            ys = [np.mean(acc[(mname, k, model)]) for k in KS]
            style = "-o" if "ours" in mname else "--."
            ax.plot(KS, ys, style, label=mname)
        ax.axhline(
            np.mean(acc[("oracle: 20 useful", "-", model)]),
            color="k",
            lw=0.8,
            label="oracle (20 useful)",
        )
        ax.set_xlabel("k (top-k features)")
        ax.set_ylabel(f"test accuracy ({model})")
        ax.set_xticks(KS)
    axes[0, -1].legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    fig.savefig(results_dir() / "selection.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
