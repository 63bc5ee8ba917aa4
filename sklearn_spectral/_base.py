"""Machinery shared by the spectral estimators: parameters, validation and
the skorch net built inside ``fit``."""

from __future__ import annotations

import warnings
import weakref
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from skorch.dataset import ValidSplit

from . import _defaults
from ._defaults import Settings, resolve_settings
from ._plans import AUTO_DEPTH, FIXED_DEPTH
from ._tabular import TableEncoder, categorical_mask, is_dataframe
from ._training import (
    ConvergenceStopping,
    EpochLog,
    PenaltySchedule,
    SpectralNet,
    StopOnDivergence,
    TensorData,
    TrainingDiverged,
    auto_threads,
    torch_threads,
)
from ._training.callbacks import InputSettling
from ._training.net import prediction_map, user_callbacks
from ._training.scoring import ValidationScore
from .nn.export import export_network, pruning_path, smallest_within
from .nn.losses import DataLoss
from .nn.mlp import ACTIVATIONS
from .nn.objective import EigenvalueTerm, SpectralObjective
from .nn.optim import ProximalAdam
from .nn.reading import input_gradient_relevance
from .relevance import normalize_relevance

#: Largest finite float32 value: float64 inputs beyond it would become inf
#: in the cast to the training dtype.
_FLOAT32_MAX = float(np.finfo(np.float32).max)

#: Largest number of network parameters accepted (about 4 GB of float32
#: for the parameters and as much again for Adam's state).
_MAX_PARAMETERS = 10**9


