"""The parts of :class:`~sklearn_spectral.SpectralFeatureSelector`.

``feature_selection.py`` holds the public class; the work it orchestrates
lives here, one responsibility per module:

* :mod:`._face`: what the selector shares with scikit-learn's
  ``SelectFromModel``: threshold rules and reading importances.
* :mod:`._strength`: the penalty strength of ``alpha="auto"``, chosen by
  K-fold cross-validation: the most reproducible selection among the
  strengths that predict as well as the best.
* :mod:`._groups`: groups of near-duplicate columns (rank correlation),
  kept or dropped together by the minimal mode.
* :mod:`._refits`: fits on all rows with several seeds (the consensus that
  makes the selected set a function of the data) and the refits on
  half-samples of ``n_repeats`` (stability selection).
* :mod:`._all_relevant`: the shadow-column test of ``mode="all-relevant"``.

Nothing here imports the selector; each function takes what it needs.
"""
