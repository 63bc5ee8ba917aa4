"""Paired comparison of two runs of ``bench_stability_selection.py``.

Reads the raw JSON files the bench writes beside its first cache file
(``<name>_raw.json``) and compares the minimal mode's rows of the same
data: on real data, each fold's mean Jaccard to the runs of the other
folds, paired per fold (mean difference +- its standard error over the 5
folds), and the CPU seconds and fits per selection; on the headline
problem, recall, precision and each state's mean Jaccard to the other
states, paired per state. The standard error over folds does not hold the
noise of the fits themselves (another draw of the same rule moves a fold
Jaccard by about 0.005-0.01; ``consensus_spread_probe.py``).

Usage::

    python benchmarks/paired_stability.py BEFORE_raw.json AFTER_raw.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import warnings

import numpy as np


def _jaccard(a, b):
    a, b = set(a), set(b)
    return 1.0 if not (a | b) else len(a & b) / len(a | b)


def _spectral_rows(path):
    with open(path) as handle:
        raw = json.load(handle)
    rows = {r["data"]: r["runs"] for r in raw["real"] if r["method"] == "spectral"}
    rows.update(
        {
            (r["data"], r["seed"]): r["runs"]
            for r in raw["synthetic"]
            if r["method"] == "spectral"
        }
    )
    return rows


def _per_fold(runs):
    values = {}
    for a, b in itertools.combinations(runs, 2):
        if a["fold"] != b["fold"]:
            j = _jaccard(a["kept"], b["kept"])
            values.setdefault(a["fold"], []).append(j)
            values.setdefault(b["fold"], []).append(j)
    return {fold: float(np.mean(v)) for fold, v in values.items()}


def _fits(run):
    fits = run.get("fits")
    return np.nan if fits is None else fits["search"] + fits["all_rows"]


def _se(values):
    values = np.asarray(values, dtype=float)
    return float(values.std(ddof=1) / np.sqrt(len(values)))


def compare(before, after):
    lines = []
    for key, runs_a in before.items():
        runs_b = after.get(key)
        if runs_b is None:
            continue
        cpu = f"CPU {np.mean([r['cpu'] for r in runs_a]):.2f} -> "
        cpu += f"{np.mean([r['cpu'] for r in runs_b]):.2f} s"
        with warnings.catch_warnings():  # no fits recorded before session 12
            warnings.simplefilter("ignore", RuntimeWarning)
            fits = f"fits {np.nanmean([_fits(r) for r in runs_a]):.1f} -> "
            fits += f"{np.nanmean([_fits(r) for r in runs_b]):.1f}"
        if isinstance(key, str):
            a, b = _per_fold(runs_a), _per_fold(runs_b)
            diff = [b[f] - a[f] for f in sorted(a)]
            lines.append(
                f"{key}: fold Jaccard {np.mean(list(a.values())):.3f} -> "
                f"{np.mean(list(b.values())):.3f} (paired {np.mean(diff):+.3f} "
                f"+- {_se(diff):.3f}); {cpu}; {fits}"
            )
            continue

        def stats(runs):
            kept = [r["kept"] for r in runs]
            recall = np.mean([r["recall"] for r in runs])
            precision = np.mean([r["precision"] for r in runs])
            own = [
                np.mean([_jaccard(k, o) for j, o in enumerate(kept) if j != i])
                for i, k in enumerate(kept)
            ]
            return recall, precision, own

        (ra, pa, ja), (rb, pb, jb) = stats(runs_a), stats(runs_b)
        diff = np.subtract(jb, ja)
        lines.append(
            f"{key[0]} seed {key[1]}: recall {ra:.2f} -> {rb:.2f}, precision "
            f"{pa:.2f} -> {pb:.2f}, Jaccard {np.mean(ja):.3f} -> {np.mean(jb):.3f} "
            f"(paired {diff.mean():+.3f} +- {_se(diff):.3f}); {cpu}"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    args = parser.parse_args(argv)
    for line in compare(_spectral_rows(args.before), _spectral_rows(args.after)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
