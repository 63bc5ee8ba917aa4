"""The paper's set: why does a relevant input end at exactly 0?

A probe (prints, writes no result file). For every seed of the first
paper's independent-Gaussian set (20 000 rows, 20 inputs, 11 relevant) it
fits ``SpectralMLPClassifier(random_state=seed)`` at its defaults and, for
every input of true relevance >= 0.2 left at exactly 0, reports what the
end-of-fit KKT check saw (``InputSettling.checks_``: the epoch of each
check, which inputs were off and which it re-admitted) and what the score
test says of the final network: its statistic ``T`` against the
Bonferroni threshold, and the Lasso condition ``p ||U|| > alpha`` (the
gradient that would revive the eigenvalue against the L1's strength).
Whether the fit ended on ``max_iter`` is printed too.

::

    python benchmarks/relevance_zeros_probe.py --seeds 0 1 2 3 4 5 6 7 8 9
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch

from sklearn_spectral import SpectralMLPClassifier
from sklearn_spectral._training.callbacks import InputSettling
from sklearn_spectral.datasets import make_independent_gaussian
from sklearn_spectral.nn.objective import input_score_test

STRONG = 0.2


def final_test(model, X, y):
    """The score test and Lasso condition of the fitted network, all rows."""
    net = model.net_
    module = net.module_
    x = torch.as_tensor(X, dtype=torch.float32)
    target = torch.as_tensor(np.searchsorted(model.classes_, y), dtype=torch.long)

    def losses(output):
        loss = net.criterion_(output, target)
        if loss.dim() > 1:
            loss = loss.mean(dim=tuple(range(1, loss.dim())))
        return loss

    module.eval()
    score = input_score_test(
        module, x, losses, level=model._settings().input_test_level
    )
    penalty = InputSettling._input_penalty(net)
    return score, float(penalty.coef)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    for seed in args.seeds:
        X, y, rel = make_independent_gaussian(args.rows, random_state=seed)
        start = time.process_time()
        model = SpectralMLPClassifier(random_state=seed, n_threads=1).fit(X, y)
        seconds = time.process_time() - start
        imp = model.feature_importances_
        cb = dict(model.net_.callbacks_)["input_settling"]
        zeros = np.flatnonzero((rel >= STRONG) & (imp == 0))
        weak_zeros = np.flatnonzero((rel > 0) & (rel < STRONG) & (imp == 0))
        noise_on = np.flatnonzero((rel == 0) & (imp > 0))
        print(
            f"seed {seed}: {model.n_iter_} epochs (max_iter {model.max_iter}), "
            f"{seconds:.1f} s; strong at 0 {zeros.tolist()} "
            f"(rel {np.round(rel[zeros], 2).tolist()}), weak at 0 "
            f"{weak_zeros.tolist()}, noise on {noise_on.tolist()}; re-admitted "
            f"{cb.readmitted_}",
            flush=True,
        )
        for check in cb.checks_:
            print(
                f"   check at epoch {check['epoch']}: off {check['off']}, "
                f"re-admitted {check['readmitted']}, shrinking "
                f"{check['shrinking']}, solve {check['solve'] is not None}"
            )
        score, alpha = final_test(model, X, y)
        if score is None:
            continue
        p = float(score["phi_norm"])
        threshold = float(np.max(np.asarray(score["threshold"])))
        for j in np.flatnonzero(np.asarray(score["off"])):
            tag = "STRONG" if rel[j] >= STRONG else ("weak" if rel[j] > 0 else "noise")
            print(
                f"   final test input {j:2d} ({tag}, rel {rel[j]:.2f}): "
                f"T {float(score['statistic'][j]):8.1f} vs {threshold:.1f}; "
                f"p||U|| {p * float(score['gradient_norm'][j]):.5f} vs alpha "
                f"{alpha:.5f}; re-admitted during the fit {j in cb.readmitted_}"
            )


if __name__ == "__main__":
    main()
