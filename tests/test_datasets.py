import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_selection import f_classif
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_spectral.datasets import (
    make_correlated_gaussian,
    make_independent_gaussian,
    make_linear_to_nonlinear,
    make_random_table,
    make_teacher_student,
)

# ---------------------------------------------------------------- independent


def test_independent_gaussian_shapes_dtypes_defaults():
    X, y, relevance = make_independent_gaussian(random_state=0)
    assert X.shape == (60000, 20) and X.dtype == np.float64
    assert y.shape == (60000,) and y.dtype == np.int64
    assert relevance.shape == (20,) and relevance.dtype == np.float64
    assert set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.01


@pytest.mark.parametrize("n_relevant", [0, 1, 11, 20])
def test_independent_gaussian_relevance_support(n_relevant):
    _, _, relevance = make_independent_gaussian(
        200, n_relevant=n_relevant, random_state=1
    )
    assert np.count_nonzero(relevance) == n_relevant
    assert np.all(relevance >= 0) and np.all(relevance < 1.4)


def test_independent_gaussian_relevance_is_mean_gap():
    X, y, relevance = make_independent_gaussian(40000, random_state=2)
    gap = np.abs(X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0))
    np.testing.assert_allclose(gap, relevance, atol=0.03)
    # Every class-conditional distribution has the documented std 0.5.
    for c in (0, 1):
        np.testing.assert_allclose(X[y == c].std(axis=0), 0.5, atol=0.02)
    # Class means of relevant features are (-1/2, r - 1/2), irrelevant 0.
    rel = relevance > 0
    np.testing.assert_allclose(X[y == 0][:, rel].mean(axis=0), -0.5, atol=0.03)
    np.testing.assert_allclose(X[y == 0][:, ~rel].mean(axis=0), 0.0, atol=0.03)


def test_independent_gaussian_custom_params():
    X, y, relevance = make_independent_gaussian(
        300, 7, 3, max_relevance=3.0, scale=0.1, random_state=0
    )
    assert X.shape == (300, 7)
    assert np.count_nonzero(relevance) == 3 and relevance.max() <= 3.0


# ----------------------------------------------------------------- correlated


def test_correlated_gaussian_shapes_and_relevance():
    X, y, relevance = make_correlated_gaussian(random_state=0)
    assert X.shape == (100000, 10) and X.dtype == np.float64
    assert y.shape == (100000,) and y.dtype == np.int64
    assert abs(y.mean() - 0.5) < 0.01
    np.testing.assert_array_equal(
        relevance, [0.7, 0.7, 0.8, 0.8, 0.4, 0.4, 0.6, 0.6, 0.0, 0.0]
    )
    # Paired features differ at most by sign; the flip rate in class 1 is p_n.
    for n, p_n in enumerate([0.7, 0.8, 0.4, 0.6]):
        a, b = X[:, 2 * n], X[:, 2 * n + 1]
        np.testing.assert_array_equal(np.abs(a), np.abs(b))
        np.testing.assert_array_equal(a[y == 0], b[y == 0])
        flipped = a[y == 1] != b[y == 1]
        assert abs(flipped.mean() - p_n) < 0.01


