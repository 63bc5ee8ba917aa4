"""Generated inputs for every public estimator: a clear error or a finite answer.

Each generated case draws a shape, an input type, a value pattern, a target
kind, sample weights and hyperparameters (numpy scalars included), then calls
``fit`` (with the weights), a warm ``fit`` (sometimes after changing a
parameter the network was built with), ``partial_fit``, ``predict``,
``predict_proba``, ``transform``, ``score``, ``prune`` and ``to_torch`` as the
estimator has them, and sometimes refits on other data. Every call must
either succeed with finite outputs or raise a ``ValueError``/``TypeError``
(``NotFittedError`` is one) raised by our code or scikit-learn's validation,
not from inside numpy, torch or skorch; no numpy ``RuntimeWarning`` may leak;
the inputs and the parameters must be unchanged afterwards (issue 12); the
export must compute what ``predict`` computes, and a refit must leave no
state of the earlier fit (issue 23).

Hypothesis only generates here: the cases are derandomised, nothing is
stored, and a bad outcome does not stop the run. All bad outcomes are
collected and reported together, grouped by their cause, with one full case
per group, so one run lists everything that is wrong.

Cost (2 cores, hidden_layer_sizes of at most 4 units, max_iter <= 3, n <= 40):
400 cases per estimator in about a minute each.
"""

import copy
import inspect
import os
import time
import traceback
import warnings
from collections import Counter

import joblib
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_spectral import (
    SpectralFeatureSelector,
    SpectralMLPClassifier,
    SpectralMLPRegressor,
)

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

N_CASES = 400
#: Fraction of cases that must end in a successful fit: the fuzzing must
#: reach prediction code, not only input validation.
MIN_FIT_SUCCESS = 0.2

FUZZ_SETTINGS = settings(
    max_examples=N_CASES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # bad outcomes are collected
    suppress_health_check=list(HealthCheck),
)

CLEAR_ERRORS = (ValueError, TypeError)  # NotFittedError is a ValueError
FOREIGN_CODE = tuple(
    os.sep + name + os.sep for name in ("torch", "skorch", "numpy", "scipy")
)

# --------------------------------------------------------------------------- #
# inputs
# --------------------------------------------------------------------------- #
F32_MAX = float(np.finfo(np.float32).max)

VALUE_PATTERNS = [
    "normal",
    "constant_column",
    "all_constant",
    "zeros",
    "integers",
    "binary",
    "duplicate_columns",
    "one_column_scaled_1e6",
    "mixed_scales",
    "huge_1e30",
    "negative_1e10",
    "tiny_1e-30",
    "subnormal",
    "float32_edge",
    "beyond_float32",
    "one_nan",
    "one_inf",
    "one_neg_inf",
    "both_infinities",
]

INPUT_KINDS = [
    "float64",
    "float32",
    "float16",
    "int64",
    "int32",
    "uint8",
    "bool",
    "object_numbers",
    "object_strings",
    "complex",
    "list",
    "fortran",
    "strided",
    "readonly",
    "dataframe",
    "dataframe_int_names",
    "dataframe_mixed_dtypes",
    "dataframe_category",
    "dataframe_nullable",
    "sparse_csr",
    "sparse_csc",
    "one_dimensional",
    "three_dimensional",
]


def _values(pattern, n, p, rng):
    X = rng.normal(size=(n, p))
    if p == 0 or n == 0:
        return X
    j = int(rng.randint(p))
    i = int(rng.randint(n))
    if pattern == "constant_column":
        X[:, j] = 3.0
    elif pattern == "all_constant":
        X[:] = 1.5
    elif pattern == "zeros":
        X[:] = 0.0
    elif pattern == "integers":
        X = rng.randint(-3, 4, size=(n, p)).astype(float)
    elif pattern == "binary":
        X = rng.randint(0, 2, size=(n, p)).astype(float)
    elif pattern == "duplicate_columns":
        X[:, j] = X[:, 0]
    elif pattern == "one_column_scaled_1e6":
        X[:, j] *= 1e6
    elif pattern == "mixed_scales":
        X *= 10.0 ** rng.randint(-8, 9, size=p)
    elif pattern == "huge_1e30":
        X *= 1e30
    elif pattern == "negative_1e10":
        X = -np.abs(X) * 1e10
    elif pattern == "tiny_1e-30":
        X *= 1e-30
    elif pattern == "subnormal":
        X *= 1e-310
    elif pattern == "float32_edge":
        X[i, j] = F32_MAX * (1 if rng.rand() < 0.5 else -1)
    elif pattern == "beyond_float32":
        X[i, j] = 1e39 * (1 if rng.rand() < 0.5 else -1)
    elif pattern == "one_nan":
        X[i, j] = np.nan
    elif pattern == "one_inf":
        X[i, j] = np.inf
    elif pattern == "one_neg_inf":
        X[i, j] = -np.inf
    elif pattern == "both_infinities":
        X[i, j] = np.inf
        X[(i + 1) % n, (j + 1) % p] = -np.inf
    return X


