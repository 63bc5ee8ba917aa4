"""Spectral multilayer perceptrons: classifier and regressor."""

from __future__ import annotations

import inspect

import numpy as np
import torch
from scipy.special import expit
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _assert_all_finite,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from . import _defaults
from ._base import (
    _FLOAT32_MAX,
    BaseSpectralMLP,
    _validated_weights,
    _weighted_location_scale,
)
from ._rows import merge_rows
from ._training.scoring import accuracy, r2, r2_of_exp, subset_accuracy

_COMMON_PARAMETERS = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Width of each hidden layer; ``()`` gives a single spectral layer
        (a linear model whose input eigenvalues still rank the features).

    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.

    alpha : float, default=0.1
        Strength of the eigenvalue penalty ``P(lam)``, not of an L2 penalty on
        every weight as in ``MLPClassifier``. It is added to the
        *mean* data loss of every minibatch (neither multiplied by the
        batch size nor divided by ``n_samples``). With the default
        ``relative_penalty=True`` the strength is ``alpha`` times a running
        mean of the data loss, which to first order minimises
        ``log(data loss) + alpha * P(lam)``: an input is kept when it
        improves the loss by a relative ``alpha`` per unit eigenvalue,
        whatever the loss scale and however well the data are already
        fitted, so one default works across data sets. At fixed depth the
        strength ramps up linearly over the first {PENALTY_WARMUP} epochs,
        so that inputs which help only jointly with others are learnt before
        the penalty can switch them off ({GATE_WARMUP} epochs after the loss
        leaves its plateau with ``auto_depth=True``). With fewer than
        {RAMP_SAMPLES_PER_INPUT} samples per input the ramp is shortened in
        proportion, since there the network can
        memorise the training set through noise inputs during the ramp.

    penalty : {"l1", "l2", "group"}, default="l1"
        ``P(lam)``: ``"l1"`` is ``sum |lam|`` and is applied as a proximal
        (soft-threshold) step after each Adam step, so irrelevant inputs
        reach exactly zero; ``"l2"`` is ``sum lam**2``; ``"group"`` is the
        unsquared norm ``||lam||_2`` of each layer's eigenvalues, summed.

    penalized : {"auto", "input", "all"}, default="auto"
        Which eigenvalues the penalty acts on: the input eigenvalues only,
        or every trained eigenvalue of the network. ``"auto"`` is
        ``"input"``, except with ``eigenvalues="out"`` (no input eigenvalue
        is trained) where it is ``"all"``, the teacher-student poster's
        setting.

    eigenvalues : {"in", "out", "both"}, default="in"
        Which eigenvalues each spectral layer trains. ``"in"``: one
        eigenvalue per source node (starts at 1, the first paper's input
        relevance setting); ``"out"``: one per destination node (starts at
        1, the teacher-student poster's node relevance); ``"both"``.

    phi_alpha : float, default=1e-3
        Strength of the squared L2 penalty on the eigenvector entries
        ``phi`` (added like ``alpha``). The eigenvalues and ``phi`` share a
        scale, so a penalty on the eigenvalues alone could be evaded by
        growing ``phi``.

    relative_penalty : bool, default=True
        Scale the eigenvalue strength by the running data loss (see
        ``alpha``). ``False`` gives the authors' Keras-style penalty,
        ``loss = mean_batch_loss + alpha * P(lam)``, so that a paper's
        strength translates to ``alpha = strength``.

    standardize : bool, default=True
        Standardise the inputs inside the network (zero mean, unit variance
        per column, from the training data; weighted with
        ``sample_weight``), so that the relevance, the selected set and the
        penalty do not depend on the units of a column. The scaling is a
        fixed first step of the torch module, folded into the first layer
        by ``to_torch``; the data are not copied. ``False`` trains on the
        inputs as given (the papers' setting on pre-scaled data).

    auto_depth : bool, default=False
        Train a SPARCS network (every skip connection, one eigenvalue per
        neuron) that starts as a perceptron and grows hidden neurons only
        where the data need them; ``hidden_layer_sizes`` is then the largest
        architecture allowed and ``architecture_`` the one used. The inputs
        pass through a gate of input eigenvalues (penalised by ``alpha``,
        once the loss has left the constant-prediction plateau); ``penalized``
        must stay ``"input"`` and ``eigenvalues`` ``"in"``.

    depth_alpha : float, default={DEPTH_ALPHA}
        Auto-depth only: strength of the penalty on the hidden eigenvalues,
        added Keras-style (not relative) to the mean batch loss: with the
        default L1, a neuron is kept when it lowers the data loss
        (cross-entropy, or squared error on standardised targets summed
        over the outputs) by about ``depth_alpha`` per unit eigenvalue. The
        hidden eigenvalues train at {DEPTH_LR_FACTOR} times
        ``learning_rate_init`` when an epoch has at most
        {DEPTH_LR_FULL_STEPS} minibatches, so that the neurons a
        non-linear target needs grow within the fit; with more minibatches
        the multiple shrinks in proportion (never below 1), so that they
        grow about as fast per epoch on any data size.

    depth_penalty : {"l1", "l2", "group"}, default="l1"
        Auto-depth only: the hidden-eigenvalue penalty. ``"l1"``
        (``sum |lam|``) is applied as a proximal step, so an unneeded neuron
        reaches exactly 0 and is removed exactly; ``"group"`` is the SPARCS
        code's unsquared per-layer norm ``sum_l ||lam_l||_2``, applied as a
        block soft threshold that switches a whole layer off; ``"l2"`` is
        ``sum lam**2``.

    depth_growth : float, default=10.0
        Auto-depth only: the hidden layer next to the output pays
        ``depth_alpha`` and each layer further from the output
        ``depth_growth`` times more than the next, so the network grows from
        the output side backwards (as SPARCS does at initialisation) and a
        layer survives only when the layers behind it cannot do its job. 1
        penalises every layer alike.

    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` takes the fewest batches of at most
        {AUTO_BATCH_MAX} rows, equal in size: one full batch up to
        {AUTO_BATCH_MAX} rows (as ``MLPClassifier``), then e.g. 2 x 150 for
        300 rows and 5 x 200 for 1000.

    learning_rate_init : float, default={LEARNING_RATE_INIT}
        Adam's learning rate (``MLPClassifier``'s is 1e-3: with one full
        batch per epoch on small data, 1e-3 often ran out of ``max_iter``
        before the stopping rule fired). The default suits the default 100
        neurons; a network of a few neurons moves its function more slowly
        per step and often ends at ``max_iter``. On six small tables over
        three seeds (``benchmarks/bench_robustness.py``), against a linear
        model, 0.02 instead of the default: no hidden layer -0.246 ->
        -0.017, 4 neurons -0.072 -> +0.006, 8 neurons -0.012 -> +0.027,
        without the warnings; but three layers of 16 at 0.0125 lost more
        (-0.001 -> -0.042).

    solver : {"adam"}, default="adam"
        The optimiser: Adam, with a proximal step for the L1 penalties
        (``MLPClassifier``'s default; its ``"lbfgs"`` and ``"sgd"`` have no
        equivalent here and are refused).

    beta_1 : float, default=0.9
        Adam's decay of the first-moment estimates, in [0, 1).

    beta_2 : float, default=0.999
        Adam's decay of the second-moment estimates, in [0, 1), for every
        parameter except the input eigenvalues, which keep a shorter memory
        ({INPUT_BETA2}) so that the proximal threshold follows their
        gradients.

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    shuffle : bool, default=True
        Shuffle the rows before each epoch (a permutation from the fit's
        own generator). With one batch holding every row the order does not
        matter and no permutation is drawn. ``fit`` trains on the distinct
        rows (repeated rows merged into one weighted row, see
        ``sample_weight``); merged or unequally weighted rows are put in an
        order of their contents with ``shuffle=True`` (so that a weight of
        ``k`` is ``k`` repeated rows exactly), in the order given with
        ``shuffle=False``.

    max_iter : int, default=200
        Maximum number of epochs.

    tol : float, default={TOL}
        Stopping rule: training stops, converged, after
        ``n_iter_no_change`` consecutive epochs in which the data loss
        (training loss, or validation loss with ``early_stopping``; penalties
        excluded) did not improve on its best by more than ``tol`` and the set
        of active inputs (non-zero relevance; L1 input penalty only) did not
        change. Epochs in which the penalty still ramps up never count. The
        losses are cross-entropy (classifier) and squared error on
        standardised targets (regressor), so one ``tol`` fits most data.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        for classifiers), monitor its loss, and restore the best epoch's
        weights at the end.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping``.

    n_iter_no_change : int or np.inf, default=10
        Patience, in epochs, of the stopping rule; ``np.inf`` trains
        ``max_iter`` epochs.

    n_threads : int or None, default=None
        Torch intra-op threads used by ``fit`` and ``predict`` (set for the
        call and restored after it, also when several fits run in threads).
        None picks 1 thread for networks too small to gain from more (one
        more thread per 2e7 multiply-adds of a training step): small
        networks lose much and gain nothing from threads when another
        process shares the cores.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling and the validation
        split. The global torch RNG state is left as it was.

    verbose : int, default=0
        ``1`` or more prints skorch's epoch table and a progress bar.

    warm_start : bool, default=False
        Continue training the fitted network for ``max_iter`` more epochs.
        A classifier's ``y`` must have the same classes as before, and the
        parameters the network was built with must not have changed (only
        ``max_iter``, ``n_threads``, ``random_state`` and ``verbose`` may);
        either raises a ``ValueError``.

    device : str, default="cpu"
        Torch device to train on, e.g. ``"cpu"``, ``"cuda"``, ``"cuda:1"``.

    settings : Settings or None, default=None
        The library's tuned constants (:class:`~sklearn_spectral.Settings`:
        the penalty ramps, the automatic batch size, auto-depth's rates and
        evidence step, ...); None means
        :data:`~sklearn_spectral.DEFAULT_SETTINGS`. An expert knob for
        benchmarks and experiments: make a variant with
        ``dataclasses.replace(DEFAULT_SETTINGS, penalty_warmup=0)``.

    callbacks : list or None, default=None
        The skorch callbacks run by the fit next to the library's own (the
        penalty schedule and the stopping rule): instances of
        :class:`skorch.callbacks.Callback` or ``(name, callback)`` pairs,
        e.g. ``skorch.callbacks.ProgressBar()``, ``Checkpoint(...)``,
        ``EpochScoring(...)`` or a callback that raises
        ``KeyboardInterrupt`` in ``on_epoch_end`` to stop the fit. Each fit
        uses copies (the objects passed are never changed); the fitted
        ones are in ``net_.callbacks_``. They see the skorch net
        ``net_``: its ``history``, ``module_``, ``optimizer_``; batch
        hooks (``on_batch_end``...) make the fit take skorch's per-batch
        loop, which is slower on small data.

    categorical_features : "from_dtype", None, array-like of str or int, or \
bool mask, default="from_dtype"
        Which columns are categorical (one-hot encoded inside the estimator,
        as scikit-learn's ``OneHotEncoder`` with an infrequent bucket for
        rare and unseen levels). ``"from_dtype"``: the DataFrame columns of
        dtype ``category``, ``object``, string or boolean (numpy input: none);
        None: none; or a list of column names or indices, or a boolean mask
        (as ``HistGradientBoostingClassifier``). All the inputs made from one
        column share one input eigenvalue, so the column is kept or switched
        off as a whole and ``feature_importances_`` has one entry per
        original column. Missing cells of numeric columns (NaN, ``pd.NA``)
        get the training mean and a missing-indicator input in the same
        group; see the user guide's "Your own table".

    feature_groups : list of list of str or int, default=None
        Columns that share one input eigenvalue (sensor blocks, dummies made
        by hand): the penalty keeps or drops a group as a whole. Columns not
        listed are groups of their own. ``group_importances_`` then gives one
        relevance per group.
"""

_COMMON_ATTRIBUTES = """
    feature_importances_ : ndarray of shape (n_features_in_,)
        Global input relevance, normalised to sum to 1: for each input ``j``
        the root mean square over the training rows (at most
        ``Settings.importance_gradient_rows``, 2048, a seeded subsample) of
        the norm of the network's output gradient ``d f(x) / d x_j`` (the
        logits centred over the classes, the standardised targets). With
        the default ``eigenvalues="in"`` that gradient is ``lam_in_j *
        J(x) phi[:, j]``: an eigenvalue the penalty switched off is a zero
        importance, as in the first paper's ``|lam_in_j| *
        ||phi[:, j]||_2``, which it refines by weighing each first-layer
        weight by how much the rest of the network uses it
        (``importance_gradient_rows=0`` gives the first paper's reading).
        With the default ``standardize=True`` it is measured on
        standardised inputs: the relevance of a one-standard-deviation
        change of each column, which does not change when a column is
        rescaled. All zeros if the penalty switched every input off.

    input_relevance_ : ndarray of shape (n_features_in_,)
        The same relevance before normalisation.

    input_eigenvalues_ : ndarray of shape (n_features_in_,)
        Eigenvalues ``lam_in`` of the input nodes; exactly 0 for inputs an
        L1 penalty switched off.

    eigenvalues_ : list of tuple of ndarray
        ``(lam_in, lam_out)`` of every layer (every block between two node
        layers), input layer first, in both modes. With ``auto_depth=True``
        ``lam_in`` is the source layer's node eigenvalues (0 for the inputs,
        whose gate is ``input_eigenvalues_``) and ``lam_out`` the
        destination's, so consecutive pairs share a layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit; only when ``X`` has string
        column names.

    input_mean_ : ndarray of shape (n_features_in_,)
        Mean of each input used by the internal standardisation (zeros
        with ``standardize=False``).

    input_scale_ : ndarray of shape (n_features_in_,)
        Standard deviation of each input used by the internal
        standardisation (1 for constant columns; ones with
        ``standardize=False``).

    n_iter_ : int
        Number of epochs run by the last call to ``fit`` (with
        ``warm_start``: the epochs of that call) or ``partial_fit`` (1).

    converged_ : bool
        Whether the last ``fit`` stopped by its stopping rule (see ``tol``)
        rather than at ``max_iter``.

    loss_curve_ : list of float
        Mean data loss of the training batches of each epoch, without the
        penalties (which follow the loss scale and so are not comparable
        across epochs). With ``early_stopping=False`` training stops on the
        full objective, data loss plus penalties.

    loss_ : float
        The data loss of the last epoch (``loss_curve_[-1]``).

    best_loss_ : float or None
        Minimum of ``loss_curve_``; None when ``early_stopping=True`` (see
        ``best_validation_score_``).

    validation_scores_ : list of float or None
        Score of the held-out rows after each epoch (accuracy, or R^2 for
        the regressor), since the network was built; None when
        ``early_stopping=False``. The stopping rule and the restored epoch
        follow the validation *loss* (``validation_loss_curve_``).

    best_validation_score_ : float or None
        Maximum of ``validation_scores_``; None when
        ``early_stopping=False``.

    validation_loss_curve_ : list of float
        Validation loss per epoch; only when ``early_stopping=True``.

    best_validation_loss_ : float
        Minimum of ``validation_loss_curve_``; only when
        ``early_stopping=True``.

    n_layers_ : int
        Number of layers, input and output included (with
        ``auto_depth=True``, of the largest architecture allowed).

    out_activation_ : str
        The output function: ``"softmax"`` (classifier), ``"identity"`` or
        ``"exp"`` (regressor with ``loss="poisson"``).

    coefs_ : list of ndarray
        Read-only: weights of the equivalent direct-space network, see
        :attr:`coefs_`.

    intercepts_ : list of ndarray
        Read-only: its biases.

    architecture_ : tuple of int
        Auto-depth only: widths of the hidden layers that carry signal (a
        neuron is active when its effective eigenvalue exceeds
        {ACTIVE_RTOL} of the largest hidden or output eigenvalue; the L1
        penalty sets unneeded ones to exactly 0, and a neuron at 0 outputs a
        constant that the export folds into later biases); ``()`` means a
        perceptron.

    hidden_eigenvalues_ : list of ndarray
        Auto-depth only: the eigenvalues of each hidden layer, one per
        neuron.

    hidden_path_strength_ : float
        Auto-depth only: the SPARCS paper's ``||Gamma||`` generalised to any
        depth, the norm of every input-to-output path through at least one
        hidden neuron; 0 for a perceptron.

    pruning_curve_ : dict
        Set by :meth:`prune`.

    pruned_architecture_ : tuple of int
        Set by :meth:`prune`: the smallest architecture within its tolerance.

    encoder_ : TableEncoder
        How ``X`` became the network's inputs: ``get_feature_names_out()``
        names every input, ``column_of_input_`` gives each input's original
        column, ``input_groups_`` its input eigenvalue, ``passthrough_`` says
        whether numeric input was used as it is.

    feature_groups_ : list of ndarray
        Only with ``feature_groups``: the original columns of each group.

    group_importances_ : ndarray of shape (n_groups,)
        Only with ``feature_groups``: each group's relevance (the norm of its
        columns' relevances), normalised to sum to 1.

    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module and
        ``net_.history`` the training history.
"""


def _unique_labels(values, name):
    """Sorted distinct labels of ``values``; a clear error for mixed types."""
    values = np.asarray(values)
    if values.ndim != 1:
        values = column_or_1d(values)
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        # before anything casts them to integer labels (a RuntimeWarning)
        raise ValueError(f"Input {name} contains NaN or infinity.")
    try:
        return np.unique(values)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in values.tolist()})
        raise ValueError(
            f"{name} mixes labels of types {kinds}, which cannot be sorted; "
            "use labels of one type (e.g. all str or all int)."
        ) from None


def _check_eval_y(y, n_samples, method, *, allow_2d, n_outputs=None):
    """Targets given to ``score`` or ``prune``, checked as ``fit`` checks them."""
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError(f"y passed to {method} must be an array, got a scalar {y!r}.")
    if y.ndim == 2 and y.shape[1] == 1 and not (allow_2d and n_outputs != 1):
        y = y[:, 0]
    if y.ndim > 2 or (y.ndim == 2 and not allow_2d):
        raise ValueError(
            f"y passed to {method} must be 1-D (n_samples,), got shape {y.shape}."
        )
    if allow_2d and n_outputs is not None:
        got = 1 if y.ndim == 1 else y.shape[1]
        if got != n_outputs:
            raise ValueError(
                f"y passed to {method} has {got} output(s), the fitted model "
                f"has {n_outputs}."
            )
    if n_samples is not None and y.shape[0] != n_samples:
        raise ValueError(
            f"X and y passed to {method} have different numbers of rows: "
            f"{n_samples} and {y.shape[0]}."
        )
    return y


def _with_defaults(text):
    """``text`` with each ``{NAME}`` of a documented default filled in."""
    for name, value in _defaults.documented_values().items():
        text = text.replace("{" + name + "}", f"{value:g}")
    return text


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__.format(
        parameters=_with_defaults(_COMMON_PARAMETERS.strip()),
        attributes=_with_defaults(_COMMON_ATTRIBUTES.strip()),
    )
    return cls


@_fill_doc
class SpectralMLPClassifier(ClassifierMixin, BaseSpectralMLP):
    """Multilayer perceptron classifier trained in the spectral domain.

    Every dense layer is parametrised as ``w_ij = phi_ij (lam_in_j -
    lam_out_i)`` with one eigenvalue per node. After one ``fit`` the input
    eigenvalues rank the features (``feature_importances_``), and the
    default L1 penalty on them switches irrelevant inputs off exactly.

    Parameters
    ----------
    {parameters}

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the data loss, as scikit-learn's
        classifiers: ``{{label: weight}}`` (1 for classes not named), or
        ``"balanced"``, ``n_samples / (n_classes * np.bincount(y))``; they
        multiply ``sample_weight``. Multilabel targets: a list of dicts, one
        per label, or ``"balanced"`` per label. ``"balanced"`` is refused by
        ``partial_fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; ``0 .. n_labels - 1`` for a multilabel target (a 2-D
        0/1 indicator matrix, fitted with one sigmoid output per label as
        ``MLPClassifier`` does).

    n_outputs_ : int
        Number of network outputs (one logit per class).

    {attributes}

    See Also
    --------
    SpectralMLPRegressor : The regressor.
    SpectralFeatureSelector : Keep the inputs the spectral network uses.
    sklearn.neural_network.MLPClassifier : The direct-space counterpart.

    References
    ----------
    L. Chicchi et al., "Estimating global input relevance and enforcing
    sparse representations with a scalable spectral neural network
    approach", arXiv:2406.01183 (2024).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_spectral import SpectralMLPClassifier
    >>> X, y = make_classification(n_samples=300, n_features=8, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> clf = SpectralMLPClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    >>> round(float(clf.feature_importances_.sum()), 6)
    1.0
    """

    _parameter_constraints: dict = {
        **BaseSpectralMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    _criterion = torch.nn.CrossEntropyLoss

    @property
    def _loss(self):
        # multilabel: one sigmoid per label, as MLPClassifier
        return "binary_cross_entropy" if getattr(self, "_multilabel", False) else None

    @property
    def _stratify(self):
        return not getattr(self, "_multilabel", False)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 or float64; other numeric types are cast).
        y : array-like of shape (n_samples,)
            Class labels (any hashable, e.g. strings or integers).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the data loss (normalised to mean 1; the
            penalties are not weighted). None weighs every sample alike. A
            weight of ``k`` is the row repeated ``k`` times, exactly: the fit
            merges equal rows into one row with the sum of their weights and
            drops rows of weight 0.

        Returns
        -------
        self : SpectralMLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train the network for one epoch on ``(X, y)``.

        The first call builds the network (``classes`` must then list every
        class); later calls continue training it, with the penalty schedule
        going on where it stopped. The stopping rule does not apply. On the
        first call a column without spread in ``X`` (e.g. ``X`` of one row)
        is scaled by its magnitude instead of being centred to 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the data loss.
        classes : array-like of shape (n_classes,), default=None
            Every class of the problem; required on the first call; later
            calls may omit it or repeat the same classes.

        Returns
        -------
        self : SpectralMLPClassifier
            The estimator.
        """
        first = self._start_partial_fit()
        y_shape = np.shape(y) if y is not None else ()
        multilabel = len(y_shape) == 2 and y_shape[1] > 1
        if first and classes is None and not multilabel:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first and classes is not None and not self._multilabel:
            given = _unique_labels(classes, "classes")
            if not np.array_equal(given, self.classes_):
                raise ValueError(
                    f"`classes={given!r}` is not the same as on the first call "
                    f"to partial_fit, was: {self.classes_!r}."
                )
        X, y_enc, weights, baseline = self._prepare(
            X, y, sample_weight, first=first, classes=classes, partial=True
        )
        return self._fit_net(X, y_enc, baseline, weights, epochs=1)

    def _prepare(
        self, X, y, sample_weight, *, first, classes=None, partial=False, shared=None
    ):
        """Validated ``X``, encoded ``y``, normalised weights, baseline loss.

        ``shared`` (a dict, or None) validates ``y`` and ``sample_weight``
        once for many fits on the same targets (the selector's member fits,
        each on its own columns): an empty dict receives the validated,
        encoded targets and weights of this first fit (``first=True``, not
        ``partial``); a dict so filled, on a later call with the same ``y``
        and ``sample_weight`` and an estimator of the same parameters, takes
        them instead of validating and encoding them again. Only ``X`` is
        validated then, and the answer is the one of a call without
        ``shared``.
        """
        if shared:
            return self._prepare_shared(X, sample_weight, shared)
        y_array = None if y is None else np.asarray(y)
        multilabel = (
            y_array is not None
            and y_array.ndim == 2
            and y_array.shape[1] > 1
            and type_of_target(y_array, input_name="y") == "multilabel-indicator"
        )
        with np.errstate(invalid="ignore", over="ignore"):
            X, y, weights = self._validate_X_y(
                X,
                y,
                sample_weight,
                reset=first,
                multi_output=multilabel,
                y_numeric=False,
            )
            # mixed label types: a clear error before type_of_target and
            # numpy sort them
            labels = None
            if not multilabel:
                y = column_or_1d(y, warn=True)
                labels = _unique_labels(y, "y")
            target_type = type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"Unknown label type: {target_type!r}. SpectralMLPClassifier "
                "supports binary, multiclass and multilabel (a 2-D 0/1 indicator "
                "matrix) targets; use SpectralMLPRegressor for continuous targets."
            )
        if first:
            self._multilabel = multilabel
            if multilabel:
                labels = np.arange(y.shape[1])
            elif classes is not None:
                labels = _unique_labels(classes, "classes")
            # one class is allowed, as in MLPClassifier: the model predicts
            # it, and no input can matter (feature_importances_ are 0)
            self.classes_ = labels
            self.n_outputs_ = labels.size
        elif multilabel != self._multilabel:
            raise ValueError(
                "y is "
                + ("a multilabel indicator" if multilabel else "one label per sample")
                + " but the fitted model was trained on "
                + ("multilabel" if self._multilabel else "single-label")
                + " targets."
            )
        elif not partial and not multilabel:  # a warm fit
            if set(labels.tolist()) != set(self.classes_.tolist()):
                raise ValueError(
                    "warm_start can only be used where `y` has the same "
                    "classes as in the previous call to fit. Previously got "
                    f"{self.classes_}, `y` has {labels}"
                )
        y_enc = self._encode_targets(y)
        unweighted = weights
        weights = self._class_weighted(weights, y, partial=partial)
        if shared is not None and first and not partial and not self._multilabel:
            shared.update(
                y_enc=y_enc,
                weights=weights,
                unweighted=unweighted,
                classes=self.classes_,
            )
        if not partial:
            X, y_enc, weights, unweighted = merge_rows(
                X, y_enc, weights, unweighted, reorder=self.shuffle
            )
        return self._with_baseline(X, y_enc, weights, unweighted)

    def _prepare_shared(self, X, sample_weight, shared):
        """``_prepare(X, y, sample_weight, first=True)`` with the targets and
        class weights of ``shared`` (see :meth:`_prepare`): ``X`` and
        ``sample_weight`` validated, ``X`` encoded, the rows merged."""
        with np.errstate(invalid="ignore", over="ignore"):
            X = self._check_X(X, reset=True)
            check_consistent_length(X, shared["y_enc"])
            X = self._encode_X(X, True, _validated_weights(sample_weight, X))
        self._multilabel = False
        self.classes_ = shared["classes"].copy()
        self.n_outputs_ = self.classes_.size
        X, y_enc, weights, unweighted = merge_rows(
            X,
            shared["y_enc"],
            shared["weights"],
            shared["unweighted"],
            reorder=self.shuffle,
        )
        return self._with_baseline(X, y_enc, weights, unweighted)

    def _with_baseline(self, X, y_enc, weights, unweighted):
        """``(X, y_enc, weights, baseline)`` of :meth:`_prepare`: the loss
        of the constant prediction (and its scale without class weights)."""
        if self._multilabel:
            w = np.ones(len(y_enc)) if weights is None else weights
            p = np.clip(np.average(y_enc, axis=0, weights=w), 1e-12, 1 - 1e-12)
            entropy = -(p * np.log(p) + (1 - p) * np.log(1 - p))
            self._unweighted_baseline = 0.0
            return X, y_enc, weights, float(entropy.sum())
        baseline = _entropy(y_enc, weights, self.n_outputs_)
        # the divergence check's scale without the class weights (see
        # BaseSpectralMLP._check_convergence)
        self._unweighted_baseline = (
            baseline
            if self.class_weight is None
            else _entropy(y_enc, unweighted, self.n_outputs_)
        )
        return X, y_enc, weights, max(baseline, 0.0)

    def _class_weighted(self, weights, y, *, partial=False):
        """``sample_weight`` times the weight of each sample's class.

        As scikit-learn's classifiers: ``class_weight="balanced"`` weighs
        class ``c`` by ``n_samples / (n_classes * n_c)`` (computed on the
        data of this call), a dict by its value (1 for classes it does not
        name); the two multiply. Multilabel: each label is a binary output
        (``compute_sample_weight``'s multi-output rule: the product over
        the labels; a dict per label in a list).
        """
        if self.class_weight is None:
            return weights
        if partial and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit (the "
                "class frequencies of one batch are not those of the data); "
                "pass a dict of class weights."
            )
        class_weight = self.class_weight
        if self._multilabel and isinstance(class_weight, dict):
            class_weight = [class_weight] * y.shape[1]
        per_class = compute_sample_weight(class_weight, y)
        if weights is None:
            return per_class
        combined = weights * per_class
        if not combined.sum() > 0:
            raise ValueError("sample_weight times class_weight has a zero sum.")
        return combined

    def _encode_targets(self, y):
        if getattr(self, "_multilabel", False):
            y = np.asarray(y)
            if y.ndim != 2 or y.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y must be a 0/1 indicator matrix with {self.n_outputs_} "
                    f"columns (the labels of the first fit), got shape {y.shape}."
                )
            return y.astype(np.float32)
        y = column_or_1d(y)
        labels = _unique_labels(y, "y")
        unseen = labels[~np.isin(labels, self.classes_)]
        if unseen.size:
            raise ValueError(
                f"y has classes {unseen!r} not in classes_ {self.classes_!r} "
                "(the classes of the first fit)."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _encode_eval_targets(self, y, n_samples, method):
        """``y`` of ``method`` (``prune``) validated as ``fit`` does, encoded."""
        multilabel = getattr(self, "_multilabel", False)
        y = _check_eval_y(
            y,
            n_samples,
            method,
            allow_2d=multilabel,
            n_outputs=self.n_outputs_ if multilabel else None,
        )
        if y.dtype.kind in "fc" and not np.isfinite(y).all():
            raise ValueError(f"y passed to {method} contains NaN or infinity.")
        return self._encode_targets(y)

    def _validation_scorer(self):
        return subset_accuracy if getattr(self, "_multilabel", False) else accuracy

    def _out_activation(self):
        return "softmax"

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probability of each class, columns ordered as ``classes_``.
        """
        logits = self._forward(X)
        if self._multilabel:
            return expit(logits)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log-probability of each class.
        """
        logits = self._forward(X)
        if self._multilabel:
            return -np.logaddexp(0.0, -logits)
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples,)
            The most probable class of each sample.
        """
        check_is_fitted(self)
        if self._multilabel:
            return (self._forward(X) > 0).astype(np.int64)
        return self.classes_[np.argmax(self._forward(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``.

        As :meth:`sklearn.base.ClassifierMixin.score`, except that float
        labels with NaN or infinity are refused with a clear ``ValueError``
        before scikit-learn casts them to integers (which warns first).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            Fraction of correctly classified samples (weighted).
        """
        check_is_fitted(self)
        multilabel = getattr(self, "_multilabel", False)
        labels = _check_eval_y(
            y,
            None,
            "score",
            allow_2d=multilabel,
            n_outputs=self.n_outputs_ if multilabel else None,
        )
        if labels.dtype.kind in "fc" and not np.isfinite(labels).all():
            raise ValueError("Input y contains NaN or infinity.")
        return super().score(X, labels, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        return tags


def _entropy(y_enc, weights, n_classes):
    """Cross-entropy of the (weighted) class prior: a constant's loss."""
    prior = np.bincount(y_enc, weights=weights, minlength=n_classes)
    prior = prior[prior > 0] / prior.sum()
    return float(-(prior * np.log(prior)).sum())


@_fill_doc
class SpectralMLPRegressor(RegressorMixin, BaseSpectralMLP):
    """Multilayer perceptron regressor trained in the spectral domain.

    Every dense layer is parametrised as ``w_ij = phi_ij (lam_in_j -
    lam_out_i)`` with one eigenvalue per node. After one ``fit`` the input
    eigenvalues rank the features (``feature_importances_``), and the
    default L1 penalty on them switches irrelevant inputs off exactly.

    The targets are standardised internally (zero mean, unit variance per
    output) so that ``alpha`` balances the same loss scale on every data
    set; predictions are returned in the original units, and
    ``loss_curve_`` is in standardised units. With ``loss="poisson"`` they
    are divided by their (weighted) mean instead, and the network predicts
    the logarithm of the mean.

    Parameters
    ----------
    {parameters}

    loss : {{"squared_error", "poisson"}}, default="squared_error"
        The data loss: squared error (on standardised targets), or the half
        Poisson deviance with a log link (predictions ``exp`` of the
        network's output; non-negative targets with a positive sum), as
        ``MLPRegressor``'s.

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.

    {attributes}

    See Also
    --------
    SpectralMLPClassifier : The classifier.
    SpectralFeatureSelector : Keep the inputs the spectral network uses.
    sklearn.neural_network.MLPRegressor : The direct-space counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_spectral import SpectralMLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 5))
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> reg = SpectralMLPRegressor(max_iter=100, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> sorted(np.argsort(reg.feature_importances_)[-2:].tolist())  # y's columns
    [0, 1]
    """

    _parameter_constraints: dict = {
        **BaseSpectralMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }
    _stratify = False

    def _check_spectral_params(self):
        super()._check_spectral_params()
        if self.auto_depth and self.loss == "poisson":
            raise ValueError(
                "auto_depth=True does not support loss='poisson': its evidence "
                "step judges neurons by squared error or cross-entropy. Use "
                "auto_depth=False (a fixed depth) with loss='poisson'."
            )

    @property
    def _loss(self):
        # the data loss of nn/losses.py (Poisson: the half deviance)
        return "poisson" if self.loss == "poisson" else "squared_error"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the data loss (normalised to mean 1; the
            penalties are not weighted; the targets are standardised with
            the weighted mean and standard deviation). A weight of ``k`` is
            the row repeated ``k`` times, exactly: the fit merges equal rows
            into one row with the sum of their weights and drops rows of
            weight 0.

        Returns
        -------
        self : SpectralMLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train the network for one epoch on ``(X, y)``.

        The first call builds the network and fixes the target scaling;
        later calls continue training it. The stopping rule does not apply.
        On the first call a column without spread in ``X`` (e.g. ``X`` of
        one row) is scaled by its magnitude instead of being centred to 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the data loss.

        Returns
        -------
        self : SpectralMLPRegressor
            The estimator.
        """
        first = self._start_partial_fit()
        X, y_std, weights, baseline = self._prepare(
            X, y, sample_weight, first=first, partial=True
        )
        return self._fit_net(X, y_std, baseline, weights, epochs=1)

    def _prepare(self, X, y, sample_weight, *, first, partial=False):
        """Validated ``X``, standardised ``y``, normalised weights, baseline."""
        with np.errstate(invalid="ignore", over="ignore"):
            X, y, weights = self._validate_X_y(
                X, y, sample_weight, reset=first, multi_output=True, y_numeric=True
            )
        y = np.asarray(y, dtype=np.float64)
        if not partial:
            X, y, weights = merge_rows(X, y, weights, reorder=self.shuffle)
        y2d = y.reshape(-1, 1) if y.ndim == 1 else y
        if self.loss == "poisson":
            _check_poisson_targets(y2d, weights)
        if first:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = y2d.shape[1]
            if self.loss == "poisson":
                # predictions are ``mean * exp(output)``: the network starts
                # at the mean, and the deviance is in units of the mean
                self._y_mean = np.average(y2d, axis=0, weights=weights)
                self._y_scale = np.ones(self.n_outputs_)
            else:
                self._y_mean, self._y_scale = _weighted_location_scale(y2d, weights)
        elif y2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2d.shape[1]} outputs, the fitted model has {self.n_outputs_}."
            )
        y_std = self._encode_targets(y)
        if self.loss == "poisson":
            t = y_std.astype(np.float64)
            per_row = (
                np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t + 1
            ).mean(axis=1)
        else:
            sq = y_std.astype(np.float64) ** 2
            # an output whose spread in these rows is lost in float64
            # rounding (1 + 1e-14 z) is constant: it adds nothing to the loss
            # a constant prediction leaves, so that a near-constant target
            # is a constant one, not a fit diverging from a 1e-25 baseline
            _, _, flat = _weighted_location_scale(y2d, weights, return_flat=True)
            sq[:, flat] = 0.0
            per_row = sq.mean(axis=1)
        baseline = float(np.average(per_row, weights=weights))
        return X, y_std, weights, max(baseline, 0.0)

    def _encode_targets(self, y):
        y = np.asarray(y, dtype=np.float64)
        y2d = y.reshape(-1, 1) if y.ndim == 1 else y
        with np.errstate(over="ignore"):
            if self.loss == "poisson":
                encoded = y2d / self._y_mean
            else:
                encoded = (y2d - self._y_mean) / self._y_scale
        peak = np.abs(encoded).max(initial=0.0)
        if not peak <= _FLOAT32_MAX:
            raise ValueError(
                f"y is up to {peak:.3g} times the spread of the targets this "
                "network was first fitted on, beyond the float32 range it "
                "trains in (a warm fit, partial_fit or prune keeps the first "
                "fit's target scaling); fit a new network (warm_start=False) "
                "on targets of this size."
            )
        return encoded.astype(np.float32)

    def _encode_eval_targets(self, y, n_samples, method):
        """``y`` of ``method`` (``prune``) validated as ``fit`` does, encoded."""
        y = _check_eval_y(
            y, n_samples, method, allow_2d=True, n_outputs=self.n_outputs_
        )
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"y passed to {method} must be numeric, got dtype {y.dtype}."
            ) from None
        _assert_all_finite(y, input_name="y")
        if self.loss == "poisson":
            _check_poisson_targets(y.reshape(len(y), -1), None, need_sum=False)
        return self._encode_targets(y)

    def _set_output_scaling(self, dense):
        if self.loss == "poisson":
            dense.set_output_scaling(
                np.ones(self.n_outputs_), np.log(self._y_mean), link="exp"
            )
        else:
            dense.set_output_scaling(self._y_scale, self._y_mean)

    def _validation_scorer(self):
        # R^2 per output is unchanged by the affine (or, Poisson, the
        # multiplicative) map from the encoded targets to y
        return r2_of_exp if self.loss == "poisson" else r2

    def _out_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of the training targets.
        """
        raw = self._forward(X)
        if self.loss == "poisson":
            out = np.exp(raw) * self._y_mean
        else:
            out = raw * self._y_scale + self._y_mean
        if getattr(self, "_fit_dtype", np.float64) == np.float32 and not (
            np.abs(out).max(initial=0.0) > _FLOAT32_MAX
        ):
            # as MLPRegressor: the dtype of the training X (float64 when
            # float32 cannot hold the predictions, as for targets beyond it)
            out = out.astype(np.float32)
        return out.ravel() if self._y_1d else out

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 on ``X`` and ``y``.

        As :meth:`sklearn.base.RegressorMixin.score`, computed on targets
        and predictions divided by the largest of their magnitudes for each
        output (R^2 does not change), so that values near the float64 limit
        do not overflow when squared. Non-finite targets, and an R^2 beyond
        the float64 range, raise a ``ValueError``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            R^2 of ``self.predict(X)`` (averaged over the outputs).
        """
        check_is_fitted(self)
        target = _check_eval_y(
            y, None, "score", allow_2d=True, n_outputs=self.n_outputs_
        )
        try:
            target = np.asarray(target, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"y passed to score must be numeric, got dtype {target.dtype}."
            ) from None
        if not np.isfinite(target).all():
            raise ValueError("Input y contains NaN or infinity.")
        predicted = np.asarray(self.predict(X), dtype=np.float64)
        if predicted.shape[0] != target.shape[0]:
            raise ValueError(
                "X and y passed to score have different numbers of rows: "
                f"{predicted.shape[0]} and {target.shape[0]}."
            )
        predicted = predicted.reshape(target.shape)
        if target.size == 0:
            return r2_score(target, predicted, sample_weight=sample_weight)
        top = np.maximum(np.max(np.abs(target), axis=0), np.max(np.abs(predicted), 0))
        top = np.where(top > 0, top, 1.0)
        target, predicted = target / top, predicted / top
        spread = np.ptp(target, axis=0) > 0
        centred = target - np.mean(target, axis=0)
        if np.any(spread & (np.sum(centred * centred, axis=0) == 0)):
            raise ValueError(
                "R^2 is out of the float64 range: the predictions are more than "
                "about 1e150 times the spread of y (a fit to other targets?)."
            )
        return r2_score(target, predicted, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _check_poisson_targets(y, weights, need_sum=True):
    """Poisson targets are non-negative with a positive (weighted) sum."""
    if (y < 0).any():
        raise ValueError(
            "Some value(s) of y are negative which is not allowed for Poisson "
            "regression (loss='poisson')."
        )
    if need_sum:
        total = np.average(y, axis=0, weights=weights)
        if not (total > 0).all():
            raise ValueError(
                "Sum of y is not strictly positive which is necessary for "
                "Poisson regression (loss='poisson')."
            )


def _init_with(base_init, name, default):
    """``BaseSpectralMLP.__init__`` plus one estimator's own parameter.

    Written once here rather than repeating every shared parameter, so that
    a parameter added to the base class reaches both estimators; the
    signature scikit-learn reads (``get_params``, ``clone``) lists the
    extra parameter last, after the shared ones, as documented.
    """

    def __init__(self, hidden_layer_sizes=(100,), **params):
        value = params.pop(name, default)
        base_init(self, hidden_layer_sizes, **params)
        setattr(self, name, value)

    signature = inspect.signature(base_init)
    extra = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
    __init__.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), extra]
    )
    __init__.__doc__ = base_init.__doc__
    return __init__


SpectralMLPClassifier.__init__ = _init_with(
    BaseSpectralMLP.__init__, "class_weight", None
)
SpectralMLPRegressor.__init__ = _init_with(
    BaseSpectralMLP.__init__, "loss", "squared_error"
)
