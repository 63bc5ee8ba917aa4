"""Users' own tables: which columns are categorical, how each is encoded, and
which network inputs share one input eigenvalue.

The network trains on a matrix of floats; a user's table has category and
text columns, booleans and missing cells. :class:`TableEncoder` turns the
table into that matrix and remembers, for every input of the matrix, the
*group* it belongs to: all the inputs made from one original column (the
one-hot dummies of a category, a numeric value and its missing indicator),
or from one user-defined group of columns (``feature_groups``), share one
input eigenvalue of the network. The L1 penalty then switches a whole column
(or group) on or off at once, and the relevance is reported per column.

Numeric input without missing values, categorical columns or groups is
passed through untouched (no copy): numpy input behaves as it always did.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import OneHotEncoder

__all__ = [
    "TableEncoder",
    "is_dataframe",
]

#: The category a missing cell of a categorical column becomes.
MISSING_CATEGORY = "<missing>"


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame (without importing pandas)."""
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _is_categorical_dtype(dtype):
    """``category``, ``object``, string and boolean dtypes are categorical."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(dtype):  # numpy bool and nullable boolean
        return True
    if pd.api.types.is_numeric_dtype(dtype):  # incl. Int64, Float64
        return False
    # object, string, pandas 3's "str", anything else non-numeric
    return not pd.api.types.is_datetime64_any_dtype(dtype)


def _column_names(X, n_features):
    if is_dataframe(X):
        return [str(c) for c in X.columns]
    return [f"x{j}" for j in range(n_features)]


def _resolve_columns(spec, names, n_features, what):
    """Indices of the columns named or numbered in ``spec`` (a list)."""
    index = {name: j for j, name in enumerate(names)}
    out = []
    for item in spec:
        if isinstance(item, (str, np.str_)):
            if item not in index:
                raise ValueError(
                    f"{what}: column {item!r} is not a column of X "
                    f"(columns: {names[:10]}{'...' if len(names) > 10 else ''})."
                )
            out.append(index[item])
        elif isinstance(item, Integral) and not isinstance(item, bool):
            j = int(item)
            if not -n_features <= j < n_features:
                raise ValueError(
                    f"{what}: column index {j} is out of range for X with "
                    f"{n_features} columns."
                )
            out.append(j % n_features)
        else:
            raise ValueError(
                f"{what} must list column names (str) or indices (int), got {item!r}."
            )
    return out


def categorical_mask(X, categorical_features, n_features):
    """Boolean mask of the categorical columns of ``X``.

    Parameters
    ----------
    X : DataFrame or array-like
        The table.
    categorical_features : "from_dtype", None, array-like of str or int, or
        bool mask
        As :class:`~sklearn.ensemble.HistGradientBoostingClassifier`:
        ``"from_dtype"`` takes the DataFrame columns of dtype ``category``,
        ``object``, string or boolean (numpy input: none); None: none; a list
        of names or indices, or a boolean mask of length ``n_features``.
    n_features : int
        Number of columns of ``X``.

    Returns
    -------
    ndarray of bool of shape (n_features,)
    """
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError(
                "categorical_features must be 'from_dtype', None, a list of "
                f"column names or indices, or a boolean mask; got "
                f"{categorical_features!r}."
            )
        if not is_dataframe(X):
            return np.zeros(n_features, dtype=bool)
        return np.array([_is_categorical_dtype(t) for t in X.dtypes], dtype=bool)
    spec = np.asarray(categorical_features)
    if spec.dtype == bool:
        if spec.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask must have length "
                f"{n_features} (the columns of X), got shape {spec.shape}."
            )
        return spec.copy()
    mask = np.zeros(n_features, dtype=bool)
    names = _column_names(X, n_features)
    if spec.dtype.kind in "US" and not is_dataframe(X):
        raise ValueError(
            "categorical_features lists column names, but X has no column "
            "names (pass a DataFrame, or column indices)."
        )
    mask[
        _resolve_columns(
            list(categorical_features), names, n_features, "categorical_features"
        )
    ] = True
    return mask


def column_groups(names, feature_groups, n_features):
    """The group (input eigenvalue) of every original column.

    Parameters
    ----------
    names : list of str
        The name of every column (``x0, x1, ...`` for arrays).
    feature_groups : list of list of str or int, or None
        Columns that share one eigenvalue; every column not listed is a group
        of its own.
    n_features : int
        Number of columns of ``X``.

    Returns
    -------
    group_of_column : ndarray of int of shape (n_features,)
        Group index of each column, groups numbered in order of their first
        column.
    """
    group = np.arange(n_features)
    if feature_groups is None:
        return group
    if isinstance(feature_groups, (str, bytes)) or not hasattr(
        feature_groups, "__iter__"
    ):
        raise ValueError(
            "feature_groups must be a list of lists of column names or "
            f"indices, got {feature_groups!r}."
        )
    seen = {}
    for g, members in enumerate(feature_groups):
        if isinstance(members, (str, bytes)) or not hasattr(members, "__iter__"):
            raise ValueError(
                "feature_groups must be a list of lists of column names or "
                f"indices; group {g} is {members!r}."
            )
        columns = _resolve_columns(list(members), names, n_features, "feature_groups")
        if not columns:
            raise ValueError(f"feature_groups: group {g} is empty.")
        for j in columns:
            if j in seen and seen[j] != g:
                raise ValueError(
                    f"feature_groups: column {names[j]!r} is in groups "
                    f"{seen[j]} and {g}; a column belongs to one group."
                )
            seen[j] = g
        first = min(columns)
        group[columns] = first
    # renumber 0..n_groups-1 in order of first column
    _, group = np.unique(group, return_inverse=True)
    return group.astype(np.int64)


def _as_float_column(values, name):
    """One numeric column as float64 with NaN for pd.NA / None."""
    if hasattr(values, "to_numpy"):
        try:
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"Column {name!r} is not numeric and was not taken as categorical: "
            "pass it in categorical_features (or leave categorical_features="
            "'from_dtype' with a DataFrame)."
        ) from None


def _as_category_column(values):
    """One categorical column as an object array of str, missing cells marked."""
    import pandas as pd

    series = pd.Series(values) if not hasattr(values, "isna") else values
    missing = np.asarray(series.isna(), dtype=bool)
    # str of every cell at once (pandas' loop, not a Python one)
    out = np.array(series.astype(object).astype(str), dtype=object)
    out[missing] = MISSING_CATEGORY
    return out.reshape(-1, 1)


def _category_codes(values, levels=None):
    """Each cell's level, as :func:`_as_category_column` names it, by codes.

    ``str`` of every cell (pandas' ``astype(str)``) took most of a small
    table's encoding; the column is factorised instead (a categorical
    column's own codes) and only its distinct values are made strings.

    Parameters
    ----------
    values : Series or ndarray of shape (n_samples,)
        One categorical column.
    levels : ndarray of object, dict of str to int, or None
        The sorted level strings learned in training (or ``{level: code}``
        of them); None learns them.

    Returns
    -------
    codes : ndarray of int of shape (n_samples,)
        Index of each cell's level in ``levels``; ``len(levels)`` for a
        level not in them (first met at prediction time).
    levels : ndarray of object or dict
        ``levels``, or the sorted distinct strings of the column (with
        ``"<missing>"`` for its missing cells).
    """
    import pandas as pd

    # missing cells (NaN, None, pd.NA) get the sentinel -1
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    if len({type(u) for u in uniques}) > 1:
        # an object column mixing types: factorize takes 1, 1.0 and True
        # as one value, their strings differ; factorise the strings
        codes, uniques = pd.factorize(
            _as_category_column(values).ravel(), use_na_sentinel=True
        )
        uniques = np.asarray(uniques, dtype=object)
    # few distinct values: str of each in Python, as astype(str) does
    names = [str(u) for u in uniques]
    if (codes < 0).any():
        names.append(MISSING_CATEGORY)
    if levels is None:
        levels = np.array(sorted(set(names)), dtype=object)
    position = levels if isinstance(levels, dict) else _positions(levels)
    # a level not learned in training: len(levels), the unseen row
    index = np.array([position.get(n, len(position)) for n in names], dtype=np.intp)
    # the sentinel -1 reads the last entry: the missing level
    return (index[codes] if len(index) else codes), levels


def _positions(levels):
    """``{level: its code}`` of an array of level strings."""
    return {level: k for k, level in enumerate(levels)}


def _level_lookup(encoder, levels):
    """``(levels, rows, positions)``: the encoder's output for every level.

    The encoder was fitted on the codes ``0 .. k - 1`` of ``levels``;
    ``positions`` maps a level string to its code;
    ``rows[code]`` is its output for that level and ``rows[-1]`` for a level
    it never saw (the infrequent bucket, or no dummy at all), so that
    :func:`_one_hot` computes the same matrix with one vectorised lookup
    instead of scikit-learn's per-call validation (a third of a small
    table's prediction time).
    """
    probe = np.arange(len(levels) + 1).reshape(-1, 1)  # the last: unseen
    with warnings.catch_warnings():
        # the probe's unseen code: its warning is the point of the probe
        warnings.filterwarnings(
            "ignore", message="Found unknown categories", category=UserWarning
        )
        rows = encoder.transform(probe)
    levels = np.asarray(levels, dtype=object)
    return levels, np.asarray(rows, dtype=np.float64), _positions(levels)


def _one_hot(lookup, values, codes=None):
    """The one-hot block of a categorical column (see :func:`_level_lookup`).

    A level first met here takes the last row, the unseen level's: the
    infrequent bucket when there is one, else no dummy at all. ``codes``
    are the column's level codes when already known (in training).
    """
    _, rows, positions = lookup
    if codes is None:
        codes, _ = _category_codes(values, positions)
    return rows[codes]


class TableEncoder:
    """Turns a table into the network's input matrix and its input groups.

    Numeric columns are taken as they are; a numeric column with missing
    cells in the training data gets its (weighted) training mean in those
    cells and one more input, its missing indicator. Categorical columns
    become one-hot inputs (scikit-learn's :class:`~sklearn.preprocessing.
    OneHotEncoder`; a missing cell is the level ``"<missing>"``; levels
    seen fewer than ``settings.min_category_frequency`` times, and beyond
    the ``settings.max_categories`` most frequent, share one infrequent bucket, which
    also takes the levels first seen at prediction time; a column with two
    levels, a boolean, is one 0/1 input, and an unseen level then counts
    as the first level). A two-level column with missing cells in the
    training data is encoded as a numeric one: its 0/1 input gets the
    training mean in the missing cells, plus a missing indicator.

    Parameters
    ----------
    categorical_features : see :func:`categorical_mask`
    feature_groups : see :func:`column_groups`
    settings : Settings
        Its ``max_categories`` and ``min_category_frequency``.

    Attributes
    ----------
    passthrough_ : bool
        True when the matrix is the input itself (numeric, no missing cell
        in training, no categorical column, no group): :meth:`transform`
        then only imputes missing cells met at prediction time.
    n_features_in_ : int
        Number of original columns.
    column_names_ : list of str
        Name of each original column (``x0, x1, ...`` for arrays).
    categorical_ : ndarray of bool of shape (n_features_in_,)
        Which columns are one-hot encoded.
    group_of_column_ : ndarray of int of shape (n_features_in_,)
        The input eigenvalue of each original column.
    n_groups_ : int
        Number of input eigenvalues.
    column_of_input_ : ndarray of int of shape (n_inputs_,)
        The original column of every network input.
    input_groups_ : ndarray of int of shape (n_inputs_,)
        The input eigenvalue of every network input.
    fill_values_ : ndarray of shape (n_features_in_,)
        Value put into a missing numeric cell: the (weighted) training mean
        of the column (NaN for categorical columns).
    indicated_ : ndarray of bool of shape (n_features_in_,)
        Numeric columns that had missing cells in training, and so a
        missing-indicator input.
    binary_ : ndarray of bool of shape (n_features_in_,)
        Categorical columns of two levels with missing cells in training:
        one 0/1 input (imputed) and a missing indicator, not one-hot.
    encoders_ : dict of int to OneHotEncoder
        The encoder of each one-hot encoded categorical column.
    """

    def __init__(self, categorical_features, feature_groups, settings):
        self.categorical_features = categorical_features
        self.feature_groups = feature_groups
        self.settings = settings

    # ------------------------------------------------------------------ #
    def fit_transform(self, X, sample_weight=None, column_names=None):
        """Learn the encoding from ``X`` and return the encoded matrix.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
            Training table (already checked for shape; floats for arrays).
        sample_weight : ndarray of shape (n_samples,) or None
            Weights of the imputation means.
        column_names : array-like of str or None
            Names of the columns when ``X`` lost them in validation (a
            numeric DataFrame made an array); ``X``'s own or ``x0, x1, ...``
            when None.

        Returns
        -------
        ndarray or sparse matrix of shape (n_samples, n_inputs_)
        """
        n_features = X.shape[1]
        self.n_features_in_ = n_features
        self.column_names_ = (
            _column_names(X, n_features)
            if column_names is None
            else [str(c) for c in column_names]
        )
        self.categorical_ = categorical_mask(X, self.categorical_features, n_features)
        self.group_of_column_ = column_groups(
            self.column_names_, self.feature_groups, n_features
        )
        self.n_groups_ = int(self.group_of_column_.max()) + 1 if n_features else 0
        self.encoders_ = {}
        self._lookups = {}
        self.fill_values_ = np.full(n_features, np.nan)
        self.indicated_ = np.zeros(n_features, dtype=bool)
        self.binary_ = np.zeros(n_features, dtype=bool)
        frame = is_dataframe(X)
        if sp.issparse(X):
            if self.categorical_.any():
                raise ValueError(
                    "Sparse X holds numeric columns only; categorical_features "
                    "must be None or 'from_dtype' with sparse input."
                )
            if np.isnan(X.data).any():
                raise ValueError(
                    "Sparse X contains NaN: missing values are supported in "
                    "dense input (an array or a DataFrame) only."
                )
            self.passthrough_ = True
        elif not frame and not self.categorical_.any():
            self.passthrough_ = not _nan_columns(X).any()
        else:
            self.passthrough_ = False
        if self.passthrough_:
            if not sp.issparse(X) and X.shape[0]:
                # for the cells missing at prediction time only
                self.fill_values_ = _column_means(X, sample_weight)
            self.column_of_input_ = np.arange(n_features)
            self.input_groups_ = self.group_of_column_.copy()
            return X
        seen = self._fit_columns(X, sample_weight)
        parts, column_of_input = self._encode(X, seen)
        self.column_of_input_ = np.asarray(column_of_input, dtype=np.int64)
        self.input_groups_ = self.group_of_column_[self.column_of_input_]
        return _stack(parts, X.shape[0])

    def _fit_columns(self, X, sample_weight):
        """Imputation values and encoders, column by column.

        Returns the training columns as :meth:`_encode` reads them (level
        codes, floats), so that the training matrix does not read them
        twice.
        """

        names = self.column_names_
        seen = {}
        for j, values in enumerate(_columns(X)):
            if self.categorical_[j]:
                codes, levels = _category_codes(values)
                pair = self._binary_with_missing(codes, levels, sample_weight)
                if pair is not None:
                    self._lookups[j] = pair
                    self.binary_[j] = True
                    seen[j] = codes
                    continue
                encoder = OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=self.settings.min_category_frequency,
                    max_categories=max(2, self.settings.max_categories),
                    # a two-level column (a boolean) is one 0/1 input, as a
                    # numeric column: two dummies would be collinear
                    drop="if_binary",
                    sparse_output=False,
                    dtype=np.float64,
                )
                # the encoder learns from the level codes (numbers: its
                # fast path); levels[code] names them
                self.encoders_[j] = encoder.fit(codes.reshape(-1, 1))
                self._lookups[j] = _level_lookup(encoder, levels)
                seen[j] = codes
                continue
            col = _as_float_column(values, names[j])
            missing = np.isnan(col)
            if missing.all():
                raise ValueError(
                    f"Column {names[j]!r} has no value (every cell is missing, NaN): "
                    "drop it."
                )
            w = None if sample_weight is None else sample_weight[~missing]
            if w is not None and not w.sum() > 0:
                w = None
            self.fill_values_[j] = float(np.average(col[~missing], weights=w))
            self.indicated_[j] = bool(missing.any())
            seen[j] = col
        return seen

    def _binary_with_missing(self, codes, levels, sample_weight):
        """The lookup of a two-level column with missing cells, or None.

        A boolean (or any column of two frequent levels) with missing cells
        is encoded as a numeric column is: one 0/1 input (the second level
        is 1), its missing cells given the (weighted) training mean of
        that input, and a missing indicator. One-hot, it was three dummies
        (``<missing>``, the two levels), the two levels' nearly collinear:
        the network split one effect between them, and a relevant boolean
        read about ``sqrt(2)`` too low against a numeric column (its
        relevance is the norm of the group's weights), and was charged as a
        group of 3 instead of 2 (``Settings.group_size_power``). A level
        first met at prediction time counts as the first level, as for a
        boolean without missing cells.

        Returns
        -------
        (levels, rows, positions) or None
            As :func:`_level_lookup`: ``rows[code]`` is the two inputs of
            each level, ``rows[-1]`` those of an unseen level.
        """
        k = len(levels)
        if MISSING_CATEGORY not in set(levels) or k != 3:
            return None
        missing = int(
            np.flatnonzero(np.asarray(levels, dtype=object) == MISSING_CATEGORY)[0]
        )
        counts = np.bincount(codes, minlength=k)
        first, second = (c for c in range(k) if c != missing)
        if min(counts[first], counts[second]) < self.settings.min_category_frequency:
            return None
        observed = codes != missing
        w = None if sample_weight is None else sample_weight[observed]
        if w is not None and not w.sum() > 0:
            w = None
        fill = float(np.average(codes[observed] == second, weights=w))
        rows = np.zeros((k + 1, 2))
        rows[second, 0] = 1.0
        rows[missing] = (fill, 1.0)
        levels = np.asarray(levels, dtype=object)
        return levels, rows, _positions(levels)

    def _encode(self, X, seen=None):
        """The encoded blocks of ``X`` and the original column of each input.

        ``seen``: the columns already read by :meth:`_fit_columns`.
        """
        parts, column_of_input = [], []
        names = self.column_names_
        seen = {} if seen is None else seen
        for j, values in enumerate(_columns(X)):
            if self.categorical_[j]:
                # a level unseen in training goes to the infrequent bucket
                # (or, without one, to no dummy), as the encoder would
                block = _one_hot(self._lookups[j], values, seen.get(j))
                parts.append(block)
                column_of_input += [j] * block.shape[1]
                continue
            col = seen[j] if j in seen else _as_float_column(values, names[j])
            missing = np.isnan(col)
            if missing.any():
                col = np.where(missing, self.fill_values_[j], col)
            parts.append(col[:, None])
            column_of_input.append(j)
            if self.indicated_[j]:
                parts.append(missing.astype(np.float64)[:, None])
                column_of_input.append(j)
        return parts, column_of_input

    def transform(self, X):
        """Encode ``X`` as in training.

        Parameters
        ----------
        X : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features_in_)
            Data to encode (already checked for shape; floats for arrays).

        Returns
        -------
        ndarray or sparse matrix of shape (n_samples, n_inputs_)
        """
        if self.passthrough_:
            if sp.issparse(X):
                if np.isnan(X.data).any():
                    raise ValueError(
                        "Sparse X contains NaN: missing values are supported "
                        "in dense input only."
                    )
                return X
            missing = _nan_columns(X)
            if not missing.any():
                return X
            X = np.array(X, dtype=X.dtype)
            for j in np.flatnonzero(missing):
                col = X[:, j]
                col[np.isnan(col)] = self.fill_values_[j]
            return X
        parts, _ = self._encode(X)
        return _stack(parts, X.shape[0])

    def get_feature_names_out(self):
        """Name of every network input.

        Returns
        -------
        ndarray of str of shape (n_inputs_,)
            The column name for a numeric input, ``name_missing`` for its
            missing indicator, ``name_level`` for a one-hot input
            (``name_infrequent_sklearn`` for the infrequent bucket).
        """
        names = []
        for j in range(self.n_features_in_):
            name = self.column_names_[j]
            if self.binary_[j]:
                levels, rows, _ = self._lookups[j]
                one = levels[int(np.flatnonzero(rows[:-1, 0] == 1)[0])]
                names += [f"{name}_{one}", f"{name}_missing"]
            elif self.categorical_[j]:
                levels = self._lookups[j][0]
                for out in self.encoders_[j].get_feature_names_out([name]):
                    code = str(out)[len(name) + 1 :]
                    level = levels[int(code)] if code.isdigit() else code
                    names.append(f"{name}_{level}")
            else:
                names.append(name)
                if self.indicated_[j]:
                    names.append(f"{name}_missing")
        return np.asarray(names, dtype=object)


def _columns(X):
    """The columns of a DataFrame (as Series) or of an array, in order."""
    if is_dataframe(X):
        return (values for _, values in X.items())
    return (X[:, j] for j in range(X.shape[1]))


def _nan_columns(X):
    """Boolean mask of the columns of a float array holding a NaN."""
    if X.size == 0:
        return np.zeros(X.shape[1], dtype=bool)
    # a finite sum means no NaN (and no inf) in the column, without a mask
    with np.errstate(invalid="ignore", over="ignore"):
        total = X.sum(axis=0)
    suspect = ~np.isfinite(total)
    out = np.zeros(X.shape[1], dtype=bool)
    for j in np.flatnonzero(suspect):
        out[j] = bool(np.isnan(X[:, j]).any())
    return out


def _column_means(X, weights=None, chunk_bytes=2**22):
    """(Weighted) mean of every column, by row chunks: no copy of ``X``.

    ``np.average`` with weights multiplies the whole of ``X`` by them first,
    a float64 temporary twice the size of a float32 ``X``.
    """
    n = X.shape[0]
    chunk = max(1, chunk_bytes // (8 * max(1, X.shape[1])))
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    total = np.zeros(X.shape[1])
    for start in range(0, n, chunk):
        total += w[start : start + chunk] @ X[start : start + chunk].astype(np.float64)
    return total / w.sum()


def _stack(parts, n_samples):
    if not parts:
        return np.empty((n_samples, 0))
    return np.ascontiguousarray(np.hstack(parts), dtype=np.float64)
