"""Synthetic data sets of the spectral-network papers.

Six generators, in scikit-learn's ``make_*`` style:

* :func:`make_independent_gaussian` and :func:`make_correlated_gaussian`, the
  two synthetic classification sets of Chicchi et al. (2024), with their
  ground-truth per-feature relevance;
* :func:`make_linear_to_nonlinear`, the regression family of SPARCS eq. 5.1
  whose non-linearity is tuned by ``alpha``;
* :func:`make_teacher_student`, the rotation-ReLU-rotation teacher of the
  SPARCS teacher-student experiment;
* :func:`make_mixed_table`, a user's table (numeric, category, text, boolean
  and nullable columns with missing cells), not from the papers;
* :func:`make_random_table`, a table whose columns, their types, which of
  them matter and how much are all drawn from the seed (for evaluations
  over many tables, not one).

Every generator draws all its randomness from one
:class:`numpy.random.RandomState` obtained with
:func:`sklearn.utils.check_random_state`, in the same order as the authors'
scripts. With ``random_state=s`` (an int) the arrays are therefore the ones the
authors' code produces after ``np.random.seed(s)`` (up to the float32 cast the
SPARCS code applies); see each function's Notes.
"""

import numbers

import numpy as np
from scipy.stats import special_ortho_group
from sklearn.utils import check_random_state

__all__ = [
    "make_correlated_gaussian",
    "make_independent_gaussian",
    "make_linear_to_nonlinear",
    "make_mixed_table",
    "make_random_table",
    "make_teacher_student",
]


def _check_int(value, name, min_value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value!r}.")
    return int(value)


