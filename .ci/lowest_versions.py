"""A default fit of each estimator, for the "lowest versions" CI step.

Run by ``.ci/run`` in a virtual environment that holds numpy, scipy,
scikit-learn and skorch at the floors ``pyproject.toml`` declares. It checks
that the library imports, fits at its defaults, predicts and selects on
those versions; the full suite runs on the newest versions before it.
"""

import sys
import warnings

import numpy as np
import scipy
import sklearn
import skorch
import torch
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)


def main():
    print(
        "python",
        sys.version.split()[0],
        "numpy",
        np.__version__,
        "scipy",
        scipy.__version__,
        "scikit-learn",
        sklearn.__version__,
        "skorch",
        skorch.__version__,
        "torch",
        torch.__version__,
        flush=True,
    )
    # a fit that stops at max_iter warns; anything else is a failure here
    warnings.simplefilter("error")
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_iris(return_X_y=True)
    clf = SpectralMLPClassifier(random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9, clf.score(X, y)
    assert clf.predict_proba(X).shape == (150, 3)
    X, y = load_diabetes(return_X_y=True)
    reg = SpectralMLPRegressor(random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.3, reg.score(X, y)
    X, y = make_classification(
        300, 10, n_informative=3, n_redundant=0, shuffle=False, random_state=0
    )
    sel = SpectralFeatureSelector(random_state=0).fit(X, y)
    kept = sel.get_support(indices=True)
    assert set(kept) & {0, 1, 2}, kept
    assert sel.transform(X).shape[1] == len(kept)
    for est in (clf, reg, sel):
        print(type(est).__name__, "ok", flush=True)


if __name__ == "__main__":
    main()