def _as_input(X, kind, rng):
    """``X`` (float64, 2-D) in the container and dtype named by ``kind``."""
    import pandas as pd
    import scipy.sparse as sp

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ints = np.clip(np.nan_to_num(X), -(2**31), 2**31 - 1)
        if kind == "float64":
            return X.copy()
        if kind == "float32":
            return X.astype(np.float32)
        if kind == "float16":
            return X.astype(np.float16)
        if kind in ("int64", "int32"):
            return ints.astype(kind)
        if kind == "uint8":
            return np.clip(ints, 0, 255).astype(np.uint8)
        if kind == "bool":
            return X > 0
        if kind == "object_numbers":
            return X.astype(object)
        if kind == "object_strings":
            out = X.astype(object)
            if out.size:
                out.flat[int(rng.randint(out.size))] = "a string"
            return out
        if kind == "complex":
            return X + 1j
        if kind == "list":
            return X.tolist()
        if kind == "fortran":
            return np.asfortranarray(X)
        if kind == "strided":
            wide = np.repeat(X, 2, axis=1)
            return wide[:, ::2]
        if kind == "readonly":
            out = X.copy()
            out.flags.writeable = False
            return out
        if kind == "dataframe":
            return pd.DataFrame(X, columns=[f"col{j}" for j in range(X.shape[1])])
        if kind == "dataframe_int_names":
            return pd.DataFrame(X)
        if kind == "dataframe_mixed_dtypes":
            frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
            if X.shape[1]:
                frame["c0"] = ints[:, 0].astype(np.int64)
            if X.shape[1] > 1:
                frame["c1"] = X[:, 1].astype(np.float32)
            return frame
        if kind == "dataframe_category":
            frame = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
            if X.shape[1]:
                frame["c0"] = pd.Categorical(np.where(X[:, 0] > 0, "pos", "neg"))
            return frame
        if kind == "dataframe_nullable":
            frame = pd.DataFrame(ints.astype(np.int64)).astype("Int64")
            if X.size:
                frame.iloc[0, 0] = pd.NA
            return frame
        if kind == "sparse_csr":
            return sp.csr_matrix(X)
        if kind == "sparse_csc":
            return sp.csc_matrix(X)
        if kind == "one_dimensional":
            return X[:, 0].copy() if X.shape[1] else X.ravel()
        if kind == "three_dimensional":
            return X[:, :, None].copy()
    raise AssertionError(kind)


CLASS_TARGETS = [
    "binary",
    "multiclass",
    "strings",
    "bool",
    "float_labels",
    "negative_big_ints",
    "single_class",
    "one_sample_of_a_class",
    "column",
    "list",
    "series",
    "object_ints",
    "object_mixed",
    "continuous",
    "multioutput",
    "nan_label",
    "wrong_length",
]

REGRESSION_TARGETS = [
    "continuous",
    "float32",
    "multioutput",
    "column",
    "constant",
    "integers",
    "bool",
    "huge_1e30",
    "beyond_float32",
    "variance_overflow",
    "tiny_1e-30",
    "one_nan",
    "one_inf",
    "strings",
    "list",
    "series",
    "wrong_length",
]