def _check_real(value, name, *, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        bound = ">" if low_open else ">="
        raise ValueError(f"{name} must be {bound} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return value


def make_independent_gaussian(
    n_samples=60000,
    n_features=20,
    n_relevant=11,
    *,
    max_relevance=1.4,
    scale=0.5,
    random_state=None,
):
    """Generate the "independent Gaussian" binary classification problem.

    The labels are drawn uniformly at random from ``{0, 1}``. Each feature ``j``
    is then drawn, independently of the others, from a class-conditional
    normal distribution ``N(mu[j, y], scale**2)``. For the ``n_relevant``
    relevant features (a random subset of the columns) the two class means
    are ``mu[j, 0] = -1/2`` and ``mu[j, 1] = r_j - 1/2`` with
    ``r_j ~ U(0, max_relevance)``, so that the distance of the class means,
    the paper's relevance, is ``|mu[j, 1] - mu[j, 0]| = r_j``. The irrelevant
    features have ``mu[j, 0] = mu[j, 1] = 0``.

    Parameters
    ----------
    n_samples : int, default=60000
        Number of samples. The paper uses 60000 and splits them 80/20 into
        train and test sets (the split is left to the caller).

    n_features : int, default=20
        Total number of features.

    n_relevant : int, default=11
        Number of relevant features, i.e. features whose class-conditional
        means differ. Must satisfy ``0 <= n_relevant <= n_features``.

    max_relevance : float, default=1.4
        The relevance of each relevant feature is drawn from
        ``U(0, max_relevance)``. Must be > 0.

    scale : float, default=0.5
        Standard deviation of every class-conditional Gaussian. Must be > 0.

    random_state : int, RandomState instance or None, default=None
        Determines random number generation for dataset creation. Pass an int
        for reproducible output across multiple function calls.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The input samples (float64).

    y : ndarray of shape (n_samples,)
        The integer labels (0 or 1, int64); the classes are balanced only in
        expectation.

    relevance : ndarray of shape (n_features,)
        The true relevance of each feature, ``|mu[j, 1] - mu[j, 0]|`` (float64).
        Exactly ``n_relevant`` entries are nonzero (with probability one); the
        irrelevant features have relevance 0.

    See Also
    --------
    make_correlated_gaussian : Features that are relevant only in pairs.

    Notes
    -----
    Reproduces the generator of the authors' notebook
    ``Indipendent Gaussian Distributions.ipynb`` in
    https://github.com/Lorenzochicchi/SpectralNNs_for_Input_Relevance
    including its random draw order: with an int ``random_state=s`` the output
    equals the notebook's ``x``, ``y`` and ``relative_relevance`` after
    ``np.random.seed(s)``. In that code the class means of a relevant feature
    are ``(-1/2, r_j - 1/2)`` rather than centred on zero
    (``(-r_j/2, r_j/2)``); this offset is kept, it does not change the
    relevance.

    References
    ----------
    .. [1] L. Chicchi, L. Buffoni, D. Febbe, L. Giambagli, R. Marino and
       D. Fanelli, "Estimating Global Input Relevance and Enforcing Sparse
       Representations with a Scalable Spectral Neural Network Approach",
       arXiv:2406.01183, 2024. Section "Independent Gaussian dataset",
       Figs. 2 and 3.

    Examples
    --------
    >>> from sklearn_spectral.datasets import make_independent_gaussian
    >>> X, y, relevance = make_independent_gaussian(n_samples=1000,
    ...                                             random_state=0)
    >>> X.shape, y.shape, relevance.shape
    ((1000, 20), (1000,), (20,))
    >>> int((relevance > 0).sum())
    11
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_features = _check_int(n_features, "n_features", 1)
    n_relevant = _check_int(n_relevant, "n_relevant", 0)
    if n_relevant > n_features:
        raise ValueError(
            f"n_relevant must be <= n_features, got n_relevant={n_relevant} "
            f"and n_features={n_features}."
        )
    max_relevance = _check_real(max_relevance, "max_relevance", low=0, low_open=True)
    scale = _check_real(scale, "scale", low=0, low_open=True)
    rng = check_random_state(random_state)

    # Draw order follows the authors' notebook (see Notes).
    relevant = rng.permutation(n_features)[:n_relevant]
    relevance = rng.uniform(0.0, max_relevance, n_features)
    is_relevant = np.zeros(n_features, dtype=bool)
    is_relevant[relevant] = True
    relevance[~is_relevant] = 0.0
    y = rng.randint(0, 2, n_samples).astype(np.int64, copy=False)

    means = np.zeros((n_features, 2))
    means[is_relevant, 0] = -0.5
    means[is_relevant, 1] = relevance[is_relevant] - 0.5

    X = np.empty((n_samples, n_features))
    class_masks = [y == 0, y == 1]
    for j in range(n_features):
        for c, mask in enumerate(class_masks):
            X[mask, j] = rng.normal(means[j, c], scale, int(mask.sum()))
    return X, y, relevance


def make_correlated_gaussian(
    n_samples=100000,
    *,
    pair_relevance=(0.7, 0.8, 0.4, 0.6),
    n_noise=2,
    scale=0.5,
    random_state=None,
):
    """Generate the "correlated Gaussian" binary classification problem.

    Every feature has the same marginal distribution ``N(0, scale**2)`` in
    both classes, so no feature is informative on its own: the class is only
    encoded in the joint distribution of pairs of features. The first
    ``2 * len(pair_relevance)`` columns form consecutive pairs
    ``(2n, 2n + 1)``. In pair ``n``, ``X[:, 2n] ~ N(0, scale**2)``; for class
    0 the partner is a copy, ``X[:, 2n + 1] = X[:, 2n]``; for class 1 the
    partner is ``-X[:, 2n]`` with probability ``p_n = pair_relevance[n]``
    and ``X[:, 2n]`` otherwise. The larger ``p_n``, the more the pair tells
    the classes apart. The last ``n_noise`` columns are independent
    ``N(0, scale**2)`` noise.

    Parameters
    ----------
    n_samples : int, default=100000
        Number of samples. The paper uses 100000 and splits them 80/20 into
        train and test sets (the split is left to the caller).

    pair_relevance : array-like of shape (n_pairs,), default=(0.7, 0.8, 0.4, 0.6)
        The flip probabilities ``p_n`` in [0, 1], one per pair of features, in
        column order. The default is the authors' choice.

    n_noise : int, default=2
        Number of pure-noise features appended after the pairs.

    scale : float, default=0.5
        Standard deviation of every feature. Must be > 0.

    random_state : int, RandomState instance or None, default=None
        Determines random number generation for dataset creation. Pass an int
        for reproducible output across multiple function calls.

    Returns
    -------
    X : ndarray of shape (n_samples, 2 * n_pairs + n_noise)
        The input samples (float64).

    y : ndarray of shape (n_samples,)
        The integer labels (0 or 1, int64); the classes are balanced only in
        expectation.

    relevance : ndarray of shape (2 * n_pairs + n_noise,)
        The paper's relevance parameter: ``p_n`` for both features of pair
        ``n`` and 0 for the noise features (float64).

    See Also
    --------
    make_independent_gaussian : Features that are relevant one by one.

    Notes
    -----
    Reproduces the generator of the authors' notebook
    ``Correlated Gaussian Distributions.ipynb`` in
    https://github.com/Lorenzochicchi/SpectralNNs_for_Input_Relevance
    including its random draw order: with an int ``random_state=s`` the output
    equals the notebook's ``x`` and ``y`` after ``np.random.seed(s)``. (That
    code draws each noise column twice and keeps the second draw; the first
    draw is made and discarded here too, only to keep the streams aligned.)

    References
    ----------
    .. [1] L. Chicchi, L. Buffoni, D. Febbe, L. Giambagli, R. Marino and
       D. Fanelli, "Estimating Global Input Relevance and Enforcing Sparse
       Representations with a Scalable Spectral Neural Network Approach",
       arXiv:2406.01183, 2024. Section "Correlated Gaussian dataset", Fig. 4.

    Examples
    --------
    >>> from sklearn_spectral.datasets import make_correlated_gaussian
    >>> X, y, relevance = make_correlated_gaussian(n_samples=1000,
    ...                                            random_state=0)
    >>> X.shape
    (1000, 10)
    >>> relevance.tolist()
    [0.7, 0.7, 0.8, 0.8, 0.4, 0.4, 0.6, 0.6, 0.0, 0.0]
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_noise = _check_int(n_noise, "n_noise", 0)
    scale = _check_real(scale, "scale", low=0, low_open=True)
    try:
        p = np.asarray(pair_relevance, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"pair_relevance must be a 1-D sequence of probabilities, got "
            f"{pair_relevance!r}."
        ) from exc
    if p.ndim != 1:
        raise ValueError(
            f"pair_relevance must be 1-D, got an array of shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError(
            f"pair_relevance entries must lie in [0, 1], got {p.tolist()}."
        )
    n_pairs = p.shape[0]
    n_features = 2 * n_pairs + n_noise
    if n_features == 0:
        raise ValueError("pair_relevance and n_noise give no features at all.")
    rng = check_random_state(random_state)

    # Draw order follows the authors' notebook (see Notes).
    y = rng.randint(0, 2, n_samples).astype(np.int64, copy=False)
    class1 = y == 1
    n_class1 = int(class1.sum())
    X = np.empty((n_samples, n_features))
    for n, p_n in enumerate(p):
        base = rng.normal(0.0, scale, n_samples)
        flip = rng.choice(2, n_class1, p=[1.0 - p_n, p_n])
        partner = base.copy()
        partner[class1] = np.where(flip == 1, -base[class1], base[class1])
        X[:, 2 * n] = base
        X[:, 2 * n + 1] = partner
    for j in range(2 * n_pairs, n_features):
        rng.normal(0.0, scale, n_samples)  # discarded, see Notes
        X[:, j] = rng.normal(0.0, scale, n_samples)

    relevance = np.zeros(n_features)
    relevance[: 2 * n_pairs] = np.repeat(p, 2)
    return X, y, relevance


def make_linear_to_nonlinear(
    n_samples=10000, *, alpha=0.0, beta=5.0, noise=0.0, random_state=None
):
    """Generate the SPARCS linear-to-nonlinear regression problem.

    The inputs are uniform in ``[-1, 1]^2`` and the target is SPARCS eq. 5.1
    with ``w = (1, 1)`` and ``g(x) = x1**2 + x2**2``::

        s = tanh(beta * (alpha - 1/2))
        y = (1 - s) / 4 * (x1 + x2) + (1 + s) / 4 * (x1**2 + x2**2)

    ``alpha`` moves the target from (almost) linear at ``alpha=0`` to (almost)
    purely quadratic at ``alpha=1``; ``beta`` sets how abrupt the transition
    around ``alpha=1/2`` is (the paper uses 5 and 1000).

    Parameters
    ----------
    n_samples : int, default=10000
        Number of samples (the paper uses 10000).

    alpha : float, default=0.0
        Non-linearity control parameter, in [0, 1].

    beta : float, default=5.0
        Steepness of the transition, > 0.

    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the target. The paper's
        supervisor is deterministic (``noise=0``).

    random_state : int, RandomState instance or None, default=None
        Determines random number generation for dataset creation. Pass an int
        for reproducible output across multiple function calls.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The input samples (float64).

    y : ndarray of shape (n_samples,)
        The target values (float64).

    See Also
    --------
    make_teacher_student : A multi-output target that needs one hidden layer.

    Notes
    -----
    The authors' code (``generate_datasets.py`` and ``target_function`` in
    ``definitions.py`` of https://github.com/gianluca-peri/sparcs-test)
    writes the target as ``(1 - s)/2 * mean(x) + (1 + s)/2 * mean(x**2)``,
    which for two inputs is exactly the formula above. It draws ``X`` with
    ``np.random.uniform(-1, 1, (10000, 2))`` after ``np.random.seed(42)`` and
    stores float32 tensors; ``random_state=42`` gives the same ``X`` in
    float64. The noise, if any, is drawn after ``X``.

    For finite ``beta`` neither end is pure: at ``alpha=0`` and ``beta=5`` the
    quadratic term keeps a weight ``(1 + tanh(-2.5)) / 4 ~ 3.4e-3``, so a
    linear model reaches R^2 ~ 0.9999 rather than exactly 1.

    References
    ----------
    .. [1] G. Peri, L. Chicchi, D. Fanelli and L. Giambagli, "Spectral
       Architecture Search for Neural Network Models" (SPARCS),
       Section 5, eq. 5.1, and Appendix E.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_spectral.datasets import make_linear_to_nonlinear
    >>> X, y = make_linear_to_nonlinear(n_samples=500, alpha=0.0,
    ...                                 random_state=42)
    >>> X.shape, y.shape
    ((500, 2), (500,))
    >>> bool(LinearRegression().fit(X, y).score(X, y) > 0.999)
    True
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    alpha = _check_real(alpha, "alpha", low=0.0, high=1.0)
    beta = _check_real(beta, "beta", low=0.0, low_open=True)
    noise = _check_real(noise, "noise", low=0.0)
    rng = check_random_state(random_state)

    X = rng.uniform(-1.0, 1.0, (n_samples, 2))
    s = np.tanh(beta * (alpha - 0.5))
    y = 0.25 * (1.0 - s) * X.sum(axis=1) + 0.25 * (1.0 + s) * (X**2).sum(axis=1)
    if noise > 0:
        y = y + rng.normal(0.0, noise, n_samples)
    return X, y


def make_teacher_student(
    n_samples=100000, n_features=20, *, random_state=None, return_teacher=False
):
    """Generate the SPARCS teacher-student regression problem.

    The teacher is a random one-hidden-layer ReLU network whose two layers
    are the same random rotation ``R`` drawn uniformly (Haar measure) from
    ``SO(n_features)``::

        t(x) = R relu(R x),    x ~ U([-1, 1]^n_features)

    i.e. ``Y = relu(X @ R.T) @ R.T`` row-wise. The target is multi-output,
    with as many outputs as inputs. A linear model cannot fit it exactly
    (the paper reports an R^2 well below 1), a network with one hidden layer
    of ``n_features`` ReLU units can.

    Parameters
    ----------
    n_samples : int, default=100000
        Number of samples (the paper uses 100000 for training and another
        100000 for testing).

    n_features : int, default=20
        Input dimension, which is also the teacher's hidden and output
        dimension. Must be >= 2.

    random_state : int, RandomState instance or None, default=None
        Determines random number generation for the rotation and the inputs.
        Pass an int for reproducible output across multiple function calls.

    return_teacher : bool, default=False
        If True, also return the teacher's rotation matrix ``R``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The input samples (float64).

    Y : ndarray of shape (n_samples, n_features)
        The teacher's outputs (float64).

    R : ndarray of shape (n_features, n_features)
        The rotation used by both teacher layers (orthogonal, determinant +1).
        Only returned if ``return_teacher`` is True.

    See Also
    --------
    make_linear_to_nonlinear : A scalar target with tunable non-linearity.

    Notes
    -----
    The paper's text (eq. 5.2) speaks of two random rotations ``W1, W2``;
    the authors' code (``TeacherNetwork`` in ``extra_experiment.ipynb`` of
    https://github.com/gianluca-peri/sparcs-test) uses one
    ``scipy.stats.special_ortho_group`` sample for both layers, without
    biases, and that is what is generated here. The code seeds NumPy with 42,
    draws ``R`` first and then ``X`` as ``np.random.rand(n, 20) * 2 - 1``;
    ``random_state=42`` gives the same ``R`` and ``X`` for the same SciPy
    version (the code then casts to float32; here everything is float64).

    References
    ----------
    .. [1] G. Peri, L. Chicchi, D. Fanelli and L. Giambagli, "Spectral
       Architecture Search for Neural Network Models" (SPARCS),
       Section 5, eq. 5.2, and Appendix G, Table 4.
    .. [2] L. Giambagli, L. Buffoni, L. Chicchi and D. Fanelli, "How a student
       becomes a teacher: learning and forgetting through spectral methods",
       J. Stat. Mech. 2024(3), 034002.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_spectral.datasets import make_teacher_student
    >>> X, Y, R = make_teacher_student(n_samples=100, random_state=0,
    ...                                return_teacher=True)
    >>> X.shape, Y.shape, R.shape
    ((100, 20), (100, 20), (20, 20))
    >>> np.allclose(R @ R.T, np.eye(20)), bool(np.isclose(np.linalg.det(R), 1))
    (True, True)
    >>> np.allclose(Y, np.maximum(X @ R.T, 0) @ R.T)
    True
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_features = _check_int(n_features, "n_features", 2)
    rng = check_random_state(random_state)

    # Draw order follows the authors' notebook: rotation first, then inputs.
    R = np.asarray(special_ortho_group.rvs(n_features, random_state=rng))
    X = rng.uniform(-1.0, 1.0, (n_samples, n_features))
    Y = np.maximum(X @ R.T, 0.0) @ R.T
    if return_teacher:
        return X, Y, R
    return X, Y


#: Column names of :func:`make_mixed_table`, relevant ones first.
_MIXED_RELEVANT = ("age", "city", "plan", "member")
_MIXED_IRRELEVANT = ("visits", "noise", "color", "code")


def make_mixed_table(
    n_samples=600,
    *,
    task="classification",
    missing_fraction=0.1,
    effect=1.5,
    random_state=None,
):
    """Generate a mixed table whose target depends on some of its columns.

    A :class:`pandas.DataFrame` of eight columns, as a user's own table has
    them; the target depends on the first four:

    ========  ==================================  ===========================
    column    dtype                               effect on the target
    ========  ==================================  ===========================
    age       float64, ``missing_fraction`` NaN   ``effect * age`` (standard)
    city      object (5 names)                    ``+effect`` Paris,
                                                  ``-effect`` Rome
    plan      category (free, basic, pro)         ``-effect`` free,
                                                  ``+effect`` pro
    member    nullable ``boolean``, some NA       ``+effect`` when True
    visits    nullable ``Int64``, some NA         none
    noise     float64, some NaN                   none
    color     ``string`` (3 levels)               none
    code      category (8 levels)                 none
    ========  ==================================  ===========================

    The missing cells are missing at random (they carry no information).

    Parameters
    ----------
    n_samples : int, default=600
        Number of rows.
    task : {"classification", "regression"}, default="classification"
        ``"classification"``: ``y`` is 0/1 from a logistic model of the
        linear predictor above; ``"regression"``: ``y`` is the predictor
        plus standard normal noise.
    missing_fraction : float, default=0.1
        Fraction of missing cells in ``age``, ``visits`` and ``noise`` (half
        as many in ``member``), in [0, 1).
    effect : float, default=1.5
        Size of each relevant column's effect.
    random_state : int, RandomState instance or None, default=None
        Determines random number generation for dataset creation.

    Returns
    -------
    X : pandas.DataFrame of shape (n_samples, 8)
        The table.
    y : ndarray of shape (n_samples,)
        The target (int 0/1, or float).
    relevant : ndarray of bool of shape (8,)
        Which columns the target depends on.

    See Also
    --------
    make_independent_gaussian : A numeric set with known relevance.

    Examples
    --------
    >>> from sklearn_spectral.datasets import make_mixed_table
    >>> X, y, relevant = make_mixed_table(n_samples=100, random_state=0)
    >>> list(X.columns)
    ['age', 'city', 'plan', 'member', 'visits', 'noise', 'color', 'code']
    >>> [str(t) for t in X.dtypes[:4]]
    ['float64', 'object', 'category', 'boolean']
    >>> relevant.tolist()
    [True, True, True, True, False, False, False, False]
    """
    import pandas as pd

    n_samples = _check_int(n_samples, "n_samples", 1)
    if task not in ("classification", "regression"):
        raise ValueError(
            f"task must be 'classification' or 'regression', got {task!r}."
        )
    missing_fraction = _check_real(missing_fraction, "missing_fraction", low=0.0)
    if missing_fraction >= 1:
        raise ValueError(
            f"missing_fraction must be in [0, 1), got {missing_fraction!r}."
        )
    effect = _check_real(effect, "effect")
    rng = check_random_state(random_state)
    n = n_samples
    age = rng.normal(size=n)
    city = rng.choice(["Paris", "Rome", "Oslo", "Lima", "Kyiv"], n)
    plan = rng.choice(["free", "basic", "pro"], n)
    member = rng.rand(n) < 0.5
    visits = rng.poisson(3.0, n)
    noise = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], n)
    code = rng.choice([f"c{k}" for k in range(8)], n)
    predictor = effect * (
        age
        + (city == "Paris")
        - (city == "Rome")
        + (plan == "pro")
        - (plan == "free")
        + member
        - 0.5
    )
    if task == "classification":
        y = (rng.logistic(size=n) < predictor).astype(np.int64)
    else:
        y = predictor + rng.normal(size=n)

    def holes(fraction):
        return rng.rand(n) < fraction

    age_cells = np.where(holes(missing_fraction), np.nan, age)
    noise_cells = np.where(holes(missing_fraction), np.nan, noise)
    member_cells = pd.array(member, dtype="boolean")
    member_cells[holes(missing_fraction / 2)] = pd.NA
    visits_cells = pd.array(visits, dtype="Int64")
    visits_cells[holes(missing_fraction)] = pd.NA
    X = pd.DataFrame(
        {
            "age": age_cells,
            "city": pd.Series(city, dtype=object),
            "plan": pd.Categorical(plan, categories=["free", "basic", "pro"]),
            "member": member_cells,
            "visits": visits_cells,
            "noise": noise_cells,
            "color": pd.array(color, dtype="string"),
            "code": pd.Categorical(code),
        }
    )
    relevant = np.array([c in _MIXED_RELEVANT for c in X.columns])
    return X, y, relevant


