"""Why auto-depth trails fixed depth on a data set: capacity, decision or rows.

A probe of the mechanism behind issue 20 item 5 on the three 300 x 19
"small non-linear" sets of ``bench_stability_depth.py`` (or any of its
sets, ``--set``; 5-fold CV, several model seeds per fold). Per fold and
seed it records:

* ``fixed``: the default estimator (``(100,)``, every row);
* ``fixed 90%``: the same trained on the rows auto-depth trains on (its
  held-out split removed): what holding rows out costs by itself;
* ``auto``: ``auto_depth=True`` without the refit after the evidence step
  (``Settings.settle_refit_epochs=0``, the rule before it); ``auto pre``:
  the same network before its evidence step (every live neuron kept);
* ``refit N``: ``auto_depth=True`` with ``settle_refit_epochs=N`` (10 is
  the default): the network chosen trains N more epochs on every row;
* ``fixed (k,)``: a fixed network of the width auto-depth chose, on every
  row: a refit of the chosen architecture;
* the fixed network's effective width: neurons holding 95 % of its summed
  node relevance.

Examples::

    python benchmarks/sparcs_small_depth_probe.py --states 3
    python benchmarks/sparcs_small_depth_probe.py --states 3 --set digits
    python benchmarks/sparcs_small_depth_probe.py --states 3 --set digits \
        --refits 10 --setting depth_alpha_class_power=0 depth_alpha_per_parameter=0
    python benchmarks/sparcs_small_depth_probe.py --teacher-student 5000
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import replace

import numpy as np
from _common import setup
from bench_real_data import load_sets as real_sets
from bench_stability_depth import folds_of, friedman_sets, small_nonlinear_sets
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._plans import _AutoDepth


class _Recording(_AutoDepth):
    """The auto-depth plan, keeping a copy of the network before its step."""

    def __init__(self):
        self.before = None

    def settle(self, est, module, X, y, sample_weight, held_out=None):
        self.before = copy.deepcopy(module)
        self.held = held_out
        self.rows = (X, y)
        return super().settle(est, module, X, y, sample_weight, held_out)


def _probe_class(base):
    """``base`` whose auto-depth fits record their network before the step."""

    class _Probe(base):
        def _plan(self):
            if not self.auto_depth:
                return super()._plan()
            if not hasattr(self, "_rec"):
                self._rec = _Recording()
            return self._rec

    return _Probe


def _r2(est, module, X, y):
    saved = est.net_.module_
    est.net_.module_ = module
    try:
        return est.score(X, y)
    finally:
        est.net_.module_ = saved


def teacher_student(n_rows):
    """Auto-depth with and without the refit on the teacher-student, 5 folds."""
    from sklearn.model_selection import KFold

    from sklearn_spectral.datasets import make_teacher_student

    X, Y = make_teacher_student(n_samples=n_rows, random_state=0)
    got = {}
    for tr, te in KFold(5, shuffle=True, random_state=0).split(X):
        for name, epochs in (("no refit", 0), ("refit 10", 10)):
            settings = replace(DEFAULT_SETTINGS, settle_refit_epochs=epochs)
            est = SpectralMLPRegressor(
                auto_depth=True, random_state=0, settings=settings
            )
            est.fit(X[tr], Y[tr])
            got.setdefault(name, []).append(est.score(X[te], Y[te]))
            print(name, est.architecture_, f"{got[name][-1]:.5f}", flush=True)
    d = np.subtract(got["refit 10"], got["no refit"])
    print(
        f"teacher-student {n_rows} rows: no refit {np.mean(got['no refit']):.5f}, "
        f"refit 10 {np.mean(got['refit 10']):.5f}, difference {d.mean():+.5f} ± "
        f"{d.std(ddof=1) / np.sqrt(len(d)):.5f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--states", type=int, default=3)
    parser.add_argument(
        "--teacher-student",
        type=int,
        default=None,
        metavar="ROWS",
        help="instead: refit against none on the teacher-student, 5 folds",
    )
    parser.add_argument(
        "--set",
        nargs="*",
        default=None,
        help="names of bench_stability_depth.py's sets (default: the three "
        "small non-linear regressions)",
    )
    parser.add_argument(
        "--refits", nargs="*", type=int, default=[10, 30], help="refit epochs"
    )
    parser.add_argument(
        "--setting",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="Settings fields for every fit, e.g. depth_alpha_class_power=0",
    )
    args = parser.parse_args()
    base_settings = DEFAULT_SETTINGS
    for item in args.setting:
        name, value = item.split("=")
        kind = type(getattr(DEFAULT_SETTINGS, name))
        base_settings = replace(base_settings, **{name: kind(value)})
    setup(threads=1, quick=True)
    if args.teacher_student:
        teacher_student(args.teacher_student)
        return
    sets = small_nonlinear_sets()
    if args.set:
        pool = real_sets(quick=False) + sets + friedman_sets()
        sets = [s for s in pool if s.name in args.set]
    rows = {}
    for ds in sets:
        base = SpectralMLPClassifier if ds.task == "classification" else None
        base = base or SpectralMLPRegressor
        probe = _probe_class(base)
        for f, (tr, te) in enumerate(folds_of(ds, 5)):
            sc = StandardScaler().fit(ds.X[tr])
            Xtr, Xte = sc.transform(ds.X[tr]), sc.transform(ds.X[te])
            ytr, yte = ds.y[tr], ds.y[te]
            for s in range(args.states):
                r = {}
                fixed = base(random_state=s, settings=base_settings).fit(Xtr, ytr)
                r["fixed"] = fixed.score(Xte, yte)
                w_in, w_out = fixed.coefs_[0], fixed.coefs_[1]
                rel = np.linalg.norm(w_in, axis=0) * np.linalg.norm(w_out, axis=1)
                rel = np.sort(rel)[::-1]
                c = np.cumsum(rel) / rel.sum()
                r["fixed eff. width"] = int(np.searchsorted(c, 0.95) + 1)
                r["fixed epochs"] = fixed.n_iter_
                no_refit = replace(base_settings, settle_refit_epochs=0)
                auto = probe(random_state=s, auto_depth=True, settings=no_refit)
                auto.fit(Xtr, ytr)
                r["auto"] = auto.score(Xte, yte)
                r["auto pre"] = _r2(auto, auto._rec.before, Xte, yte)
                r["auto epochs"] = auto.n_iter_
                for e in args.refits:
                    refit = replace(base_settings, settle_refit_epochs=e)
                    est = base(random_state=s, auto_depth=True, settings=refit)
                    r[f"refit {e}"] = est.fit(Xtr, ytr).score(Xte, yte)
                k = int(sum(auto.architecture_))
                r["auto width"] = k
                r["auto live"] = auto._depth_decision.n_live
                train = auto._rec.held[0]
                f80 = base(random_state=s, settings=base_settings)
                f80.fit(Xtr[train], ytr[train])
                r["fixed 90%"] = f80.score(Xte, yte)
                if k > 0:
                    fk = base(
                        random_state=s, hidden_layer_sizes=(k,), settings=base_settings
                    ).fit(Xtr, ytr)
                    r["fixed (k,)"] = fk.score(Xte, yte)
                else:
                    r["fixed (k,)"] = r["auto"]
                for key, v in r.items():
                    rows.setdefault((ds.name, key), []).append((f, v))
            print(ds.name, f, {k: round(v, 3) for k, v in r.items()}, flush=True)
    for ds in sets:
        print(f"\n{ds.name}")
        fixed = np.array([v for _, v in rows[ds.name, "fixed"]])
        folds = np.array([f for f, _ in rows[ds.name, "fixed"]])
        for key in (
            "fixed",
            "fixed 90%",
            "auto pre",
            "auto",
            *(f"refit {e}" for e in args.refits),
            "fixed (k,)",
        ):
            v = np.array([x for _, x in rows[ds.name, key]])
            d = np.array([np.mean((v - fixed)[folds == f]) for f in range(5)])
            print(
                f"  {key:12s} {v.mean():.3f}  - fixed {d.mean():+.3f} ± "
                f"{d.std(ddof=1) / np.sqrt(5):.3f}"
            )
        for key in (
            "fixed eff. width",
            "fixed epochs",
            "auto epochs",
            "auto live",
            "auto width",
        ):
            if (ds.name, key) in rows:
                v = np.array([x for _, x in rows[ds.name, key]])
                print(f"  {key:16s} mean {v.mean():.1f} min {v.min()} max {v.max()}")


if __name__ == "__main__":
    main()
