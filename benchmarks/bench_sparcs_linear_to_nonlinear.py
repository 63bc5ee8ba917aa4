"""SPARCS linear-to-nonlinear curve (paper section 5, Figure 7).

For ``alpha`` on a grid over [0, 1] and ``beta`` in {5, 1000}, fit
``SpectralMLPRegressor(auto_depth=True, random_state=0)`` with DEFAULT
hyper-parameters on ``make_linear_to_nonlinear(10000, alpha, beta)`` and
report the number of active hidden neurons (``sum(architecture_)``),
``hidden_path_strength_`` (the paper's ``||Gamma||``) and held-out R^2.
Writes ``results/sparcs_linear_to_nonlinear.md`` and
``results/sparcs_linear_to_nonlinear.png`` (``||Gamma||`` vs alpha).

Examples::

    python benchmarks/bench_sparcs_linear_to_nonlinear.py --quick   # 5 alphas
    python benchmarks/bench_sparcs_linear_to_nonlinear.py           # 21 alphas
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import md_table, results_dir, setup, write_result
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from sklearn_spectral import SpectralMLPRegressor
from sklearn_spectral.datasets import make_linear_to_nonlinear

NAME = "sparcs_linear_to_nonlinear"
DATA_SEED = 42  # paper, Table 3
N_TRAIN = 10_000  # the paper's data set size
N_TEST = 5_000
BETAS = (5.0, 1000.0)


def run(alpha, beta):
    X, y = make_linear_to_nonlinear(
        N_TRAIN + N_TEST, alpha=alpha, beta=beta, random_state=DATA_SEED
    )
    Xtr, ytr, Xte, yte = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]
    start = time.perf_counter()
    est = SpectralMLPRegressor(auto_depth=True, random_state=0).fit(Xtr, ytr)
    fit_s = time.perf_counter() - start
    hidden = np.abs(np.concatenate(est.hidden_eigenvalues_))
    return {
        "alpha": alpha,
        "beta": beta,
        "architecture": est.architecture_,
        "n_active": int(sum(est.architecture_)),
        "gamma": est.hidden_path_strength_,
        "r2": r2_score(yte, est.predict(Xte)),
        "r2_lin": r2_score(yte, LinearRegression().fit(Xtr, ytr).predict(Xte)),
        "max_hidden": float(hidden.max()),
        "out": float(np.abs(est.eigenvalues_[-1][1]).max()),
        "epochs": est.n_iter_,
        "fit_s": fit_s,
    }


def plot(results, alphas, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4), constrained_layout=True)
    for beta in BETAS:
        rows = [r for r in results if r["beta"] == beta]
        a = [r["alpha"] for r in rows]
        axes[0].plot(a, [r["gamma"] for r in rows], marker="o", label=f"beta={beta:g}")
        axes[1].plot(
            a, [r["n_active"] for r in rows], marker="o", label=f"beta={beta:g}"
        )
        axes[2].plot(
            a, [r["r2"] for r in rows], marker="o", label=f"SPARCS beta={beta:g}"
        )
        axes[2].plot(
            a,
            [r["r2_lin"] for r in rows],
            ls="--",
            label=f"LinearRegression beta={beta:g}",
        )
    axes[0].set_ylabel("hidden_path_strength_ (||Gamma||)")
    axes[0].set_title("||Gamma|| vs alpha (paper Fig. 7)")
    axes[1].set_ylabel("active hidden neurons (sum of architecture_)")
    axes[1].set_title("Active hidden neurons")
    axes[2].set_ylabel("test R^2")
    axes[2].set_title("Held-out R^2")
    for ax in axes:
        ax.set_xlabel("alpha")
        ax.axvline(0.5, color="gray", lw=0.8, ls=":")
        ax.legend(fontsize=8)
    fig.suptitle(
        "SpectralMLPRegressor(auto_depth=True, random_state=0), default "
        f"hyper-parameters, {N_TRAIN} training points"
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)


def defaults_text():
    """The defaults that matter here, read from the estimator itself."""
    params = SpectralMLPRegressor().get_params()
    keys = [
        "hidden_layer_sizes",
        "depth_alpha",
        "depth_penalty",
        "max_iter",
        "batch_size",
        "learning_rate_init",
    ]
    return ", ".join(f"{k}={params[k]!r}" for k in keys)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 alphas instead of 21")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    setup(args.threads, quick=args.quick)
    t0 = time.perf_counter()
    alphas = np.linspace(0, 1, 5 if args.quick else 21)
    results = []
    for beta in BETAS:
        for alpha in alphas:
            r = run(float(alpha), beta)
            print(
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
            )
            results.append(r)
    png = results_dir() / f"{NAME}.png"
    plot(results, alphas, png)

    rows = [
        (
            f"{r['beta']:g}",
            f"{r['alpha']:.2f}",
            str(r["architecture"]),
            r["n_active"],
            f"{r['gamma']:.4g}",
            f"{r['max_hidden']:.3g}",
            f"{r['r2']:.4f}",
            f"{r['r2_lin']:.4f}",
            r["epochs"],
            f"{r['fit_s']:.1f}",
        )
        for r in results
    ]
    sections = [
        f"Data: `make_linear_to_nonlinear({N_TRAIN + N_TEST}, alpha, beta, "
        f"random_state={DATA_SEED})`, first {N_TRAIN} rows train, last "
        f"{N_TEST} test. Estimator: `SpectralMLPRegressor(auto_depth=True, "
        "random_state=0)` with every other parameter at its default "
        f"({defaults_text()}). "
        "The paper (Table 3) used a 300-neuron hidden layer, L2 1e-4, batch "
        "100, 300 epochs.",
        "`n active` = `sum(architecture_)` (neurons whose eigenvalue exceeds "
        "1e-2 of the reference scale); `||Gamma||` = `hidden_path_strength_`; "
        "`max |hidden eig|` = largest hidden eigenvalue in absolute value.",
        md_table(
            [
                "beta",
                "alpha",
                "architecture_",
                "n active",
                "||Gamma||",
                "max |hidden eig|",
                "test R^2",
                "LinearRegression R^2",
                "epochs",
                "fit s",
            ],
            rows,
        ),
        f"![Gamma vs alpha]({png.name})",
    ]
    write_result(
        NAME,
        f"SPARCS linear-to-nonlinear ({'quick' if args.quick else 'full'})",
        sections,
        elapsed=time.perf_counter() - t0,
    )


if __name__ == "__main__":
    main()
