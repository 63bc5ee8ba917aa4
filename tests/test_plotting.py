"""Tests of the Display objects: what is drawn, not only that nothing raises."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import cross_validate  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_spectral import (  # noqa: E402
    SpectralFeatureSelector,
    SpectralMLPClassifier,
)
from sklearn_spectral._defaults import DEFAULT_SETTINGS  # noqa: E402

ACTIVE_RTOL = DEFAULT_SETTINGS.active_rtol
from sklearn_spectral.nn.sparcs import SparcsNetwork  # noqa: E402
from sklearn_spectral.plotting import (  # noqa: E402
    ArchitectureDisplay,
    EigenvalueHistogramDisplay,
    PruningCurveDisplay,
    RelevanceDisplay,
    RelevanceImageDisplay,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=300,
        n_features=6,
        n_informative=2,
        n_redundant=0,
        shuffle=False,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def classifier(data):
    X, y = data
    torch.set_num_threads(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SpectralMLPClassifier(
            hidden_layer_sizes=(8,), max_iter=15, random_state=0
        ).fit(X, y)


@pytest.fixture(scope="module")
def selector(data):
    X, y = data
    model = SpectralMLPClassifier(hidden_layer_sizes=(8,), max_iter=15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SpectralFeatureSelector(model, random_state=0).fit(X, y)


def _small_model(random_state=None):
    """A model that trains in a fraction of a second to below a constant's loss."""
    return SpectralMLPClassifier(
        hidden_layer_sizes=(4,),
        max_iter=10,
        learning_rate_init=0.01,
        random_state=random_state,
    )


def _tick_labels(ax, axis="y"):
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in ticks]


# --------------------------------------------------------------------------- #
# import without matplotlib
# --------------------------------------------------------------------------- #
def test_package_imports_without_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import sklearn_spectral, sklearn_spectral.plotting\n"
        "from sklearn_spectral.plotting import PruningCurveDisplay\n"
        "d = PruningCurveDisplay([2, 1], [0.0, 1.0])\n"
        "try:\n"
        "    d.plot()\n"
        "except ImportError as exc:\n"
        "    assert 'matplotlib' in str(exc)\n"
        "else:\n"
        "    raise SystemExit('plot() did not raise ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- #
# RelevanceDisplay
# --------------------------------------------------------------------------- #
def test_relevance_bars_are_sorted_with_names_and_threshold():
    values = np.array([0.1, 0.5, 0.0, 0.4])
    display = RelevanceDisplay(
        values, feature_names=["a", "b", "c", "d"], threshold=0.2
    ).plot()
    assert len(display.bars_) == 4
    # most relevant on top: bars from top to bottom are b, d, a, c
    widths = [bar.get_width() for bar in display.bars_]
    assert widths == [0.5, 0.4, 0.1, 0.0]
    ys = [bar.get_y() + bar.get_height() / 2 for bar in display.bars_]
    assert ys == sorted(ys, reverse=True)
    labels = dict(zip(display.ax_.get_yticks(), _tick_labels(display.ax_)))
    assert [labels[y] for y in ys] == ["b", "d", "a", "c"]
    np.testing.assert_array_equal(display.order_, [1, 3, 0, 2])
    assert display.threshold_line_.get_xdata()[0] == pytest.approx(0.2)
    legend = display.ax_.get_legend().get_texts()[0].get_text()
    assert "2 of 4 kept" in legend
    # selected bars coloured, the others grey
    colors = [bar.get_facecolor() for bar in display.bars_]
    assert colors[0] == colors[1] != colors[2] == colors[3]
    assert display.errorbars_ is None
    assert display.figure_ is display.ax_.figure


def test_relevance_unsorted_and_max_features():
    display = RelevanceDisplay([0.1, 0.5, 0.4]).plot(sort=False)
    assert _tick_labels(display.ax_) == ["x0", "x1", "x2"]  # top to bottom
    display = RelevanceDisplay([0.1, 0.5, 0.4]).plot(max_features=2)
    assert len(display.bars_) == 2
    assert sorted(_tick_labels(display.ax_)) == ["x1", "x2"]


