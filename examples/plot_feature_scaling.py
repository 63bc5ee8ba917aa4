"""
=====================================================
Relevance depends on scale: standardise
=====================================================

Relevance is the size of the weights leaving an input, and the size of a
weight depends on the unit of its input: the same information in
centimetres instead of metres needs a weight 100 times smaller. Features on
different scales therefore get relevances that reflect their units as much
as their information, and the penalty, which acts on the eigenvalues of all
inputs alike, treats them unequally. Below, one informative feature is
multiplied by 100; without standardisation the fit with the default
penalty keeps only that feature, switches the other informative ones off and
learns nothing useful (its ``ConvergenceWarning`` below says so), and the
relevance no longer shows which three features are informative. A
:class:`~sklearn.preprocessing.StandardScaler` in front of the model fixes
that.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_spectral import SpectralMLPClassifier
from sklearn_spectral.plotting import RelevanceDisplay

X, y = make_classification(
    n_samples=1000,
    n_features=6,
    n_informative=3,
    n_redundant=0,
    shuffle=False,
    random_state=0,
)
X[:, 0] *= 100.0  # informative, but in "centimetres"

model = SpectralMLPClassifier(hidden_layer_sizes=(32,), max_iter=60, random_state=0)
raw = clone(model).fit(X, y)
scaled = make_pipeline(StandardScaler(), clone(model))
scaled.fit(X, y)

fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True, layout="constrained")
RelevanceDisplay.from_estimator(raw, ax=axes[0], sort=False)
axes[0].set_title("raw, x0 multiplied by 100")
RelevanceDisplay.from_estimator(scaled, ax=axes[1], sort=False)
axes[1].set_title("standardised")
plt.show()

print("raw:         ", raw.feature_importances_.round(3))
print("standardised:", scaled[-1].feature_importances_.round(3))
print(f"training accuracy: raw {raw.score(X, y):.3f}", end=", ")
print(f"standardised {scaled.score(X, y):.3f}")
