"""Users' own tables (issue 21): categoricals, missing cells, groups, class
weights, multilabel targets and sparse input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)
from sklearn_spectral.datasets import make_mixed_table
from sklearn_spectral.nn.mlp import SpectralMLP

pd = pytest.importorskip("pandas")

COLUMNS = ["age", "city", "plan", "member", "visits", "noise", "color", "code"]


def _table(seed=0, n=400, task="classification"):
    return make_mixed_table(n_samples=n, task=task, random_state=seed)


# --------------------------------------------------------------------------- #
# one answer per original column
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("cls", [SpectralMLPClassifier, SpectralMLPRegressor])
def test_one_importance_per_original_column(cls):
    task = "classification" if cls is SpectralMLPClassifier else "regression"
    X, y, _ = _table(task=task)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a table fit at the defaults warns not
        model = cls(random_state=0, max_iter=400).fit(X, y)
    assert model.n_features_in_ == 8
    assert list(model.feature_names_in_) == COLUMNS
    for name in ("feature_importances_", "input_relevance_", "input_eigenvalues_"):
        assert getattr(model, name).shape == (8,)
    assert model.feature_importances_.sum() == pytest.approx(1.0)
    # more network inputs than columns: one-hot levels and missing indicators
    assert len(model.encoder_.get_feature_names_out()) > 8


def test_inputs_of_one_column_share_one_eigenvalue_and_go_together():
    X, y, _ = _table()
    clf = SpectralMLPClassifier(random_state=0, alpha=0.5).fit(X, y)
    layer = clf.network_.layers[0]
    encoder = clf.encoder_
    assert layer.lam_in.numel() == 8  # one eigenvalue per original column
    node_lam = layer.node_lam_in.detach().numpy()
    weight_norms = torch.linalg.vector_norm(layer.weight, dim=0).detach().numpy()
    for j in range(8):
        inputs = encoder.column_of_input_ == j
        assert np.unique(node_lam[inputs]).size == 1
        # a column is entirely in or entirely out
        if clf.input_eigenvalues_[j] == 0:
            assert np.all(weight_norms[inputs] == 0)
            assert clf.feature_importances_[j] == 0
        else:
            assert clf.feature_importances_[j] > 0
    # at this strength some column is switched off, some kept
    assert 0 < np.sum(clf.input_eigenvalues_ == 0) < 8


@pytest.mark.parametrize(
    "task, seed",
    [
        ("classification", 0),
        ("classification", 1),
        ("classification", 2),
        ("regression", 0),
        ("regression", 1),
        ("regression", 2),
    ],
)
def test_selector_ranks_the_relevant_columns_above_the_irrelevant(task, seed):
    # benchmarks/bench_encoding_cost.py, seeds 0-5: a clean ranking in 6 of 6
    # (classification) and 5 of 6 (regression, where one seed drops the
    # weakest relevant column, the boolean); no irrelevant column kept but
    # one the vote could not decide: since session 14 a column whose vote
    # share is too close to the level to tell is kept and listed in
    # band_undecided_ (Settings.strength_vote_z; on classification seed 1
    # one irrelevant column is)
    X, y, relevant = make_mixed_table(n_samples=600, task=task, random_state=seed)
    selector = SpectralFeatureSelector(random_state=seed).fit(X, y)
    scores = selector.feature_importances_
    assert scores.shape == (8,)
    support = selector.get_support()
    undecided = selector.band_undecided_
    assert not (support & ~undecided)[~relevant].any()
    assert support[relevant].sum() >= (4 if task == "classification" else 3)
    kept = scores[relevant][support[relevant]]
    assert kept.min() > scores[~relevant].max()
    names = selector.get_feature_names_out()
    assert set(names) == {c for c, keep in zip(COLUMNS, support) if keep}


def test_regressor_alone_ranks_the_relevant_columns_first():
    # the model's own importances, no selector, over seeds: while the
    # relative L1 followed the squared error itself an irrelevant column
    # (visits, noise) outranked the boolean or the city on 5 of 10 tables
    # (benchmarks/bench_tables.py, mixed-regression); at the 3/4 power 9 of
    # 10 are clean (seed 0 at margin -0.011) and the margin is positive on
    # average. At most one of these five seeds may fall just below.
    margins = []
    for seed in range(5):
        X, y, relevant = make_mixed_table(
            n_samples=600, task="regression", random_state=seed
        )
        scores = SpectralMLPRegressor(random_state=seed).fit(X, y).feature_importances_
        margins.append(scores[relevant].min() - scores[~relevant].max())
    margins = np.array(margins)
    assert (margins > 0).sum() >= 4, margins
    assert margins.min() > -0.05, margins
    assert margins.mean() > 0.02, margins


def test_relative_strength_follows_the_loss_to_the_given_power():
    from sklearn_spectral._training.callbacks import PenaltySchedule, TermSchedule

    schedules = {
        "root": TermSchedule(relative=True, power=0.5),
        "plain": TermSchedule(relative=True),
        "fixed": TermSchedule(relative=False, power=0.5),
    }
    schedule = PenaltySchedule(schedules, initial_scale=2.0, min_scale=0.1)
    schedule.initialize()
    schedule.scale_ = 0.5  # a quarter of the constant prediction's loss
    assert schedule.strength("root", 0.1) == pytest.approx(0.1 * 2.0 * 0.5)
    assert schedule.strength("plain", 0.1) == pytest.approx(0.1 * 0.5)
    assert schedule.strength("fixed", 0.1) == pytest.approx(0.1)
    schedule.scale_ = 1e-4  # the floor holds for the root too
    assert schedule.strength("root", 0.1) == pytest.approx(0.1 * 0.1)


def test_selector_pandas_output_keeps_the_kept_columns_and_dtypes():
    X, y, _ = _table(n=600)
    selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    selector.set_output(transform="pandas")
    out = selector.transform(X)
    kept = list(selector.get_feature_names_out())
    assert list(out.columns) == kept
    for name in kept:
        assert out[name].dtype == X[name].dtype
    assert out.shape == (600, len(kept))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_unseen_categories_and_missing_cells_at_predict_time():
    X, y, _ = _table()
    clf = SpectralMLPClassifier(random_state=0, max_iter=50).fit(X, y)
    new = X.iloc[:6].copy()
    new["city"] = ["Tokyo", "Paris", None, "Rome", "Tokyo", "Lima"]
    new["plan"] = pd.Categorical(["pro", "vip", "free", None, "pro", "basic"])
    new["color"] = pd.array(["red", "pink", pd.NA, "blue", "red", "red"], "string")
    new["member"] = pd.array([True, pd.NA, False, pd.NA, True, False], "boolean")
    new["visits"] = pd.array([pd.NA] * 6, dtype="Int64")
    new["age"] = np.nan
    new["noise"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = clf.predict_proba(new)
        labels = clf.predict(new)
    assert proba.shape == (6, 2)
    assert np.all(np.isfinite(proba))
    assert set(labels) <= set(clf.classes_)


def test_missing_cells_are_imputed_with_an_indicator_in_the_column():
    X, y, _ = _table()
    reg = SpectralMLPRegressor(random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y)
    names = list(reg.encoder_.get_feature_names_out())
    assert "age_missing" in names and "visits_missing" in names
    age = reg.encoder_.column_names_.index("age")
    assert reg.encoder_.fill_values_[age] == pytest.approx(np.nanmean(X["age"]))
    groups = reg.encoder_.input_groups_
    assert groups[names.index("age")] == groups[names.index("age_missing")]


def test_two_level_column_with_missing_cells_is_a_value_and_an_indicator():
    # a nullable boolean (or two text levels) with missing cells is encoded
    # as a numeric column: one 0/1 input imputed with its training mean,
    # and a missing indicator, in one group (not three one-hot dummies)
    from sklearn_spectral._defaults import DEFAULT_SETTINGS
    from sklearn_spectral._tabular import TableEncoder

    rng = np.random.RandomState(0)
    flag = rng.rand(200) < 0.3
    X = pd.DataFrame(
        {
            "member": pd.array(flag, dtype="boolean"),
            "side": pd.Series(np.where(flag, "left", "right"), dtype=object),
            "full": flag,  # no missing cell: one 0/1 input, as before
        }
    )
    X.loc[::9, "member"] = pd.NA
    X.loc[::11, "side"] = None
    encoder = TableEncoder("from_dtype", None, DEFAULT_SETTINGS)
    Z = encoder.fit_transform(X)
    names = list(encoder.get_feature_names_out())
    assert names == [
        "member_True",
        "member_missing",
        "side_right",
        "side_missing",
        "full_True",
    ]
    assert encoder.binary_.tolist() == [True, True, False]
    assert encoder.input_groups_.tolist() == [0, 0, 1, 1, 2]
    observed = X["member"].notna().to_numpy()
    np.testing.assert_array_equal(Z[:, 1], ~observed)
    np.testing.assert_array_equal(Z[observed, 0], flag[observed])
    assert Z[~observed, 0] == pytest.approx(flag[observed].mean())
    # the imputed value is uncorrelated with its indicator
    assert abs(np.corrcoef(Z[:, 0], Z[:, 1])[0, 1]) < 1e-9
    # prediction: missing cells and an unseen level (counts as the first)
    new = X.iloc[:3].copy()
    new["member"] = pd.array([pd.NA, True, False], dtype="boolean")
    new["side"] = pd.Series([None, "up", "right"], dtype=object)
    out = encoder.transform(new)
    np.testing.assert_allclose(out[:, 0], [flag[observed].mean(), 1, 0])
    np.testing.assert_array_equal(out[:, 1], [1, 0, 0])
    np.testing.assert_array_equal(
        out[:, 2:4], [[Z[X["side"].isna()][0, 2], 1], [0, 0], [1, 0]]
    )


def test_all_missing_column_is_an_error_naming_it():
    X, y, _ = _table(n=100)
    X["visits"] = pd.array([pd.NA] * 100, dtype="Int64")
    with pytest.raises(ValueError, match="'visits'.*every cell is missing"):
        SpectralMLPClassifier(max_iter=5).fit(X, y)
    array = np.random.RandomState(0).normal(size=(50, 3))
    array[:, 1] = np.nan
    with pytest.raises(ValueError, match="'x1'"):
        SpectralMLPRegressor(max_iter=5).fit(array, array[:, 0])


def test_numpy_input_passes_through_with_one_eigenvalue_per_column(
    classification_data,
):
    X, y = classification_data
    clf = SpectralMLPClassifier(random_state=0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.encoder_.passthrough_
    assert clf._input_groups() is None
    assert clf.network_.layers[0].input_groups is None
    # a NaN met only at prediction time gets the training mean
    X_nan = X[:3].copy()
    X_nan[:, 0] = np.nan
    filled = X[:3].copy()
    filled[:, 0] = X[:, 0].mean()
    np.testing.assert_allclose(clf.predict_proba(X_nan), clf.predict_proba(filled))


@pytest.mark.parametrize(
    "spec",
    [["visits"], [1], np.array([False, True, False])],
    ids=["name", "index", "mask"],
)
def test_categorical_features_overrides_the_dtype(spec):
    X, y, _ = _table(n=200)
    X = X.drop(columns=["city", "plan", "color", "code", "member"])
    clf = SpectralMLPClassifier(max_iter=5, categorical_features=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert not clf.fit(X, y).encoder_.categorical_.any()
    X_full, y, _ = _table(n=200)
    X_full = X_full[["age", "visits", "noise"]]
    clf = SpectralMLPClassifier(max_iter=5, categorical_features=spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X_full, y)
    assert clf.encoder_.categorical_.tolist() == [False, True, False]
    # visits (counts 0..~9) became one-hot levels, one eigenvalue
    names = clf.encoder_.get_feature_names_out()
    assert sum(str(n).startswith("visits_") for n in names) > 2


def test_unknown_categorical_feature_name_is_a_clear_error():
    X, y, _ = _table(n=100)
    with pytest.raises(ValueError, match="categorical_features.*'nope'"):
        SpectralMLPClassifier(categorical_features=["nope"]).fit(X, y)


def test_feature_groups_share_an_eigenvalue_and_report_group_importances(rng):
    X = rng.normal(size=(300, 5))
    y = X[:, 0] - X[:, 2] + 0.1 * rng.normal(size=300)
    reg = SpectralMLPRegressor(random_state=0, feature_groups=[[0, 2], [3, 4]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.fit(X, y)
    assert reg.feature_importances_.shape == (5,)
    assert [g.tolist() for g in reg.feature_groups_] == [[0, 2], [1], [3, 4]]
    assert reg.group_importances_.shape == (3,)
    assert reg.group_importances_.sum() == pytest.approx(1.0)
    assert reg.input_eigenvalues_[0] == reg.input_eigenvalues_[2]
    assert reg.input_eigenvalues_[3] == reg.input_eigenvalues_[4]
    assert np.argmax(reg.group_importances_) == 0
    assert reg.network_.layers[0].lam_in.numel() == 3


def test_feature_groups_by_name_on_a_dataframe():
    X, y, _ = _table(n=200)
    clf = SpectralMLPClassifier(
        max_iter=10, feature_groups=[["visits", "noise"], ["city", "plan"]]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.network_.layers[0].lam_in.numel() == 6
    assert clf.feature_importances_.shape == (8,)


@pytest.mark.parametrize(
    "groups, message",
    [
        ([[0, 1], [1, 2]], "in groups 0 and 1"),
        ([["a"]], "'a' is not a column"),
        ([[0, 9]], "out of range"),
        ([[]], "group 0 is empty"),
        (["ab"], "list of lists"),
    ],
)
def test_bad_feature_groups_are_clear_errors(rng, groups, message):
    X = rng.normal(size=(20, 3))
    with pytest.raises(ValueError, match=message):
        SpectralMLPRegressor(feature_groups=groups).fit(X, X[:, 0])


# --------------------------------------------------------------------------- #
# the network side: grouped eigenvalues
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("eigenvalues", ["in", "both"])
@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_grouped_hand_written_gradients_equal_autograd(eigenvalues, loss):
    gen = torch.Generator().manual_seed(0)
    groups = [0, 0, 1, 2, 2, 2]
    net = SpectralMLP(
        6, [7], 3, eigenvalues=eigenvalues, generator=gen, input_groups=groups
    )
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=gen))
    X = torch.randn(11, 6, generator=gen)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (11,), generator=gen)
        expected = torch.nn.functional.cross_entropy(net(X), y)
    else:
        y = torch.randn(11, 3, generator=gen)
        expected = ((net(X) - y) ** 2).mean()
    params = [p for p in net.parameters() if p.requires_grad]
    grads = torch.autograd.grad(expected, params)
    assert net.layers[0].lam_in.shape == (3,)
    value = net.data_loss_and_grads(X, y, loss)
    torch.testing.assert_close(value, expected.detach())
    for p, g in zip(params, grads):
        torch.testing.assert_close(p.grad, g)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_column_relevance_is_read_on_unit_variance_inputs():
    # the p inputs of a group are standardised to variance p ** (-2 a)
    # each (a = Settings.group_size_power), so their weights are p ** a
    # times those on unit-variance inputs: the column's relevance divides
    # them back, so a category is not credited for its number of levels
    from sklearn_spectral._defaults import DEFAULT_SETTINGS

    power = DEFAULT_SETTINGS.group_size_power
    X, y, _ = _table(n=300)
    clf = SpectralMLPClassifier(max_iter=30, random_state=0).fit(X, y)
    per_input = clf.network_.input_relevance().detach().double().numpy()
    groups = clf.encoder_.input_groups_
    size = np.bincount(groups)[groups]
    assert size.max() > 2  # the table has many-level categories
    column = clf.encoder_.column_of_input_
    expected = np.sqrt(
        np.bincount(column, weights=(per_input / size**power) ** 2, minlength=8)
    )
    np.testing.assert_allclose(
        clf._first_layer_importances, expected / expected.sum(), rtol=1e-6
    )
    # the inputs' scale carries the factor: a dummy's scale is p ** a its
    # standard deviation (a 0/1 input of mean m: sqrt(m (1 - m)))
    dummy = np.flatnonzero(size > 2)[0]
    values = clf.encoder_.transform(X)[:, dummy]
    np.testing.assert_allclose(
        clf.input_scale_[dummy], values.std() * size[dummy] ** power, rtol=1e-6
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gradient_reading_is_per_column_on_unit_variance_inputs():
    # Settings.importance_gradient_rows: the root mean square over the rows
    # of the centred logits' derivative with respect to each unit-variance
    # input, root-sum-square over a column's inputs; recomputed here with
    # autograd through the training network (float32, all 300 rows)
    from dataclasses import replace

    from sklearn_spectral._defaults import DEFAULT_SETTINGS

    settings = replace(DEFAULT_SETTINGS, importance_gradient_rows=1000)
    X, y, _ = _table(n=300)
    clf = SpectralMLPClassifier(max_iter=30, random_state=0, settings=settings)
    clf.fit(X, y)
    encoded = clf.encoder_.transform(X)
    inputs = torch.as_tensor(encoded, dtype=torch.float64).requires_grad_(True)
    module = clf.network_.double()
    logits = module(inputs)
    logits = logits - logits.mean(dim=1, keepdim=True)
    squares = 0.0
    for k in range(logits.shape[1]):
        (grad,) = torch.autograd.grad(logits[:, k].sum(), inputs, retain_graph=True)
        squares = squares + grad.numpy() ** 2
    groups = clf.encoder_.input_groups_
    size = np.bincount(groups)[groups]
    unit = np.sqrt(squares.mean(axis=0)) * clf.input_scale_ / size**0.75
    expected = np.sqrt(
        np.bincount(clf.encoder_.column_of_input_, weights=unit**2, minlength=8)
    )
    np.testing.assert_allclose(
        clf.feature_importances_, expected / expected.sum(), rtol=1e-4, atol=1e-7
    )
    # zeros are the first layer's zeros
    np.testing.assert_array_equal(
        clf.feature_importances_ == 0, clf._first_layer_importances == 0
    )


def test_group_relevance_is_the_norm_over_the_group():
    gen = torch.Generator().manual_seed(0)
    net = SpectralMLP(4, [5], 2, generator=gen, input_groups=[0, 1, 1, 0])
    layer = net.layers[0]
    per_node = layer.input_relevance()
    expected = torch.stack([per_node[[0, 3]].norm(), per_node[[1, 2]].norm()])
    torch.testing.assert_close(layer.group_relevance(), expected)


@pytest.mark.parametrize("seed", [0, 1])
def test_auto_depth_on_a_table_with_groups_at_defaults(seed):
    # auto_depth=True with grouped inputs (categoricals, missing indicators,
    # feature_groups): one importance per column, one per group, no warning
    X, y, relevant = _table(seed=seed, n=600)
    clf = SpectralMLPClassifier(
        auto_depth=True, feature_groups=[["visits", "color"]], random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, y)
    scores = clf.feature_importances_
    assert scores.shape == (8,) and scores.sum() == pytest.approx(1.0)
    assert clf.group_importances_.shape == (7,)
    assert [list(g) for g in clf.feature_groups_ if len(g) > 1] == [[4, 6]]
    # the strong columns (age, city, plan) rank above every irrelevant one
    assert np.sort(scores[relevant])[1:].min() > scores[~relevant].max()
    assert clf.predict_proba(X.iloc[:4]).shape == (4, 2)


def test_auto_depth_accepts_a_table():
    X, y, _ = _table(n=200)
    clf = SpectralMLPClassifier(
        auto_depth=True, hidden_layer_sizes=(8,), max_iter=20, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    assert clf.feature_importances_.shape == (8,)
    assert clf.network_.gate.numel() == 8
    assert clf.predict(X[:5]).shape == (5,)
    dense = clf.to_torch()
    inputs = torch.as_tensor(clf.encoder_.transform(X[:5]), dtype=torch.float32)
    np.testing.assert_allclose(
        dense(inputs).detach().numpy(),
        clf._forward(X[:5]),
        rtol=1e-4,
        atol=1e-5,
    )


# --------------------------------------------------------------------------- #
# class weights
# --------------------------------------------------------------------------- #
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_balanced_class_weight_raises_balanced_accuracy(seed):
    X, y = make_classification(
        n_samples=600,
        n_features=6,
        n_informative=3,
        n_redundant=0,
        weights=[0.9],
        class_sep=0.7,
        flip_y=0,
        random_state=seed,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    scores = [
        balanced_accuracy_score(
            y_test,
            SpectralMLPClassifier(class_weight=cw, random_state=seed)
            .fit(X_train, y_train)
            .predict(X_test),
        )
        for cw in (None, "balanced")
    ]
    assert scores[1] > scores[0] + 0.02


@pytest.mark.parametrize("seed", [0, 1])
def test_balanced_class_weight_is_the_equivalent_sample_weight(seed):
    X, y = make_classification(
        n_samples=200, n_features=5, weights=[0.8], random_state=seed
    )
    params = {"max_iter": 30, "random_state": seed}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = SpectralMLPClassifier(class_weight="balanced", **params).fit(X, y)
        equivalent = SpectralMLPClassifier(**params).fit(
            X, y, sample_weight=compute_sample_weight("balanced", y)
        )
    np.testing.assert_allclose(
        weighted.predict_proba(X), equivalent.predict_proba(X), rtol=1e-6
    )


def test_dict_class_weight_multiplies_sample_weight(rng):
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] > 0).astype(int)
    sw = rng.uniform(0.5, 2.0, 150)
    params = {"max_iter": 20, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = SpectralMLPClassifier(class_weight={1: 3.0}, **params).fit(
            X, y, sample_weight=sw
        )
        b = SpectralMLPClassifier(**params).fit(
            X, y, sample_weight=sw * np.where(y == 1, 3.0, 1.0)
        )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


def test_balanced_class_weight_refuses_partial_fit(rng):
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = SpectralMLPClassifier(class_weight="balanced")
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_class_weight_through_the_selector():
    X, y = make_classification(
        n_samples=400,
        n_features=6,
        n_informative=2,
        n_redundant=0,
        weights=[0.9],
        shuffle=False,
        random_state=0,
    )
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(class_weight="balanced"), random_state=0
    ).fit(X, y)
    assert selector.estimator_.class_weight == "balanced"
    assert set(selector.get_support(indices=True)) >= {0, 1}


# --------------------------------------------------------------------------- #
# multilabel targets and sparse input
# --------------------------------------------------------------------------- #
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multilabel_has_mlpclassifier_shapes_and_finds_each_labels_columns(rng):
    X = rng.normal(size=(400, 6))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 0] - X[:, 2] > 0])
    Y = Y.astype(int)
    clf = SpectralMLPClassifier(random_state=0).fit(X, Y)
    reference = MLPClassifier(max_iter=5).fit(X, Y)
    for method in ("predict", "predict_proba"):
        assert (
            getattr(clf, method)(X[:7]).shape == getattr(reference, method)(X[:7]).shape
        )
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    proba = clf.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[:5])), proba[:5])
    assert clf.score(X, Y) > 0.7  # subset accuracy
    importances = clf.feature_importances_
    assert importances[:3].min() > importances[3:].max()


def test_multilabel_through_the_selector(rng):
    X = rng.normal(size=(400, 6))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    selector = SpectralFeatureSelector(SpectralMLPClassifier(), random_state=0).fit(
        X, Y
    )
    assert set(selector.get_support(indices=True)) == {0, 1}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_fits_as_the_dense_array(fmt, rng):
    dense = rng.normal(size=(200, 6)) * (rng.rand(200, 6) < 0.3)
    y = (dense[:, 0] + dense[:, 1] > 0).astype(int)
    params = {"max_iter": 30, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_dense = SpectralMLPClassifier(**params).fit(dense, y)
        from_sparse = SpectralMLPClassifier(**params).fit(
            sp.csr_matrix(dense).asformat(fmt), y
        )
    # equal to float rounding: the sparse product rounds the loss in its
    # last bits, and the input ramp reads the loss where it learns slowly
    # (Settings.penalty_slow_warmup)
    np.testing.assert_allclose(
        from_dense.feature_importances_,
        from_sparse.feature_importances_,
        rtol=1e-6,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        from_sparse.predict_proba(sp.csr_matrix(dense).asformat(fmt)),
        from_dense.predict_proba(dense),
    )


def test_a_sparse_fit_at_the_defaults_warns_nothing():
    # torch warned "Sparse invariant checks are implicitly disabled" on every
    # sparse fit; the tests above silence warnings, so this one must not
    X = sp.random(300, 30, density=0.2, format="csr", random_state=0)
    y = (X[:, 0].toarray().ravel() > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = SpectralMLPClassifier(random_state=0).fit(X, y)
        clf.predict_proba(X)
    assert clf.converged_


def test_sparse_input_with_nan_is_a_clear_error(rng):
    X = sp.random(30, 4, density=0.5, format="csr", random_state=0)
    X.data[0] = np.nan
    with pytest.raises(ValueError, match="Sparse X contains NaN"):
        SpectralMLPRegressor(max_iter=5).fit(X, rng.normal(size=30))


# --------------------------------------------------------------------------- #
# the path, shown
# --------------------------------------------------------------------------- #
def test_regularization_path_display_reads_the_stored_path_without_a_fit(
    monkeypatch,
):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_spectral.plotting import RegularizationPathDisplay

    X, y, _ = _table(n=300)
    selector = SpectralFeatureSelector(random_state=0).fit(X, y)
    path = selector.alpha_path_
    n_alphas = len(path["alpha"])
    # the strength search kept each strength's importances, mean over folds
    assert path["importances"].shape == (n_alphas, 8)
    assert np.all(path["importances"] >= 0)
    # each fold's importances sum to 1 (or 0: every column off)
    assert np.all(path["importances"].sum(axis=1) <= 1 + 1e-9)
    assert np.isclose(path["importances"][0].sum(), 1.0)

    def no_fit(*args, **kwargs):
        raise AssertionError("the display refitted a model")

    monkeypatch.setattr(SpectralMLPClassifier, "fit", no_fit)
    display = RegularizationPathDisplay.from_estimator(selector)
    assert len(display.lines_) == 8
    for j, line in enumerate(display.lines_):
        np.testing.assert_allclose(line.get_ydata(), path["importances"][:, j])
    assert display.chosen_line_.get_xdata()[0] == selector.alpha_
    assert display.loss_line_ is not None
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert set(COLUMNS) <= set(labels)
    # the path goes towards fewer columns as the strength grows
    kept = np.array([[v > 0 for v in line.get_ydata()] for line in display.lines_])
    assert kept[:, -1].sum() <= kept[:, 0].sum()
    plt.close("all")


def test_regularization_path_display_refits_only_when_asked():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_spectral.plotting import RegularizationPathDisplay

    X, y, _ = _table(n=150)
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=20), random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selector.fit(X, y)
        display = RegularizationPathDisplay.from_estimator(selector, X, y, refit=True)
    n_alphas = len(selector.alpha_path_["alpha"])
    refitted = np.array([line.get_ydata() for line in display.lines_]).T
    assert refitted.shape == (n_alphas, 8)
    sums = refitted.sum(axis=1)
    assert np.all(np.isclose(sums, 1.0) | np.isclose(sums, 0.0))
    with pytest.raises(ValueError, match="pass the training data"):
        RegularizationPathDisplay.from_estimator(selector, refit=True)
    with pytest.raises(ValueError, match="with refit=True"):
        RegularizationPathDisplay.from_estimator(selector, X, y)
    with pytest.raises(ValueError, match="refit must be True or False"):
        RegularizationPathDisplay.from_estimator(selector, refit="yes")
    del selector.alpha_path_["importances"]
    with pytest.raises(ValueError, match="holds no importances"):
        RegularizationPathDisplay.from_estimator(selector)
    selector.alpha_path_ = None
    with pytest.raises(ValueError, match="searched no strength"):
        RegularizationPathDisplay.from_estimator(selector)
    plt.close("all")


def test_user_guide_table_example_runs(capsys):
    # the DataFrame example of docs/user_guide.rst, "Your own table"
    from pathlib import Path
    from textwrap import dedent

    text = (Path(__file__).parents[1] / "docs" / "user_guide.rst").read_text()
    section = text.split("Your own table\n--------------", 1)[1]
    block = section.split(".. code-block:: python\n", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # runs at the defaults, warns not
        exec(compile(dedent("\n".join(lines)), "user_guide.rst", "exec"), {})
    out = capsys.readouterr().out
    assert "['age', 'city', 'plan', 'member']" in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_table_model_pickles_clones_and_grid_searches():
    import pickle

    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    X, y, _ = _table(n=200)
    clf = SpectralMLPClassifier(max_iter=15, random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params()["categorical_features"] == "from_dtype"
    search = GridSearchCV(
        SpectralMLPClassifier(max_iter=10, random_state=0),
        {"alpha": [0.05, 0.2]},
        cv=2,
    ).fit(X, y)
    assert search.best_estimator_.feature_importances_.shape == (8,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multilabel_with_early_stopping_and_partial_fit(rng):
    X = rng.normal(size=(120, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    clf = SpectralMLPClassifier(early_stopping=True, max_iter=10, random_state=0)
    assert clf.fit(X, Y).predict(X).shape == (120, 2)
    online = SpectralMLPClassifier(random_state=0)
    for _ in range(3):
        online.partial_fit(X, Y)
    assert online.predict_proba(X).shape == (120, 2)
    with pytest.raises(ValueError, match="multilabel"):
        online.partial_fit(X, Y[:, 0])


def test_sparse_minibatches_are_made_dense_one_at_a_time():
    from sklearn_spectral._base import _sparse_tensor
    from sklearn_spectral._training.data import TensorBatches

    X = sp.random(50, 7, density=0.3, format="csr", random_state=0)
    tensor = _sparse_tensor(X)
    assert tensor.is_sparse
    y = torch.arange(50)
    gen = torch.Generator().manual_seed(0)
    seen = []
    for xb, yb, _ in TensorBatches((tensor, y, None), 16, True, gen).triples():
        assert not xb.is_sparse and xb.shape[0] <= 16
        np.testing.assert_array_equal(
            xb.numpy(),
            X[yb.numpy()].toarray(),  # X's dtype (float64 here)
        )
        seen += yb.tolist()
    assert sorted(seen) == list(range(50))
    batches = list(TensorBatches((tensor, y, None), 16, False, None).triples())
    assert [b[0].shape[0] for b in batches] == [16, 16, 16, 2]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_input_with_early_stopping_and_auto_depth(rng):
    X = sp.random(300, 6, density=0.4, format="csr", random_state=0)
    y = np.asarray(X[:, 0].toarray().ravel() + X[:, 1].toarray().ravel())
    reg = SpectralMLPRegressor(
        early_stopping=True, batch_size=64, max_iter=15, random_state=0
    ).fit(X, y)
    assert reg.predict(X).shape == (300,)
    deep = SpectralMLPRegressor(
        auto_depth=True, hidden_layer_sizes=(8,), max_iter=15, random_state=0
    ).fit(X.tocsc(), y)
    assert deep.predict(X).shape == (300,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_numeric_dataframe_keeps_its_names_in_the_encoding(rng):
    X = pd.DataFrame(
        {
            "a": pd.array(rng.randint(0, 9, 80), dtype="Int64"),
            "b": rng.normal(size=80),
        }
    )
    X.loc[::7, "a"] = pd.NA
    reg = SpectralMLPRegressor(max_iter=5, feature_groups=[["a", "b"]])
    reg.fit(X, X["b"].to_numpy())
    assert list(reg.encoder_.get_feature_names_out()) == ["a", "a_missing", "b"]
    assert [g.tolist() for g in reg.feature_groups_] == [[0, 1]]


def test_all_relevant_mode_takes_a_table():
    # shadows keep their column's dtype, so the model encodes them alike
    X, y, _ = _table(n=200)
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(max_iter=20),
        mode="all-relevant",
        n_repeats=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selector.fit(X, y)
    assert selector.pvalues_.shape == (8,)
    # whole copies of the 8 columns' shadows (at least 50 shadows a fit)
    assert selector.shadow_importances_.shape[1] % 8 == 0
    assert set(selector.get_feature_names_out()) <= set(COLUMNS)


def test_all_relevant_shadows_split_and_permute_whole_groups():
    from sklearn_spectral._selection._all_relevant import shadow_fit_plan

    groups = np.array([0, 1, 1, 2, 3, 3, 3, 4])
    plan = shadow_fit_plan(8, [0, 1, 2, 3], groups=groups)
    for _, _, columns, _, _ in plan:
        for g in np.unique(groups[columns]):
            # a group is never split between the two halves of a round
            assert set(np.flatnonzero(groups == g)) <= set(columns)
    for k in range(0, len(plan), 2):  # the two halves cover every column once
        both = np.concatenate([plan[k][2], plan[k + 1][2]])
        assert sorted(both) == list(range(8))
    # without groups, the plan is the one of one column per unit
    plain = shadow_fit_plan(8, [0, 1])
    assert all(len(c) == 4 for _, _, c, _, _ in plain)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1])
def test_all_relevant_with_feature_groups_decides_per_group(seed):
    # feature_groups by name: the shadows of a group are permuted together
    # and share one eigenvalue, and a group is kept or dropped whole (the
    # real groups used to be split between the halves: an error by name,
    # wrong columns by index)
    X, y, _ = _table(seed=seed, n=400)
    groups = [["age", "noise"], ["visits", "color"]]
    selector = SpectralFeatureSelector(
        SpectralMLPClassifier(feature_groups=groups),
        mode="all-relevant",
        # 8 rounds: with the held shadows' measured dispersion 6 left the
        # weak age group without a hit on 2 of seeds 0-13 (8: 14 of 14)
        n_repeats=8,
        alpha=0.3,
        random_state=seed,
    ).fit(X, y)
    support = dict(zip(COLUMNS, selector.get_support()))
    pvalues = dict(zip(COLUMNS, selector.pvalues_))
    # a group is one decision: kept or dropped whole, one p-value
    assert support["age"] == support["noise"]
    assert pvalues["age"] == pvalues["noise"]
    assert pvalues["visits"] == pvalues["color"]
    # age carries its group: far from the null even where the strong
    # penalty (alpha=0.3) and few repeats leave it just above the threshold
    # (p 0.009 on some seeds of 0-5), while the irrelevant group never
    # beats its shadows
    assert pvalues["age"] < 0.05
    assert not support["visits"] and not support["color"]
    assert any(support[c] for c in ("city", "plan", "member"))
    assert not support["code"]


def test_encoding_equals_onehotencoder_on_the_strings():
    # the encoder learns from level codes and prediction looks rows up: the
    # result must be what OneHotEncoder fitted on the column itself gives
    from sklearn.base import clone

    from sklearn_spectral._defaults import DEFAULT_SETTINGS
    from sklearn_spectral._tabular import TableEncoder, _as_category_column

    X, _, _ = _table(n=300)
    X["code"] = pd.Categorical(np.where(np.arange(300) % 100 == 0, "rare", "c1"))
    # an object column of mixed types: 1, 1.0 and True are one value to
    # pandas' factorize, three levels as strings
    X["mixed"] = pd.Series([1, "1", 1.0, True, None, "b"] * 50, dtype=object)
    encoder = TableEncoder("from_dtype", None, DEFAULT_SETTINGS)
    encoder.fit_transform(X)
    new = X.copy()
    new["city"] = np.where(np.arange(300) % 7 == 0, "Tokyo", new["city"])
    new.loc[::5, "plan"] = None
    new["code"] = pd.Categorical(np.where(np.arange(300) % 4 == 0, "zz", "c1"))
    new["mixed"] = pd.Series([2.0, "1", 1.0, False, None, "b"] * 50, dtype=object)
    names = list(encoder.get_feature_names_out())
    for j, fitted in encoder.encoders_.items():
        reference = clone(fitted).fit(_as_category_column(X.iloc[:, j]))
        name = X.columns[j]
        expected_names = list(reference.get_feature_names_out([name]))
        assert [n for n in names if n.startswith(name + "_")] == expected_names
        for frame in (X, new):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # unknown levels
                expected = reference.transform(_as_category_column(frame.iloc[:, j]))
            block = encoder.transform(frame)[:, encoder.column_of_input_ == j]
            np.testing.assert_array_equal(block, expected)


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
def test_grouped_gate_hand_written_gradients_equal_autograd(loss):
    from sklearn_spectral.nn.gated import GatedSparcsNetwork

    gen = torch.Generator().manual_seed(0)
    net = GatedSparcsNetwork(
        (5, 6, 3), generator=gen, input_groups=[0, 0, 1, 2, 2], dtype=torch.float64
    )
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    X = torch.randn(9, 5, generator=gen, dtype=torch.float64)
    if loss == "cross_entropy":
        y = torch.randint(0, 3, (9,), generator=gen)
        expected = torch.nn.functional.cross_entropy(net(X), y)
    else:
        y = torch.randn(9, 3, generator=gen, dtype=torch.float64)
        expected = ((net(X) - y) ** 2).mean()
    params = [p for p in net.parameters() if p.requires_grad]
    grads = torch.autograd.grad(expected, params)
    assert net.gate.shape == (3,)
    value = net.data_loss_and_grads(X, y, loss)
    torch.testing.assert_close(value, expected.detach())
    for p, g in zip(params, grads):
        torch.testing.assert_close(p.grad, g)


@pytest.mark.parametrize("seed", [0, 1])
def test_multilabel_with_auto_depth(seed):
    # the evidence step compares the labels' summed binary cross-entropies:
    # MLPClassifier's shapes, one importance per column over all labels
    X, y, relevant = _table(seed=seed, n=600)
    Y = np.column_stack(
        [y, (X["age"].fillna(0) > 0).astype(int), (X["city"] == "Paris").astype(int)]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = SpectralMLPClassifier(auto_depth=True, random_state=seed).fit(X, Y)
    assert clf.predict_proba(X.iloc[:5]).shape == (5, 3)
    assert clf.predict(X.iloc[:5]).shape == (5, 3)
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    scores = clf.feature_importances_
    assert scores.shape == (8,)
    # age (two labels) and city (two labels) lead; no irrelevant column above
    # a relevant one
    assert set(np.argsort(-scores)[:2]) == {0, 1}
    assert scores[relevant].min() >= scores[~relevant].max()
    assert clf.score(X, Y) > 0.6  # subset accuracy; a constant scores ~0.1


def test_binary_cross_entropy_gradients_equal_autograd():
    # the multilabel loss in nn/losses.py: closed form and the hand-written
    # network gradients against autograd
    from sklearn_spectral.nn.losses import (
        constant_loss,
        data_loss,
        loss_and_output_grad,
    )

    gen = torch.Generator().manual_seed(1)
    out = torch.randn(6, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    y = (torch.rand(6, 3, generator=gen, dtype=torch.float64) > 0.5).double()
    w = torch.rand(6, generator=gen, dtype=torch.float64) + 0.5
    loss = "binary_cross_entropy"
    assert torch.autograd.gradcheck(lambda o: data_loss(o, y, loss, w), (out,))
    value, grad = loss_and_output_grad(out.detach(), y, loss, w)
    (auto,) = torch.autograd.grad(data_loss(out, y, loss, w), out)
    torch.testing.assert_close(grad, auto)
    torch.testing.assert_close(value, data_loss(out.detach(), y, loss, w))
    p = y.mean(0)  # the labels' entropies, summed as the loss sums its labels
    expected = float((-(p * p.log() + (1 - p) * (1 - p).log())).sum())
    assert constant_loss(y, loss) == pytest.approx(expected)
    net = SpectralMLP(4, [5], 3, generator=gen, dtype=torch.float64)
    X = torch.randn(6, 4, generator=gen, dtype=torch.float64)
    params = [q for q in net.parameters() if q.requires_grad]
    grads = torch.autograd.grad(data_loss(net(X), y, loss, w), params)
    assert net.manual_gradients(loss)
    net.data_loss_and_grads(X, y, loss, w)
    for q, g in zip(params, grads):
        torch.testing.assert_close(q.grad, g)


def test_multilabel_evidence_fit_is_one_logistic_regression_per_label():
    # auto-depth's affine rival on multilabel targets: the labels' summed
    # binary cross-entropies with the ridge of LogisticRegression(C=1)
    from sklearn.linear_model import LogisticRegression

    from sklearn_spectral.nn.evidence import Rows, linear_fit

    gen = np.random.RandomState(0)
    z = gen.normal(size=(200, 3))
    Y = (z @ gen.normal(size=(3, 2)) + gen.logistic(size=(200, 2)) > 0).astype(int)
    zt = torch.as_tensor(z)
    W, b = linear_fit(
        zt, Rows(zt, torch.as_tensor(Y), None), "binary_cross_entropy", 2, 200.0
    )
    for k in range(2):
        reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000)
        reference.fit(z, Y[:, k])
        np.testing.assert_allclose(W[k].numpy(), reference.coef_[0], atol=1e-4)
        np.testing.assert_allclose(float(b[k]), reference.intercept_[0], atol=1e-4)


def test_multilabel_deviance_sums_the_labels_once():
    # the Bernoulli deviance of independent labels: twice the summed binary
    # cross-entropies of every row and label (per_sample_loss already sums
    # the labels; the evidence step once multiplied by their number again)
    from sklearn_spectral.nn.evidence import Rows, deviance

    gen = np.random.RandomState(0)
    out = torch.as_tensor(gen.normal(size=(50, 3)))
    Y = torch.as_tensor((gen.rand(50, 3) > 0.5).astype(float))
    p = torch.sigmoid(out)
    expected = -2.0 * float((Y * p.log() + (1 - Y) * (1 - p).log()).sum())
    got = deviance(out, Rows(out, Y, None), "binary_cross_entropy", 50.0)
    assert got == pytest.approx(expected, rel=1e-10)
