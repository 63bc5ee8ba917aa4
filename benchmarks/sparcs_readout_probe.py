"""Probe: which hidden layer of the 100 000-row teacher-student student works.

Fits the ``(200, 200)`` auto-depth student of
``bench_sparcs_teacher_student.py`` (same data, batch 1024, learning rate
1e-3, ``depth_alpha=1e-3``) and fits least-squares readouts (scikit-learn's
``LinearRegression``) from the gated, scaled inputs ``x`` plus the
activations of the first hidden layer ``a1``, the second ``a2`` or both, on
the training rows; prints their test R^2 next to the network's and the
evidence step's decision (``layers_held_out``). Not a result file: a probe,
printed to the terminal (about 12 CPU minutes on the shared machine).

Usage::

    python benchmarks/sparcs_readout_probe.py 100000 180 own
    python benchmarks/sparcs_readout_probe.py 100000 180 paper
"""

import sys
import time
import warnings

import numpy as np
import torch
from bench_sparcs_teacher_student import split
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from sklearn_spectral import SpectralMLPRegressor

torch.set_num_threads(1)
n_train, epochs, rule = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
train, val, test = split(n_train, 20000, 100000)
params = {
    "max_iter": epochs,
    "batch_size": 1024,
    "learning_rate_init": 1e-3,
    "depth_alpha": 1e-3,
}
if rule != "own":  # the paper's fixed budget
    params["n_iter_no_change"] = epochs
est = SpectralMLPRegressor((200, 200), auto_depth=True, random_state=0, **params)
start = time.process_time()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    est.fit(*train)
print("fit cpu", time.process_time() - start, "epochs", est.n_iter_)
print("architecture_", est.architecture_)
print(
    "decision", {k: v for k, v in vars(est._depth_decision).items() if k != "held_out"}
)
print("test r2", r2_score(test[1], est.predict(test[0])))
module = est.net_.module_


def features(X):
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=torch.float64)
        z = (module.input_scaling(x) * module.node_gate()).float()
        acts = module.sparcs.hidden_activations(z)
    return z.double().numpy(), [a.double().numpy() for a in acts]


z_tr, a_tr = features(train[0])
z_te, a_te = features(test[0])
for name, keep in [
    ("x", []),
    ("x + a1", [0]),
    ("x + a2", [1]),
    ("x + a1 + a2", [0, 1]),
]:
    f_tr = np.hstack([z_tr] + [a_tr[k] for k in keep])
    f_te = np.hstack([z_te] + [a_te[k] for k in keep])
    fit = LinearRegression().fit(f_tr, train[1])
    print(name, "readout test r2", r2_score(test[1], fit.predict(f_te)))