def test_correlated_gaussian_custom_pairs():
    X, y, relevance = make_correlated_gaussian(
        500, pair_relevance=[1.0, 0.0], n_noise=3, random_state=0
    )
    assert X.shape == (500, 7)
    np.testing.assert_array_equal(relevance, [1, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(X[y == 1, 1], -X[y == 1, 0])
    np.testing.assert_array_equal(X[:, 3], X[:, 2])


def test_correlated_gaussian_invisible_to_univariate_but_not_to_pairs():
    X, y, relevance = make_correlated_gaussian(4000, random_state=0)
    # No single feature is informative: univariate F test finds nothing.
    _, pvalues = f_classif(X, y)
    assert np.all(pvalues > 1e-3)
    # A linear model is at chance, a non-linear one is not.
    X_tr, X_te, y_tr, y_te = X[:3000], X[3000:], y[:3000], y[3000:]
    linear = LogisticRegression().fit(X_tr, y_tr)
    assert linear.score(X_te, y_te) < 0.6
    nonlinear = HistGradientBoostingClassifier(random_state=0).fit(X_tr, y_tr)
    assert nonlinear.score(X_te, y_te) > 0.9
    # The pair products separate the classes; the gap grows with p_n.
    products = X[:, 0:8:2] * X[:, 1:8:2]
    f_pairs, _ = f_classif(products, y)
    order = np.argsort(f_pairs)
    np.testing.assert_array_equal(order, np.argsort(relevance[0:8:2]))


# ------------------------------------------------------ linear-to-nonlinear


def test_linear_to_nonlinear_shapes_and_formula():
    X, y = make_linear_to_nonlinear(random_state=0)
    assert X.shape == (10000, 2) and X.dtype == np.float64
    assert y.shape == (10000,) and y.dtype == np.float64
    assert X.min() >= -1 and X.max() <= 1
    X, y = make_linear_to_nonlinear(200, alpha=0.3, beta=5.0, random_state=0)
    s = np.tanh(5.0 * (0.3 - 0.5))
    expected = (1 - s) / 4 * X @ [1, 1] + (1 + s) / 4 * (X**2).sum(axis=1)
    np.testing.assert_allclose(y, expected)


def test_linear_to_nonlinear_linearity():
    X, y = make_linear_to_nonlinear(2000, alpha=0.0, random_state=0)
    assert LinearRegression().fit(X, y).score(X, y) > 0.999
    X, y = make_linear_to_nonlinear(2000, alpha=0.0, beta=1000.0, random_state=0)
    assert LinearRegression().fit(X, y).score(X, y) > 1 - 1e-12
    X, y = make_linear_to_nonlinear(2000, alpha=1.0, random_state=0)
    assert LinearRegression().fit(X, y).score(X, y) < 0.1
    # Same X for every alpha with the same seed, as in the authors' code.
    X0, _ = make_linear_to_nonlinear(50, alpha=0.0, random_state=3)
    X1, _ = make_linear_to_nonlinear(50, alpha=1.0, random_state=3)
    np.testing.assert_array_equal(X0, X1)


def test_linear_to_nonlinear_noise():
    X, y = make_linear_to_nonlinear(3000, alpha=0.5, random_state=0)
    Xn, yn = make_linear_to_nonlinear(3000, alpha=0.5, noise=0.1, random_state=0)
    np.testing.assert_array_equal(X, Xn)
    assert abs(np.std(yn - y) - 0.1) < 0.01


# ------------------------------------------------------------ teacher-student


def test_teacher_student_shapes_and_teacher():
    X, Y = make_teacher_student(random_state=0)
    assert X.shape == (100000, 20) and Y.shape == (100000, 20)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert X.min() >= -1 and X.max() <= 1
    X2, Y2, R = make_teacher_student(random_state=0, return_teacher=True)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert R.shape == (20, 20)
    np.testing.assert_allclose(R @ R.T, np.eye(20), atol=1e-12)
    assert np.isclose(np.linalg.det(R), 1.0)
    # One rotation for both layers: t(x) = R relu(R x).
    np.testing.assert_allclose(Y, np.maximum(X @ R.T, 0) @ R.T)


def test_teacher_student_needs_a_hidden_layer():
    X, Y = make_teacher_student(5000, n_features=5, random_state=0)
    assert Y.shape == (5000, 5)
    assert LinearRegression().fit(X, Y).score(X, Y) < 0.95


# ------------------------------------------------------- common behaviour

GENERATORS = [
    (make_independent_gaussian, {"n_samples": 300}),
    (make_correlated_gaussian, {"n_samples": 300}),
    (make_linear_to_nonlinear, {"n_samples": 300, "alpha": 0.5, "noise": 0.1}),
    (make_teacher_student, {"n_samples": 300, "return_teacher": True}),
]


@pytest.mark.parametrize("make, kwargs", GENERATORS)
def test_determinism(make, kwargs):
    first = make(**kwargs, random_state=7)
    second = make(**kwargs, random_state=np.random.RandomState(7))
    other = make(**kwargs, random_state=8)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("make, kwargs", GENERATORS)
def test_no_global_seeding(make, kwargs):
    np.random.seed(123)
    expected = np.random.random_sample(5)
    np.random.seed(123)
    make(**kwargs, random_state=0)
    np.testing.assert_array_equal(np.random.random_sample(5), expected)


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (make_independent_gaussian, {"n_relevant": 21}, "n_relevant must be <="),
        (make_independent_gaussian, {"n_relevant": -1}, "n_relevant"),
        (make_independent_gaussian, {"n_samples": 0}, "n_samples"),
        (make_independent_gaussian, {"n_samples": 2.5}, "n_samples"),
        (make_independent_gaussian, {"scale": 0}, "scale"),
        (make_independent_gaussian, {"max_relevance": -1}, "max_relevance"),
        (make_correlated_gaussian, {"pair_relevance": [0.5, 1.2]}, "pair_relev"),
        (make_correlated_gaussian, {"pair_relevance": [[0.5]]}, "pair_relev"),
        (make_correlated_gaussian, {"pair_relevance": "ab"}, "pair_relev"),
        (make_correlated_gaussian, {"pair_relevance": [], "n_noise": 0}, "no fea"),
        (make_correlated_gaussian, {"n_noise": -1}, "n_noise"),
        (make_linear_to_nonlinear, {"alpha": 1.5}, "alpha"),
        (make_linear_to_nonlinear, {"beta": 0.0}, "beta"),
        (make_linear_to_nonlinear, {"noise": -0.1}, "noise"),
        (make_linear_to_nonlinear, {"alpha": np.nan}, "alpha"),
        (make_teacher_student, {"n_features": 1}, "n_features"),
        (make_teacher_student, {"n_samples": True}, "n_samples"),
    ],
)
def test_invalid_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