def _target(kind, n, rng):
    import pandas as pd

    if kind == "wrong_length":
        n = n + 1
    classes = rng.randint(0, 2, size=n)
    if n >= 2:
        classes[:2] = [0, 1]  # both classes present unless asked otherwise
    normal = rng.normal(size=n)
    if kind == "binary":
        return classes
    if kind == "multiclass":
        return rng.randint(0, 4, size=n)
    if kind == "strings":
        return np.array(["no", "yes"])[classes]
    if kind == "bool":
        return classes.astype(bool)
    if kind == "float_labels":
        return classes.astype(float)
    if kind == "negative_big_ints":
        return np.array([-(10**12), 7])[classes]
    if kind == "single_class":
        return np.zeros(n, dtype=int)
    if kind == "one_sample_of_a_class":
        y = np.zeros(n, dtype=int)
        y[:1] = 1
        return y
    if kind == "column":
        return normal[:, None] if rng.rand() < 0.5 else classes[:, None]
    if kind == "list":
        return classes.tolist() if rng.rand() < 0.5 else normal.tolist()
    if kind == "series":
        return pd.Series(classes if rng.rand() < 0.5 else normal, name="target")
    if kind == "object_ints":
        return classes.astype(object)
    if kind == "object_mixed":
        y = classes.astype(object)
        y[:1] = "a"
        return y
    if kind in ("continuous", "wrong_length"):
        return normal
    if kind == "float32":
        return normal.astype(np.float32)
    if kind == "multioutput":
        return rng.normal(size=(n, 2))
    if kind == "nan_label":
        y = classes.astype(float)
        y[:1] = np.nan
        return y
    if kind == "constant":
        return np.full(n, 2.5)
    if kind == "integers":
        return rng.randint(-5, 6, size=n)
    if kind == "huge_1e30":
        return normal * 1e30
    if kind == "beyond_float32":
        return normal * 1e39
    if kind == "variance_overflow":
        return normal * 1e200
    if kind == "tiny_1e-30":
        return normal * 1e-30
    if kind == "one_nan":
        normal[:1] = np.nan
        return normal
    if kind == "one_inf":
        normal[:1] = np.inf
        return normal
    raise AssertionError(kind)


WEIGHT_KINDS = [
    "none",
    "ones",
    "integers",
    "some_zeros",
    "all_zeros",
    "negative",
    "wrong_length",
    "strings",
    "huge_1e308",
    "nan",
    "inf",
    "list",
    "float32",
    "two_dimensional",
]


def _weights(kind, n, rng):
    """Sample weights for ``n`` rows of the kind named, or None."""
    w = rng.randint(0, 4, size=n).astype(float)
    if n:
        w[0] = 1.0  # a positive sum unless asked otherwise
    if kind == "none":
        return None
    if kind == "ones":
        return np.ones(n)
    if kind == "integers":
        return w.astype(np.int64)
    if kind == "some_zeros":
        return w
    if kind == "all_zeros":
        return np.zeros(n)
    if kind == "negative":
        return -np.ones(n)
    if kind == "wrong_length":
        return np.ones(n + 2)
    if kind == "strings":
        return np.array(["1"] * n)
    if kind == "huge_1e308":
        return np.full(n, 1e308)
    if kind == "nan":
        out = np.ones(n)
        out[:1] = np.nan
        return out
    if kind == "inf":
        out = np.ones(n)
        out[:1] = np.inf
        return out
    if kind == "list":
        return w.tolist()
    if kind == "float32":
        return w.astype(np.float32)
    if kind == "two_dimensional":
        return np.ones((n, 2))
    raise AssertionError(kind)


#: Parameters that define the network: changing one before a warm fit must
#: raise a clear error (or refit), never continue the old network silently.
BUILT_CHANGES = [
    {"hidden_layer_sizes": (5,)},
    {"auto_depth": True},
    {"activation": "tanh"},
    {"alpha": 0.5},
    {"eigenvalues": "both"},
]