def test_relevance_log_scale_marks_zeros():
    display = RelevanceDisplay([0.6, 0.4, 0.0, 0.0], threshold=0.01).plot(
        log_scale=True
    )
    ax = display.ax_
    assert ax.get_xscale() == "log"
    zero_marks = [t for t in ax.texts if t.get_text() == "0"]
    assert len(zero_marks) == 2
    # the threshold stays in view
    assert ax.get_xlim()[0] < 0.01


def test_relevance_from_estimator_uses_selector_threshold(selector):
    display = RelevanceDisplay.from_estimator(selector)
    assert len(display.bars_) == selector.n_features_in_
    assert display.threshold_line_.get_xdata()[0] == pytest.approx(selector.threshold_)
    support = selector.get_support()
    selected = {f"x{j}" for j in np.flatnonzero(support)}
    top = _tick_labels(display.ax_)[: support.sum()]  # top to bottom
    assert set(top) == selected


def test_relevance_from_pipeline_and_dataframe_names(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"feat_{j}" for j in range(X.shape[1])])
    model = make_pipeline(
        StandardScaler(),
        _small_model(random_state=0),
    ).fit(frame, y)
    display = RelevanceDisplay.from_estimator(model, threshold=0.1)
    assert set(_tick_labels(display.ax_)) == set(frame.columns)
    assert display.threshold_line_.get_xdata()[0] == pytest.approx(0.1)


def test_relevance_from_estimator_without_threshold(classifier):
    _, ax = plt.subplots()
    display = RelevanceDisplay.from_estimator(classifier, ax=ax)
    assert display.ax_ is ax
    assert display.threshold_line_ is None
    assert ax.get_legend() is None
    widths = sorted(bar.get_width() for bar in display.bars_)
    np.testing.assert_allclose(widths, np.sort(classifier.feature_importances_))


def test_relevance_from_estimators_has_error_bars(data):
    X, y = data
    fits = [_small_model(random_state=s).fit(X, y) for s in range(3)]
    display = RelevanceDisplay.from_estimators(fits)
    stacked = np.vstack([f.feature_importances_ for f in fits])
    assert len(display.bars_) == X.shape[1]
    widths = [bar.get_width() for bar in display.bars_]
    np.testing.assert_allclose(widths, np.sort(stacked.mean(axis=0))[::-1])
    # one error segment per bar, spanning mean +- std
    segments = display.errorbars_.lines[2][0].get_segments()
    assert len(segments) == X.shape[1]
    half_spans = sorted((seg[1, 0] - seg[0, 0]) / 2 for seg in segments)
    np.testing.assert_allclose(half_spans, np.sort(stacked.std(axis=0)), atol=1e-12)


def test_relevance_from_cross_validate_result(data):
    X, y = data
    result = cross_validate(
        _small_model(random_state=0),
        X,
        y,
        cv=3,
        return_estimator=True,
    )
    display = RelevanceDisplay.from_estimators(result)
    assert len(display.bars_) == X.shape[1]
    assert len(display.errorbars_.lines[2][0].get_segments()) == X.shape[1]
    with pytest.raises(ValueError, match="estimator"):
        RelevanceDisplay.from_estimators({"test_score": [1.0]})


def test_relevance_from_selectors_averages_thresholds(data):
    X, y = data
    selectors = [
        SpectralFeatureSelector(
            _small_model(),
            threshold=t,
            random_state=0,
        ).fit(X, y)
        for t in (0.1, 0.2)
    ]
    display = RelevanceDisplay.from_estimators(selectors)
    assert display.threshold_line_.get_xdata()[0] == pytest.approx(0.15)