# ------------------------------------------------------- make_random_table
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("task", ["classification", "multiclass", "regression"])
def test_random_table_schema_and_target(seed, task):
    X, y, relevant = make_random_table(
        n_samples=400, n_columns=9, n_relevant=3, task=task, random_state=seed
    )
    assert X.shape == (400, 9) and y.shape == (400,)
    assert relevant.dtype == bool and relevant.sum() == 3
    for name, dtype in zip(X.columns, X.dtypes):
        kind = name.rsplit("_", 1)[0]
        expected = {
            "float": "float64",
            "count": "Int64",
            "object": "object",
            "category": "category",
            "string": "string",
            "bool": "bool",
            "boolean": "boolean",
        }[kind]
        assert str(dtype) == expected, (name, dtype)
    if task == "regression":
        assert y.dtype == np.float64
    else:
        classes = np.unique(y)
        assert len(classes) == (3 if task == "multiclass" else 2)


def test_random_table_target_depends_on_the_relevant_columns():
    # a gradient-boosted model on the relevant columns predicts much better
    # than on the irrelevant ones, over seeds
    for seed in range(3):
        X, y, relevant = make_random_table(n_samples=1500, random_state=seed)
        X = X.astype({c: "category" for c in X.columns if X[c].dtype != float})
        scores = []
        for columns in (relevant, ~relevant):
            part = X.loc[:, columns]
            model = HistGradientBoostingClassifier(
                max_iter=50, categorical_features="from_dtype", random_state=0
            )
            scores.append(model.fit(part[:1000], y[:1000]).score(part[1000:], y[1000:]))
        assert scores[0] > scores[1] + 0.1, scores


def test_random_table_informative_missingness_and_weak_column():
    for seed in range(5):
        X, y, relevant = make_random_table(
            n_samples=2000,
            task="regression",
            informative_missing=True,
            weak_effect=0.0,
            effect=2.0,
            missing_fraction=0.0,
            random_state=seed,
        )
        first, last = np.flatnonzero(relevant)[[0, -1]]
        missing = X.iloc[:, first].isna().to_numpy()
        assert 0.2 < missing.mean() < 0.4
        # the signal is in the missingness, not in the values
        gap = y[missing].mean() - y[~missing].mean()
        assert abs(gap) > 2.0
        values = X.iloc[:, first].to_numpy()[~missing]
        assert abs(np.corrcoef(values, y[~missing])[0, 1]) < 0.1
        # weak_effect=0: the last relevant column has no effect at all
        assert X.shape[1] == 10 and relevant.sum() == 4 and last != first


def test_random_table_kinds_levels_and_class_proportions():
    for seed in range(3):
        X, y, _ = make_random_table(
            n_samples=1000,
            kinds=("object", "category"),
            max_levels=20,
            task="multiclass",
            class_proportions=(7, 2, 1),
            random_state=seed,
        )
        assert {name.rsplit("_", 1)[0] for name in X.columns} <= {
            "object",
            "category",
        }
        levels = X.nunique()
        assert levels.min() >= 3 and levels.max() <= 20
        np.testing.assert_allclose(np.bincount(y) / len(y), [0.7, 0.2, 0.1], atol=0.01)
    # the defaults draw the same tables as before these options
    first = make_random_table(n_samples=100, random_state=3)
    again = make_random_table(
        n_samples=100, kinds=None, max_levels=None, random_state=3
    )
    assert first[0].equals(again[0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kinds": ("float", "text")}, "kinds must be"),
        ({"kinds": "float"}, "kinds must be"),
        ({"max_levels": 2}, "max_levels"),
        ({"class_proportions": (1, 1, 1)}, "class_proportions is for"),
        (
            {"task": "multiclass", "class_proportions": (1, 0, 1)},
            "class_proportions must",
        ),
        ({"n_relevant": 11}, "n_relevant must be <="),
        ({"n_columns": 0}, "n_columns"),
        ({"task": "ranking"}, "task must be"),
        ({"n_classes": 2, "task": "multiclass"}, "n_classes"),
        ({"missing_fraction": 1.0}, "missing_fraction"),
        ({"effect": np.inf}, "effect"),
        ({"weak_effect": "small"}, "weak_effect"),
    ],
)
def test_random_table_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_random_table(**kwargs)


def test_random_table_determinism_and_no_global_seeding():
    np.random.seed(123)
    expected = np.random.random_sample(5)
    np.random.seed(123)
    first = make_random_table(n_samples=200, random_state=7)
    np.testing.assert_array_equal(np.random.random_sample(5), expected)
    second = make_random_table(n_samples=200, random_state=np.random.RandomState(7))
    assert first[0].equals(second[0])
    np.testing.assert_array_equal(first[1], second[1])
    other = make_random_table(n_samples=200, random_state=8)
    assert not first[0].equals(other[0])
