"""Whether two copies of the library fit the same networks, bit for bit.

A speed change that should not move the fit (less validation, lazier
set-up, cheaper bookkeeping) is checked here: each copy (a ``PYTHONPATH``)
fits default estimators on the five bundled scikit-learn sets at a few seeds
in its own process, and the epochs, the training-loss curve, the predictions
(probabilities or values on the test rows) and the importances are compared
exactly (``numpy.array_equal``), with the largest difference where they are
not equal.

Usage::

    python tools/compare_fits.py /path/to/old/copy /path/to/new/copy
    python tools/compare_fits.py OLD NEW --seeds 0 1 2 --sets iris wine

Exit status 0 when every fit is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np

SETS = ("iris", "wine", "breast_cancer", "digits", "diabetes", "2000x50")

_CHILD = r"""
import pickle, sys, time, warnings
import numpy as np
import torch
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import sklearn_spectral
from sklearn_spectral import SpectralMLPClassifier, SpectralMLPRegressor

torch.set_num_threads(1)
out_path, seeds, sets = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
results = {"file": sklearn_spectral.__file__}
for name in sets:
    if name == "2000x50":  # bench_engine.py's headline set
        X, y = datasets.make_classification(
            n_samples=2000, n_features=50, n_informative=5, n_redundant=0,
            shuffle=False, random_state=0,
        )
    else:
        X, y = getattr(datasets, "load_" + name)(return_X_y=True)
    regression = name == "diabetes"
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=None if regression else y
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    cls = SpectralMLPRegressor if regression else SpectralMLPClassifier
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model = cls(random_state=int(seed)).fit(X_train, y_train)
            seconds = time.process_time() - start
        output = model.predict(X_test) if regression else model.predict_proba(X_test)
        results[(name, seed)] = {
            "n_iter_": np.asarray(model.n_iter_),
            "loss_curve_": np.asarray(model.loss_curve_),
            "output": np.asarray(output),
            "feature_importances_": np.asarray(model.feature_importances_),
            "input_eigenvalues_": np.asarray(model.input_eigenvalues_),
            "test_score": np.asarray(model.score(X_test, y_test)),
            "cpu_seconds": seconds,
        }
with open(out_path, "wb") as f:
    pickle.dump(results, f)
"""


def run(path, seeds, sets, out):
    """Fit every set and seed with the library at ``path``; the results."""
    env = dict(os.environ, PYTHONPATH=os.path.abspath(path))
    subprocess.run(
        [sys.executable, "-c", _CHILD, out, ",".join(seeds), ",".join(sets)],
        env=env,
        check=True,
        cwd=os.path.dirname(out),  # not the current directory's copy
    )
    with open(out, "rb") as f:
        return pickle.load(f)


def summarise(old, new):
    """Per set: the paired new - old differences of epochs, test score and
    CPU time over the seeds (mean, standard error, worst case)."""
    print("\nset: mean (new - old) +- SE [worst] over seeds")
    for name in dict.fromkeys(key[0] for key in old):
        keys = [key for key in old if key[0] == name]
        cells = []
        for field, worst in (("n_iter_", max), ("test_score", min)):
            diff = np.array([float(new[k][field]) - float(old[k][field]) for k in keys])
            se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
            mean_old = np.mean([float(old[k][field]) for k in keys])
            cells.append(
                f"{field} {mean_old:.4g}: {diff.mean():+.4g} +- {se:.2g} "
                f"[{worst(diff):+.4g}]"
            )
        ratio = sum(new[k]["cpu_seconds"] for k in keys) / sum(
            old[k]["cpu_seconds"] for k in keys
        )
        cells.append(f"CPU new/old {ratio:.3f}")
        print(f"{name}: " + "; ".join(cells))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", help="PYTHONPATH of the reference copy")
    parser.add_argument("new", help="PYTHONPATH of the changed copy")
    parser.add_argument("--seeds", nargs="+", default=["0", "1"])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = run(args.old, args.seeds, args.sets, os.path.join(tmp, "old.pkl"))
        new = run(args.new, args.seeds, args.sets, os.path.join(tmp, "new.pkl"))
    print(f"old: {old.pop('file')}\nnew: {new.pop('file')}")
    differ = 0
    for key in old:
        for field, a in old[key].items():
            if field == "cpu_seconds":
                continue
            b = new[key][field]
            same = a.shape == b.shape and np.array_equal(a, b)
            if not same:
                differ += 1
                gap = float(np.max(np.abs(a - b))) if a.shape == b.shape else "shape"
                print(f"{key[0]} seed {key[1]} {field}: differs (max |diff| {gap})")
    fits = len(old)
    print(
        f"{fits} fits, {differ} fields differ" if differ else f"{fits} fits identical"
    )
    if differ:
        summarise(old, new)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