# --------------------------------------------------------------------------- #
# hyperparameters
# --------------------------------------------------------------------------- #
#: Valid values, numpy scalars among them; the first is the most common.
MLP_PARAMS = {
    "hidden_layer_sizes": [(4,), (), (3, 2), [4], np.array([3]), np.int64(4), 2],
    "max_iter": [3, 1, 2, np.int64(2), np.int32(3)],
    "batch_size": ["auto", 1, 5, np.int64(4), 10_000],
    "learning_rate_init": [1e-2, 1e-3, np.float32(0.01), 0.5, 100.0],
    "alpha": [0.1, 0.0, np.float64(1.0), 1e3],
    "penalty": ["l1", "l2", "group"],
    "activation": ["relu", "tanh", "logistic", "identity"],
    "eigenvalues": ["in", "out", "both"],
    "penalized": ["auto", "input", "all"],
    "phi_alpha": [1e-3, 0.0, np.float32(0.1)],
    "relative_penalty": [True, False, np.bool_(True)],
    "auto_depth": [False, True],
    "early_stopping": [False, True],
    "validation_fraction": [0.1, 0.5, np.float64(0.3)],
    "n_iter_no_change": [10, 1, np.int32(2)],
    "tol": [1e-4, 0.0, np.float32(1e-3)],
    "random_state": [0, 1, np.int64(7), None],
    "warm_start": [False, True],
    "shuffle": [True, False],
    "beta_1": [0.9, 0.0, np.float32(0.5)],
    "epsilon": [1e-8, 1e-3],
}
#: Invalid values: at most one per case.
BAD_MLP_PARAMS = {
    "hidden_layer_sizes": [(0,), (2.5,), "4", (-1,)],
    "max_iter": [0, -1, 2.5],
    "batch_size": [0, "big", 1.5],
    "learning_rate_init": [0.0, -1.0, np.nan, np.inf],
    "alpha": [-0.1, np.nan, "0.1"],
    "penalty": ["l3", None],
    "activation": ["swish"],
    "validation_fraction": [1.0, 0.0],
    "n_iter_no_change": [0, np.nan],
    "beta_2": [1.0, -0.1],
    "tol": [-1.0],
    "device": ["gpu0", 3],
}


def _pick(draw, options, p_first=0.5):
    """The first option with probability about ``p_first``, else any option."""
    if draw(st.floats(0, 1)) < p_first:
        return options[0]
    return draw(st.sampled_from(options))


def _one_bad(params, bad, rng):
    """Make one parameter invalid in a fifth of the cases.

    The gate and the choice come from ``rng`` (seeded by hypothesis): its
    own draws favour the first options, which would make one invalid value
    crowd out the rest.
    """
    if rng.rand() < 0.2:
        name = sorted(bad)[rng.randint(len(bad))]
        options = bad[name]
        params[name] = options[rng.randint(len(options))]
    return params


def _mlp_params(draw, rng):
    """Draw hyperparameters of a tiny spectral MLP, at most one invalid."""
    params = {name: _pick(draw, options) for name, options in MLP_PARAMS.items()}
    if params["auto_depth"] and rng.rand() < 0.8:  # mostly a valid combination
        params.update(penalized="input", eigenvalues="in")
    return _one_bad(params, BAD_MLP_PARAMS, rng)


SELECTOR_PARAMS = {
    "threshold": ["auto", "mean", "median", "0.5*mean", 0.0, np.float64(0.05), None],
    "max_features": [None, 1, np.int64(2), 50],
    "alpha": [None, 0.1, np.float32(0.01)],
    "random_state": [None, 0, np.int64(1)],
}
BAD_SELECTOR_PARAMS = {
    "threshold": ["1.5*maximum", "", [0.1]],
    "max_features": [0, -1, 1.5],
    "alpha": [-1.0, "a"],
    "estimator": ["not an estimator", 3],
}


def _selector_params(draw, rng, estimator):
    """Draw selector parameters around ``estimator``, at most one invalid."""
    params = {name: _pick(draw, options) for name, options in SELECTOR_PARAMS.items()}
    params["estimator"] = estimator
    return _one_bad(params, BAD_SELECTOR_PARAMS, rng)


# --------------------------------------------------------------------------- #
# the oracle
# --------------------------------------------------------------------------- #
class _Outcomes:
    """What the cases of one estimator did."""

    def __init__(self):
        self.cases = 0
        self.fits = Counter()
        self.errors = Counter()  # clear errors, by type and message start
        self.bad = {}  # cause -> (count, one full case)

    def record_bad(self, cause, case):
        count, example = self.bad.get(cause, (0, case))
        self.bad[cause] = (count + 1, example)

    def report(self):
        lines = [
            f"{sum(c for c, _ in self.bad.values())} bad outcomes in "
            f"{self.cases} cases:"
        ]
        for cause, (count, example) in sorted(
            self.bad.items(), key=lambda kv: -kv[1][0]
        ):
            lines.append(f"- {count} x {cause}\n    e.g. {example}")
        return "\n".join(lines)


