"""Two readings of one fit: the first layer's weights or the whole network's
input gradient (``Settings.importance_gradient_rows``)?

A probe (prints; ``--png`` also draws the digits maps). Every fit is
``SpectralMLPClassifier(random_state=s, settings=importance_gradient_rows=
2048)`` at its defaults, so one fit gives both readings: the first-layer
one (``_first_layer_importances``, what ``feature_importances_`` is at the
default 0) and the gradient one (``feature_importances_``). Both are
compared with the fitted model's own dependence on each column (the root
mean square change of ``predict_proba`` when the column is permuted on
the training rows), on:

* ``load_digits`` (75/25 split, standardised, model seeds 0-2): Pearson
  and Spearman of each reading with the dependence, the two readings'
  Pearson with each other, top-16 pixel overlap, the pixels at 0;
* the headline problem (``bench_headline.headline_data``, data seeds 0-2 x
  one model seed): the same correlations over the 50 columns.

It also times the reading (CPU seconds of the extra pass, against the
fit's own).

::

    python benchmarks/importance_reading_probe.py --png /tmp/digits_readings.png
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings

import numpy as np
import torch
from bench_headline import headline_data
from scipy.stats import pearsonr, spearmanr
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import DEFAULT_SETTINGS, SpectralMLPClassifier

READING = dataclasses.replace(DEFAULT_SETTINGS, importance_gradient_rows=2048)


def dependence(model, X, seed):
    """RMS change of ``predict_proba`` when each column is permuted."""
    base = model.predict_proba(X)
    rng = np.random.RandomState(seed)
    out = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        shuffled = X.copy()
        shuffled[:, j] = X[rng.permutation(len(X)), j]
        out[j] = np.sqrt(np.mean((base - model.predict_proba(shuffled)) ** 2))
    return out / max(out.sum(), 1e-300)


def compare(label, model, X, seed):
    first = model._first_layer_importances
    grad = model.feature_importances_
    dep = dependence(model, X, seed)
    t = time.process_time()
    model._gradient_relevance(X, 2048)
    cost = time.process_time() - t
    k = 16
    top = lambda v: set(np.argsort(-v)[:k])  # noqa: E731
    print(
        f"{label}: first vs dependence Pearson {pearsonr(first, dep)[0]:.3f} "
        f"Spearman {spearmanr(first, dep)[0]:.3f}; gradient vs dependence "
        f"Pearson {pearsonr(grad, dep)[0]:.3f} Spearman "
        f"{spearmanr(grad, dep)[0]:.3f}; first vs gradient Pearson "
        f"{pearsonr(first, grad)[0]:.3f}, top-{k} overlap "
        f"{len(top(first) & top(grad)) / k:.2f}; at 0: {int((first == 0).sum())} "
        f"/ {int((grad == 0).sum())}; reading {cost:.3f} s",
        flush=True,
    )
    return first, grad, dep


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--png", default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    X, y = load_digits(return_X_y=True)
    X_tr, _, y_tr, _ = train_test_split(X, y, random_state=0, stratify=y)
    X_tr = StandardScaler().fit_transform(X_tr)
    maps = None
    for s in range(args.seeds):
        t = time.process_time()
        model = SpectralMLPClassifier(random_state=s, settings=READING)
        model.fit(X_tr, y_tr)
        print(f"digits fit {time.process_time() - t:.2f} s", flush=True)
        out = compare(f"digits seed {s}", model, X_tr, s)
        maps = maps or out
    for d in range(args.seeds):
        X_h, _, y_h, _ = headline_data(d)
        t = time.process_time()
        model = SpectralMLPClassifier(random_state=100, settings=READING)
        model.fit(X_h, y_h)
        print(f"headline fit {time.process_time() - t:.2f} s", flush=True)
        compare(f"headline data seed {d}", model, X_h, d)
    if args.png:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
        titles = ("first-layer reading", "gradient reading", "permutation")
        for ax, values, title in zip(axes, maps, titles):
            im = ax.imshow(values.reshape(8, 8), cmap="viridis")
            ax.set_title(title)
            ax.set_xticks([])
            ax.set_yticks([])
            fig.colorbar(im, ax=ax, fraction=0.046)
        fig.tight_layout()
        fig.savefig(args.png, dpi=90)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