def test_relevance_rejects_unfitted_and_wrong_names(classifier):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RelevanceDisplay.from_estimator(SpectralMLPClassifier())
    with pytest.raises(ValueError, match="feature_names"):
        RelevanceDisplay.from_estimator(classifier, feature_names=["a"])


# --------------------------------------------------------------------------- #
# RelevanceImageDisplay
# --------------------------------------------------------------------------- #
def test_relevance_image_from_estimator(classifier):
    # six features: an explicit 2x3 shape
    display = RelevanceImageDisplay.from_estimator(classifier, image_shape=(2, 3))
    assert len(display.ax_.images) == 1
    np.testing.assert_allclose(
        display.im_.get_array(), classifier.feature_importances_.reshape(2, 3)
    )
    assert display.colorbar_ is not None
    assert display.colorbar_.ax.get_ylabel() == "relevance"
    assert len(display.figure_.axes) == 2  # image and colorbar
    with pytest.raises(ValueError, match="square"):
        RelevanceImageDisplay.from_estimator(classifier)
    with pytest.raises(ValueError, match="image_shape"):
        RelevanceImageDisplay.from_estimator(classifier, image_shape=(4, 4))


def test_relevance_image_threshold_log_and_no_colorbar():
    image = np.arange(16, dtype=float).reshape(4, 4) / 120
    display = RelevanceImageDisplay(image, threshold=0.05).plot(log_scale=True)
    assert display.threshold_line_.get_ydata()[0] == pytest.approx(0.05)
    assert display.im_.norm.vmin == pytest.approx(1 / 120)  # zeros below range
    display = RelevanceImageDisplay(image).plot(colorbar=False)
    assert display.colorbar_ is None
    assert len(display.figure_.axes) == 1
    with pytest.raises(ValueError, match="2-D"):
        RelevanceImageDisplay(np.ones(3)).plot()


# --------------------------------------------------------------------------- #
# EigenvalueHistogramDisplay
# --------------------------------------------------------------------------- #
def test_eigenvalue_histogram_counts_and_zero_bin():
    eigs = [[0.0, 0.0, 0.0, -1e-4, 2e-4, 0.5, -0.8], [1.0, 1.2, 0.9]]
    display = EigenvalueHistogramDisplay(eigs, layer_names=["input", "hidden 1"])
    display.plot(bins=10)
    assert display.n_zeros_ == [3, 0]
    assert [int(c.sum()) for c in display.counts_] == [4, 3]
    assert display.bin_edges_.size == 11
    assert display.bin_edges_[0] == pytest.approx(1e-4)
    assert display.bin_edges_[-1] == pytest.approx(1.2)
    # the zero bin: one bar per layer, left of the smallest edge
    heights = [bars[0].get_height() for bars in display.zero_bars_]
    assert heights == [3, 0]
    assert all(
        bars[0].get_x() + bars[0].get_width() < display.bin_edges_[0]
        for bars in display.zero_bars_
    )
    ax = display.ax_
    assert ax.get_xscale() == "log"
    assert "0" in _tick_labels(ax, axis="x")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["input (n=7, 3 exactly 0)", "hidden 1 (n=3)"]


def test_eigenvalue_histogram_without_zeros_and_zero_tol():
    display = EigenvalueHistogramDisplay([[0.1, 1.0]]).plot()
    assert display.zero_bars_ == []
    assert "0" not in _tick_labels(display.ax_, axis="x")
    display = EigenvalueHistogramDisplay([[1e-9, 0.1, 1.0]], zero_tol=1e-6).plot()
    assert display.n_zeros_ == [1]
    with pytest.raises(ValueError, match="layer_names"):
        EigenvalueHistogramDisplay([[1.0]], layer_names=["a", "b"]).plot()


