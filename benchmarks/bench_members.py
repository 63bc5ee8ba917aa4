"""CPU per network: K shadow fits alone against one K-member step.

The all-relevant mode of ``SpectralFeatureSelector`` fits tens of small
networks on the same rows (each on half of the columns beside at least 50
shadows, at a ladder of strengths, at most ``Settings.all_relevant_max_iter``
epochs). On small data such a fit is per-step overhead, and training the
fits as members of one step (``sklearn_spectral/nn/members.py``,
``Settings.member_fits_max``) shares it. This measures, for K = 5, 10, 20
and 30 fits of a round plan (the first K fits of
``_all_relevant.shadow_fit_plan`` with the selector's correlated groups and
its strength ladder, default classifier or regressor, the data standardised
as the benchmarks do):

* CPU seconds per network of the K fits alone (``_fit_with_shadows``, the
  single fit) and as members (``_member_fits_with_shadows``),
  ``time.process_time``, one torch thread, the two interleaved (alone,
  members, alone, members...), the median of ``--repeats`` pairs;
* the largest difference between the importances the two paths give (the
  same fits to float rounding, except where a fit's end-of-fit input step
  amplifies the rounding).

Sizes: wine (178 x 13, 3 classes), diabetes (442 x 10, regression),
breast_cancer (569 x 30, 2 classes), the headline problem's training
part (750 x 50, 2 classes) and digits (1797 x 64, 10 classes).

Usage::

    python benchmarks/bench_members.py            # --repeats 3
    python benchmarks/bench_members.py --sets wine --ks 5 10
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, setup, write_result
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral._selection import _all_relevant as ar
from sklearn_spectral._selection._face import without_gradient_reading
from sklearn_spectral._selection._groups import correlated_groups


def _data(name):
    if name == "wine":
        X, y = load_wine(return_X_y=True)
    elif name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    elif name == "breast_cancer":
        X, y = load_breast_cancer(return_X_y=True)
    elif name == "digits":
        X, y = load_digits(return_X_y=True)
    else:
        X, y = make_classification(
            n_samples=1000,
            n_features=50,
            n_informative=10,
            n_redundant=0,
            n_repeated=0,
            shuffle=False,
            random_state=0,
        )
        X, y = X[:750], y[:750]
    return StandardScaler().fit_transform(X), y


def _arguments(X, y, k, seed):
    """The first ``k`` fits of a round plan, as ``shadow_refits`` makes them."""
    settings = DEFAULT_SETTINGS
    groups = None
    found = correlated_groups(X, 0.7)
    if found:
        labels = np.arange(X.shape[1])
        for group in found:
            labels[group] = group[0]
        groups = np.unique(labels, return_inverse=True)[1]
    factors = settings.all_relevant_alpha_factors
    rng = np.random.RandomState(seed)
    seeds = rng.randint(np.iinfo(np.int32).max, size=k)
    plan = ar.shadow_fit_plan(
        X.shape[1], seeds, len(factors), groups, settings.all_relevant_parts
    )[:k]
    copies = max(1, -(-settings.all_relevant_min_shadows // X.shape[1]))
    base = settings.all_relevant_alpha
    return [
        (
            X,
            y,
            part,
            {},
            shadow_seed,
            model_seed,
            "auto",
            1,
            base * factors[level],
            copies,
            groups,
            settings.all_relevant_max_iter,
        )
        for _, level, part, shadow_seed, model_seed in plan
    ]


def measure(name, ks, repeats):
    X, y = _data(name)
    model = SpectralMLPRegressor if name == "diabetes" else SpectralMLPClassifier
    template = without_gradient_reading(model())
    rows = []
    for k in ks:
        arguments = _arguments(X, y, k, seed=k)
        alone, together, gaps = [], [], []
        for _ in range(repeats):
            start = time.process_time()
            single = [
                ar._fit_with_shadows(
                    without_gradient_reading(clone(template)), *arguments[i]
                )
                for i in range(k)
            ]
            alone.append(time.process_time() - start)
            start = time.process_time()
            members = ar._member_fits_with_shadows(template, arguments)
            together.append(time.process_time() - start)
            ran_alone = sum(m is None for m in members)
            gaps.append(
                max(
                    float(np.max(np.abs(np.concatenate(a) - np.concatenate(b))))
                    for a, b in zip(single, members)
                    if b is not None
                )
            )
        a, b = np.median(alone) / k, np.median(together) / k
        rows.append(
            [
                name,
                f"{X.shape[0]} x {X.shape[1]}",
                k,
                f"{arguments[0][2].size + arguments[0][9] * X.shape[1]}",
                f"{1000 * a:.1f}",
                f"{1000 * b:.1f}",
                f"{a / b:.2f}",
                ran_alone,
                f"{max(gaps):.1e}",
            ]
        )
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="+",
        default=["wine", "diabetes", "breast_cancer", "headline", "digits"],
        choices=["wine", "diabetes", "breast_cancer", "headline", "digits"],
    )
    parser.add_argument("--ks", nargs="+", type=int, default=[5, 10, 20, 30])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default="members")
    args = parser.parse_args(argv)
    setup(args.threads)
    wall = time.perf_counter()
    rows = []
    for name in args.sets:
        rows += measure(name, args.ks, args.repeats)
    table = md_table(
        [
            "data",
            "rows x columns",
            "K",
            "inputs of the first fit",
            "ms per network alone",
            "ms per network as members",
            "speed-up",
            "fits run alone",
            "largest importance difference",
        ],
        rows,
    )
    write_result(
        args.name,
        "Shadow fits alone against one K-member step (CPU per network)",
        [
            __doc__.split("Usage::")[0].strip(),
            f"Settings: `member_fits_max={DEFAULT_SETTINGS.member_fits_max}`, "
            f"`all_relevant_max_iter={DEFAULT_SETTINGS.all_relevant_max_iter}`; "
            f"median of {args.repeats} interleaved pairs.",
            table,
        ],
        elapsed=time.perf_counter() - wall,
    )


if __name__ == "__main__":
    main()