def _raise_site(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].filename if frames else "?"


def _short(obj):
    text = repr(obj)
    return text if len(text) < 60 else text[:57] + "..."


def _snapshot(obj):
    return copy.deepcopy(obj)


def _unchanged(before, after):
    """Whether an input is exactly as it was (NaN equal to NaN)."""
    import pandas as pd
    import scipy.sparse as sp

    if type(before) is not type(after):
        return False
    if sp.issparse(before):
        return before.shape == after.shape and np.array_equal(
            before.toarray(), after.toarray(), equal_nan=True
        )
    if isinstance(before, (pd.DataFrame, pd.Series)):
        try:
            if isinstance(before, pd.DataFrame):
                pd.testing.assert_frame_equal(before, after)
            else:
                pd.testing.assert_series_equal(before, after)
        except AssertionError:
            return False
        return True
    if isinstance(before, np.ndarray):
        if before.dtype != after.dtype or before.shape != after.shape:
            return False
        if before.dtype == object:
            return all(
                (a is b) or a == b or (a != a and b != b)
                for a, b in zip(before.ravel(), after.ravel())
            )
        return np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    return before == after


def _params_fingerprint(estimator):
    params = estimator.get_params(deep=False)
    params.pop("random_state", None)
    params.pop("estimator", None)
    return joblib.hash(params)


def _selected_columns(out, X, fitted):
    """Problem with a transform's output, or None: it must be the kept columns."""
    import scipy.sparse as sp

    if sp.issparse(X):  # sparse X is accepted since issue 21: compare dense
        X = X.toarray()
        out = out.toarray() if sp.issparse(out) else out
    got = np.asarray(out)
    if np.ndim(X) != 2:
        return f"transform accepted a {np.ndim(X)}-D input of type {type(X).__name__}"
    expected = np.asarray(X)[:, fitted.get_support()]
    if got.shape != expected.shape:
        return f"transform has shape {got.shape}, expected {expected.shape}"
    try:
        same = np.array_equal(
            got.astype(np.float64), expected.astype(np.float64), equal_nan=True
        )
    except (TypeError, ValueError):  # strings, pd.NA pass through as they are
        import pandas as pd

        missing_got, missing_expected = pd.isna(got), pd.isna(expected)
        same = np.array_equal(missing_got, missing_expected) and all(
            a == b for a, b in zip(got[~missing_got], expected[~missing_expected])
        )
    return None if same else "transform does not return the selected columns"


def _check_output(name, out, fitted, n_rows, X):
    """Problem with a successful call's output, or None."""
    if name == "score":
        # R^2 of fewer than two samples is undefined: scikit-learn gives NaN
        if not np.isfinite(out) and not (
            n_rows < 2 and not hasattr(fitted, "classes_")
        ):
            return f"score is {out}"
        return None
    if hasattr(out, "toarray"):  # a selector keeps sparse X sparse (issue 21)
        out = out.toarray()
    arr = np.asarray(out)
    if arr.shape[:1] != (n_rows,):
        return f"{name} has shape {arr.shape} for {n_rows} rows"
    if name == "predict" and hasattr(fitted, "classes_"):
        if not np.isin(arr, fitted.classes_).all():
            return "predict returned a label not in classes_"
        return None
    if name == "transform":
        return _selected_columns(out, X, fitted)
    if arr.dtype.kind not in "biuf":
        return f"{name} returned dtype {arr.dtype}"
    if not np.all(np.isfinite(arr)):
        return f"{name} returned non-finite values"
    if name == "predict_proba":
        if arr.min() < 0 or arr.max() > 1:
            return "predict_proba outside [0, 1]"
        if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-6):
            return "predict_proba rows do not sum to 1"
    return None


def _check_fitted(fitted):
    importances = getattr(fitted, "feature_importances_", None)
    if importances is None:
        return "no feature_importances_ after fit"
    importances = np.asarray(importances)
    if importances.shape != (fitted.n_features_in_,):
        return "feature_importances_ has the wrong shape"
    if not np.all(np.isfinite(importances)) or importances.min() < 0:
        return "feature_importances_ not finite and non-negative"
    total = float(importances.sum())
    if not (np.isclose(total, 1.0) or total == 0.0):
        return f"feature_importances_ sums to {total}"
    return None


