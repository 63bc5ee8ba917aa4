"""The teacher-student poster: node relevance finds the teacher's width.

A student trained with the poster's spectral regularization (squared L2 on
the destination eigenvalues and on ``phi``) and pruned by node relevance
keeps about as many neurons as the teacher has, whatever its own width
(``benchmarks/bench_poster.py``).
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_spectral import SpectralMLPRegressor

TEACHER_WIDTH = 20
#: A fixed budget, as the poster trains: the node relevances keep separating
#: after the data loss has flattened, so the stopping rule ends too early
#: for the plateau to be sharp (over seeds 0-5 at 8000 rows, 3 of 6 students
#: of width 200 pruned to 29-37 neurons when stopped by the rule at
#: ``tol=1e-6``, all 12 fits to 19-26 after 300 epochs).
EPOCHS = 300


def _teacher_data(n_train, n_valid, seed):
    """A 10 -> 20 -> 1 ReLU teacher whose every neuron matters.

    The output weights have random signs and one magnitude, so that no
    teacher neuron explains a negligible share of the target (with Gaussian
    output weights some explain under 0.1 % of its variance and no student
    can tell them from noise at the penalty below).
    """
    rng = np.random.RandomState(seed)
    w1 = rng.normal(size=(TEACHER_WIDTH, 10)) / np.sqrt(10)
    b1 = rng.normal(size=TEACHER_WIDTH) * 0.1
    w2 = rng.choice([-1.0, 1.0], size=TEACHER_WIDTH) / np.sqrt(TEACHER_WIDTH)
    X = rng.normal(size=(n_train + n_valid, 10))
    y = np.maximum(X @ w1.T + b1, 0) @ w2
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@pytest.mark.parametrize("width", [60, 200])
def test_pruned_width_finds_the_teacher(width):
    X, y, X_val, y_val = _teacher_data(8000, 2000, seed=2)
    reg = SpectralMLPRegressor(
        (width,),
        eigenvalues="out",
        penalized="all",
        penalty="l2",
        relative_penalty=False,
        alpha=1e-3,
        phi_alpha=1e-3,
        batch_size=200,
        max_iter=EPOCHS,
        n_iter_no_change=EPOCHS,  # no early stop: the fixed budget
        n_threads=1,
        random_state=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # expected: budget spent
        reg.fit(X, y)
    reg.prune(X_val, y_val)
    (kept,) = reg.pruned_architecture_
    assert TEACHER_WIDTH - 2 <= kept <= TEACHER_WIDTH + 8
    # the curve is the poster's: every width tried, flat above the teacher
    curve = reg.pruning_curve_
    assert np.array_equal(curve["n_active"], np.arange(len(curve["n_active"])))
    assert curve["loss_increase"][TEACHER_WIDTH // 2] > 1.0
