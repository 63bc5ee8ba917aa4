"""
=====================================================
Relevance and units: the internal standardisation
=====================================================

Relevance is the size of the weights leaving an input, and the size of a
weight depends on the unit of its input: the same information in
centimetres instead of metres needs a weight 100 times smaller, which the
penalty favours. The estimators therefore standardise every column inside
the network (``standardize=True``, the default): the relevance of a column
is that of a change of one standard deviation, whatever its unit.

Below, a noise column is recorded in other units (multiplied by 100). With
the default, the relevances are the same as on the original data: the three
informative columns share it and the noise columns get exactly 0. With
``standardize=False`` the rescaled noise column takes a large share of the
relevance, an informative column is switched off instead, and the training
accuracy drops.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.datasets import make_classification

from sklearn_spectral import SpectralMLPClassifier
from sklearn_spectral.plotting import RelevanceDisplay

X, y = make_classification(
    n_samples=1000,
    n_features=6,
    n_informative=3,
    n_redundant=0,
    shuffle=False,  # x0, x1, x2 are informative, x3, x4, x5 noise
    random_state=0,
)
X_units = X.copy()
X_units[:, 5] *= 100.0  # a noise column in "centimetres"

model = SpectralMLPClassifier(random_state=0)
original = clone(model).fit(X, y)
default = clone(model).fit(X_units, y)
raw = clone(model).set_params(standardize=False).fit(X_units, y)

print("original data:          ", original.feature_importances_.round(3))
print("x5 * 100, default:      ", default.feature_importances_.round(3))
print("x5 * 100, no scaling:   ", raw.feature_importances_.round(3))
print(f"training accuracy: default {default.score(X_units, y):.3f}", end=", ")
print(f"standardize=False {raw.score(X_units, y):.3f}")

# %%
# The scaling the default learnt
# ------------------------------
# ``input_mean_`` and ``input_scale_`` hold the mean and standard deviation
# of each column; they are a fixed first step of the network, so ``predict``,
# ``prune`` and ``to_torch`` take the data in its own units.
print("input_scale_:", default.input_scale_.round(2))

# %%
# The relevance with and without the internal standardisation
# -------------------------------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
RelevanceDisplay.from_estimator(default, ax=axes[0], sort=False)
axes[0].set_title("x5 multiplied by 100, default")
RelevanceDisplay.from_estimator(raw, ax=axes[1], sort=False)
axes[1].set_title("x5 multiplied by 100, standardize=False")
plt.show()
