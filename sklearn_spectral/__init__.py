"""Spectral neural networks for scikit-learn.

Global input relevance, sparse inputs and automatic depth from one ``fit``.
"""

from ._defaults import DEFAULT_SETTINGS, Settings
from ._mlp import SpectralMLPClassifier, SpectralMLPRegressor
from .feature_selection import SpectralFeatureSelector

__version__ = "0.2.0.dev0"

__all__ = [
    "DEFAULT_SETTINGS",
    "Settings",
    "SpectralFeatureSelector",
    "SpectralMLPClassifier",
    "SpectralMLPRegressor",
    "__version__",
]