#: Column kinds of :func:`make_random_table` and the pandas dtype of each.
_TABLE_KINDS = (
    "float",  # float64 with NaN
    "count",  # nullable Int64 (Poisson counts) with pd.NA
    "object",  # object dtype, 3-6 text levels
    "category",  # category dtype, 3-12 levels
    "string",  # pandas string dtype, 2-4 levels
    "bool",  # numpy bool
    "boolean",  # nullable boolean with pd.NA
)


def _standardized(values):
    values = np.asarray(values, dtype=np.float64)
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 0 else 1.0)


def make_random_table(
    n_samples=600,
    *,
    n_columns=10,
    n_relevant=4,
    task="classification",
    n_classes=3,
    missing_fraction=0.1,
    informative_missing=False,
    weak_effect=None,
    effect=1.0,
    kinds=None,
    max_levels=None,
    class_proportions=None,
    random_state=None,
):
    """Generate a mixed table whose schema is drawn from the seed.

    Every column's kind is drawn from: ``float`` (float64), ``count``
    (nullable ``Int64``), ``object`` (3-6 text levels), ``category`` (3-12
    levels), ``string`` (pandas ``string``, 2-4 levels), ``bool`` and
    ``boolean`` (nullable); the level frequencies are uneven (Dirichlet).
    ``n_relevant`` columns, at random places, enter a linear predictor,
    each as a term of unit variance times ``effect`` (a numeric column
    standardised; a categorical column through random level effects,
    centred and scaled to unit variance over the rows; a boolean as +-1
    standardised). Numeric columns get ``missing_fraction`` of missing
    cells and the nullable booleans half as many, missing at random (they
    carry no information), except with ``informative_missing``.

    Parameters
    ----------
    n_samples : int, default=600
        Number of rows.
    n_columns : int, default=10
        Number of columns.
    n_relevant : int, default=4
        Number of columns the target depends on, in [1, n_columns].
    task : {"classification", "multiclass", "regression"}, \
            default="classification"
        ``"classification"``: ``y`` is 0/1 from a logistic model of the
        predictor; ``"multiclass"``: ``y`` is the predictor plus logistic
        noise cut into ``n_classes`` classes of equal size (ordered);
        ``"regression"``: the predictor plus standard normal noise.
    n_classes : int, default=3
        Number of classes of ``"multiclass"`` (>= 3).
    missing_fraction : float, default=0.1
        Fraction of missing cells of the numeric columns, in [0, 1).
    informative_missing : bool, default=False
        If True, the first relevant column is a float column whose value is
        noise and whose *missingness* is the signal: it is missing in 30 %
        of the rows (plus ``missing_fraction`` of the rest), and the term
        is its standardised missing indicator. Its relevance can only come
        from the missing indicator.
    weak_effect : float or None, default=None
        If set, the last relevant column's term has this size instead of
        ``effect`` (a weak column, whose rank is uncertain).
    effect : float, default=1.0
        Size of each relevant column's term.
    kinds : sequence of str or None, default=None
        The column kinds to draw from (a subset of ``"float"``,
        ``"count"``, ``"object"``, ``"category"``, ``"string"``, ``"bool"``,
        ``"boolean"``); None draws from all seven.
    max_levels : int or None, default=None
        If set, ``object`` and ``category`` columns have 3 to
        ``max_levels`` levels (a column of many levels); None: 3-6 and
        3-12.
    class_proportions : sequence of float or None, default=None
        ``"multiclass"`` only: the share of each class (ordered by the
        latent predictor; normalised to sum 1), for imbalanced classes;
        None cuts ``n_classes`` classes of equal size. Its length sets the
        number of classes.
    random_state : int, RandomState instance or None, default=None
        Determines random number generation for dataset creation (the
        schema and the rows).

    Returns
    -------
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The table; columns named ``<kind>_<index>``.
    y : ndarray of shape (n_samples,)
        The target (int for the classification tasks, else float).
    relevant : ndarray of bool of shape (n_columns,)
        Which columns the target depends on.

    See Also
    --------
    make_mixed_table : One fixed mixed table.

    Examples
    --------
    >>> from sklearn_spectral.datasets import make_random_table
    >>> X, y, relevant = make_random_table(n_samples=200, random_state=0)
    >>> X.shape, int(relevant.sum())
    ((200, 10), 4)
    """
    import pandas as pd

    n = _check_int(n_samples, "n_samples", 1)
    n_columns = _check_int(n_columns, "n_columns", 1)
    n_relevant = _check_int(n_relevant, "n_relevant", 1)
    if n_relevant > n_columns:
        raise ValueError(
            f"n_relevant must be <= n_columns ({n_columns}), got {n_relevant}."
        )
    if task not in ("classification", "multiclass", "regression"):
        raise ValueError(
            "task must be 'classification', 'multiclass' or 'regression', "
            f"got {task!r}."
        )
    n_classes = _check_int(n_classes, "n_classes", 3)
    missing_fraction = _check_real(missing_fraction, "missing_fraction", low=0.0)
    if missing_fraction >= 1:
        raise ValueError(
            f"missing_fraction must be in [0, 1), got {missing_fraction!r}."
        )
    effect = _check_real(effect, "effect")
    if weak_effect is not None:
        weak_effect = _check_real(weak_effect, "weak_effect")
    if kinds is None:
        kinds = _TABLE_KINDS
    elif isinstance(kinds, str) or not len(kinds) or set(kinds) - set(_TABLE_KINDS):
        raise ValueError(
            f"kinds must be a non-empty list of column kinds among "
            f"{list(_TABLE_KINDS)}, got {kinds!r}."
        )
    level_range = {"object": (3, 7), "category": (3, 13), "string": (2, 5)}
    if max_levels is not None:
        max_levels = _check_int(max_levels, "max_levels", 3)
        level_range["object"] = level_range["category"] = (3, max_levels + 1)
    if class_proportions is not None:
        if task != "multiclass":
            raise ValueError(
                f"class_proportions is for task='multiclass' only, got task={task!r}."
            )
        shares = np.asarray(class_proportions, dtype=np.float64)
        if shares.ndim != 1 or len(shares) < 3 or not np.all(shares > 0):
            raise ValueError(
                "class_proportions must list >= 3 positive class shares, got "
                f"{class_proportions!r}."
            )
        n_classes = len(shares)
    rng = check_random_state(random_state)
    kinds = list(rng.choice(tuple(kinds), n_columns))
    relevant_at = np.sort(rng.choice(n_columns, n_relevant, replace=False))
    if informative_missing:
        kinds[relevant_at[0]] = "float"
    sizes = np.full(n_columns, effect)
    if weak_effect is not None:
        sizes[relevant_at[-1]] = weak_effect
    predictor = np.zeros(n)
    columns = {}
    for j, kind in enumerate(kinds):
        name = f"{kind}_{j}"
        holes = rng.rand(n) < missing_fraction
        if kind in ("float", "count"):
            if kind == "float":
                values = rng.normal(size=n)
            else:
                values = rng.poisson(rng.uniform(0.5, 5.0), n)
            term = _standardized(values)
            if informative_missing and j == relevant_at[0]:
                holes = holes | (rng.rand(n) < 0.3)
                term = _standardized(holes)
            if kind == "float":
                cells = pd.array(np.where(holes, np.nan, values), dtype="float64")
            else:
                cells = pd.array(values, dtype="Int64")
                cells[holes] = pd.NA
        elif kind in ("bool", "boolean"):
            values = rng.rand(n) < rng.uniform(0.2, 0.8)
            term = _standardized(values)
            if kind == "bool":
                cells = values
            else:
                cells = pd.array(values, dtype="boolean")
                cells[rng.rand(n) < missing_fraction / 2] = pd.NA
        else:
            k = int(rng.randint(*level_range[kind]))
            levels = np.array([f"v{level}" for level in range(k)], dtype=object)
            codes = rng.choice(k, n, p=rng.dirichlet(np.full(k, 3.0)))
            term = _standardized(rng.normal(size=k)[codes])
            if kind == "object":
                cells = pd.Series(levels[codes], dtype=object)
            elif kind == "category":
                cells = pd.Categorical.from_codes(codes, categories=list(levels))
            else:
                cells = pd.array(levels[codes].astype(str), dtype="string")
        if j in relevant_at:
            predictor += sizes[j] * term
        columns[name] = cells
    X = pd.DataFrame(columns)
    if task == "classification":
        y = (rng.logistic(size=n) < predictor).astype(np.int64)
    elif task == "multiclass":
        latent = predictor + rng.logistic(size=n)
        if class_proportions is None:
            cuts = np.linspace(0, 1, n_classes + 1)[1:-1]
        else:
            cuts = np.cumsum(shares / shares.sum())[:-1]
        edges = np.quantile(latent, cuts)
        y = np.searchsorted(edges, latent).astype(np.int64)
    else:
        y = predictor + rng.normal(size=n)
    relevant = np.zeros(n_columns, dtype=bool)
    relevant[relevant_at] = True
    return X, y, relevant