class BaseSpectralMLP(BaseEstimator):
    """Base class of the spectral MLP estimators; not for direct use.

    Subclasses define ``_criterion`` (or ``_loss``, a name of
    :mod:`~sklearn_spectral.nn.losses`), ``_stratify``, ``_prepare`` (validated
    ``X``, encoded ``y``, weights and the constant prediction's loss),
    ``_encode_targets``, ``_encode_eval_targets`` (``y`` of ``prune``),
    ``_validation_scorer`` (the score recorded under early stopping),
    ``_out_activation``, ``_set_output_scaling`` (of the export) and the
    prediction methods.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l1", "l2", "group"})],
        "penalized": [StrOptions({"auto", "input", "all"})],
        "eigenvalues": [StrOptions({"in", "out", "both"})],
        "phi_alpha": [Interval(Real, 0, None, closed="left")],
        "relative_penalty": ["boolean"],
        "standardize": ["boolean"],
        "auto_depth": ["boolean"],
        "depth_alpha": [Interval(Real, 0, None, closed="left")],
        "depth_penalty": [StrOptions({"l1", "l2", "group"})],
        "depth_growth": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions({"adam"})],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "shuffle": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [str],
        "settings": [Settings, None],
        "callbacks": [list, None],
        "categorical_features": [
            StrOptions({"from_dtype"}),
            "array-like",
            None,
        ],
        "feature_groups": [list, tuple, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=0.1,
        penalty="l1",
        penalized="auto",
        eigenvalues="in",
        phi_alpha=1e-3,
        relative_penalty=True,
        standardize=True,
        auto_depth=False,
        depth_alpha=_defaults.DEPTH_ALPHA,
        depth_penalty="l1",
        depth_growth=10.0,
        batch_size="auto",
        learning_rate_init=_defaults.LEARNING_RATE_INIT,
        solver="adam",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        shuffle=True,
        max_iter=200,
        tol=_defaults.TOL,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        n_threads=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        device="cpu",
        settings=None,
        callbacks=None,
        categorical_features="from_dtype",
        feature_groups=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.penalty = penalty
        self.penalized = penalized
        self.eigenvalues = eigenvalues
        self.phi_alpha = phi_alpha
        self.relative_penalty = relative_penalty
        self.standardize = standardize
        self.auto_depth = auto_depth
        self.depth_alpha = depth_alpha
        self.depth_penalty = depth_penalty
        self.depth_growth = depth_growth
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.solver = solver
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.shuffle = shuffle
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.device = device
        self.settings = settings
        self.callbacks = callbacks
        self.categorical_features = categorical_features
        self.feature_groups = feature_groups

    def _settings(self):
        """The :class:`~sklearn_spectral._defaults.Settings` in force."""
        return resolve_settings(self.settings)

    # ------------------------------------------------------------------ #
    # validation
    # ------------------------------------------------------------------ #
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if any(
            isinstance(s, bool) or not isinstance(s, Integral) or s < 1 for s in sizes
        ):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _penalized(self):
        """``penalized`` resolved: ``"auto"`` is ``"input"`` when the input
        eigenvalues are trained, else ``"all"`` (the poster's setting)."""
        if self.penalized != "auto":
            return self.penalized
        return "all" if self.eigenvalues == "out" and not self.auto_depth else "input"

    def _check_spectral_params(self):
        if self.auto_depth and (
            self._penalized() != "input" or self.eigenvalues != "in"
        ):
            raise ValueError(
                "auto_depth=True trains one eigenvalue per input (a gate) and per "
                "neuron: leave penalized='auto' (or 'input') and eigenvalues='in', "
                "and set the hidden-layer penalty with depth_alpha and "
                "depth_penalty."
            )
        if self._penalized() == "input" and self.eigenvalues == "out":
            raise ValueError(
                "penalized='input' needs trained input eigenvalues, but "
                "eigenvalues='out' fixes them at 0; use eigenvalues='in' or "
                "'both', or penalized='all'."
            )

    def _check_size(self, n_features, n_outputs):
        sizes = [n_features, *self._hidden_sizes(), n_outputs]
        n_params = sum(2 * a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if n_params > _MAX_PARAMETERS:
            raise ValueError(
                f"The network {tuple(sizes)} would have about {n_params:.3g} "
                f"parameters, more than the {_MAX_PARAMETERS:.0e} this estimator "
                "accepts; lower hidden_layer_sizes."
            )

    def _torch_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"Unknown device {self.device!r}: {exc}") from None
        if device.type not in ("cpu", "cuda", "mps", "xpu"):
            raise ValueError(
                f"device={self.device!r} cannot train a network; use 'cpu' or 'cuda'."
            )
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was requested but CUDA is not available."
            )
        return device

    def _validate_X(self, X, *, reset, sample_weight=None):
        """The network's input matrix for ``X`` (see :meth:`_check_X`).

        ``sample_weight`` (validated, or None) weighs the imputation means
        when ``reset``.
        """
        return self._encode_X(self._check_X(X, reset=reset), reset, sample_weight)

    def _check_X(self, X, *, reset):
        """``X`` checked for shape and names: floats, or the table as given.

        Numeric input (an array, a sparse matrix, a DataFrame of numbers) is
        validated as floats; missing cells (NaN, ``pd.NA``) pass. A table
        with categorical columns (``categorical_features``) is kept as it
        is, for :class:`~sklearn_spectral._tabular.TableEncoder`.
        """
        if reset:
            table = self._has_categories(X)
        else:
            check_is_fitted(self, "encoder_")
            table = bool(self.encoder_.categorical_.any())
        if table:
            if is_dataframe(X):
                validate_data(self, X, skip_check_array=True, reset=reset)
            else:
                X = validate_data(
                    self, X, dtype=None, ensure_all_finite=False, reset=reset
                )
            if X.shape[0] < 1:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while a "
                    "minimum of 1 is required."
                )
            return X
        with np.errstate(invalid="ignore", over="ignore"):
            X = validate_data(
                self,
                X,
                reset=reset,
                dtype=(np.float64, np.float32),
                accept_sparse=("csr", "csc"),
                ensure_all_finite="allow-nan",
                ensure_min_samples=1,
            )
        _check_float32_range(X, "X", getattr(self, "feature_names_in_", None))
        return X

    def _has_categories(self, X):
        """Whether ``fit`` must one-hot encode some column of ``X``."""
        if self.categorical_features is None:
            return False
        if isinstance(self.categorical_features, str) and not is_dataframe(X):
            return False  # "from_dtype" on arrays: numbers only
        shape = getattr(X, "shape", None)
        if shape is None or len(shape) != 2:
            X = np.asarray(X, dtype=object)
            if X.ndim != 2:
                return False  # validate_data says what is wrong
        return bool(categorical_mask(X, self.categorical_features, X.shape[1]).any())

    def _validate_X_y(self, X, y, sample_weight, *, reset, **y_params):
        """Checked ``X`` and ``y``, validated weights, then the encoded ``X``.

        ``y_params`` go to scikit-learn's ``_check_y`` (``multi_output``,
        ``y_numeric``).
        """
        X = self._check_X(X, reset=reset)
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} estimator requires y to be passed, "
                "but the target y is None."
            )
        y = _check_y(y, estimator=self, **y_params)
        check_consistent_length(X, y)
        weights = _validated_weights(sample_weight, X)
        return self._encode_X(X, reset, weights), y, weights

    def _encode_X(self, X, reset, sample_weight=None):
        """The network's input matrix: ``X`` itself, or its encoding."""
        if reset:
            self.encoder_ = TableEncoder(
                self.categorical_features, self.feature_groups, self._settings()
            )
            out = self.encoder_.fit_transform(
                X, sample_weight, getattr(self, "feature_names_in_", None)
            )
        else:
            out = self.encoder_.transform(X)
        if out is not X:  # a table's numbers were not range-checked yet
            _check_float32_range(out, "X", self.encoder_.get_feature_names_out())
        return out

    def _group_size_factor(self):
        """``p ** Settings.group_size_power`` for every input of a group of
        ``p`` inputs (else 1).

        The inputs that share one eigenvalue are standardised to variance
        ``p ** (-2 * group_size_power)`` each. At power 0.5 a group has unit
        total variance like one numeric column, as the group lasso weighs a
        group by ``sqrt(p)`` (Yuan and Lin, 2006); the default 0.75 charges a
        group of many inputs more, as a category of ``p`` levels can fit
        ``p - 1`` level means of noise (see ``Settings.group_size_power``).
        Its relevance, the norm of the weights leaving the group, is
        measured on unit-variance inputs (:meth:`_per_column`).
        """
        groups = self._input_groups()
        if groups is None:
            return 1.0
        power = self._settings().group_size_power
        return np.bincount(groups)[groups].astype(np.float64) ** power

    def _input_groups(self):
        """The input eigenvalue of every network input, or None (one each)."""
        encoder = getattr(self, "encoder_", None)
        if encoder is None or encoder.n_groups_ == len(encoder.input_groups_):
            return None
        return encoder.input_groups_

    def _n_threads(self, n_features, batch_size):
        if self.n_threads is not None:
            return int(self.n_threads)
        sizes = [n_features, *self._hidden_sizes(), getattr(self, "n_outputs_", 1)]
        return auto_threads(
            sizes, batch_size, flops_per_thread=self._settings().flops_per_thread
        )

    # ------------------------------------------------------------------ #
    # fitting
    # ------------------------------------------------------------------ #
    def _is_warm(self):
        return self.warm_start and hasattr(self, "net_")

    def _reset_fitted_state(self):
        """Forget everything an earlier fit or ``prune`` left on ``self``."""
        for name in list(vars(self)):
            fitted = name.endswith("_") and not name.startswith("__")
            if fitted or name in _FITTED_PRIVATE:
                delattr(self, name)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            # the fewest batches of at most auto_batch_max rows, equal in
            # size (ceil), not a remainder of a few rows (201 rows: 101 +
            # 100, not 200 + 1)
            settings = self._settings()
            n_batches = max(
                settings.auto_batches_per_epoch,
                -(-n_samples // settings.auto_batch_max),
            )
            size = max(settings.auto_batch_min, -(-n_samples // n_batches))
            return min(size, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. "
                "It is going to be clipped",
                UserWarning,
            )
        return int(min(self.batch_size, n_samples))

    def _objective(self, steps_per_epoch, n_effective=None):
        """The eigenvalue and eigenvector terms this estimator minimises.

        ``n_effective``: the weight sum of the rows that train (auto-depth's
        depth term may depend on it), None when unknown.
        """
        terms = [
            EigenvalueTerm(
                "input",
                self._penalized(),
                self.penalty,
                float(self.alpha),
                beta2=self._settings().input_beta2,
            )
        ]
        terms += self._plan().extra_terms(self, steps_per_epoch, n_effective)
        return SpectralObjective(terms, float(self.phi_alpha))

    def _schedule(self, n_samples, n_features, baseline_loss):
        """How each term's strength evolves over the epochs."""
        plan = self._plan()
        schedules = {
            "input": plan.input_schedule(self, n_samples, n_features, baseline_loss),
            **plan.extra_schedules(self),
        }
        return PenaltySchedule(
            schedules,
            initial_scale=baseline_loss,
            min_scale=self._loss_scale_floor() * baseline_loss,
        )

    def _loss_scale_floor(self):
        """The floor of the relative input L1's loss scale (see Settings)."""
        settings = self._settings()
        cross_entropy = getattr(self, "_loss", None) is None and (
            getattr(self, "_criterion", None) is torch.nn.CrossEntropyLoss
        )
        if cross_entropy and not self.auto_depth:
            return settings.cross_entropy_loss_scale_floor
        return settings.loss_scale_floor

    def _plan(self):
        """The one place ``auto_depth`` chooses: the network and its extras."""
        return AUTO_DEPTH if self.auto_depth else FIXED_DEPTH

    def _build_module(self, n_features, n_outputs, generator):
        return self._plan().module(self, n_features, n_outputs, generator)

    def _callbacks(self, schedule):
        # exact zeros (proximal penalties) make the active set a fact to track
        track_units = self.penalty == "l1" or self._plan().tracks_hidden_units(self)
        callbacks = [
            ("penalty_schedule", schedule),
            ("stop_on_divergence", StopOnDivergence()),
            *(
                [("validation_score", ValidationScore(self._validation_scorer()))]
                if self.early_stopping
                else []
            ),
            (
                "convergence",
                ConvergenceStopping(
                    monitor="valid_loss" if self.early_stopping else "train_loss",
                    tol=self.tol,
                    patience=self.n_iter_no_change,
                    track_units=track_units,
                    switch_off_window=self._plan().switch_off_window(self),
                    load_best=self.early_stopping,
                    restore_factor=self._settings().loss_spike_factor,
                ),
            ),
        ]
        if (
            self.penalty == "l1"
            and self._penalized() == "input"
            and not self.auto_depth
        ):
            # re-admit the zeros the data support, let the relevance settle
            callbacks.append(("input_settling", _input_settling(self._settings())))
        if self.verbose:
            callbacks.append(("log", EpochLog()))
        return callbacks

    def _build_net(self, n_samples, n_features, seed, baseline_loss, n_effective):
        self._check_spectral_params()
        self._check_size(n_features, self.n_outputs_)
        device = self._torch_device()
        generator = torch.Generator().manual_seed(seed)
        module = self._build_module(n_features, self.n_outputs_, generator)
        module.input_scaling.set(self.input_mean_, self.input_scale_)
        if device.type == "mps":  # Apple's GPUs have no float64
            module.input_scaling.float()
        batch_size = self._batch_size(n_samples)
        n_train = n_samples
        train_split = None
        if self.early_stopping:
            train_split = ValidSplit(
                self.validation_fraction,
                stratified=self._stratify,
                random_state=seed % (2**32 - 1),
            )
            n_train = n_samples - int(np.ceil(self.validation_fraction * n_samples))
        steps_per_epoch = -(-n_train // batch_size)
        # the library's own callbacks, then the user's (named, copied)
        callbacks = self._callbacks(
            self._schedule(n_effective, n_features, baseline_loss)
        )
        callbacks += user_callbacks(self.callbacks, [name for name, _ in callbacks])
        loss = (
            getattr(self, "_loss", None)
            or {
                torch.nn.CrossEntropyLoss: "cross_entropy",
                torch.nn.MSELoss: "squared_error",
            }[self._criterion]
        )
        return SpectralNet(
            module=module,
            criterion=DataLoss,
            criterion__name=loss,
            predict_nonlinearity=prediction_map(loss),
            # Adam's implementation (fused where torch has it) is chosen by
            # ProximalAdam itself, once per process (fast_adam_options)
            optimizer=ProximalAdam,
            optimizer__betas=(float(self.beta_1), float(self.beta_2)),
            optimizer__eps=float(self.epsilon),
            shuffle=bool(self.shuffle),
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            objective=self._objective(steps_per_epoch, n_effective),
            seed=seed + 1,
            standardise_max_bytes=self._settings().standardise_once_max_bytes,
            device=device,
            verbose=0,
        )

    def _fit(self, X, y, sample_weight):
        """``fit``: a new network, or more epochs of it with ``warm_start``."""
        warm = self._is_warm()
        if warm:
            self._check_unchanged_params("warm_start=True")
        else:
            self._reset_fitted_state()
        X, y, weights, baseline = self._prepare(X, y, sample_weight, first=not warm)
        return self._fit_net(X, y, baseline, weights)

    def _start_partial_fit(self):
        """Checks common to ``partial_fit``; True on its first call."""
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: each call "
                "trains one epoch on the rows it is given, with no held-out "
                "set; use fit, or set early_stopping=False."
            )
        first = not hasattr(self, "net_")
        if first:
            self._reset_fitted_state()
        else:
            self._check_unchanged_params("partial_fit")
        return first

    #: Parameters a continued fit reads afresh; every other one is built into
    #: the network, its optimizer and its schedule when it is first fitted.
    _CONTINUE_FREE = frozenset(
        {"max_iter", "warm_start", "n_threads", "random_state", "verbose"}
    )

    def _built_params(self):
        params = self.get_params(deep=False)
        for name in self._CONTINUE_FREE:
            params.pop(name, None)
        params["hidden_layer_sizes"] = self._hidden_sizes()
        return params

    def _sync_verbose(self):
        """Log the epochs of a continued fit as ``verbose`` says now."""
        callbacks = [(n, cb) for n, cb in self.net_.callbacks_ if n != "log"]
        if self.verbose:
            callbacks.append(("log", EpochLog().initialize()))
        self.net_.callbacks_ = callbacks

    def _check_unchanged_params(self, how):
        """Refuse to continue a network built with other parameters."""
        built = getattr(self, "_built_with", None)
        if built is None:
            return
        now = self._built_params()
        changed = [
            f"{name} ({built[name]!r} -> {now[name]!r})"
            for name in sorted(set(built) | set(now))
            if not _same_param(built.get(name), now.get(name))
        ]
        if changed:
            raise ValueError(
                f"{how} continues the fitted network, which was built with other "
                f"parameters; changed since: {', '.join(changed)}. Set "
                "warm_start=False (or fit a clone) to train a new network with "
                "these parameters."
            )

    def _fit_net(self, X, y, baseline_loss, sample_weight=None, *, epochs=None):
        """Train ``self.net_`` on ``X`` and encoded ``y``.

        ``X`` is float32 or float64 and reaches the network as it is, without
        a copy (the network standardises it in float64 before its float32
        layers); ``y`` the encoded targets. ``baseline_loss`` is
        the loss of the best constant prediction (class prior, or the mean):
        a fit that ends no better learned nothing. ``epochs`` (``partial_fit``)
        runs that many epochs without the stopping rule; None runs the fit
        (``max_iter`` epochs at most, continued with ``warm_start``).
        """
        continuing = hasattr(self, "net_") and (epochs is not None or self._is_warm())
        if continuing:
            self._sync_verbose()
        else:
            rng = check_random_state(self.random_state)
            seed = int(rng.randint(np.iinfo(np.int32).max))
            self._split_seed = seed
        # auto-depth judges its neurons on rows it does not train on; the
        # evidence step gets every row and the weights in their own units
        all_X, all_y, all_weights = X, y, sample_weight
        held_out = None
        if epochs is None:
            held_out = self._plan().held_out_rows(self, y, self._split_seed)
        if held_out is not None:
            X, y = X[held_out[0]], y[held_out[0]]
            if sample_weight is not None:
                sample_weight = sample_weight[held_out[0]]
        n_samples, n_features = X.shape
        if not continuing:
            if self.early_stopping:
                self._check_validation_split(y)
            if self.standardize:
                # one row (or partial_fit's first batch) cannot tell a
                # constant column from one that varies later: scale, keep
                self.input_mean_, self.input_scale_ = _column_location_scale(
                    X, sample_weight, center_flat=epochs is None and n_samples > 1
                )
                self.input_scale_ = self.input_scale_ * self._group_size_factor()
            else:
                self.input_mean_ = np.zeros(n_features)
                self.input_scale_ = np.ones(n_features)
            # the sample count that sets the ramp: an integer weight counts
            # as that many repeated samples
            n_effective = n_samples if sample_weight is None else sample_weight.sum()
            self.net_ = self._build_net(
                n_samples, n_features, seed, baseline_loss, n_effective
            )
            self._built_with = self._built_params()
            self._fit_dtype = X.dtype
        if sample_weight is not None:
            # mean 1: a batch's data loss is mean(w * loss), an unbiased
            # estimate of the weighted mean loss of the training set
            sample_weight = sample_weight * (n_samples / sample_weight.sum())
        dataset = TensorData(
            _sparse_tensor(X)
            if sp.issparse(X)
            else _as_tensor(X, self._network_input_dtype(X)),
            _as_tensor(y, y.dtype),
            None if sample_weight is None else _as_tensor(sample_weight, np.float32),
        )
        history_len = len(self.net_.history) if continuing else 0
        # new weights: an earlier prune() no longer describes the network
        for name in ("_pruning_masks", "pruning_curve_", "pruned_architecture_"):
            self.__dict__.pop(name, None)
        # a fit ending on a spike of its loss returns its best epoch; a
        # partial_fit's one epoch is its own best (no state copy to keep)
        callbacks = getattr(self.net_, "callbacks_", None) or self.net_.callbacks
        dict(callbacks)["convergence"].restore_factor = (
            None if epochs is not None else self._settings().loss_spike_factor
        )
        # the starting loss judges divergence at the end of a fit; a
        # partial_fit is not judged, and one epoch would pay a forward pass
        dict(callbacks)["stop_on_divergence"].measure_start = epochs is None
        n_threads = self._n_threads(n_features, self.net_.batch_size)
        with torch_threads(n_threads):
            try:
                if continuing or epochs is not None:
                    # skorch initialises a new net on its first partial_fit
                    self.net_.partial_fit(
                        dataset, y, epochs=self.max_iter if epochs is None else epochs
                    )
                else:
                    self.net_.fit(dataset, y)
            except TrainingDiverged as exc:
                raise ValueError(f"Training diverged: {exc}. {self._hint()}") from None
            self._check_finite_parameters()
            # a constant target (one class, or no spread) carries no
            # information about any input: whatever the weights, no input
            # is relevant
            self._no_signal = epochs is None and baseline_loss == 0
            if epochs is None:
                # auto-depth keeps the neurons the data give evidence for;
                # under the fit's thread count, as the training was (its
                # sums are then the same in a thread pool as in sequence)
                self._depth_decision = self._plan().settle(
                    self, self.net_.module_, all_X, all_y, all_weights, held_out
                )
        self._record_history(history_len)
        self._set_spectral_attributes(X)
        if epochs is None:
            self._check_convergence(baseline_loss, history_len)
        return self

    def _network_input_dtype(self, X):
        """Dtype of the rows fed to the network: float64 stays float64.

        The network standardises in float64 before its float32 layers
        (:class:`~sklearn_spectral.nn.layers.InputScaling`); only Apple's
        ``mps`` device has no float64.
        """
        if X.dtype == np.float64 and torch.device(self.net_.device).type != "mps":
            return np.float64
        return np.float32

    def _check_validation_split(self, y):
        """Errors ``early_stopping`` would otherwise meet inside the split."""
        n = len(y)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if self._stratify:
            counts = np.bincount(y, minlength=self.n_outputs_)
            present = counts[counts > 0]
            rare = np.flatnonzero((counts > 0) & (counts < 2))
            if rare.size:
                names = [str(c) for c in self.classes_[rare][:10]]
                raise ValueError(
                    "The least populated classes in y have only 1 member, which "
                    "is too few: early_stopping=True holds out a stratified "
                    "validation set, which needs at least 2 members of each "
                    f"class. Classes with too few members are: {names}."
                )
            if n_valid >= 2 and (n_valid < present.size or n - n_valid < present.size):
                raise ValueError(
                    f"early_stopping=True holds out {n_valid} of {n} rows, but "
                    f"a stratified split of {present.size} classes needs at "
                    "least one row of each class on each side; increase "
                    "validation_fraction or the size of your dataset."
                )
        if n_valid < 2 or n - n_valid < 1:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                f"or the size of your dataset (early_stopping=True holds out "
                f"{n_valid} of {n} rows; at least 2 are needed, and 1 to train)."
            )

    def _record_history(self, history_len=0):
        history = self.net_.history
        # the epochs of this call (MLPClassifier's n_iter_); the curves keep
        # every epoch since the network was built
        self.n_iter_ = len(history) - history_len
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        self.loss_ = self.loss_curve_[-1]
        if self.early_stopping:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]
            self.best_validation_loss_ = float(min(self.validation_loss_curve_))
            self.validation_scores_ = [
                float(row.get("valid_score", np.nan)) for row in history
            ]
            scores = np.asarray(self.validation_scores_)
            self.best_validation_score_ = (
                float(np.nanmax(scores)) if np.isfinite(scores).any() else np.nan
            )
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = float(min(self.loss_curve_))
        self.n_layers_ = len(self._hidden_sizes()) + 2
        self.out_activation_ = self._out_activation()

    def _check_convergence(self, baseline_loss, history_len):
        callbacks = dict(self.net_.callbacks_)
        stopper = callbacks["convergence"]
        self.converged_ = bool(stopper.converged_)
        # a fit that ended on a spike of its loss returns its best epoch
        final = stopper.best_loss_ if stopper.restored_ else self.loss_curve_[-1]
        hint = self._hint()
        peak = max(self.loss_curve_[history_len:])
        # extreme class weights ({0: 1000, 1: 1e-4}) make the weighted
        # constant's loss tiny (2e-6) while a fresh network starts near the
        # unweighted one (0.6): "diverged" is judged against the larger
        reference = max(baseline_loss, getattr(self, "_unweighted_baseline", 0.0))
        # ... and against where this fit started: a small fresh network can
        # start many times worse than a constant and fall steadily from there
        start = callbacks["stop_on_divergence"].start_loss_
        if np.isfinite(start):
            reference = max(reference, start)
        factor = self._settings().diverged_factor
        no_better = baseline_loss > 0 and final >= 0.99 * baseline_loss
        if no_better and peak > factor * reference:
            raise ValueError(
                f"Training diverged: the training loss rose to {peak:.4g}, "
                f"{peak / baseline_loss:.0f} times that of a constant prediction "
                f"({baseline_loss:.4g}), and ended at {final:.4g}, no better than "
                "a constant. " + hint
            )
        far = None
        if no_better and np.isfinite(start) and start > factor * baseline_loss:
            far = (
                f"The final training loss ({final:.4g}) is no better than a "
                f"constant prediction ({baseline_loss:.4g}), but the network "
                f"started {start / baseline_loss:.0f} times worse ({start:.4g}) "
                "and the loss fell: "
                + (
                    "set standardize=True (standardise the inputs)."
                    if not self.standardize
                    else "raise max_iter or learning_rate_init."
                )
            )
        if not self.converged_ and self.n_iter_ >= self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet."
                + ("" if far is None else " " + far),
                ConvergenceWarning,
            )
        elif no_better:
            warnings.warn(
                far
                or (
                    f"The final training loss ({final:.4g}) is no better than a "
                    f"constant prediction ({baseline_loss:.4g}): the data may "
                    "carry no signal, or the penalty switched the inputs off "
                    f"({int(np.sum(self.input_relevance_ > 0))} of "
                    f"{self.n_features_in_} inputs left). " + hint
                ),
                ConvergenceWarning,
            )

    def _check_finite_parameters(self):
        for name, p in self.net_.module_.named_parameters():
            if not torch.isfinite(p).all():
                raise ValueError(
                    f"Training diverged: parameter {name!r} is not finite. "
                    + self._hint()
                )

    def _hint(self):
        """What to change when a fit diverged or learned nothing."""
        hint = (
            f"Lower learning_rate_init (now {self.learning_rate_init}) or alpha "
            f"(now {self.alpha})"
        )
        if not self.standardize:
            return hint + ", or set standardize=True (standardise the inputs)."
        return hint + "."

    def _set_spectral_attributes(self, X):
        module = self.net_.module_
        relevance = module.input_relevance().cpu().double().numpy()
        eigenvalues = module.input_eigenvalues().cpu().double().numpy()
        relevance, eigenvalues = self._per_column(relevance, eigenvalues)
        if getattr(self, "_no_signal", False):
            relevance = np.zeros_like(relevance)
        # the selector ranks by the first-layer reading whatever
        # Settings.importance_gradient_rows says (_selection/_strength.py)
        self._first_layer_importances = normalize_relevance(relevance)
        rows = self._settings().importance_gradient_rows
        if rows > 0 and not getattr(self, "_no_signal", False):
            relevance = self._gradient_relevance(X, rows)
        self.input_relevance_ = relevance
        self.input_eigenvalues_ = eigenvalues
        self.feature_importances_ = normalize_relevance(relevance)
        if self.feature_groups is not None:
            groups = self.encoder_.group_of_column_
            self.feature_groups_ = [
                np.flatnonzero(groups == g) for g in range(self.encoder_.n_groups_)
            ]
            self.group_importances_ = normalize_relevance(
                np.sqrt(np.bincount(groups, weights=relevance**2))
            )
        for name, value in self._plan().fitted_attributes(self, module).items():
            setattr(self, name, value)

    def _gradient_relevance(self, X, max_rows):
        """The downstream-aware relevance of every original column.

        ``r_j = sqrt(mean_x ||d f(x) / d u_j||^2)`` over at most ``max_rows``
        rows of ``X`` (the network's inputs, a subsample drawn with the fit's
        seed), ``u_j`` the unit-variance input ``j`` and ``f`` the raw outputs
        (logits centred over the classes for a softmax classifier, the
        standardised targets of a regressor), through the trained network
        (:func:`~sklearn_spectral.nn.reading.input_gradient_relevance`).
        With ``eigenvalues="in"`` the derivative is ``lam_j J(x) phi[:, j]``:
        a zero eigenvalue is a zero relevance. Grouped per original column as
        the first-layer reading is (:meth:`_per_column`).
        """
        n = X.shape[0]
        if n > max_rows:
            rng = np.random.default_rng(getattr(self, "_split_seed", 0))
            X = X[np.sort(rng.choice(n, size=max_rows, replace=False))]
        dtype = self._network_input_dtype(X)
        # the training network itself: the float64 export would be built for
        # this pass alone (it doubled the CPU of a 600-row table fit)
        module = self.net_.module_
        x = _as_tensor(_dense_rows(X, 0, X.shape[0], dtype), dtype)
        x = x.to(self.net_.device)
        # softmax logits: a shift common to every class changes nothing
        centre = hasattr(self, "classes_") and not getattr(self, "_multilabel", False)
        # one pass per output over chunks of about 2 ** 22 entries
        chunk = max(64, 2**22 // max(1, X.shape[1]))
        with torch_threads(self._n_threads(X.shape[1], min(chunk, X.shape[0]))):
            per_input = input_gradient_relevance(
                module, x, centre_outputs=centre, chunk_rows=chunk
            ).numpy()
        # d f / d X_j * input_scale_ is the derivative with respect to the
        # network's standardised input, on the scale of the first-layer
        # weights: _per_column takes both to unit-variance inputs alike
        per_input = per_input * np.asarray(self.input_scale_, dtype=np.float64)
        eigenvalues = np.zeros(per_input.shape[0])
        return self._per_column(per_input, eigenvalues)[0]

    def _per_column(self, relevance, eigenvalues):
        """Relevance and eigenvalue of every original column.

        A column's relevance is the root-sum-square of its inputs'
        relevances (its one-hot dummies, or its value and missing
        indicator): for the first-layer reading the norm of all the
        direct-space weights leaving them, for the gradient reading
        (:meth:`_gradient_relevance`) that of the network's output gradient
        with respect to them, each on the scale of a unit-variance input;
        its eigenvalue is the one they share. The ``p`` inputs of a
        group were standardised to a variance below 1
        (:meth:`_group_size_factor`), so their weights are that factor
        larger than on unit-variance inputs: undone here, so that a column
        ranks by how much it moves the first layer (the root mean square of
        its weights), not by its number of levels. On
        ``benchmarks/bench_tables.py`` tables (regression, 600 rows, seeds
        0-9) the plain norm ranked every relevant column first in 4 of 10
        seeds, an irrelevant 10-level category above relevant numeric
        columns; this in 8 of 10.
        """
        if self.standardize:
            relevance = relevance / self._group_size_factor()
        encoder = self.encoder_
        column = encoder.column_of_input_
        if len(column) == encoder.n_features_in_ and np.array_equal(
            column, np.arange(len(column))
        ):
            return relevance, eigenvalues
        n = encoder.n_features_in_
        per_column = np.sqrt(np.bincount(column, weights=relevance**2, minlength=n))
        first = np.full(n, -1)
        first[column[::-1]] = np.arange(len(column))[::-1]
        return per_column, eigenvalues[first]

    @property
    def network_(self):
        """The trained torch module (read-only; ``net_.module_``)."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    # ------------------------------------------------------------------ #
    # prediction helpers
    # ------------------------------------------------------------------ #
    def _forward(self, X):
        """Raw network outputs (logits or standardised targets), float64.

        ``X`` goes chunk by chunk to the network's float64 export (see
        :meth:`_predict_module`), which standardises it in float64.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        device = self.net_.device
        out = np.empty((X.shape[0], self.n_outputs_), dtype=np.float64)
        n_threads = self._n_threads(X.shape[1], _PREDICT_CHUNK)
        with torch.no_grad(), torch_threads(n_threads):
            module = self._predict_module()
            for start in range(0, X.shape[0], _PREDICT_CHUNK):
                chunk = _dense_rows(
                    X, start, start + _PREDICT_CHUNK, self._network_input_dtype(X)
                )
                # a read-only X (pandas' copy-on-write arrays, memmaps) made
                # torch warn here; _as_tensor copies such a chunk
                batch = _as_tensor(chunk, chunk.dtype).to(device)
                out[start : start + chunk.shape[0]] = (
                    module(batch).double().cpu().numpy()
                )
        bad = ~np.isfinite(out).all(axis=1)
        if bad.any():
            rows = np.flatnonzero(bad)
            row = X[rows[0]].astype(np.float64)
            far = np.abs((row - self.input_mean_) / self.input_scale_).max()
            raise ValueError(
                f"The network's outputs overflow float32 for {rows.size} row(s) "
                f"of X (e.g. row {rows[0]}, {far:.3g} standard deviations from "
                "the training data's mean): values this far outside the "
                "training data cannot be predicted by a float32 network."
            )
        return out

    def _predict_module(self):
        """The network ``predict`` runs: its direct-space export in float64.

        The float32 layers gave a row another prediction in a batch of
        another size (another BLAS blocking: 2.4e-7 to 4.8e-7 absolute on
        standardised predictions over 3 seeds, above
        ``check_methods_subset_invariance``'s atol of 1e-7); the same
        weights in float64 agree to 1e-15. On 20000 x 50 rows and the default
        (100,) network the float64 forward costs 2.8 times the float32 one.
        Apple's ``mps`` device has no float64: the float32 export there. The
        export is kept for the weights it was made of: a weight changed in
        place by a later fit (``partial_fit``, a warm start, a restored best
        epoch) bumps its tensor's version counter, and the next call exports
        afresh; nothing of it is pickled. Where a torch build has no version
        counter (``Tensor._version``, read, never written), every call
        exports afresh.
        """
        module = self.net_.module_
        module.eval()
        state = [*module.parameters(), *module.buffers()]
        key = tuple((t.data_ptr(), getattr(t, "_version", None)) for t in state)
        cached = _PREDICT_MODULES.get(module)
        versioned = all(version is not None for _, version in key)
        if versioned and cached is not None and cached[0] == key:
            return cached[1]
        dense = export_network(module, self._exact_masks())
        if torch.device(self.net_.device).type == "mps":
            dense = dense.to(device=self.net_.device, dtype=torch.float32)
        else:
            dense = dense.to(device=self.net_.device, dtype=torch.float64)
        _PREDICT_MODULES[module] = (key, dense.eval())
        return dense

    def _loss_on(self, module, X, y):
        """Mean training criterion of ``module`` on ``X``, encoded ``y``."""
        device = self.net_.device
        with torch.no_grad():
            module.eval()
            out = module(torch.as_tensor(X, device=device))
            target = torch.as_tensor(y, device=device)
            return float(self.net_.data_loss(out, target))

    def _masks_at(self, rtol):
        """Hidden neurons kept at relative threshold ``rtol``."""
        return self.net_.module_.active_masks(float(rtol))

    def _dense_module(self, masks):
        """Direct-space module keeping the hidden neurons in ``masks``.

        Its input standardisation is a float64 step in front of the first
        layer (see :func:`~sklearn_spectral.nn.export.export_network`).
        """
        dense = export_network(self.net_.module_, masks)
        if torch.device(self.net_.device).type == "mps":  # no float64 there
            return dense.to(device=self.net_.device, dtype=torch.float32)
        return dense.to(self.net_.device)

    def prune(self, X, y, *, tol=0.05):
        """Find the smallest sub-network whose loss on ``(X, y)`` stays within tol.

        The teacher-student poster's experiment: hidden neurons are removed
        one at a time in order of increasing score, and the loss of what
        remains is measured on ``(X, y)`` after each removal (every width
        from none to all neurons with a non-zero score; a geometric grid of
        widths beyond :data:`~sklearn_spectral.nn.export.MAX_PRUNING_POINTS`
        neurons). The loss stays on a plateau while unneeded neurons go and
        rises sharply once fewer remain than the task needs; the kept
        network is the smallest whose loss is at most ``(1 + tol)`` times the
        loss of the full network (``tol=0.05`` as in the SPARCS paper).

        The score of a hidden neuron: with ``auto_depth=True`` its SPARCS
        eigenvalue (removal is then exact for neurons whose eigenvalue is 0:
        their constant output is folded into later biases, see
        :func:`~sklearn_spectral.nn.export.export_dense`); at fixed depth
        the poster's node relevance ``|lam_out_i| * ||phi[i, :]||`` when only
        the destination eigenvalues are trained (``eigenvalues="out"``), the
        product of the norms of its incoming and outgoing weights with
        ``eigenvalues="both"`` (a neuron at ``lam_out_i = 0`` still receives
        ``phi[i, :] * lam_in``), else the norm of its outgoing weights. Neurons
        are ranked across all hidden layers at once. A removed neuron is
        replaced by its constant output ``f(bias)`` folded into the next
        layer's bias, exact when its incoming or its outgoing weights
        vanish.

        The plateau is only as sharp as the network is sparse: the poster
        trains with a squared L2 penalty on both the eigenvalues and ``phi``
        (``penalty="l2"``, ``penalized="all"``, ``relative_penalty=False``,
        ``alpha`` equal to ``phi_alpha``), which makes the node relevances
        of unused neurons decay towards 0. They keep decaying after the data
        loss has flattened, so the stopping rule ends such a fit before the
        plateau is sharp: train a fixed budget instead (``max_iter=300,
        n_iter_no_change=300`` in ``benchmarks/bench_poster.py``, where
        students of width 60 and 200 of a 20-neuron teacher then prune to
        19-24 neurons over 5 teacher seeds).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Validation data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Validation targets.
        tol : float, default=0.05
            Largest relative loss increase allowed, non-negative.

        Returns
        -------
        self : estimator
            With ``pruning_curve_`` (dict of arrays ``"rtol"`` (the relative
            score threshold that keeps exactly those neurons), ``"n_active"``,
            ``"loss"``, ``"loss_increase"``, sorted by ``n_active``, and the
            float ``"tol"``) and ``pruned_architecture_``;
            ``to_torch(pruned=True)`` exports the pruned network.
        """
        check_is_fitted(self)
        if not (isinstance(tol, Real) and not isinstance(tol, bool) and tol >= 0):
            raise ValueError(f"tol must be a non-negative number, got {tol!r}.")
        if not self._hidden_sizes():
            raise ValueError("prune needs at least one hidden layer.")
        X = self._validate_X(X, reset=False)
        X = _dense_rows(X, 0, X.shape[0], self._network_input_dtype(X))
        y = self._encode_eval_targets(y, X.shape[0], "prune")
        # at the fit's own thread count, whatever runs beside it (its sums
        # over many rows then do not depend on other fits, issue 23)
        with torch_threads(self._n_threads(X.shape[1], X.shape[0])):
            base = self._loss_on(self.net_.module_, X, y)
            if not np.isfinite(base):
                raise ValueError(
                    f"The fitted network's loss on the X, y passed to prune is "
                    f"{base}: its outputs overflow the float32 network (inputs "
                    "far outside the training data?). Prune on data like the "
                    "training data."
                )
            path = pruning_path(
                self._pruning_scores(),
                lambda masks: self._loss_on(self._dense_module(masks), X, y),
            )
        # a sub-network whose outputs overflow has an infinite loss, not NaN
        losses = np.nan_to_num(
            np.array([row[2] for row in path]), nan=np.inf, posinf=np.inf
        )
        best = path[smallest_within(losses, base, tol)]
        increase = (losses - base) / max(abs(base), np.finfo(np.float64).tiny)
        self.pruning_curve_ = {
            "rtol": np.array([row[1] for row in path]),
            "n_active": np.array([row[0] for row in path]),
            "loss": losses,
            "loss_increase": increase,
            "tol": float(tol),
        }
        self._pruning_masks = best[3]
        self.pruned_architecture_ = tuple(int(m.sum()) for m in best[3] if m.any())
        return self

    def _pruning_scores(self):
        """The score ``prune`` ranks every hidden neuron by; 0 only if dead.

        The module's ``hidden_scores()``, except at fixed depth with
        ``eigenvalues="both"``: there the node relevance
        ``|lam_out_i| ||phi[i, :]||`` is 0 for a neuron at ``lam_out_i = 0``
        that still receives ``phi[i, :] * lam_in`` and passes it on, and
        ``pruning_path`` never keeps a neuron of score 0 (measured: with
        ``penalized="all"`` 9-14 of 16-24 neurons were at 0 and the widest
        network on the path lost 12-750 % of the loss, issue 23). Its score is
        then the product of the norms of its incoming and outgoing
        direct-space weights (in float64): 0 exactly when its removal is
        exact (see :meth:`_exact_masks`), unchanged by the rescaling of one
        by ``c`` and the other by ``1 / c``, and equal to the node relevance
        times the outgoing norm when ``lam_in`` is 0.
        """
        module = self.net_.module_
        if getattr(module, "eigenvalues", None) != "both" or not hasattr(
            module, "layers"
        ):
            return module.hidden_scores()
        weights = [w.detach().double() for w, _ in module.dense_weights()]
        return [
            torch.linalg.vector_norm(weights[k], dim=1)
            * torch.linalg.vector_norm(weights[k + 1], dim=0)
            for k in range(len(weights) - 1)
        ]

    def to_torch(self, *, pruned=False):
        """Export the network as a plain direct-space ``torch.nn.Module``.

        Parameters
        ----------
        pruned : bool, default=False
            Export the network chosen by :meth:`prune` instead of the full
            one. The full export leaves out only the hidden neurons whose
            removal is exact (no incoming or no outgoing weight; auto-depth
            neurons at eigenvalue 0; their constant output folds into later
            biases), so it computes what ``predict`` computes.

        Returns
        -------
        torch.nn.Module
            Module mapping a float32 or float64 ``(n, n_features)`` tensor of
            raw inputs to the logits (classifier: apply a softmax for
            probabilities) or to the predictions in the units of ``y``
            (regressor), in the input's dtype. Its layers are float32 (the
            training dtype); the input standardisation and the output
            scaling are float64 steps before and after them (buffers
            ``input_shift``, ``input_scale``, ``output_scale``,
            ``output_shift``), so that it computes what ``predict`` computes
            even for columns or targets with a large offset. Fixed depth: a
            :class:`~sklearn_spectral.nn.export.DirectSpaceMLP`, an
            ``nn.Sequential`` of ``nn.Linear`` and activations; auto-depth: a
            :class:`~sklearn_spectral.nn.export.DenseSkipNetwork` with only the
            surviving neurons and every skip connection.
        """
        check_is_fitted(self)
        if pruned:
            if not hasattr(self, "_pruning_masks"):
                raise ValueError("Call prune(X_val, y_val) before pruned=True.")
            masks = self._pruning_masks
        else:
            masks = self._exact_masks()
        dense = self._dense_module(masks)
        self._set_output_scaling(dense)
        return dense.eval()

    def _exact_masks(self):
        """Hidden neurons the full export keeps: all but the exactly removable.

        A fixed-depth neuron whose incoming direct-space weights are all 0
        outputs the constant ``f(b)``, which folds into the next bias, and
        one whose outgoing weights are all 0 adds nothing: both go, exactly.
        Its score (e.g. the node relevance ``|lam_out_i| ||phi_i||``) is not
        the test: with ``eigenvalues="both"`` a neuron at ``lam_out_i = 0``
        still receives ``phi_i * lam_in``. Auto-depth neurons whose SPARCS
        eigenvalue is 0 are removed exactly by the export itself.
        """
        module = self.net_.module_
        if not hasattr(module, "layers"):
            return self._masks_at(0.0)
        weights = [w.detach() for w, _ in module.dense_weights()]
        return [
            ((weights[k].abs().sum(1) > 0) & (weights[k + 1].abs().sum(0) > 0)).cpu()
            for k in range(len(weights) - 1)
        ]

    def _set_output_scaling(self, dense):
        """Make the export output what ``predict`` returns (regressor)."""

    def _dense_parameters(self):
        """float64 ``(coefs, intercepts)`` of the direct-space network.

        As ``MLPClassifier``'s: ``coefs[i]`` of shape ``(fan_in, fan_out)``
        acting on raw inputs (the standardisation folded into the first
        weights in float64) and the last layer giving the network's raw
        output (regressor: in the units of ``y``; Poisson: its logarithm).
        """
        check_is_fitted(self)
        dense = self.to_torch()
        linears = [m for m in dense.modules() if isinstance(m, torch.nn.Linear)]
        coefs = [lin.weight.detach().cpu().double().numpy().T for lin in linears]
        intercepts = [lin.bias.detach().cpu().double().numpy() for lin in linears]
        shift = dense.input_shift.cpu().numpy()
        scale = dense.input_scale.cpu().numpy()
        n_in = shift.size
        # every layer of an auto-depth export reads the inputs first
        reads_inputs = range(len(linears)) if hasattr(dense, "linears") else [0]
        for i in reads_inputs:
            w = coefs[i][:n_in] / scale[:, None]
            intercepts[i] = intercepts[i] - shift @ w
            coefs[i] = np.concatenate([w, coefs[i][n_in:]])
        out_scale = dense.output_scale.cpu().numpy()
        coefs[-1] = coefs[-1] * out_scale[None, :]
        intercepts[-1] = intercepts[-1] * out_scale + dense.output_shift.cpu().numpy()
        dtype = getattr(self, "_fit_dtype", np.float64)
        return [c.astype(dtype) for c in coefs], [b.astype(dtype) for b in intercepts]

    @property
    def coefs_(self):
        """Weights of the equivalent direct-space network (read-only).

        ``coefs_[i]`` has shape ``(fan_in, fan_out)`` as in ``MLPClassifier``
        and acts on the raw inputs (the standardisation is folded in); in
        the dtype of the training ``X``. With ``auto_depth=True`` layer ``i``
        reads the inputs and every earlier layer, so ``fan_in`` is their
        total width (inputs first). Computed from :meth:`to_torch` on each
        access: assigning to it changes nothing.

        Returns
        -------
        list of ndarray
            One matrix per layer.
        """
        return self._dense_parameters()[0]

    @property
    def intercepts_(self):
        """Biases of the equivalent direct-space network (read-only).

        See :attr:`coefs_`.

        Returns
        -------
        list of ndarray
            One vector per layer.
        """
        return self._dense_parameters()[1]

    def node_relevance(self):
        """Node relevance ``|lam_out_i| * ||phi[i, :]||`` of every hidden layer.

        Informative when the destination eigenvalues are trained
        (``eigenvalues="out"`` or ``"both"``), as in the teacher-student
        poster. With ``auto_depth=True`` it is the norm of each hidden
        neuron's incoming block row ``C[i][k, :]``, which in the first hidden
        layer is the poster's ``|lam_k| * ||phi[k, :]||``; a neuron at 0
        receives nothing.

        Returns
        -------
        list of ndarray
            One array per hidden layer.
        """
        check_is_fitted(self)
        return self._plan().node_relevance(self, self.net_.module_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # missing cells are imputed, with a missing indicator (_tabular.py)
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags


#: Private state a fit leaves on the estimator (forgotten by a new fit).
_FITTED_PRIVATE = (
    "_pruning_masks",
    "_y_1d",
    "_y_mean",
    "_y_scale",
    "_built_with",
    "_fit_dtype",
    "_no_signal",
    "_split_seed",
    "_depth_decision",
)

#: Samples per chunk at prediction time.
_PREDICT_CHUNK = 4096

#: The float64 export ``predict`` runs, per trained module (see
#: ``BaseSpectralMLP._predict_module``); weak, so it goes with the module.
_PREDICT_MODULES = weakref.WeakKeyDictionary()


def _input_settling(settings):
    """The end-of-fit step of the inputs under ``settings``."""
    return InputSettling(
        level=settings.input_test_level,
        max_iter=settings.input_settle_max_iter,
        tol=settings.input_settle_tol,
        shrink_fraction=settings.settle_shrink_fraction,
        solve_rows=settings.input_settle_max_rows,
        release_fraction=settings.settle_release_fraction,
        newton_step=settings.input_readmit_step,
    )


def _dense_rows(X, start, stop, dtype):
    """Rows ``start:stop`` of a dense or sparse ``X`` as a dense array."""
    block = X[start:stop]
    if sp.issparse(block):
        return block.toarray().astype(dtype, copy=False)
    return block.astype(dtype, copy=False)


def _check_float32_range(X, name, feature_names=None):
    """Raise when finite float64 values would overflow float32 in training."""
    if X.dtype != np.float64 or X.shape[0] == 0 or X.shape[1] == 0:
        return
    if sp.issparse(X):
        X = X.data.reshape(1, -1) if X.nnz else X.toarray()
        feature_names = None  # columns are not known from the data array
    # max and min, not abs(X).max(): no temporary copy of X. A column with a
    # missing cell gives NaN, which compares False: a table's missing cells
    # are imputed first and the encoded matrix is checked again.
    too_big = (X.max(axis=0) > _FLOAT32_MAX) | (X.min(axis=0) < -_FLOAT32_MAX)
    if too_big.any():
        columns = np.flatnonzero(too_big)[:10]
        if feature_names is not None:
            columns = [str(feature_names[j]) for j in columns]
        else:
            columns = columns.tolist()
        raise ValueError(
            f"{name} has values beyond the float32 range (|x| > {_FLOAT32_MAX:.3g}) "
            f"in column(s) {columns}: the network trains in float32. "
            "Rescale these columns (e.g. StandardScaler or a log transform)."
        )


def _sparse_tensor(X):
    """A sparse COO tensor of a scipy sparse matrix, float32 or float64 as
    ``X`` (the training loop makes each minibatch dense on its own)."""
    coo = X.tocoo()
    index = np.vstack([coo.row, coo.col]).astype(np.int64)
    return torch.sparse_coo_tensor(
        torch.from_numpy(index),
        # float64 stays float64, as for a dense X: the network standardises
        # each densified batch in float64 (InputScaling)
        torch.from_numpy(coo.data.astype(np.promote_types(X.dtype, np.float32))),
        size=coo.shape,
        # scipy's indices are in range by construction: opting out
        # explicitly also silences torch's "checks are implicitly disabled"
        # UserWarning, which every sparse fit raised
        check_invariants=False,
    ).coalesce()


def _as_tensor(array, dtype):
    """A torch view of ``array`` cast to ``dtype`` (no copy when it already is)."""
    array = np.ascontiguousarray(array, dtype=dtype)
    if not array.flags.writeable:
        # torch warns on read-only arrays (memmaps); training never writes
        # to its inputs, but a copy is the documented way to silence it.
        array = array.copy()
    return torch.from_numpy(array)


def _validated_weights(sample_weight, X):
    """Non-negative float64 sample weights with a positive sum, or None."""
    if sample_weight is None:
        return None
    given = np.asarray(sample_weight)
    if given.dtype.kind not in "biuf" and not (
        given.dtype == object and all(isinstance(w, Real) for w in given.ravel())
    ):
        raise ValueError(
            f"sample_weight must hold numbers, got an array of dtype {given.dtype}."
        )
    weights = _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=True
    )
    peak = weights.max(initial=0.0)
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        # only ratios of weights matter to the data loss; the ramp's sample
        # count (the sum) is then beyond any data set's size anyway
        weights = weights / peak
        total = weights.sum()
    if not total > 0:
        raise ValueError("sample_weight must have a positive sum.")
    return weights


