"""
================================================================
Your own table: categories, missing cells, one answer per column
================================================================

A real table is not a matrix of finished floats: it has category and text
columns and missing cells. The estimators take a :class:`pandas.DataFrame`
as it is. Category, text and boolean columns are one-hot encoded inside the
model, and a numeric column with missing cells gets the training mean in
them plus a missing indicator. All the inputs made from one column share
**one input eigenvalue**, so the L1 penalty keeps or drops the column as a
whole and every answer speaks of the original columns.

Here ``load_diabetes`` is turned into such a table: ``sex`` becomes a
category, 15 % of the ``bmi`` and ``s5`` cells go missing, and a text
column ``clinic`` that has nothing to do with the target is added.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from sklearn_spectral import SpectralFeatureSelector
from sklearn_spectral.plotting import RegularizationPathDisplay, RelevanceDisplay

data = load_diabetes(as_frame=True)
X, y = data.data.copy(), data.target
rng = np.random.RandomState(0)
X["sex"] = pd.Categorical(np.where(X["sex"] > 0, "male", "female"))
for column in ("bmi", "s5"):
    X.loc[rng.rand(len(X)) < 0.15, column] = np.nan
X["clinic"] = rng.choice(["north", "south", "east", "west"], len(X))
print(X.dtypes.value_counts().to_dict())
print(X.head(3))

# %%
# One relevance per original column
# ---------------------------------
# The selector picks the penalty strength by validation and keeps the
# columns the model uses. ``feature_importances_`` has one entry per column
# of the table, ``get_feature_names_out`` names the kept columns.
selector = SpectralFeatureSelector(random_state=0).fit(X, y)
for name, importance in zip(X.columns, selector.feature_importances_):
    print(f"{name:>7}: {importance:.3f}")
print("kept:", list(selector.get_feature_names_out()))

# %%
# What the network saw
# --------------------
# ``encoder_`` of the fitted model says how each column became inputs: a
# numeric column is one input (plus ``_missing`` when it had missing
# cells), a category one input per level (a two-level one, such as ``sex``,
# one 0/1 input).
model = selector.estimator_
inputs = model.encoder_.get_feature_names_out()
groups = model.encoder_.input_groups_
for group in np.unique(groups):
    print(X.columns[group], "->", list(inputs[groups == group]))

# %%
# Prediction takes new levels and missing cells
# ---------------------------------------------
# A clinic not seen in training goes to the unknown bucket; a missing cell
# gets the training mean.
new = X.iloc[:3].copy()
new["clinic"] = ["harbour", "north", None]
new["bmi"] = np.nan
print(model.predict(new).round(1))

# %%
# The path: each column against the strength
# ------------------------------------------
# The selector tried a grid of strengths (``alpha_path_``) and kept, for
# each, the importances of the models it fitted there (mean over its
# cross-validation folds). The display draws them, with no new fit: the
# columns that survive the strongest penalty matter most. The dashed line is
# the strength the selector chose, the dotted curve its validation loss.
# (``refit=True`` with ``X, y`` refits one model per strength on all rows.)
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
RelevanceDisplay.from_estimator(selector, ax=axes[0])
axes[0].set_title("relevance per original column")
RegularizationPathDisplay.from_estimator(selector, ax=axes[1])
axes[1].set_title("regularization path")
plt.show()
