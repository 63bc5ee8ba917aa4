"""
=====================================================
Automatic depth: the architecture SPARCS grows
=====================================================

The SPARCS paper's linear-to-non-linear benchmark: a regression target that
moves from linear (``alpha=0``) to quadratic (``alpha=1``) in two inputs.
With ``auto_depth=True`` the network starts as a perceptron and recruits
hidden neurons only when the target needs them. We fit both ends of the
range and compare how much signal passes through the hidden neurons
(``hidden_path_strength_``, the norm of the paper's Gamma tensor), the
eigenvalues, the grown architecture (the paper's Figure 15) and the pruning
curve (Figure 10).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from sklearn_spectral import SpectralMLPRegressor
from sklearn_spectral.datasets import make_linear_to_nonlinear
from sklearn_spectral.plotting import (
    ArchitectureDisplay,
    EigenvalueHistogramDisplay,
    PruningCurveDisplay,
)

# The library's defaults: ``hidden_layer_sizes=(100,)`` is the largest network
# allowed, and the fit decides how much of it to use.
model = SpectralMLPRegressor(auto_depth=True, random_state=0)
fits = {}
for alpha in (0.0, 1.0):
    X, y = make_linear_to_nonlinear(1500, alpha=alpha, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
    est = clone(model).fit(X_train, y_train)
    fits[alpha] = (est, X_val, y_val)
    print(
        f"alpha={alpha}: architecture_={est.architecture_}, "
        f"hidden path strength {est.hidden_path_strength_:.3g}, "
        f"validation R^2 {est.score(X_val, y_val):.3f}"
    )

# %%
# The linear target keeps no hidden neuron: ``architecture_ == ()``, a
# perceptron whose fit is carried by the input-to-output connections alone
# (``hidden_path_strength_`` is 0). The quadratic target recruits a small part
# of the 100 hidden neurons allowed, and signal passes through them.
#
# Hidden eigenvalues
# ------------------
# One histogram per fit. A neuron counts as active (``architecture_``) when
# the evidence step at the end of the fit keeps it: it must lower the
# training deviance by more than 2 per parameter it brings (Akaike). The
# others end exactly at 0 (the hatched bar).
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, (alpha, (est, _, _)) in zip(axes, fits.items()):
    EigenvalueHistogramDisplay.from_estimator(est, ax=ax)
    ax.set_title(f"alpha = {alpha}")
plt.show()

# %%
# The architectures
# -----------------
# Grey: inactive neurons. Line width is proportional to ``|w|``; connections
# below 1 % of the strongest are not drawn. Curved lines are skip
# connections.
for alpha, (est, _, _) in fits.items():
    display = ArchitectureDisplay.from_estimator(est)
    display.ax_.set_title(f"alpha = {alpha}: architecture_ = {est.architecture_}")
    plt.show()

# %%
# Only the surviving neurons
# --------------------------
est = fits[1.0][0]
ArchitectureDisplay.from_estimator(est, show_inactive=False)
plt.show()

# %%
# Pruning
# -------
# ``prune`` removes hidden neurons in order of increasing eigenvalue, measures
# the validation loss, and keeps the smallest network within 5 % of the full
# one.
est, X_val, y_val = fits[1.0]
est.prune(X_val, y_val, tol=0.05)
print("pruned architecture:", est.pruned_architecture_)
PruningCurveDisplay.from_estimator(est)
plt.show()
