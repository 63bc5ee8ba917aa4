"""Spectral neural networks for scikit-learn.

Global input relevance, sparse inputs and automatic depth from one ``fit``.
"""

from ._mlp import SpectralMLPClassifier, SpectralMLPRegressor
from .feature_selection import SpectralFeatureSelector

__version__ = "0.2.0.dev0"

__all__ = [
    "SpectralFeatureSelector",
    "SpectralMLPClassifier",
    "SpectralMLPRegressor",
    "__version__",
]
