"""Constants of the torch side, stated once (imports nothing).

``sklearn_spectral._defaults`` re-exports them for the estimators.
"""

#: A hidden neuron is active when its score (its effective eigenvalue in a
#: SPARCS network) exceeds this fraction of the largest. Unused eigenvalues
#: end orders of magnitude below the used ones, so 1e-2 sits in the gap on
#: the SPARCS paper's toy; with the L1 depth penalty most end at exactly 0.
ACTIVE_RTOL = 1e-2