def _call(outcomes, case, name, method, *args, **kwargs):
    """Run one call; record a bad outcome. Returns (ok, result)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", RuntimeWarning)  # numpy's overflow etc.
        try:
            return True, method(*args, **kwargs)
        except CLEAR_ERRORS as exc:
            first = str(exc).strip().split("\n")[0][:70]
            outcomes.errors[f"{name}: {type(exc).__name__}: {first}"] += 1
            site = _raise_site(exc)
            if any(part in site for part in FOREIGN_CODE):
                where = site.split(os.sep + "site-packages" + os.sep)[-1]
                cause = f"{name}: {type(exc).__name__} from inside {where}"
                outcomes.record_bad(cause, f"{case} -> {exc}")
            elif not str(exc).strip():
                outcomes.record_bad(
                    f"{name}: {type(exc).__name__} without message", case
                )
            return False, exc
        except Exception as exc:  # noqa: BLE001 - any other type is the finding
            first = str(exc).splitlines()[0][:80] if str(exc) else ""
            cause = f"{name}: {type(exc).__name__}: {first}"
            outcomes.record_bad(cause, case)
            return False, exc


# --------------------------------------------------------------------------- #
# one case
# --------------------------------------------------------------------------- #
def _draw_data(draw, rng, n, p, target_kinds):
    # the first pattern, kind and target are the valid common case
    pattern = _pick(draw, VALUE_PATTERNS, 0.6)
    kind = _pick(draw, INPUT_KINDS, 0.6)
    target_kind = _pick(draw, target_kinds, 0.6)
    X = _as_input(_values(pattern, n, p, rng), kind, rng)
    y = _target(target_kind, n, rng)
    return X, y, f"X={kind}/{pattern}({n}x{p}) y={target_kind}"


def _run_case(outcomes, data, make_estimator, target_kinds):
    draw = data.draw
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    n = _pick(draw, [20, 0, 1, 2, 3, 5, 8, 13, 40])
    p = _pick(draw, [3, 0, 1, 2, 5])
    X, y, described = _draw_data(draw, rng, n, p, target_kinds)
    estimator, params_text = make_estimator(draw, rng)
    if rng.rand() < 0.3:
        other_p = draw(st.sampled_from([p, p, p + 1]))
        n_test = draw(st.sampled_from([1, 4, 9]))
        X_test, y_test, test_described = _draw_data(
            draw, rng, n_test, other_p, target_kinds
        )
    else:
        X_test, y_test, test_described = X, y, "same"
    weight_kind = _pick(draw, WEIGHT_KINDS, 0.6)
    sw = _weights(weight_kind, n, rng)
    case = (
        f"seed={seed} {described} sw={weight_kind} test={test_described} {params_text}"
    )
    outcomes.cases += 1

    inputs = [X, y, X_test, y_test, sw]
    snapshots = [_snapshot(v) for v in inputs]
    fingerprint = _params_fingerprint(estimator)

    methods = [
        m for m in ("predict", "predict_proba", "transform") if hasattr(estimator, m)
    ]
    if rng.rand() < 0.1 and methods:  # before fit: NotFittedError
        valid = np.zeros((2, max(p, 1)))
        ok, err = _call(
            outcomes, case, "unfitted", getattr(estimator, methods[0]), valid
        )
        if ok or not isinstance(err, NotFittedError):
            outcomes.record_bad(
                f"{methods[0]} before fit: not NotFittedError", f"{case} -> {err!r}"
            )

    weights = {} if sw is None else {"sample_weight": sw}
    fitted, _ = _call(outcomes, case, "fit", estimator.fit, X, y, **weights)
    if fitted and getattr(estimator, "warm_start", False):
        if rng.rand() < 0.3:
            _warm_fit_after_a_change(outcomes, case, estimator, (X, y), weights, rng)
        fitted, _ = _call(outcomes, case, "fit(warm)", estimator.fit, X, y, **weights)
    outcomes.fits["ok" if fitted else "error"] += 1
    if fitted:
        problem = _check_fitted(getattr(estimator, "estimator_", estimator))
        if problem:
            outcomes.record_bad(f"fit: {problem}", case)
        n_rows = X_test.shape[0] if hasattr(X_test, "shape") else len(X_test)
        for name in methods:
            ok, out = _call(outcomes, case, name, getattr(estimator, name), X_test)
            if ok:
                problem = _check_output(name, out, estimator, n_rows, X_test)
                if problem:
                    outcomes.record_bad(problem, case)
        if hasattr(estimator, "score"):
            ok, out = _call(outcomes, case, "score", estimator.score, X_test, y_test)
            if ok:
                problem = _check_output("score", out, estimator, n_rows, X_test)
                if problem:
                    outcomes.record_bad(problem, case)
        if hasattr(estimator, "prune") and rng.rand() < 0.5:
            _prune_and_export(outcomes, case, estimator, X_test, y_test)
        if hasattr(estimator, "prune") and rng.rand() < 0.3:
            _refit_on_other_data(outcomes, case, estimator, X_test, y_test)
    if hasattr(estimator, "partial_fit") and rng.rand() < 0.3:
        _partial_fits(outcomes, case, estimator, X, y, sw)

    names = ("X", "y", "X_test", "y_test", "sample_weight")
    for name, before, after in zip(names, snapshots, inputs):
        if not _unchanged(before, after):
            outcomes.record_bad(f"{name} was modified", case)
    if _params_fingerprint(estimator) != fingerprint:
        outcomes.record_bad("parameters changed by fit", case)


def _warm_fit_after_a_change(outcomes, case, estimator, fit_args, weights, rng):
    """A warm fit after changing what the network was built with: an error."""
    change = BUILT_CHANGES[rng.randint(len(BUILT_CHANGES))]
    name = next(iter(change))
    before = estimator.get_params()[name]
    estimator.set_params(**change)
    try:
        ok, _ = _call(
            outcomes, case, "fit(warm, changed)", estimator.fit, *fit_args, **weights
        )
        if ok and not _same(before, change[name]):
            outcomes.record_bad(
                f"warm fit continued the old network after {name} changed", case
            )
    finally:
        estimator.set_params(**{name: before})


def _same(a, b):
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b)))
    except (TypeError, ValueError):
        return False


def _dense_float(X):
    """``X`` as a float64 array when it is a plain 2-D numeric input, else None."""
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "fiub":
        return None
    with np.errstate(all="ignore"):
        return X.astype(np.float64)


def _network_rows(estimator, X_test):
    """``X_test`` as the exported network takes it: its encoded inputs.

    An estimator that encodes its columns (missing indicators, one-hot
    categories) exports the network of the encoded inputs (a random fuzz
    run met a NaN column: the export was fed the raw columns).
    """
    X = _dense_float(X_test)
    if X is None or X.shape[1] != estimator.n_features_in_:
        return None
    try:
        return _dense_float(estimator.encoder_.transform(X_test))
    except (ValueError, TypeError, AttributeError):
        return None


def _prune_and_export(outcomes, case, estimator, X_test, y_test):
    """``prune`` then ``to_torch``: finite, and the export is ``predict``."""
    import torch

    hidden = np.atleast_1d(estimator.hidden_layer_sizes)
    if hidden.size:
        ok, _ = _call(outcomes, case, "prune", estimator.prune, X_test, y_test)
        if ok:
            ok, module = _call(
                outcomes, case, "to_torch(pruned)", estimator.to_torch, pruned=True
            )
            X = _network_rows(estimator, X_test)
            if ok and X is not None and X.shape[1] == module.input_shift.numel():
                with torch.no_grad():
                    out = module(torch.as_tensor(X)).numpy()
                if not np.all(np.isfinite(out)):
                    outcomes.record_bad("pruned export returned non-finite", case)
    ok, module = _call(outcomes, case, "to_torch", estimator.to_torch)
    X = _network_rows(estimator, X_test)
    if not ok or X is None or X.shape[1] != module.input_shift.numel():
        return
    classifier = hasattr(estimator, "classes_")
    method = estimator.predict_proba if classifier else estimator.predict
    ok, expected = _call(outcomes, case, "predict", method, _dense_float(X_test))
    if not ok:
        return
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = module(torch.as_tensor(X))
        out = torch.softmax(out, 1) if classifier else out
    out = out.numpy().reshape(np.shape(expected))
    top = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    if not np.allclose(out, expected, rtol=1e-4, atol=1e-5 * top):
        outcomes.record_bad("to_torch() does not compute what predict computes", case)


def _refit_on_other_data(outcomes, case, estimator, X_test, y_test):
    """A refit keeps nothing of the earlier fit (or is a clear error)."""
    ok, _ = _call(outcomes, case, "refit", estimator.fit, X_test, y_test)
    if not ok:
        return
    X = _dense_float(X_test)
    if X is not None and estimator.n_features_in_ != X.shape[1]:
        outcomes.record_bad("refit kept n_features_in_ of the earlier fit", case)
    if hasattr(estimator, "pruning_curve_"):
        outcomes.record_bad("refit kept pruning_curve_ of the earlier fit", case)
    if estimator.feature_importances_.shape != (estimator.n_features_in_,):
        outcomes.record_bad("refit kept feature_importances_ of the earlier fit", case)


def _partial_fits(outcomes, case, estimator, X, y, sw):
    """Two ``partial_fit`` calls on a fresh copy: finite predictions."""
    from sklearn.base import clone

    est = clone(estimator)
    kwargs = {} if sw is None else {"sample_weight": sw}
    if "classes" in inspect.signature(est.partial_fit).parameters:
        try:
            kwargs["classes"] = np.unique(np.asarray(y, dtype=object).ravel())
        except TypeError:  # mixed labels: let partial_fit say so
            kwargs["classes"] = y
    for call in ("partial_fit", "partial_fit(again)"):
        ok, _ = _call(outcomes, case, call, est.partial_fit, X, y, **kwargs)
        if not ok:
            return
    X = _dense_float(X)
    if X is None:
        return
    name = "predict" if hasattr(est, "predict") else "transform"
    ok, out = _call(outcomes, case, name, getattr(est, name), X)
    if ok:
        problem = _check_output(name, out, est, X.shape[0], X)
        if problem:
            outcomes.record_bad(f"after partial_fit: {problem}", case)


def _tiny_mlp(cls):
    def make(draw, rng):
        params = _mlp_params(draw, rng)
        return cls(**params), f"{cls.__name__}({_short(params)})"

    return make


def _tiny_selector(draw, rng):
    cls = _pick(draw, [SpectralMLPClassifier, SpectralMLPRegressor])
    inner = {
        "hidden_layer_sizes": _pick(draw, [(4,), (), (3,)]),
        "max_iter": _pick(draw, [3, 1, 2]),
        "learning_rate_init": 1e-2,
        "random_state": 0,
        "auto_depth": _pick(draw, [False, True]),
    }
    params = _selector_params(draw, rng, cls(**inner))
    selector = SpectralFeatureSelector(**params)
    if rng.rand() < 0.2:
        selector.set_output(transform="pandas")
    return selector, f"SpectralFeatureSelector({_short(params)}, inner={inner})"


def _fuzz(make_estimator, target_kinds):
    pytest.importorskip("pandas")
    outcomes = _Outcomes()

    @FUZZ_SETTINGS
    @given(data=st.data())
    def run(data):
        _run_case(outcomes, data, make_estimator, target_kinds)

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    # shown with pytest -s: what the cases ran into
    print(f"\n{outcomes.cases} cases in {elapsed:.1f} s, fits {dict(outcomes.fits)}")
    shown = int(os.environ.get("FUZZ_SHOW", 25))  # FUZZ_SHOW=400: every message
    for message, count in outcomes.errors.most_common(shown):
        print(f"  {count:4d}  {message}")
    assert outcomes.cases >= N_CASES, f"only {outcomes.cases} cases generated"
    assert not outcomes.bad, outcomes.report()
    fitted = outcomes.fits["ok"] / max(1, outcomes.cases)
    assert fitted >= MIN_FIT_SUCCESS, (
        f"only {fitted:.0%} of the fits succeeded: the cases mostly test "
        f"validation ({outcomes.fits}, {elapsed:.1f} s)"
    )


def test_classifier_gives_a_clear_error_or_a_finite_answer():
    _fuzz(_tiny_mlp(SpectralMLPClassifier), CLASS_TARGETS)


def test_regressor_gives_a_clear_error_or_a_finite_answer():
    _fuzz(_tiny_mlp(SpectralMLPRegressor), REGRESSION_TARGETS)


def test_selector_gives_a_clear_error_or_a_finite_answer():
    _fuzz(_tiny_selector, CLASS_TARGETS + REGRESSION_TARGETS)
