"""Plots of the spectral quantities, as scikit-learn style Display objects.

Every display is built in two steps, as in :mod:`sklearn.metrics` and
:mod:`sklearn.inspection`: a ``from_estimator`` (or ``from_network`` /
``from_curve``) class method extracts what is plotted from a fitted object
and calls :meth:`plot`, which draws on a matplotlib ``Axes`` and stores the
artists as attributes ending in ``_``. Calling the constructor directly with
precomputed values and then :meth:`plot` gives the same figure.

The displays read public fitted attributes only. Style dictionaries
(``bar_kw``, ``line_kw``, ...) accept matplotlib's short aliases
(``{"ms": 8}``, ``{"lw": 2}``), which override the displays' defaults.

matplotlib is an optional dependency (``pip install sklearn-spectral[plot]``);
it is imported only when a plot is drawn.
"""

from ._architecture import ArchitectureDisplay
from ._eigenvalue_histogram import EigenvalueHistogramDisplay
from ._pruning_curve import PruningCurveDisplay
from ._regularization_path import RegularizationPathDisplay
from ._relevance import RelevanceDisplay
from ._relevance_image import RelevanceImageDisplay

__all__ = [
    "ArchitectureDisplay",
    "EigenvalueHistogramDisplay",
    "PruningCurveDisplay",
    "RegularizationPathDisplay",
    "RelevanceDisplay",
    "RelevanceImageDisplay",
]
