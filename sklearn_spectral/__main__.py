"""``python -m sklearn_spectral``: the command line of :mod:`sklearn_spectral._cli`.

``main`` is re-exported here for the ``sklearn-spectral`` console script.
"""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
