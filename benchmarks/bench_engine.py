"""Training engine cost: ours against a hand-written torch loop, skorch and MLP.

Three tables, measured side by side in one run:

1. **Same module, same epochs.** One ``SpectralMLP`` module of the default
   shape trained for a fixed number of epochs (stopping rule off) by
   ``SpectralMLPClassifier``, by a hand-written torch loop (shuffle, index a
   batch, forward, cross-entropy, backward, Adam step) and by a plain skorch
   ``NeuralNetClassifier`` (default data loader), all at batch 200 and 1
   torch thread. The ratio to the hand-written loop is the engine's
   overhead (target: at most 1.0x; issue 22 keeps the bar of the engine
   issue on public torch API).
2. **Both libraries at their defaults.** ``SpectralMLPClassifier()`` /
   ``SpectralMLPRegressor()`` against ``MLPClassifier()`` / ``MLPRegressor()``
   on standardised iris, wine, breast_cancer, digits, diabetes and the
   README's 2000 x 50 data: fit time, epochs, whether the fit stopped by its
   own rule, held-out score (75/25 split); target: at most 0.5x MLP's
   time (geometric mean).
3. **A busy machine.** A default fit of the 2000 x 50 data, idle and next to
   one process that keeps a core busy; torch's process-wide thread setting
   is left at its default (one thread per core), so the table shows what
   ``n_threads=None`` (auto) does about contention (target: at most 1.3x).

Run ``python benchmarks/bench_engine.py`` (``--quick`` for fewer repeats;
``--sections 1 2`` leaves out the busy-machine table, whose spinning process
would disturb other work on a shared machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import time
import warnings

import numpy as np
import torch
from _common import md_table, setup, write_result
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import (
    DEFAULT_SETTINGS,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.nn.mlp import SpectralMLP


def headline():
    return make_classification(
        n_samples=2000,
        n_features=50,
        n_informative=5,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )


DATASETS = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "diabetes": lambda: load_diabetes(return_X_y=True),
    "2000 x 50": headline,
}


#: The clock of every timing: wall time, or with ``--clock cpu`` the
#: process's CPU time (user + system), which a shared machine's load
#: inflates far less (both libraries run one thread here).
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCK["wall"]


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = clock()
        result = fn()
        times.append(clock() - start)
    return float(np.median(times)), result


# --------------------------------------------------------------------------- #
# 1. same module, same epochs
# --------------------------------------------------------------------------- #
def hand_loop(X, y, n_classes, epochs, batch_size, seed):
    """The limit: a plain torch loop over the same module."""
    gen = torch.Generator().manual_seed(seed)
    module = SpectralMLP(X.shape[1], (100,), n_classes, generator=gen)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    n = len(Xt)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(module(Xt[index]), yt[index])
            loss.backward()
            opt.step()
    return module


def plain_skorch(X, y, n_classes, epochs, batch_size, seed):
    """skorch's own loop and data loader over the same module."""
    from skorch import NeuralNetClassifier

    gen = torch.Generator().manual_seed(seed)
    net = NeuralNetClassifier(
        SpectralMLP(X.shape[1], (100,), n_classes, generator=gen),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=epochs,
        batch_size=batch_size,
        train_split=None,
        verbose=0,
    )
    return net.fit(X.astype(np.float32), y.astype(np.int64))


def ours_fixed(X, y, epochs, batch_size, seed):
    return SpectralMLPClassifier(
        batch_size=batch_size,
        max_iter=epochs,
        n_iter_no_change=epochs + 1,
        n_threads=1,
        random_state=seed,
    ).fit(X, y)


def same_module_table(repeats, epochs):
    rows = []
    for name in ("2000 x 50", "digits", "breast_cancer"):
        X, y = DATASETS[name]()
        X = StandardScaler().fit_transform(X)
        k = len(np.unique(y))
        batch = min(200, len(X))
        with torch_threads_one():
            t_hand, _ = median_time(
                lambda: hand_loop(X, y, k, epochs, batch, 0), repeats
            )
            t_skorch, _ = median_time(
                lambda: plain_skorch(X, y, k, epochs, batch, 0), repeats
            )
            t_ours, _ = median_time(lambda: ours_fixed(X, y, epochs, batch, 0), repeats)
        rows.append(
            [
                name,
                f"{t_hand:.2f}",
                f"{t_skorch:.2f} ({t_skorch / t_hand:.2f}x)",
                f"{t_ours:.2f} ({t_ours / t_hand:.2f}x)",
            ]
        )
        print(rows[-1], flush=True)
    header = [
        "data",
        "hand-written torch loop (s)",
        "plain skorch (s, ratio)",
        "SpectralMLPClassifier (s, ratio)",
    ]
    return (
        f"## 1. Same module (100 hidden), {epochs} epochs, batch 200, 1 thread\n\n"
        f"Median of {repeats} fits.\n\n" + md_table(header, rows)
    )


class torch_threads_one:
    def __enter__(self):
        self._before = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        torch.set_num_threads(self._before)