def test_eigenvalue_histogram_from_estimator(classifier, selector):
    display = EigenvalueHistogramDisplay.from_estimator(classifier)
    # eigenvalues="in": the input layer's and the hidden layer's lam_in
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert [text.split(" (")[0] for text in legend] == ["input", "hidden 1"]
    lam_in = classifier.eigenvalues_[0][0]
    assert int(display.counts_[0].sum()) + display.n_zeros_[0] == lam_in.size
    assert display.n_zeros_[0] == int(np.sum(lam_in == 0))
    # a selector shows its fitted model's eigenvalues
    display = EigenvalueHistogramDisplay.from_estimator(selector)
    assert len(display.counts_) == 2


def test_eigenvalue_histogram_from_network():
    net = SparcsNetwork((3, 4, 2, 1), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        net.lam[0].copy_(torch.tensor([0.0, 0.3, 0.5, 0.0]))
        net.lam[1].copy_(torch.tensor([0.2, 0.0]))
    display = EigenvalueHistogramDisplay.from_network(net, include_output=True)
    assert display.n_zeros_ == [2, 1, 0]
    assert [int(c.sum()) for c in display.counts_] == [2, 1, 1]
    display = EigenvalueHistogramDisplay.from_network(net)
    assert len(display.counts_) == 2


# --------------------------------------------------------------------------- #
# ArchitectureDisplay
# --------------------------------------------------------------------------- #
def _offsets_per_layer(display):
    return [len(nodes.get_offsets()) for nodes in display.nodes_]


def test_architecture_nodes_edges_and_widths():
    sizes = (2, 3, 1)
    weights = {
        (1, 0): np.array([[1.0, 0.0], [0.5, 0.0], [2.0, 2.0]]),
        (2, 1): np.array([[4.0, 1.0, -2.0]]),
        (2, 0): np.array([[0.001, -1.0]]),
    }
    active = [np.array([True, True, False])]
    display = ArchitectureDisplay(sizes, weights, active=active).plot(max_linewidth=4)
    assert _offsets_per_layer(display) == [2, 3, 1]
    # inactive neuron in grey, active ones in colour
    faces = display.nodes_[1].get_facecolors()
    assert np.allclose(faces[2], to_rgba("0.8"))
    assert not np.allclose(faces[0], to_rgba("0.8"))
    # edges touching the inactive neuron and below the cutoff are not drawn
    assert display.n_edges_ == {(1, 0): 2, (2, 1): 2, (2, 0): 1}
    assert len(display.edges_[(1, 0)].get_segments()) == 2
    np.testing.assert_allclose(
        sorted(display.edges_[(2, 1)].get_linewidths()), [1.0, 4.0]
    )
    # skip connections are arcs, adjacent ones straight segments
    assert len(display.edges_[(2, 0)].get_segments()[0]) > 2
    assert len(display.edges_[(1, 0)].get_segments()[0]) == 2
    labels = _tick_labels(display.ax_, axis="x")
    assert labels == ["input\n2", "hidden 1\n2/3 active", "output\n1"]
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["adjacent layers", "skip over 1 layer", "inactive neuron"]


def test_architecture_hides_inactive_neurons():
    weights = {
        (1, 0): np.ones((3, 2)),
        (2, 1): np.ones((1, 3)),
        (2, 0): np.ones((1, 2)),
    }
    display = ArchitectureDisplay(
        (2, 3, 1), weights, active=[np.array([False, True, False])]
    ).plot(show_inactive=False)
    assert _offsets_per_layer(display) == [2, 1, 1]
    assert display.n_edges_ == {(1, 0): 2, (2, 1): 1, (2, 0): 2}
    with pytest.raises(ValueError, match="masks"):
        ArchitectureDisplay((2, 3, 1), weights, active=[]).plot()


def test_architecture_from_network_follows_active_masks():
    net = SparcsNetwork((3, 5, 4, 2), generator=torch.Generator().manual_seed(0))
    # a fresh SPARCS network is a perceptron: only input -> output edges
    display = ArchitectureDisplay.from_network(net)
    assert set(display.edges_) == {(3, 0)}
    assert display.n_edges_[(3, 0)] == 6
    assert _offsets_per_layer(display) == [3, 5, 4, 2]
    with torch.no_grad():
        net.lam[0].copy_(torch.tensor([1.0, 0.0, 0.5, 0.0, 0.0]))
    masks = [m.numpy() for m in net.active_masks()]
    display = ArchitectureDisplay.from_network(
        net, show_inactive=False, weight_cutoff=0.0
    )
    assert _offsets_per_layer(display) == [3, *(int(m.sum()) for m in masks), 2]
    assert display.n_edges_[(1, 0)] == 3 * int(masks[0].sum())


def test_architecture_from_estimator_requires_sparcs(classifier):
    with pytest.raises(TypeError, match="auto_depth"):
        ArchitectureDisplay.from_estimator(classifier)


def test_architecture_from_estimator_with_sparcs_module():
    net = SparcsNetwork((2, 3, 1), generator=torch.Generator().manual_seed(0))

    class _Fitted(BaseEstimator):
        def __init__(self):
            self.network_ = net

        def fit(self, X=None, y=None):  # pragma: no cover - marks an estimator
            return self

    display = ArchitectureDisplay.from_estimator(_Fitted())
    assert _offsets_per_layer(display) == [2, 3, 1]


# --------------------------------------------------------------------------- #
# PruningCurveDisplay
# --------------------------------------------------------------------------- #
CURVE = {
    "n_active": np.array([8, 6, 4, 3, 2, 1, 0]),
    "loss_increase": np.array([0.0, 0.001, 0.01, 0.04, 0.6, 3.0, 9.0]),
}


def test_pruning_curve_line_tolerance_and_selection():
    display = PruningCurveDisplay.from_curve(CURVE, tol=0.05, log_scale=False)
    x, y = display.line_.get_data()
    np.testing.assert_array_equal(x, np.sort(CURVE["n_active"]))
    np.testing.assert_array_equal(y, CURVE["loss_increase"][::-1])
    assert display.tol_line_.get_ydata()[0] == pytest.approx(0.05)
    assert display.n_selected_ == 3
    assert display.selected_line_.get_xdata()[0] == 3
    assert display.ax_.get_yscale() == "linear"
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["tolerance 5%", "smallest within tolerance: 3"]


def test_pruning_curve_auto_log_scale_and_without_tol():
    display = PruningCurveDisplay.from_curve(CURVE, tol=0.05)
    assert display.ax_.get_yscale() == "symlog"  # 9.0 > 20 * 0.05
    display = PruningCurveDisplay.from_curve({**CURVE, "tol": 1.0}, log_scale=False)
    assert display.tol_line_.get_ydata()[0] == pytest.approx(1.0)
    assert display.n_selected_ == 2
    display = PruningCurveDisplay(CURVE["n_active"], CURVE["loss_increase"]).plot()
    assert display.tol_line_ is None and display.n_selected_ is None
    with pytest.raises(ValueError, match="keys"):
        PruningCurveDisplay.from_curve({"n_active": [1]})
    with pytest.raises(ValueError, match="shape"):
        PruningCurveDisplay([1, 2], [0.0]).plot()


def test_pruning_curve_from_estimator():
    class _Pruned(BaseEstimator):
        def __init__(self):
            self.pruning_curve_ = {**CURVE, "tol": 0.05}

        def fit(self, X=None, y=None):  # pragma: no cover - marks an estimator
            return self

    display = PruningCurveDisplay.from_estimator(_Pruned())
    assert display.n_selected_ == 3
    assert display.tol_line_.get_ydata()[0] == pytest.approx(0.05)

    class _Unpruned(BaseEstimator):
        def __init__(self):
            self.fitted_ = True

        def fit(self, X=None, y=None):  # pragma: no cover - marks an estimator
            return self

    with pytest.raises(ValueError, match="prune"):
        PruningCurveDisplay.from_estimator(_Unpruned())


def test_architecture_from_estimator_scales_inputs_by_the_gate():
    # the auto-depth module: a SPARCS network behind a per-input gate
    net = SparcsNetwork((3, 4, 1), generator=torch.Generator().manual_seed(0))

    class _Gated(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.sparcs = net
            self.gate = torch.nn.Parameter(torch.tensor([1.0, 0.0, 2.0]))

    class _Fitted(BaseEstimator):
        def __init__(self):
            self.network_ = _Gated()

        def fit(self, X=None, y=None):  # pragma: no cover - marks an estimator
            return self

    display = ArchitectureDisplay.from_estimator(_Fitted(), weight_cutoff=0.0)
    faces = display.nodes_[0].get_facecolors()
    assert np.allclose(faces[1], to_rgba("0.8"))  # gated-off input greyed
    assert display.n_edges_[(2, 0)] == 2  # no edge leaves the gated-off input
    assert _tick_labels(display.ax_, axis="x")[0] == "input\n2/3 active"


# --------------------------------------------------------------------------- #
# uncertainty from refits (issue 11): error bars and selection frequencies
# --------------------------------------------------------------------------- #
class _RefittedSelector(BaseEstimator):
    """What a selector fitted with refits exposes, and nothing else."""

    def __init__(self, importances, std, frequencies, threshold):
        self.feature_importances_ = np.asarray(importances)
        self.importances_std_ = np.asarray(std)
        self.selection_frequencies_ = np.asarray(frequencies)
        self.threshold_ = threshold

    def get_support(self):
        return self.feature_importances_ >= self.threshold_

    def fit(self, X=None, y=None):  # pragma: no cover - marks an estimator
        return self


def test_relevance_from_estimator_draws_refit_std_and_frequencies():
    importances = np.array([0.1, 0.4, 0.0, 0.3, 0.2])
    std = np.array([0.01, 0.05, 0.0, 0.02, 0.04])
    freq = np.array([0.2, 1.0, 0.0, 0.9, 0.6])
    refitted = _RefittedSelector(importances, std, freq, threshold=0.15)
    display = RelevanceDisplay.from_estimator(make_pipeline(StandardScaler(), refitted))
    order = display.order_
    segments = display.errorbars_.lines[2][0].get_segments()
    half_spans = [(seg[1, 0] - seg[0, 0]) / 2 for seg in segments]
    np.testing.assert_array_equal(order, [1, 3, 4, 0, 2])
    np.testing.assert_allclose(half_spans, std[order])
    markers = display.frequency_markers_
    np.testing.assert_allclose(markers.get_xdata(), freq[order])
    bar_ys = [bar.get_y() + bar.get_height() / 2 for bar in display.bars_]
    np.testing.assert_allclose(markers.get_ydata(), bar_ys)
    assert display.frequency_ax_.get_xlim() == pytest.approx((-0.02, 1.02))
    assert display.frequency_ax_.get_xlabel() == "selection frequency"
    legend = display.frequency_ax_.get_legend().get_texts()
    assert [t.get_text().split(" =")[0] for t in legend] == [
        "threshold",
        "selection frequency",
    ]


def test_relevance_without_refits_has_no_frequency_axis(classifier):
    display = RelevanceDisplay.from_estimator(classifier)
    assert display.errorbars_ is None
    assert display.frequency_ax_ is None and display.frequency_markers_ is None
    assert len(display.figure_.axes) == 1


def test_relevance_frequencies_on_a_log_axis_keep_their_own_scale():
    display = RelevanceDisplay(
        [0.6, 0.4, 0.0], selection_frequencies=[1.0, 0.5, 0.0]
    ).plot(log_scale=True)
    assert display.ax_.get_xscale() == "log"
    assert display.frequency_ax_.get_xscale() == "linear"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"importances_std": [0.1, 0.1]}, "importances_std"),
        ({"selection_frequencies": [0.5, 0.5]}, "selection_frequencies"),
        ({"selection_frequencies": [0.5, 1.5, 0.0]}, r"\[0, 1\]"),
        ({"selection_frequencies": [0.5, -0.1, 0.0]}, r"\[0, 1\]"),
    ],
)
def test_relevance_rejects_malformed_uncertainty(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RelevanceDisplay([0.5, 0.3, 0.2], **kwargs).plot()


# --------------------------------------------------------------------------- #
# style dictionaries take matplotlib's aliases
# --------------------------------------------------------------------------- #
def _pruning(kw_name, kw):
    display = PruningCurveDisplay.from_curve(CURVE, tol=0.05, **{kw_name: kw})
    return {
        "line_kw": display.line_,
        "tol_kw": display.tol_line_,
        "selected_kw": display.selected_line_,
    }[kw_name]


def _relevance(kw_name, kw):
    display = RelevanceDisplay(
        [0.5, 0.3, 0.2], threshold=0.25, selection_frequencies=[1.0, 0.5, 0.0]
    ).plot(**{kw_name: kw})
    return {
        "bar_kw": display.bars_[0],
        "threshold_kw": display.threshold_line_,
        "frequency_kw": display.frequency_markers_,
    }[kw_name]


def _histogram(kw_name, kw):
    display = EigenvalueHistogramDisplay([[0.1, 1.0]]).plot(**{kw_name: kw})
    return display.patches_[0][0]


def _image(kw_name, kw):
    display = RelevanceImageDisplay(np.eye(3), threshold=0.5).plot(**{kw_name: kw})
    return display.threshold_line_


@pytest.mark.parametrize(
    "draw, kw_name, alias, getter, expected",
    [
        (_pruning, "line_kw", {"ms": 8}, "get_markersize", 8.0),
        (_pruning, "tol_kw", {"lw": 1.0}, "get_linewidth", 1.0),
        (_pruning, "selected_kw", {"ls": ":"}, "get_linestyle", ":"),
        (_relevance, "bar_kw", {"lw": 2.0}, "get_linewidth", 2.0),
        (_relevance, "threshold_kw", {"c": "k"}, "get_color", "k"),
        (_relevance, "frequency_kw", {"ms": 9}, "get_markersize", 9.0),
        (_histogram, "hist_kw", {"lw": 3.0}, "get_linewidth", 3.0),
        (_image, "threshold_kw", {"lw": 4.0}, "get_linewidth", 4.0),
    ],
)
def test_style_kwargs_aliases_override_the_defaults(
    draw, kw_name, alias, getter, expected
):
    artist = draw(kw_name, alias)
    assert getattr(artist, getter)() == expected


def test_style_kwargs_reject_an_alias_with_its_long_name():
    with pytest.raises(TypeError, match="aliases"):
        PruningCurveDisplay(CURVE["n_active"], CURVE["loss_increase"]).plot(
            line_kw={"ms": 8, "markersize": 9}
        )


# --------------------------------------------------------------------------- #
# the activity threshold is the library's
# --------------------------------------------------------------------------- #
def test_architecture_default_rtol_is_the_library_activity_threshold():
    net = SparcsNetwork((2, 3, 1), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        # one neuron on each side of ACTIVE_RTOL times the output eigenvalue
        net.lam[0].copy_(torch.tensor([1.0, 0.5 * ACTIVE_RTOL, 2 * ACTIVE_RTOL]))
    display = ArchitectureDisplay.from_network(net)
    faces = display.nodes_[1].get_facecolors()
    inactive = [np.allclose(face, to_rgba("0.8")) for face in faces]
    assert inactive == [False, True, False]
    assert _tick_labels(display.ax_, axis="x")[1] == "hidden 1\n2/3 active"
    documented = f"rtol : float, default={ACTIVE_RTOL:g}"
    assert documented in ArchitectureDisplay.from_network.__doc__
    assert documented in ArchitectureDisplay.from_estimator.__doc__
