"""
=====================================================
Which pixels matter: the digits as a relevance image
=====================================================

The first paper's MNIST figure on scikit-learn's 8x8 digits: the input
relevance of a spectral classifier, reshaped to the image, shows which
pixels the network uses. The penalty strength ``alpha`` sets how many
pixels survive.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_spectral import SpectralFeatureSelector, SpectralMLPClassifier
from sklearn_spectral.plotting import RelevanceDisplay, RelevanceImageDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

clf = SpectralMLPClassifier(random_state=0).fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
print(f"pixels switched off: {np.sum(clf.feature_importances_ == 0)} of 64")
print(f"pixels constant in the training set: {np.sum(X_train.std(axis=0) == 0)}")

# %%
# The relevance image
# -------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
axes[0].imshow(X[0].reshape(8, 8), cmap="gray_r")
axes[0].set_title(f"a digit ({y[0]})")
axes[0].set_axis_off()
RelevanceImageDisplay.from_estimator(clf, ax=axes[1])
axes[1].set_title("input relevance")
plt.show()

# %%
# The twenty most relevant pixels
# -------------------------------
# Pixel ``(row, column)`` names make the bars readable.
names = [f"({r}, {c})" for r in range(8) for c in range(8)]
RelevanceDisplay.from_estimator(clf, feature_names=names, max_features=20)
plt.show()

# %%
# Fewer pixels
# ------------
# A stronger penalty than the default ``alpha=0.1`` keeps fewer pixels. The
# selector's own model shows what the kept pixels are worth on the test set.
for alpha in (0.15, 0.2):
    selector = SpectralFeatureSelector(alpha=alpha, random_state=0)
    selector.fit(X_train, y_train)
    kept = selector.get_support()
    print(
        f"alpha={alpha:<4}: {kept.sum():2d} pixels kept, test accuracy "
        f"{selector.estimator_.score(X_test, y_test):.3f}"
    )

RelevanceImageDisplay.from_estimator(selector)
plt.title(f"alpha={alpha}: {kept.sum()} pixels kept (red: threshold)")
plt.show()
