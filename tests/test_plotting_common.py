"""The contract every display keeps, after scikit-learn's common display test.

scikit-learn checks its curve displays in one parametrised file
(``sklearn/metrics/_plot/tests/test_common_curve_display.py``); this is the
same for the five spectral displays: ``from_estimator`` draws and sets
``ax_`` and ``figure_``, refuses an unfitted estimator, takes a Pipeline
ending in the model, and returns the subclass it was called on.
"""

import warnings

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_spectral import SpectralMLPClassifier  # noqa: E402
from sklearn_spectral.plotting import (  # noqa: E402
    ArchitectureDisplay,
    EigenvalueHistogramDisplay,
    PruningCurveDisplay,
    RelevanceDisplay,
    RelevanceImageDisplay,
)

DISPLAYS = [
    RelevanceDisplay,
    RelevanceImageDisplay,
    EigenvalueHistogramDisplay,
    ArchitectureDisplay,
    PruningCurveDisplay,
]

# one model serves all five displays: auto-depth (for the architecture),
# four features (a 2x2 relevance image), pruned (for the pruning curve)
MODEL = SpectralMLPClassifier(
    hidden_layer_sizes=(6,), auto_depth=True, max_iter=10, random_state=0
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=200, n_features=4, n_informative=2, n_redundant=0, random_state=0
    )


def _fit_and_prune(estimator, X, y):
    """Fit, then call ``prune`` on the final step (on its transformed input)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    if hasattr(estimator, "steps"):
        X = estimator[:-1].transform(X)
        estimator = estimator[-1]
    estimator.prune(X, y)


@pytest.fixture(scope="module")
def fitted_model(data):
    model = clone(MODEL)
    _fit_and_prune(model, *data)
    return model


@pytest.fixture(scope="module")
def fitted_pipeline(data):
    pipe = make_pipeline(StandardScaler(), clone(MODEL))
    _fit_and_prune(pipe, *data)
    return pipe


@pytest.mark.parametrize("Display", DISPLAYS)
def test_from_estimator_sets_ax_and_figure(Display, fitted_model):
    display = Display.from_estimator(fitted_model)
    assert isinstance(display.ax_, matplotlib.axes.Axes)
    assert display.figure_ is display.ax_.figure
    # the given axes are drawn on, not a new figure
    _, ax = plt.subplots()
    display = Display.from_estimator(fitted_model, ax=ax)
    assert display.ax_ is ax
    assert display.figure_ is ax.figure


@pytest.mark.parametrize("Display", DISPLAYS)
@pytest.mark.parametrize(
    "unfitted",
    [clone(MODEL), make_pipeline(StandardScaler(), clone(MODEL))],
    ids=["model", "pipeline"],
)
def test_from_estimator_raises_not_fitted_error(Display, unfitted):
    with pytest.raises(NotFittedError):
        Display.from_estimator(unfitted)


@pytest.mark.parametrize("Display", DISPLAYS)
def test_from_estimator_accepts_pipeline_ending_in_the_model(Display, fitted_pipeline):
    display = Display.from_estimator(fitted_pipeline)
    assert display.figure_ is display.ax_.figure
    assert display.ax_.has_data()


@pytest.mark.parametrize("Display", DISPLAYS)
def test_from_estimator_returns_the_subclass(Display, fitted_model):
    class SubclassOfDisplay(Display):
        pass

    display = SubclassOfDisplay.from_estimator(fitted_model)
    assert isinstance(display, SubclassOfDisplay)