# --------------------------------------------------------------------------- #
# 2. both libraries at their defaults
# --------------------------------------------------------------------------- #
def optimizer_steps(model, n_samples):
    """Minibatch steps of a fit: ours from its history, MLP* from its batches."""
    if hasattr(model, "net_"):
        return int(sum(row["train_batch_count"] for row in model.net_.history))
    batch = min(200, n_samples) if model.batch_size == "auto" else model.batch_size
    return int(model.n_iter_ * -(-n_samples // batch))


def defaults_table(repeats, settings=None):
    rows = []
    for name, load in DATASETS.items():
        X, y = load()
        regression = name == "diabetes"
        split = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=None if regression else y
        )
        X_train, X_test, y_train, y_test = split
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        ours_cls = SpectralMLPRegressor if regression else SpectralMLPClassifier
        mlp_cls = MLPRegressor if regression else MLPClassifier
        cells = [name]
        results = {}
        # the two libraries' fits alternate, so that a change of the shared
        # machine's load falls on both medians alike
        times = {"ours": [], "MLP": []}
        models, warned = {}, {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(repeats):
                for label, cls in (("ours", ours_cls), ("MLP", mlp_cls)):
                    start = len(caught)
                    params = {"settings": settings} if label == "ours" else {}
                    seconds, models[label] = median_time(
                        lambda cls=cls, params=params: cls(
                            random_state=0, **params
                        ).fit(X_train, y_train),
                        1,
                    )
                    times[label].append(seconds)
                    warned[label] = any(
                        "onverge" in str(w.message) for w in caught[start:]
                    )
        for label in ("ours", "MLP"):
            seconds, model = float(np.median(times[label])), models[label]
            results[label] = seconds
            steps = optimizer_steps(model, len(X_train))
            cells.append(
                f"{seconds:.2f} s, {model.n_iter_} ep"
                f"{' (warned)' if warned[label] else ''}, "
                f"{steps} steps ({1e3 * seconds / steps:.2f} ms), "
                f"{model.score(X_test, y_test):.3f}"
            )
        cells.append(f"{results['ours'] / results['MLP']:.2f}")
        rows.append(cells)
        print(rows[-1], flush=True)
    ratios = [float(row[-1]) for row in rows]
    rows.append(["geometric mean", "", "", f"{np.exp(np.mean(np.log(ratios))):.2f}"])
    header = [
        "data",
        "ours: fit time, epochs, steps (time per step), test score",
        "MLP*: fit time, epochs, steps (time per step), test score",
        "time ratio ours / MLP",
    ]
    return (
        "## 2. Both libraries at their defaults\n\n"
        f"Standardised, 75/25 split (seed 0), median of {repeats} fits "
        f"({'CPU' if clock is CLOCK['cpu'] else 'wall'} time), ours and "
        "MLP's alternating; score is accuracy or R^2; '(warned)' marks a "
        "ConvergenceWarning. Torch's process-wide thread setting at its "
        "default; ours picks its own; numpy's BLAS threads (MLP*): "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}."
        "\n\n" + md_table(header, rows)
    )


# --------------------------------------------------------------------------- #
# 3. a busy machine
# --------------------------------------------------------------------------- #
def _spin(stop_at):
    while time.time() < stop_at:
        pass


def busy_table(repeats):
    X, y = headline()
    X = StandardScaler().fit_transform(X)
    rows = []
    for label, params in (
        ("default (n_threads=None: auto)", {}),
        (
            f"n_threads={os.cpu_count()} (torch's default)",
            {"n_threads": os.cpu_count()},
        ),
    ):
        fit = lambda params=params: SpectralMLPClassifier(  # noqa: E731
            random_state=0, **params
        ).fit(X, y)
        idle, model = median_time(fit, repeats)
        spinner = multiprocessing.Process(target=_spin, args=(time.time() + 600,))
        spinner.start()
        try:
            time.sleep(0.5)
            busy, _ = median_time(fit, repeats)
        finally:
            spinner.terminate()
            spinner.join()
        rows.append(
            [label, f"{idle:.2f}", f"{busy:.2f}", f"{busy / idle:.2f}", model.n_iter_]
        )
        print(rows[-1], flush=True)
    header = [
        "SpectralMLPClassifier",
        "idle (s)",
        "one busy process (s)",
        "ratio",
        "epochs",
    ]
    return (
        "## 3. A default fit of the 2000 x 50 data next to one busy process\n\n"
        f"Median of {repeats} fits each.\n\n" + md_table(header, rows)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--sections",
        type=int,
        nargs="+",
        default=[1, 2, 3],
        choices=[1, 2, 3],
        help="tables to measure",
    )
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="FIELD=VALUE",
        help="Settings fields of our estimators in section 2 (a variant to "
        "compare; the results file then says so)",
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCK),
        default="wall",
        help="time fits by wall time (default) or process CPU time; a CPU-time "
        "run writes results/engine_cpu.md",
    )
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    settings = None
    if args.set:
        changes = {}
        for item in args.set:
            field, value = item.split("=", 1)
            kind = type(getattr(DEFAULT_SETTINGS, field))
            changes[field] = kind(float(value))
        settings = dataclasses.replace(DEFAULT_SETTINGS, **changes)
    setup(threads=os.cpu_count(), quick=args.quick)
    repeats = 3 if args.quick else 5
    start = time.perf_counter()
    tables = {
        1: lambda: same_module_table(repeats, epochs=50),
        2: lambda: defaults_table(2 * repeats - 1, settings),
        3: lambda: busy_table(repeats),
    }
    sections = [tables[k]() for k in sorted(set(args.sections))]
    write_result(
        "engine" if args.clock == "wall" else "engine_cpu",
        "Training engine: ours vs a torch loop, skorch and MLP",
        sections,
        elapsed=time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