def _weighted_location_scale(y, weights, return_flat=False):
    """Per-column (weighted) mean and standard deviation of ``y``, overflow-safe.

    Each column is divided by its largest magnitude first, so that targets
    near the float64 limit (``|y| ~ 1e200``) get a finite scale instead of an
    overflowing variance. A constant column gets scale 1.
    """
    if not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinity.")
    peak = np.abs(y).max(axis=0)
    peak = np.where(peak > 0, peak, 1.0)
    unit = y / peak
    mean = np.average(unit, axis=0, weights=weights)
    std = np.sqrt(np.average((unit - mean) ** 2, axis=0, weights=weights))
    scale = std * peak
    # a column whose spread is lost in rounding is constant for the network
    flat = ~(std > 1e-12)
    scale = np.where(flat, 1.0, scale)
    if return_flat:
        return mean * peak, scale, flat
    return mean * peak, scale


def _column_location_scale(X, weights=None, chunk_bytes=2**22, center_flat=True):
    """Per-column (weighted) mean and standard deviation of ``X``, by chunks.

    Float64 accumulators over row chunks of about ``chunk_bytes``, so that a
    large float32 ``X`` is never copied whole. A column without spread gets
    scale 1, or with ``center_flat=False`` (the first batch of
    ``partial_fit``, possibly one row, where a column flat in the batch may
    vary later) shift 0 and its magnitude as scale (at least 1), so that the
    network still sees its value.
    """
    n = X.shape[0]
    chunk = max(1, chunk_bytes // (8 * max(1, X.shape[1])))
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    total = w.sum()
    mean = np.zeros(X.shape[1])
    for start in range(0, n, chunk):
        block = _dense_rows(X, start, start + chunk, np.float64)
        mean += w[start : start + chunk] @ block
    mean /= total
    var = np.zeros(X.shape[1])
    for start in range(0, n, chunk):
        block = _dense_rows(X, start, start + chunk, np.float64) - mean
        var += w[start : start + chunk] @ (block * block)
    std = np.sqrt(var / total)
    # spread lost in rounding (or none at all): a constant for the network
    flat = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    if not center_flat:
        return np.where(flat, 0.0, mean), np.where(flat, np.maximum(abs(mean), 1), std)
    return mean, np.where(flat, 1.0, std)


def _same_param(a, b):
    """Whether two parameter values are equal (arrays and odd types too)."""
    if a is b:
        return True
    try:
        return bool(np.all(a == b)) and np.shape(a) == np.shape(b)
    except Exception:  # noqa: BLE001 - incomparable values differ
        return repr(a) == repr(b)
