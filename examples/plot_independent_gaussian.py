"""
=====================================================
Relevance against the ground truth
=====================================================

The first paper's *independent Gaussian* benchmark: each feature is drawn
from a class-conditional Gaussian whose two means are ``r_j`` apart, so the
true relevance of feature ``j`` is known. A spectral classifier's
``feature_importances_`` should rank the features as ``r_j`` does.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import spearmanr

from sklearn_spectral import SpectralMLPClassifier
from sklearn_spectral.datasets import make_independent_gaussian
from sklearn_spectral.plotting import RelevanceDisplay

X, y, true_relevance = make_independent_gaussian(n_samples=3000, random_state=0)
clf = SpectralMLPClassifier(random_state=0)
clf.fit(X, y)
estimated = clf.feature_importances_

rho = spearmanr(true_relevance, estimated).statistic
print(f"Spearman rank correlation with the truth: {rho:.3f}")

# %%
# Estimated against true relevance
# --------------------------------
# Both normalised to sum to one. The penalty does not know the truth: it
# switches off the features that do not lower the loss enough to pay for
# themselves. Those are the irrelevant features (true relevance 0) and the
# weakly relevant ones (true relevance of about 0.1 or less): here all nine
# irrelevant features and the weak x4, x5 and x6 end at exactly 0. The lists
# at the end compare the two sets.
fig, ax = plt.subplots(layout="constrained")
ax.scatter(true_relevance / true_relevance.sum(), estimated)
lim = 1.05 * max(estimated.max(), (true_relevance / true_relevance.sum()).max())
ax.plot([0, lim], [0, lim], color="0.6", linestyle="--", label="y = x")
ax.set_xlabel("true relevance (normalised)")
ax.set_ylabel("feature_importances_")
ax.set_title(f"Spearman rho = {rho:.2f}")
ax.legend()
plt.show()

# %%
# The same as a bar chart, with the true relevance in the names
# --------------------------------------------------------------
names = [f"x{j} (r={r:.2f})" for j, r in enumerate(true_relevance)]
RelevanceDisplay.from_estimator(clf, feature_names=names)
plt.show()

# %%
# The L1 proximal step gives exact zeros, not merely small values:
print("features with relevance exactly 0:", np.flatnonzero(estimated == 0))
print("truly irrelevant features:        ", np.flatnonzero(true_relevance == 0))
