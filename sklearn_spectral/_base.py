"""Machinery shared by the spectral estimators: parameters, validation and
the skorch net built inside ``fit``."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import ProgressBar
from skorch.dataset import ValidSplit

from ._net import (
    EigenvaluePenalty,
    PlateauAwareEarlyStopping,
    Regularizer,
    StopOnDivergence,
    TrainingDiverged,
    batch_loader,
    data_loss_scoring,
)
from .nn.gated import GatedSparcsNetwork
from .nn.mlp import ACTIVATIONS, SpectralMLP
from .nn.optim import ProximalAdam
from .relevance import normalize_relevance


def _silent(*args, **kwargs):
    """A sink for skorch messages when ``verbose=0``."""


class BaseSpectralMLP(BaseEstimator):
    """Base class of the spectral MLP estimators; not for direct use.

    Subclasses define ``_net_class``, ``_criterion``, ``_stratify``,
    ``_net_extra_params`` and the prediction methods.
    """

    #: A hidden neuron is active when its eigenvalue exceeds this fraction of
    #: the largest hidden or output eigenvalue (auto-depth only).
    _ACTIVE_RTOL = 1e-2
    #: Epochs over which the input penalty ramps up in auto-depth mode, where
    #: the network starts linear and the inputs of a non-linear target carry
    #: no gradient until hidden neurons grow; the ramp starts once the data
    #: loss is below 0.9 times that of a constant prediction.
    _GATE_WARMUP = 20
    #: Epochs over which the input penalty ramps up at fixed depth: inputs
    #: that help only jointly or non-linearly are learned before the L1 can
    #: switch them off (``benchmarks/bench_penalty_warmup.py``: mean recall
    #: over 10 seeds 0.81 without the ramp, 0.95 with it). With fewer than
    #: ``_RAMP_SAMPLES_PER_INPUT`` samples per input the ramp is shortened in
    #: proportion: there the network memorises the training set through
    #: noise inputs during a full ramp (Madelon-like 600 x 500: 45-62 inputs
    #: kept instead of 13-14, same script).
    _PENALTY_WARMUP = 10
    _RAMP_SAMPLES_PER_INPUT = 10

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l1", "l2", "group"})],
        "penalized": [StrOptions({"input", "all"})],
        "eigenvalues": [StrOptions({"in", "out", "both"})],
        "phi_alpha": [Interval(Real, 0, None, closed="left")],
        "relative_penalty": ["boolean"],
        "auto_depth": ["boolean"],
        "depth_alpha": [Interval(Real, 0, None, closed="left")],
        "depth_penalty": [StrOptions({"l1", "l2", "group"})],
        "depth_growth": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [str],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=0.1,
        penalty="l1",
        penalized="input",
        eigenvalues="in",
        phi_alpha=1e-3,
        relative_penalty=True,
        auto_depth=False,
        depth_alpha=1e-3,
        depth_penalty="group",
        depth_growth=10.0,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
        warm_start=False,
        device="cpu",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.penalty = penalty
        self.penalized = penalized
        self.eigenvalues = eigenvalues
        self.phi_alpha = phi_alpha
        self.relative_penalty = relative_penalty
        self.auto_depth = auto_depth
        self.depth_alpha = depth_alpha
        self.depth_penalty = depth_penalty
        self.depth_growth = depth_growth
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.device = device

    # ------------------------------------------------------------------ #
    # validation
    # ------------------------------------------------------------------ #
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if any(not isinstance(s, Integral) or s < 1 for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _check_spectral_params(self):
        if self.auto_depth and (self.penalized != "input" or self.eigenvalues != "in"):
            raise ValueError(
                "auto_depth=True trains one eigenvalue per input (a gate) and per "
                "neuron: leave penalized='input' and eigenvalues='in', and set "
                "the hidden-layer penalty with depth_alpha and depth_penalty."
            )
        if self.penalized == "input" and self.eigenvalues == "out":
            raise ValueError(
                "penalized='input' needs trained input eigenvalues, but "
                "eigenvalues='out' fixes them at 0; use eigenvalues='in' or "
                "'both', or penalized='all'."
            )

    def _torch_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"Unknown device {self.device!r}: {exc}") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was requested but CUDA is not available."
            )
        return device

    def _validate_X(self, X, *, reset):
        return validate_data(
            self, X, reset=reset, dtype=(np.float64, np.float32), ensure_min_samples=1
        )

    # ------------------------------------------------------------------ #
    # fitting
    # ------------------------------------------------------------------ #
    def _is_warm(self):
        return self.warm_start and hasattr(self, "net_")

    def _callbacks(self):
        callbacks = [
            ("stop_on_divergence", StopOnDivergence()),
            ("train_data_loss", data_loss_scoring()),
        ]
        monitor = "valid_loss" if self.early_stopping else "train_loss"
        callbacks.append(
            (
                "early_stopping",
                PlateauAwareEarlyStopping(
                    monitor=monitor,
                    patience=self.n_iter_no_change,
                    threshold=self.tol,
                    threshold_mode="abs",
                    load_best=self.early_stopping,
                    sink=print if self.verbose else _silent,
                ),
            )
        )
        if self.verbose:
            callbacks.append(("progress_bar", ProgressBar()))
        return callbacks

    def _build_net(self, n_features, n_outputs, n_samples, seed, baseline_loss):
        hidden = self._hidden_sizes()
        self._check_spectral_params()
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. "
                    "It is going to be clipped",
                    UserWarning,
                )
            batch_size = min(self.batch_size, n_samples)
        train_split = None
        if self.early_stopping:
            train_split = ValidSplit(
                self.validation_fraction,
                stratified=self._stratify,
                random_state=seed,
            )
        ramp = self._PENALTY_WARMUP * min(
            1.0, n_samples / (self._RAMP_SAMPLES_PER_INPUT * n_features)
        )
        terms = [
            EigenvaluePenalty(
                self.alpha,
                self.penalty,
                self.penalized,
                self.relative_penalty,
                warmup=self._GATE_WARMUP if self.auto_depth else round(ramp),
                hold_above=0.9 * baseline_loss if self.auto_depth else None,
            )
        ]
        if self.auto_depth:
            terms.append(
                EigenvaluePenalty(
                    self.depth_alpha,
                    self.depth_penalty,
                    "hidden",
                    relative=False,
                    growth=self.depth_growth,
                )
            )
            module_params = {
                "module": GatedSparcsNetwork,
                "module__layer_sizes": (n_features, *hidden, n_outputs),
                "module__activation": self.activation,
                "module__hidden_eig_init": 0.1,
            }
        else:
            module_params = {
                "module": SpectralMLP,
                "module__n_features": n_features,
                "module__hidden_layer_sizes": hidden,
                "module__n_outputs": n_outputs,
                "module__activation": self.activation,
                "module__eigenvalues": self.eigenvalues,
            }
        return self._net_class(
            **module_params,
            criterion=self._criterion,
            optimizer=ProximalAdam,
            lr=self.learning_rate_init,
            max_epochs=self.max_iter,
            batch_size=batch_size,
            iterator_train=batch_loader,
            iterator_valid=batch_loader,
            iterator_train__shuffle=True,
            train_split=train_split,
            callbacks=self._callbacks(),
            regularizer=Regularizer(terms, self.phi_alpha),
            device=self._torch_device(),
            verbose=int(self.verbose),
            **self._net_extra_params(n_outputs),
        )

    def _fit_net(self, X, y, baseline_loss):
        """Train ``self.net_`` on float32 ``X`` and encoded ``y``.

        ``baseline_loss`` is the loss of the best constant prediction (class
        prior, or the mean): a fit that ends no better learned nothing.
        """
        n_samples, n_features = X.shape
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        device = self._torch_device()
        warm = self._is_warm()
        if not warm:
            self.net_ = self._build_net(
                n_features, self.n_outputs_, n_samples, seed, baseline_loss
            )
        devices = (
            list(range(torch.cuda.device_count())) if device.type == "cuda" else []
        )
        history_len = len(self.net_.history) if warm else 0
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            try:
                if warm:
                    self.net_.partial_fit(X, y, epochs=self.max_iter)
                else:
                    self.net_.fit(X, y)
            except TrainingDiverged as exc:
                raise ValueError(
                    f"Training diverged: {exc}. Lower learning_rate_init (now "
                    f"{self.learning_rate_init}) or standardise the inputs."
                ) from None
        self._check_finite_parameters()
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_data_loss"]]
        if self.early_stopping:
            self.validation_loss_curve_ = [float(v) for v in history[:, "valid_loss"]]
            self.best_validation_loss_ = float(min(self.validation_loss_curve_))
        else:
            self.best_loss_ = float(min(self.loss_curve_))
        self._set_spectral_attributes()
        final = self.loss_curve_[-1]
        if baseline_loss > 0 and final >= 0.99 * baseline_loss:
            warnings.warn(
                f"The final training loss ({final:.4g}) is no better than a "
                f"constant prediction ({baseline_loss:.4g}): the training diverged "
                "or the penalty switched the inputs off "
                f"({int(np.sum(self.input_relevance_ > 0))} of "
                f"{self.n_features_in_} inputs left). Lower learning_rate_init "
                f"(now {self.learning_rate_init}) or alpha (now {self.alpha}), "
                "or standardise the inputs.",
                ConvergenceWarning,
            )
        elif self.n_iter_ - history_len >= self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    def _check_finite_parameters(self):
        for name, p in self.net_.module_.named_parameters():
            if not torch.isfinite(p).all():
                raise ValueError(
                    f"Training diverged: parameter {name!r} is not finite. "
                    "Lower learning_rate_init or standardise the inputs."
                )

    def _set_spectral_attributes(self):
        module = self.net_.module_
        relevance = module.input_relevance().cpu().double().numpy()
        self.input_relevance_ = relevance
        self.input_eigenvalues_ = module.input_eigenvalues().cpu().double().numpy()
        self.feature_importances_ = normalize_relevance(relevance)
        if not self.auto_depth:
            self.eigenvalues_ = [
                (lam_in.cpu().double().numpy(), lam_out.cpu().double().numpy())
                for lam_in, lam_out in module.eigenvalues_by_layer()
            ]
            return
        sparcs = module.sparcs
        self.eigenvalues_ = [e.cpu().double().numpy() for e in sparcs.eigenvalues()]
        self.hidden_eigenvalues_ = self.eigenvalues_[1:-1]
        self.architecture_ = tuple(sparcs.architecture(self._ACTIVE_RTOL))
        self.hidden_path_strength_ = float(sparcs.hidden_path_strength())

    # ------------------------------------------------------------------ #
    # prediction helpers
    # ------------------------------------------------------------------ #
    def _forward(self, X):
        """Raw network outputs (logits or standardised targets), float64."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False).astype(np.float32, copy=False)
        module = self.net_.module_
        device = self.net_.device
        out = []
        with torch.no_grad():
            module.eval()
            for start in range(0, X.shape[0], 4096):
                batch = torch.as_tensor(X[start : start + 4096], device=device)
                out.append(module(batch).double().cpu().numpy())
        return np.concatenate(out, axis=0)

    def _loss_on(self, module, X, y):
        """Mean training criterion of ``module`` on float32 ``X``, encoded ``y``."""
        device = self.net_.device
        with torch.no_grad():
            module.eval()
            out = module(torch.as_tensor(X, device=device))
            target = torch.as_tensor(y, device=device)
            return float(self.net_.criterion_(out, target))

    def _hidden_scores(self):
        """Per-hidden-layer node scores ranking the neurons (fixed depth)."""
        module = self.net_.module_
        if self.eigenvalues in ("out", "both"):
            return module.node_relevance()  # |lam_out_i| * ||phi[i, :]||
        # one eigenvalue per source node: a hidden node's outgoing weights
        return [layer.input_relevance() for layer in module.layers[1:]]

    def _masks_at(self, rtol):
        """Hidden neurons kept at relative threshold ``rtol``."""
        if self.auto_depth:
            return self.net_.module_.sparcs.active_masks(float(rtol))
        scores = self._hidden_scores()
        top = max((float(sc.max()) for sc in scores), default=0.0)
        return [sc > rtol * top for sc in scores]

    def _dense_module(self, masks):
        """Direct-space module keeping the hidden neurons in ``masks``."""
        module = self.net_.module_
        if self.auto_depth:
            return module.to_dense(masks)
        layers = []
        weights = module.dense_weights()
        activation = type(module.activation)()
        keep_in = torch.ones(weights[0][0].shape[1], dtype=torch.bool)
        carry = None  # bias contribution of the neurons removed from layer k-1
        for k, (w, b) in enumerate(weights):
            w = w.cpu()
            b = torch.zeros(w.shape[0], dtype=w.dtype) if b is None else b.cpu()
            if carry is not None:
                dropped, constant = carry
                b = b + w[:, dropped] @ constant
            keep_out = (
                masks[k].cpu()
                if k < len(masks)
                else torch.ones(w.shape[0], dtype=torch.bool)
            )
            # a removed neuron is replaced by its output at zero input, f(b):
            # exact when its incoming weights vanish
            carry = (~keep_out, activation(b[~keep_out]))
            linear = torch.nn.Linear(int(keep_in.sum()), int(keep_out.sum()))
            with torch.no_grad():
                linear.weight.copy_(w[keep_out][:, keep_in])
                linear.bias.copy_(b[keep_out])
            layers.append(linear)
            if k < len(weights) - 1:
                layers.append(type(module.activation)())
            keep_in = keep_out
        return torch.nn.Sequential(*layers).to(self.net_.device)

    def prune(self, X, y, *, tol=0.05):
        """Find the smallest sub-network whose loss on ``(X, y)`` stays within tol.

        Hidden neurons are ranked by their spectral score: with
        ``auto_depth=True`` their SPARCS eigenvalue (removal is then exact
        for neurons whose eigenvalue is 0: their constant output is folded
        into later biases, see :func:`~sklearn_spectral.nn.export.
        export_dense`); at fixed depth the teacher-student poster's node
        relevance ``|lam_out_i| * ||phi[i, :]||`` when the destination
        eigenvalues are trained (``eigenvalues="out"`` or ``"both"``), else
        the norm of the neuron's outgoing weights; a removed neuron is
        replaced by its constant output ``f(bias)`` folded into the next
        layer's bias, exact when its incoming or its outgoing weights vanish.
        For a range of relative thresholds the neurons below it
        are removed and the loss of the remaining network is measured. The
        kept network is the smallest whose loss is at most ``(1 + tol)``
        times the loss of the full network, as in the SPARCS paper
        (``tol=0.05``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Validation data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Validation targets.
        tol : float, default=0.05
            Largest relative loss increase allowed.

        Returns
        -------
        self : estimator
            With ``pruning_curve_`` (dict of arrays ``"rtol"``,
            ``"n_active"``, ``"loss"``, ``"loss_increase"``, sorted by
            ``n_active``, and the float ``"tol"``) and
            ``pruned_architecture_``; ``to_torch(pruned=True)`` exports the
            pruned network.
        """
        check_is_fitted(self)
        if tol < 0:
            raise ValueError(f"tol must be non-negative, got {tol}.")
        if not self._hidden_sizes():
            raise ValueError("prune needs at least one hidden layer.")
        X = self._validate_X(X, reset=False).astype(np.float32)
        y = self._encode_targets(y)
        base = self._loss_on(self.net_.module_, X, y)
        rtols = np.concatenate([[0.0], np.logspace(-6, 0, 31)])
        rows = []
        for rtol in rtols:
            masks = self._masks_at(rtol)
            loss = self._loss_on(self._dense_module(masks), X, y)
            rows.append((rtol, int(sum(int(m.sum()) for m in masks)), loss, masks))
        rows.sort(key=lambda row: (row[1], -row[0]))
        n_active = np.array([r[1] for r in rows])
        losses = np.array([r[2] for r in rows])
        increase = (losses - base) / max(abs(base), np.finfo(np.float64).tiny)
        ok = np.flatnonzero(increase <= tol)
        best = rows[ok[0]] if ok.size else rows[-1]
        self.pruning_curve_ = {
            "rtol": np.array([r[0] for r in rows]),
            "n_active": n_active,
            "loss": losses,
            "loss_increase": increase,
            "tol": float(tol),
        }
        self._pruning_masks = best[3]
        self.pruned_architecture_ = tuple(int(m.sum()) for m in best[3] if m.any())
        return self

    def to_torch(self, *, pruned=False):
        """Export the network as a plain direct-space ``torch.nn.Module``.

        Parameters
        ----------
        pruned : bool, default=False
            Export the network chosen by :meth:`prune` instead of the full
            one (with ``auto_depth=True``: the active neurons of
            ``architecture_``).

        Returns
        -------
        torch.nn.Module
            Float32 module mapping a ``(n, n_features)`` tensor to the logits
            (classifier: apply a softmax for probabilities) or to the
            predictions in the units of ``y`` (regressor). Fixed depth: an
            ``nn.Sequential`` of ``nn.Linear`` and activations; auto-depth: a
            :class:`~sklearn_spectral.nn.export.DenseSkipNetwork` with only the
            surviving neurons and every skip connection.
        """
        check_is_fitted(self)
        if pruned:
            if not hasattr(self, "_pruning_masks"):
                raise ValueError("Call prune(X_val, y_val) before pruned=True.")
            masks = self._pruning_masks
        elif self.auto_depth:
            masks = self._masks_at(self._ACTIVE_RTOL)
        else:
            masks = [torch.ones(n, dtype=torch.bool) for n in self._hidden_sizes()]
        dense = self._dense_module(masks)
        last = dense.linears[-1] if self.auto_depth else dense[-1]
        self._fold_output_scale(last)
        return dense.eval()

    def _fold_output_scale(self, linear):
        """Make the last layer output what ``predict`` returns (regressor)."""

    def node_relevance(self):
        """Node relevance ``|lam_out_i| * ||phi[i, :]||`` of every hidden layer.

        Informative when the destination eigenvalues are trained
        (``eigenvalues="out"`` or ``"both"``), as in the teacher-student
        poster.

        Returns
        -------
        list of ndarray
            One array per hidden layer.
        """
        check_is_fitted(self)
        if self.auto_depth:
            raise ValueError(
                "node_relevance is defined for fixed-depth networks; with "
                "auto_depth=True read hidden_eigenvalues_ (one eigenvalue per "
                "neuron)."
            )
        return [r.cpu().double().numpy() for r in self.net_.module_.node_relevance()]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
