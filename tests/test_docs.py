"""Build the documentation with warnings as errors.

Run it with::

    pytest tests/test_docs.py -p no:cacheprovider

or build by hand with ``sphinx-build -W --keep-going -b html docs
docs/_build/html``. Skipped when Sphinx or an extension is not installed
(``pip install -e .[docs]``). The gallery examples run during the build.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

for _module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
    pytest.importorskip(_module)
pytest.importorskip("matplotlib")

DOCS = Path(__file__).resolve().parents[1] / "docs"
BUDGET_S = 300


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    # build from a copy: sphinx-gallery and autosummary write next to the
    # sources, and concurrent runs must not collide
    root = tmp_path / "src"
    shutil.copytree(DOCS, root / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(DOCS.parent / "examples", root / "examples")
    build = tmp_path / "html"
    doctrees = tmp_path / "doctrees"
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(doctrees),
            str(root / "docs"),
            str(build),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-10000:]
    index = (build / "index.html").read_text()
    assert "sphx_glr_plot_feature_selection_001.png" in index
    assert (build / "auto_examples" / "plot_sparcs_architecture.html").exists()
    assert (
        build / "generated" / "sklearn_spectral.SpectralMLPClassifier.html"
    ).exists()
    assert elapsed < BUDGET_S, f"docs build took {elapsed:.0f} s"
